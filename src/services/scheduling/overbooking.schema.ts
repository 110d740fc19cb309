/** A location's overbooking rule as the API reads and writes it. */
import { z } from "zod";
import { uuid } from "../../platform/schemas.js";

export const overbookingRuleInput = z
  .object({
    enabled: z.boolean(),
    threshold: z
      .number()
      .min(0.1)
      .max(20)
      .describe("expected no-shows of one physician's session above which one extra seat is offered"),
  })
  .strict();
export type OverbookingRuleInput = z.infer<typeof overbookingRuleInput>;

export const overbookingRule = z.object({
  locationId: z.string(),
  enabled: z.boolean(),
  threshold: z.number(),
  /** Null while the location never set one (the rule is off). */
  updatedAt: z.string().nullable(),
  explanation: z.string(),
});
export type OverbookingRuleDto = z.infer<typeof overbookingRule>;

/** Off unless a location turns it on; the threshold a location starts from. */
export const DEFAULT_OVERBOOKING = { enabled: false, threshold: 1.5 } as const;

export const OVERBOOKING_EXPLANATION =
  "When the appointments of one physician's session at this location are expected to miss more " +
  "visits than the threshold (the sum of their no-show risks), the session offers one extra seat: " +
  "a second patient in the slot most likely to be missed, same physician, room and time. Nothing " +
  "else is ever double-booked (patients, equipment, other rooms, the physician's other locations).";

export const extraSeatInput = z.object({ patientId: uuid }).strict();

export const extraSeatBooking = z.object({
  appointmentId: z.string(),
  doubles: z.string().describe("the booked appointment whose slot now holds two"),
  expectedNoShows: z.number().describe("the session's expected no-shows that opened the extra seat"),
});
