/**
 * "Suggested for you": one search of the availability engine, then the pure suggestion ranking
 * (`availability/suggest.ts`) over its options with the patient's habits, travel, the physicians'
 * other bookings (gaps) and, when the composition root provides one, a no-show risk. Every
 * suggestion is one of the search's signed options.
 */
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { BookingConfig } from "../../platform/config.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { patient } from "../../platform/policy.js";
import { distanceKm } from "../locations/index.js";
import { patientService } from "../patients/index.js";
import { localLabel } from "./availability/intervals.js";
import type { OptionIds } from "./availability/option-id.js";
import {
  fillsGap,
  reasonText,
  type SuggestionCandidate,
  suggest,
  usualHabits,
} from "./availability/suggest.js";
import type { SlotOption } from "./availability/types.js";
import { needFromQuery, searchOptions, toOptionDto } from "./availability.service.js";
import type { SchedulingCaches } from "./caches.js";
import type { NoShowRisk, SuggestionsQuery, SuggestionsResult } from "./suggestions.schema.js";
import { visitRepository } from "./visits.repository.js";

/** How many of the search's best options the suggestions choose from (one search, like any other). */
export const SUGGESTION_POOL = 40;
/** How many past visits make the patient's habits. */
const HABIT_VISITS = 20;

export interface SuggestionDeps extends ServiceDeps {
  booking: BookingConfig;
  optionIds: OptionIds;
  caches: SchedulingCaches;
  /** The no-show model's risk, from analytics through the composition root; absent: not used. */
  noShowRisk?: NoShowRisk | undefined;
}

const hourOf = (ms: number, timeZone: string) => Number(localLabel(ms, timeZone).time.slice(0, 2));

export function createSuggestions({
  db,
  policies,
  booking: rules,
  optionIds,
  caches,
  noShowRisk,
}: SuggestionDeps) {
  return {
    /** The best few options for the patient, each with the reasons in the patient's language. */
    async suggest(actor: Actor, query: SuggestionsQuery): Promise<SuggestionsResult> {
      const need = needFromQuery(actor, { ...query, limit: SUGGESTION_POOL });
      const patientId = query.patientId;
      await db.transaction().execute(async (tx) => {
        await policies.authorize(tx, actor, "search_for", patient(patientId, "query.patientId"));
        await auditService.record(tx, auditContextOf(actor), {
          action: "availability.suggest",
          resourceType: "patient",
          resourceId: patientId,
          patientId,
          detail: {},
        });
      });
      const now = Date.now();
      const [result, record, recent] = await Promise.all([
        searchOptions(db, rules, { ...need, now }, caches),
        patientService.get(db, patientId),
        visitRepository.recentOf(db, patientId, new Date(now), HABIT_VISITS),
      ]);
      const language = record.preferredLanguage;
      if (result.options.length === 0) return { suggestions: [], language };
      const zones = new Map(result.snapshot.locations.map((l) => [l.id, l.timeZone]));
      const habits = usualHabits(
        recent.visits
          .filter((v) => zones.has(v.locationId))
          .map((v) => ({
            locationId: v.locationId,
            localHour: hourOf(v.start.getTime(), zones.get(v.locationId)!),
          })),
      );

      const options = result.options;
      const physicianIds = [...new Set(options.map((o) => o.physicianId))];
      const starts = options.map((o) => o.start);
      const ends = options.map((o) => o.end);
      // the physicians' bookings around the options, from the same cache a search reads
      const bookings = await caches.occupancy.physicianBookings.get(
        db,
        physicianIds,
        Math.min(...starts) - 86_400_000,
        Math.max(...ends) + 86_400_000,
      );
      const risks = noShowRisk
        ? await noShowRisk(
            db,
            options.map((o) => ({
              patientId,
              locationId: o.locationId,
              appointmentTypeId: result.appointmentType.id,
              start: new Date(o.start),
              bookedAt: new Date(now),
              telehealth: o.telehealth,
              priorNoShows: recent.noShows,
              priorCancellations: recent.cancellations,
            })),
          )
        : null;

      const candidates = options.map((o, i): SuggestionCandidate & { option: SlotOption } => {
        const zone = zones.get(o.locationId) ?? "UTC";
        const label = localLabel(o.start, zone);
        return {
          option: o,
          physicianId: o.physicianId,
          locationId: o.locationId,
          start: o.start,
          telehealth: o.telehealth,
          localDay: label.date,
          localHour: Number(label.time.slice(0, 2)),
          distanceKm: homeDistanceKm(o, result),
          noShowRisk: risks?.[i] ?? null,
          fillsGap: fillsGap(o, bookings.get(o.physicianId) ?? []),
        };
      });
      const chosen = suggest(
        candidates,
        {
          previousPhysicianIds: result.previousPhysicianIds,
          followUp: result.appointmentType.visitKind === "follow_up",
          preferredLocationIds: record.preferredLocationIds,
          usualLocationId: habits.locationId,
          usualDayPart: habits.dayPart,
          windowStart: Math.max(need.from, now + rules.minNoticeMinutes * 60_000),
          windowEnd: need.to,
        },
        query.count,
      );
      return {
        suggestions: chosen.map((s) => ({
          option: toOptionDto(s.candidate.option, result, optionIds),
          reasons: s.reasons.map((r) => ({ code: r.code, text: reasonText(r, language) })),
        })),
        language: language.toLowerCase().startsWith("es") ? "es" : "en",
      };
    },
  };
}

/** The option's distance from the patient's home, as the search answers it (null for video). */
function homeDistanceKm(o: SlotOption, r: Awaited<ReturnType<typeof searchOptions>>): number | null {
  if (o.telehealth || !r.patientHome) return null;
  const loc = r.snapshot.locations.find((l) => l.id === o.locationId);
  if (!loc || loc.kind === "virtual" || loc.latitude === null || loc.longitude === null) return null;
  return distanceKm(r.patientHome, { latitude: loc.latitude, longitude: loc.longitude });
}

export type Suggestions = ReturnType<typeof createSuggestions>;
