/** Request and response schemas of incidents (the security officers' screens). */
import { z } from "zod";
import { SEVERITIES } from "../../../platform/config.incidents.js";
import { pageOf, pageQuery } from "../../../platform/schemas.js";
import { INCIDENT_KINDS } from "./detectors.js";

export const OUTCOMES = ["confirmed", "contained", "false_positive", "benign"] as const;
const note = z.string().trim().min(1, "must not be empty").max(2000, "at most 2000 characters");

export const incidentQuery = pageQuery
  .extend({
    status: z.enum(["open", "acknowledged", "resolved"]).optional(),
    kind: z.enum(INCIDENT_KINDS).optional(),
    severity: z.enum(SEVERITIES).optional(),
    subjectKind: z.enum(["account", "address", "location", "network"]).optional(),
  })
  .strict();
export type IncidentQuery = z.infer<typeof incidentQuery>;

export const incident = z.object({
  id: z.string(),
  kind: z.enum(INCIDENT_KINDS),
  severity: z.enum(SEVERITIES),
  subjectKind: z.enum(["account", "address", "location", "network"]),
  subject: z.string(),
  /** The account involved, its email and whether it is locked now (null: no account). */
  account: z.object({ id: z.string(), email: z.string().nullable(), locked: z.boolean() }).nullable(),
  status: z.enum(["open", "acknowledged", "resolved"]),
  openedAt: z.string(),
  lastSignalAt: z.string(),
  signals: z.number().int(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  outcome: z.enum(OUTCOMES).nullable(),
});
export type Incident = z.infer<typeof incident>;
export const incidentPage = pageOf(incident);

export const timelineEntry = z.object({
  id: z.string(),
  at: z.string(),
  kind: z.enum([
    "signal",
    "alert_sent",
    "account_locked",
    "account_unlocked",
    "acknowledged",
    "note",
    "resolved",
  ]),
  actorId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export const incidentDetail = incident.extend({ timeline: z.array(timelineEntry) });
export type IncidentDetail = z.infer<typeof incidentDetail>;

export const noteBody = z.object({ note }).strict();
export type NoteBody = z.infer<typeof noteBody>;
export const optionalNoteBody = z.object({ note: note.optional() }).strict().nullish();
export type OptionalNoteBody = z.infer<typeof optionalNoteBody>;
export const resolveIncidentBody = z
  .object({ outcome: z.enum(OUTCOMES), note: note.describe("what was found and done") })
  .strict();
export type ResolveIncidentBody = z.infer<typeof resolveIncidentBody>;
