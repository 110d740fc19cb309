import type { App } from "../../../platform/http.js";
import { actorOf } from "../../../platform/identity/index.js";
import { errorResponses, idParams } from "../../../platform/schemas.js";
import {
  incidentDetail,
  incidentPage,
  incidentQuery,
  noteBody,
  optionalNoteBody,
  resolveIncidentBody,
} from "./schema.js";
import type { Incidents } from "./service.js";

/** Incidents: compliance officers and administrators (they name no location: every officer works every one). */
const responders = ["compliance", "admin"] as const;
const guards = { "params.id": "reference" } as const;

export function incidentRoutes(app: App, incidents: Incidents): void {
  app.get(
    "/api/v1/incidents",
    {
      config: { allow: responders },
      schema: {
        tags: ["incidents"],
        summary: "Security incidents, open first, filtered by status, kind, severity or subject kind",
        querystring: incidentQuery,
        response: { 200: incidentPage, ...errorResponses },
      },
    },
    (req) => incidents.list(actorOf(req), req.query),
  );
  app.get(
    "/api/v1/incidents/:id",
    {
      config: { allow: responders, guards },
      schema: {
        tags: ["incidents"],
        summary:
          "An incident with its timeline: signals, alerts sent, locks, acknowledgement, notes, resolution",
        params: idParams,
        response: { 200: incidentDetail, ...errorResponses },
      },
    },
    (req) => incidents.get(actorOf(req), req.params.id),
  );
  app.post(
    "/api/v1/incidents/:id/acknowledge",
    {
      config: { allow: responders, guards },
      schema: {
        tags: ["incidents"],
        summary: "Acknowledge an open incident (someone is on it), with an optional note",
        params: idParams,
        body: optionalNoteBody,
        response: { 200: incidentDetail, ...errorResponses },
      },
    },
    (req) => incidents.acknowledge(actorOf(req), req.params.id, req.body),
  );
  app.post(
    "/api/v1/incidents/:id/notes",
    {
      config: { allow: responders, guards },
      schema: {
        tags: ["incidents"],
        summary: "Add a note to an incident's timeline (evidence kept, people told, steps taken)",
        params: idParams,
        body: noteBody,
        response: { 200: incidentDetail, ...errorResponses },
      },
    },
    (req) => incidents.addNote(actorOf(req), req.params.id, req.body),
  );
  app.post(
    "/api/v1/incidents/:id/resolve",
    {
      config: { allow: responders, guards },
      schema: {
        tags: ["incidents"],
        summary: "Resolve an incident with its outcome and a note (409 once resolved)",
        params: idParams,
        body: resolveIncidentBody,
        response: { 200: incidentDetail, ...errorResponses },
      },
    },
    (req) => incidents.resolve(actorOf(req), req.params.id, req.body),
  );
  app.post(
    "/api/v1/incidents/:id/lock",
    {
      config: { allow: responders, guards },
      schema: {
        tags: ["incidents"],
        summary:
          "Lock the incident's account: sign-in refused and sessions ended until an administrator unlocks it",
        params: idParams,
        body: optionalNoteBody,
        response: { 200: incidentDetail, ...errorResponses },
      },
    },
    (req) => incidents.lockAccount(actorOf(req), req.params.id, req.body),
  );
  app.post(
    "/api/v1/incidents/:id/unlock",
    {
      config: { allow: ["admin"], guards },
      schema: {
        tags: ["incidents"],
        summary: "Unlock the incident's account (administrators only)",
        params: idParams,
        body: optionalNoteBody,
        response: { 200: incidentDetail, ...errorResponses },
      },
    },
    (req) => incidents.unlockAccount(actorOf(req), req.params.id, req.body),
  );
}
