/** A location's overbooking rule as the API reads and writes it. */
import { z } from "zod";
import { instant, uuid } from "../../platform/schemas.js";

export const overbookingRuleInput = z
  .object({
    enabled: z.boolean(),
    threshold: z
      .number()
      .min(0.1)
      .max(20)
      .describe("expected no-shows of one physician's session above which one extra seat is offered"),
    offerToPatients: z
      .boolean()
      .optional()
      .describe("patients searching for themselves see the extra seat too (absent: unchanged; off at first)"),
  })
  .strict();
export type OverbookingRuleInput = z.infer<typeof overbookingRuleInput>;

export const overbookingRule = z.object({
  locationId: z.string(),
  enabled: z.boolean(),
  threshold: z.number(),
  offerToPatients: z.boolean().describe("patients' own searches offer the extra seat too"),
  /** Null while the location never set one (the rule is off). */
  updatedAt: z.string().nullable(),
  explanation: z.string(),
});
export type OverbookingRuleDto = z.infer<typeof overbookingRule>;

/** Off unless a location turns it on; the threshold a location starts from. */
export const DEFAULT_OVERBOOKING = { enabled: false, threshold: 1.5, offerToPatients: false } as const;

export const OVERBOOKING_EXPLANATION =
  "When the appointments of one physician's session at this location are expected to miss more " +
  "visits than the threshold (the sum of their no-show risks), the session offers one extra seat: " +
  "a second patient in the slot most likely to be missed, same physician, room and time. Nothing " +
  "else is ever double-booked (patients, equipment, other rooms, the physician's other locations). " +
  "Staff see the extra seat in their searches for a patient; patients see it in Find care only when " +
  "the location offers it to patients. Whoever takes it may wait a little: both patients may come.";

/** What an extra-seat option says about itself (search answers, in the option's `extraSeat`). */
export const EXTRA_SEAT_NOTE =
  "Extra seat: this physician's session is expected to miss more visits than the location's " +
  "threshold, so one slot takes a second patient. If both patients come, you may wait a little.";

export const extraSeatInput = z.object({ patientId: uuid }).strict();

export const extraSeatBooking = z.object({
  appointmentId: z.string(),
  doubles: z.string().describe("the booked appointment whose slot now holds two"),
  expectedNoShows: z.number().describe("the session's expected no-shows that opened the extra seat"),
});

export const openSeatsQuery = z
  .object({
    from: instant.describe("the first instant (a desk's day: its local midnight)"),
    to: instant.describe("the end of the window, at most 7 days after from"),
  })
  .strict();

export const openSeats = z.object({
  seats: z.array(
    z.object({
      doubles: z
        .string()
        .describe("the booked appointment whose slot takes the extra patient: book it by its id"),
      physicianId: z.string(),
      roomId: z.string().nullable(),
      start: z.string(),
      end: z.string(),
      expectedNoShows: z.number().describe("the session's expected no-shows that open the seat"),
      threshold: z.number(),
    }),
  ),
  explanation: z.string(),
});
export type OpenSeatsDto = z.infer<typeof openSeats>;
