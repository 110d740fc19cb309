import { z } from "zod";
import { pageQuery, uuid } from "../../platform/schemas.js";
import { scheduleChange } from "../physicians/index.js";
import { slotOption } from "../scheduling/index.js";

/**
 * The physician is unavailable from now to the end of today's working time (taken ill, called
 * away): time off over the rest of their day, with same-day alternatives.
 */
export const unavailableToday = z.object({
  change: z.literal("unavailable_today"),
  physicianId: uuid,
  reason: z.string().max(1000).nullable().default(null),
});

/** The change a plan evaluates: the shapes the physician schedule routes accept, or "unavailable today". */
export const planInput = z.discriminatedUnion("change", [scheduleChange, unavailableToday]);
export type PlanInput = z.infer<typeof planInput>;
/** What a plan stores and applies: "unavailable today" is kept as the time off it amounts to. */
export type StoredChange = z.infer<typeof scheduleChange>;

export const policies = ["auto_move", "staff"] as const;
export type Policy = (typeof policies)[number];
export const states = ["moved", "needs_attention"] as const;

export const outcome = z.object({
  policy: z.enum(policies),
  state: z.enum(states),
  newAppointmentId: uuid.nullable(),
  note: z.string().nullable(),
});
export type Outcome = z.infer<typeof outcome>;

/** Department heads see no patient records: an affected appointment names no patient. */
export const affectedAppointment = z.object({
  appointmentId: uuid,
  locationId: uuid,
  appointmentTypeId: uuid,
  start: z.string(),
  end: z.string(),
  alternatives: z.array(slotOption).describe("up to 3, best first: same physician, then same specialty"),
  outcome: outcome.nullable().describe("what became of it once the plan was applied"),
});
export type AffectedAppointment = z.infer<typeof affectedAppointment>;
/** As a plan stores it: with the patient, for the hand-over and the move. */
export type StoredItem = Omit<AffectedAppointment, "outcome"> & { patientId: string };

export const reschedulePlan = z.object({
  id: uuid,
  physicianId: uuid,
  change: z.record(z.string(), z.unknown()),
  status: z.enum(["proposed", "applied"]),
  createdAt: z.string(),
  expiresAt: z.string().describe("apply before this (the alternatives' option ids expire with it)"),
  appliedAt: z.string().nullable(),
  affected: z.array(affectedAppointment),
});
export type ReschedulePlan = z.infer<typeof reschedulePlan>;

export const applyInput = z
  .object({
    policy: z.enum(policies).default("auto_move").describe("for every affected appointment not listed below"),
    exceptions: z
      .array(z.object({ appointmentId: uuid, policy: z.enum(policies) }).strict())
      .max(1000)
      .default([]),
  })
  .strict();
export type ApplyInput = z.infer<typeof applyInput>;

export const planParams = z.object({ id: uuid });

export const handoverQuery = pageQuery.extend({ locationId: uuid });
export type HandoverQuery = z.infer<typeof handoverQuery>;

export const handover = z.object({
  planId: uuid,
  appointmentId: uuid,
  patientId: uuid,
  locationId: uuid,
  start: z.string(),
  note: z.string().nullable(),
});
export type Handover = z.infer<typeof handover>;
