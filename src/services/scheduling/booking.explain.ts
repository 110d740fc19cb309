/**
 * Why an option cannot be had now: the refusal of a booking names what is really short, from the
 * facts the booking just read under its locks (the same pure check that refused it), or the
 * constraint the database enforced.
 */
import type { ConflictReason } from "./appointments.schema.js";
import { type AskedOption, type BookingFacts, checkOption } from "./availability/check.js";

export { refusalReason } from "./availability/check.js";

const CONSTRAINT_REASON: Record<string, ConflictReason> = {
  appointments_physician_no_overlap: "physician",
  appointments_room_no_overlap: "room",
  appointments_patient_no_overlap: "patient",
  // an extra seat (migration 0035) doubles one slot exactly, once
  appointments_physician_one_extra_seat: "physician",
  appointments_physician_same_slot_start: "physician",
  appointments_physician_same_slot_end: "physician",
  appointments_physician_same_slot_place: "physician",
  appointments_room_one_extra_seat: "room",
  appointments_room_same_slot_start: "room",
  appointments_room_same_slot_end: "room",
  appointments_room_one_physician: "room",
  equipment_reservations_no_overlap: "equipment",
};

/**
 * Why an option cannot be booked on these facts (undefined when it can), in the order a
 * scheduler would look: what is really short is named (a free room with no free equipment is
 * "equipment", never "room").
 */
export function explain(facts: BookingFacts, option: AskedOption): ConflictReason | undefined {
  const check = checkOption(facts, option);
  return check.ok ? undefined : check.reason;
}

/** The conflict a violated exclusion constraint stands for, if it is one of the booking's. */
export function reasonOf(err: unknown): ConflictReason | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as { code?: unknown; constraint?: unknown };
  if (e.code !== "23P01" || typeof e.constraint !== "string") return undefined;
  return CONSTRAINT_REASON[e.constraint];
}
