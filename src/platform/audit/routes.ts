import { z } from "zod";
import type { Actor } from "../access.js";
import type { Db } from "../db.js";
import type { App } from "../http.js";
import { actorOf } from "../identity/plugin.js";
import { authorize, patient, rolesFor } from "../policy.js";
import { errorResponses, idParams, instant, pageOf, pageQuery, toIso, uuid } from "../schemas.js";
import type { AuditRow } from "./repository.js";
import { auditService } from "./service.js";

const tags = ["audit"];

export const auditEvent = z.object({
  id: uuid,
  seq: z.number().int(),
  occurredAt: z.string(),
  userId: uuid.nullable(),
  role: z.string().nullable(),
  actingFor: uuid.nullable(),
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.string().nullable(),
  patientId: uuid.nullable(),
  locationId: uuid.nullable(),
  outcome: z.string(),
  requestId: z.string().nullable(),
  clientAddress: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  flagged: z.boolean(),
});

const auditQuery = pageQuery.extend({
  patientId: uuid.optional(),
  userId: uuid.optional(),
  locationId: uuid.optional(),
  action: z.string().max(100).optional(),
  outcome: z.enum(["success", "denied", "failure"]).optional(),
  flagged: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
  from: instant.optional(),
  to: instant.optional(),
});

const toEvent = (r: AuditRow): z.infer<typeof auditEvent> => ({
  id: r.id,
  seq: Number(r.seq),
  occurredAt: toIso(r.occurred_at),
  userId: r.user_id,
  role: r.role,
  actingFor: r.acting_for,
  action: r.action,
  resourceType: r.resource_type,
  resourceId: r.resource_id,
  patientId: r.patient_id,
  locationId: r.location_id,
  outcome: r.outcome,
  requestId: r.request_id,
  clientAddress: r.client_address,
  detail: (typeof r.detail === "string" ? JSON.parse(r.detail) : (r.detail ?? {})) as Record<string, unknown>,
  flagged: r.flagged,
});

const ctx = (a: Actor) => ({
  userId: a.userId,
  role: a.role,
  requestId: a.requestId,
  clientAddress: a.clientAddress,
});

export function auditRoutes(app: App, db: Db): void {
  app.get(
    "/api/v1/audit-events",
    {
      config: {
        allow: ["admin", "compliance"],
        guards: { "query.patientId": "scope", "query.userId": "scope", "query.locationId": "scope" },
      },
      schema: {
        tags,
        summary: "Search the audit trail",
        querystring: auditQuery,
        response: { 200: pageOf(auditEvent), ...errorResponses },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return db.transaction().execute(async (tx) => {
        const { rows, total } = await auditService.list(tx, req.query);
        // reading the trail is itself an access to patient data
        await auditService.record(tx, ctx(actor), {
          action: "audit.search",
          resourceType: "audit_event",
          patientId: req.query.patientId ?? null,
          detail: { filter: { ...req.query } },
        });
        return { items: rows.map(toEvent), total, limit: req.query.limit, offset: req.query.offset };
      });
    },
  );

  app.get(
    "/api/v1/patients/:id/access-log",
    {
      config: {
        allow: rolesFor("patient", "read_access_log"),
        guards: { "params.id": ["patient", "read_access_log"] },
      },
      schema: {
        tags,
        summary: "Who opened or changed this patient's record (patients see their own and their dependents')",
        params: idParams,
        querystring: pageQuery,
        response: { 200: pageOf(auditEvent), ...errorResponses },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return db.transaction().execute(async (tx) => {
        const ground = await authorize(tx, actor, "read_access_log", patient(req.params.id));
        const { rows, total } = await auditService.list(tx, { patientId: req.params.id, ...req.query });
        await auditService.record(tx, ctx(actor), {
          action: "patient.access_log.read",
          resourceType: "patient",
          resourceId: req.params.id,
          patientId: req.params.id,
          actingFor: ground === "guardian" ? req.params.id : null,
        });
        // a patient learns who opened their record, not the hospital's workstation addresses
        const items = rows
          .map(toEvent)
          .map((e) =>
            ground === "own" || ground === "guardian" ? { ...e, clientAddress: null, requestId: null } : e,
          );
        return { items, total, limit: req.query.limit, offset: req.query.offset };
      });
    },
  );
}
