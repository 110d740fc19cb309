/** "Suggested for you": the query, the answer, and the no-show risk hook the composition root feeds. */
import { z } from "zod";
import type { Executor } from "../../platform/db.js";
import { uuid } from "../../platform/schemas.js";
import { availabilityQuery, slotOption } from "./appointments.schema.js";
import { MAX_SUGGESTIONS } from "./availability/suggest.js";

export const suggestionsQuery = availabilityQuery
  .omit({ limit: true, overrideReason: true, patientId: true })
  .extend({
    patientId: uuid,
    count: z.coerce.number().int().min(1).max(MAX_SUGGESTIONS).default(3),
  })
  .strict();
export type SuggestionsQuery = z.infer<typeof suggestionsQuery>;

export const suggestionReasonCode = z.enum([
  "follow_up_continuity",
  "your_physician",
  "preferred_location",
  "usual_location",
  "usual_time",
  "near_home",
  "video_visit",
  "suits_you",
  "fills_gap",
  "earliest",
]);

export const suggestionsResult = z.object({
  suggestions: z.array(
    z.object({
      option: slotOption.describe("a signed option of the availability engine: hold or book it by its id"),
      reasons: z
        .array(z.object({ code: suggestionReasonCode, text: z.string() }))
        .min(1)
        .describe("why it is suggested, in the patient's language"),
    }),
  ),
  language: z.string().describe("the language of the reasons' texts"),
});
export type SuggestionsResult = z.infer<typeof suggestionsResult>;

/** An option as a visit the patient would make: what a no-show model reads. */
export interface ProspectiveVisit {
  patientId: string;
  locationId: string;
  appointmentTypeId: string;
  start: Date;
  bookedAt: Date;
  telehealth: boolean;
  priorNoShows: number;
  priorCancellations: number;
}

/**
 * The probability that the patient misses each visit, in order; null when no model is in use.
 * Analytics (downstream of scheduling) provides it through the composition root.
 */
export type NoShowRisk = (db: Executor, visits: ProspectiveVisit[]) => Promise<number[] | null>;
