import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses, idParams, pageOf } from "../../platform/schemas.js";
import { labResultList, messageQuery, outboundMessage } from "./schema.js";
import type { Hl7Service } from "./service.js";

const tags = ["hl7"];

export function hl7Routes(app: App, hl7: Hl7Service): void {
  app.get(
    "/api/v1/hl7/messages",
    {
      config: { allow: ["admin"], guards: { "query.appointmentId": "scope" } },
      schema: {
        tags,
        summary:
          "SIU messages to the EMR, newest first: pending, acknowledged or failed, with the last answer",
        querystring: messageQuery,
        response: { 200: pageOf(outboundMessage), ...errorResponses },
      },
    },
    (req) => hl7.messages(req.query),
  );
  app.post(
    "/api/v1/hl7/messages/:id/resend",
    {
      config: { allow: ["admin"], guards: { "params.id": "reference" } },
      schema: {
        tags,
        summary: "Send a failed message again (same control id), in its place in the appointment's order",
        params: idParams,
        response: { 200: outboundMessage, ...errorResponses },
      },
    },
    (req) => hl7.resend(actorOf(req), req.params.id),
  );
  app.get(
    "/api/v1/patients/:id/lab-results",
    {
      // whoever may read the patient's record: their physicians, the patient, the front desk that reaches them
      config: { allow: rolesFor("patient", "read"), guards: { "params.id": ["patient", "read"] } },
      schema: {
        tags,
        summary: "Lab results the EMR sent for the patient (ORU^R01), newest first",
        params: idParams,
        response: { 200: labResultList, ...errorResponses },
      },
    },
    async (req) => ({ items: await hl7.labResults(actorOf(req), req.params.id) }),
  );
}
