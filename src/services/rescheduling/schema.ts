import { z } from "zod";
import { instant, pageQuery, uuid } from "../../platform/schemas.js";
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

/**
 * The request to take a room or an item of equipment out of service: from now (or `from`) until
 * `until`, or for good (set inactive on applying until put back by hand). Every booked or held
 * appointment still to come that uses it during the period must move.
 */
export const outOfServiceInput = z
  .object({
    reason: z.string().max(1000).nullable().default(null),
    from: instant.optional().describe("when the period starts; default and at the earliest: now"),
    until: instant
      .nullable()
      .default(null)
      .describe("back in service by itself at this instant; null: until put back in service by hand"),
  })
  .strict();
export type OutOfServiceInput = z.infer<typeof outOfServiceInput>;

export type FacilityKind = "room" | "equipment";
/** A facility's out of service as a plan evaluates it. */
export type FacilityOutOfService = OutOfServiceInput &
  (
    | { change: "room_out_of_service"; roomId: string }
    | { change: "equipment_out_of_service"; equipmentId: string }
  );

/**
 * The change a plan evaluates at `POST /reschedule-plans`: the shapes the physician schedule
 * routes accept, or "unavailable today" (a room has its own route: its location's staff ask it).
 */
export const planInput = z.discriminatedUnion("change", [scheduleChange, unavailableToday]);
export type PlanInput = z.infer<typeof planInput>;

/** A physician's change as a plan stores and applies it: "unavailable today" is kept as the time off it amounts to. */
export type StoredChange = z.infer<typeof scheduleChange>;

/** Per affected appointment on saving: move it, offer the patient the best alternative, or hand it to the desk. */
export const policies = ["auto_move", "offer", "staff"] as const;
export type Policy = (typeof policies)[number];
/** Where an affected appointment ends: every one ends in one of these, none is dropped. */
export const states = ["moved", "offered", "accepted", "needs_attention"] as const;
export type OutcomeState = (typeof states)[number];
export const answers = ["accepted", "chose_another", "declined", "expired"] as const;
export type Answer = (typeof answers)[number];
/**
 * What a plan was made for: a schedule change, the physician called away for the rest of today, or
 * a room or an item of equipment out of service.
 */
export const causes = [
  "schedule",
  "unavailable_today",
  "room_out_of_service",
  "equipment_out_of_service",
] as const;
export type Cause = (typeof causes)[number];

export const outcome = z.object({
  id: uuid,
  policy: z.enum(policies),
  state: z.enum(states).describe("needs_attention: handed to the location's staff"),
  newAppointmentId: uuid.nullable(),
  offerExpiresAt: z.string().nullable().describe("an offer: until when the alternative is held"),
  answer: z.enum(answers).nullable().describe("an offer: the patient's answer, or expired"),
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
  alternatives: z
    .array(slotOption)
    .describe(
      "up to 3, best first: same physician, then same specialty (a room's or equipment's plan: the same time with another room or unit first)",
    ),
  outcome: outcome.nullable().describe("what became of it once the plan was applied"),
});
export type AffectedAppointment = z.infer<typeof affectedAppointment>;
/**
 * As a plan stores it: with the patient, for the hand-over and the move (and, in a room's plan,
 * the appointment's physician: the plan names none).
 */
export type StoredItem = Omit<AffectedAppointment, "outcome"> & { patientId: string; physicianId?: string };

export const reschedulePlan = z.object({
  id: uuid,
  physicianId: uuid.nullable().describe("the physician whose schedule changes; null for a room's plan"),
  roomId: uuid.nullable().describe("the room taken out of service; null otherwise"),
  equipmentId: uuid.nullable().describe("the item of equipment taken out of service; null otherwise"),
  cause: z.enum(causes),
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

export const unavailableTodayInput = z
  .object({ reason: z.string().max(1000).nullable().default(null) })
  .strict();

export const planListQuery = pageQuery.extend({ physicianId: uuid });
export type PlanListQuery = z.infer<typeof planListQuery>;

/** A plan in a physician's list: what it was and how its appointments ended, counted. */
export const planSummary = z.object({
  id: uuid,
  physicianId: uuid,
  cause: z.enum(causes),
  change: z.record(z.string(), z.unknown()),
  status: z.enum(["proposed", "applied"]),
  createdAt: z.string(),
  appliedAt: z.string().nullable(),
  affected: z.number().int(),
  states: z.object({
    moved: z.number().int(),
    offered: z.number().int(),
    accepted: z.number().int(),
    needs_attention: z.number().int(),
  }),
});
export type PlanSummary = z.infer<typeof planSummary>;

export const outcomeQuery = pageQuery.extend({ locationId: uuid });
export type OutcomeQuery = z.infer<typeof outcomeQuery>;

/** The report at a location: every appointment a plan affected there and where it ended. */
export const locationOutcome = z.object({
  id: uuid,
  planId: uuid,
  appointmentId: uuid,
  patientId: uuid,
  locationId: uuid,
  start: z.string(),
  policy: z.enum(policies),
  state: z.enum(states),
  newAppointmentId: uuid.nullable(),
  offerExpiresAt: z.string().nullable(),
  answer: z.enum(answers).nullable(),
  note: z.string().nullable(),
  resolvedAt: z.string().nullable(),
});
export type LocationOutcome = z.infer<typeof locationOutcome>;

/** An offer as its patient sees it: the appointment that must move and the time held for them. */
export const rescheduleOffer = z.object({
  id: uuid,
  patientId: uuid,
  appointmentId: uuid,
  appointmentTypeId: uuid,
  physicianId: uuid.describe("the appointment's physician"),
  locationId: uuid,
  start: z.string().describe("the appointment that cannot take place"),
  end: z.string(),
  held: z.object({
    appointmentId: uuid,
    start: z.string(),
    end: z.string(),
    physicianId: uuid,
    physicianName: z.string(),
    locationId: uuid,
    locationName: z.string(),
    telehealth: z.boolean(),
  }),
  expiresAt: z.string(),
  status: z
    .enum(["offered", "accepted", "declined", "expired"])
    .describe("expired also once its time has passed, before the desk takes it over"),
  newAppointmentId: uuid.nullable(),
});
export type RescheduleOffer = z.infer<typeof rescheduleOffer>;

export const offerListQuery = pageQuery.extend({
  status: z.enum(["offered", "accepted", "declined", "expired"]).optional(),
});
export type OfferListQuery = z.infer<typeof offerListQuery>;

export const acceptInput = z
  .object({
    optionId: z
      .string()
      .min(10)
      .max(2000)
      .optional()
      .describe("another option of the same appointment type (from a search) instead of the held one"),
  })
  .strict();
export type AcceptInput = z.infer<typeof acceptInput>;

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
