/**
 * How the booking path refuses: an option id this server did not issue or that has expired, and a
 * conflict with the present (409 `conflict_<reason>`, with the nearest alternatives when found).
 */
import { ProblemError, problems } from "../../platform/errors.js";
import type { ConflictReason, SlotOptionDto } from "./appointments.schema.js";
import type { OptionIds, OptionRef } from "./availability/option-id.js";

const REASON_TEXT: Record<ConflictReason, string> = {
  physician: "The physician is already booked at that time",
  room: "No suitable room is free at that time",
  equipment: "The equipment needed is in use at that time",
  patient: "The patient already has an appointment at or too near that time (travel included)",
  travel: "The physician could not travel between locations in time",
  unavailable: "That time is no longer offered (outside the physician's hours, notice or opening hours)",
  hold_expired: "The hold has expired",
};

export class BookingConflict extends ProblemError {
  constructor(
    readonly reason: ConflictReason,
    alternatives: SlotOptionDto[] = [],
  ) {
    super(
      409,
      `conflict_${reason}`,
      REASON_TEXT[reason],
      [{ field: "body.optionId", message: REASON_TEXT[reason] }],
      {
        reason,
        alternatives,
      },
    );
  }
}

/**
 * The option an id names, if this server issued it with its key and it has not expired: a forged,
 * tampered or foreign id is a 422 (`option_invalid`), an expired one a 409 (`option_expired`).
 */
export function openOrFail(optionIds: OptionIds, optionId: string, field = "body.optionId"): OptionRef {
  const opened = optionIds.open(optionId);
  if (opened.ok) return opened.option;
  if (opened.problem === "expired") {
    const message = "This option was offered too long ago; search again for current times";
    throw new ProblemError(409, "option_expired", message, [{ field, message }], {
      reason: "option_expired",
    });
  }
  throw problems.invalid(field, "not an option id this server issued (or it was altered)", "option_invalid");
}
