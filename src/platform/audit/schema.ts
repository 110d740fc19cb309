import { z } from "zod";
import { instant, pageQuery, toIso, uuid } from "../schemas.js";
import type { AuditRow } from "./repository.js";

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

export const auditQuery = pageQuery.extend({
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

export const toEvent = (r: AuditRow): z.infer<typeof auditEvent> => ({
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

export type AuditEvent = z.infer<typeof auditEvent>;
export type AuditQuery = z.infer<typeof auditQuery>;
