import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses, idParams, pageOf } from "../../platform/schemas.js";
import {
  batch,
  batchQuery,
  batchRequest,
  billingIdentity,
  chargeState,
  identityInput,
  identityList,
  locationParams,
  modifiersInput,
  typeCoding,
  typeParams,
} from "./schema.js";
import type { Billing } from "./service.js";

const tags = ["billing"];
const MEDIA = {
  "x12-837p": "application/edi-x12",
  "fhir-claim": "application/fhir+json; charset=utf-8",
} as const;
const EXTENSION = { "x12-837p": "x12", "fhir-claim": "json" } as const;

export function billingRoutes(app: App, billing: Billing): void {
  const managers = rolesFor("location", "manage_billing");
  app.get(
    "/api/v1/billing/identities",
    {
      config: { allow: managers },
      schema: {
        tags,
        summary: "Each location's billing identity: place of service, facility NPI, tax id, billing address",
        response: { 200: identityList, ...errorResponses },
      },
    },
    async (req) => ({ items: await billing.identities(actorOf(req)) }),
  );
  app.put(
    "/api/v1/billing/identities/:locationId",
    {
      config: { allow: managers, guards: { "params.locationId": ["location", "manage_billing"] } },
      schema: {
        tags,
        summary: "Set a location's billing identity (the NPI's check digit is verified)",
        params: locationParams,
        body: identityInput,
        response: { 200: billingIdentity, ...errorResponses },
      },
    },
    (req) => billing.setIdentity(actorOf(req), req.params.locationId, req.body),
  );
  app.put(
    "/api/v1/billing/appointment-types/:appointmentTypeId/modifiers",
    {
      config: { allow: ["admin"], guards: { "params.appointmentTypeId": "reference" } },
      schema: {
        tags,
        summary:
          "Set the modifiers an appointment type's CPT/HCPCS code is billed with (95 is added to video visits)",
        params: typeParams,
        body: modifiersInput,
        response: { 200: typeCoding, ...errorResponses },
      },
    },
    (req) => billing.setModifiers(actorOf(req), req.params.appointmentTypeId, req.body.modifiers),
  );
  app.post(
    "/api/v1/billing/batches",
    {
      config: { allow: managers },
      schema: {
        tags,
        summary:
          "Export the completed visits of a date range not yet exported in the format (x12-837p or fhir-claim); the same range again returns the same batch",
        body: batchRequest,
        response: { 200: batch, 201: batch, ...errorResponses },
      },
    },
    async (req, reply) => {
      const b = await billing.exportBatch(actorOf(req), req.body);
      return reply.code(b.created ? 201 : 200).send(b);
    },
  );
  app.get(
    "/api/v1/billing/batches",
    {
      config: { allow: managers },
      schema: {
        tags,
        summary: "Exported batches, newest first",
        querystring: batchQuery,
        response: { 200: pageOf(batch), ...errorResponses },
      },
    },
    (req) => billing.batches(req.query),
  );
  app.get(
    "/api/v1/billing/batches/:id",
    {
      config: { allow: managers, guards: { "params.id": "reference" } },
      schema: {
        tags,
        summary: "One exported batch",
        params: idParams,
        response: { 200: batch, ...errorResponses },
      },
    },
    (req) => billing.batch(req.params.id),
  );
  app.get(
    "/api/v1/billing/batches/:id/document",
    {
      config: { allow: managers, guards: { "params.id": "reference" } },
      schema: {
        tags,
        summary:
          "Download a batch's document exactly as exported (837P interchange or FHIR Bundle of Claims)",
        params: idParams,
        response: errorResponses,
      },
    },
    async (req, reply) => {
      const doc = await billing.download(actorOf(req), req.params.id);
      return reply
        .type(MEDIA[doc.format])
        .header(
          "content-disposition",
          `attachment; filename="claims-${req.params.id}.${EXTENSION[doc.format]}"`,
        )
        .serializer((x: unknown) => x as string)
        .send(doc.content as never);
    },
  );
  app.get(
    "/api/v1/appointments/:id/billing",
    {
      config: { allow: rolesFor("appointment", "read"), guards: { "params.id": ["appointment", "read"] } },
      schema: {
        tags,
        summary:
          "Whether the visit was exported as a claim: in which batch, with which code, place of service and amount",
        params: idParams,
        response: { 200: chargeState, ...errorResponses },
      },
    },
    (req) => billing.chargeState(actorOf(req), req.params.id),
  );
}
