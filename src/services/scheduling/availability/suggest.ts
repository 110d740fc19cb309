/**
 * "Suggested for you": the best few of a search's options for one patient, each with the reasons
 * a patient reads. Pure: the options come from the availability engine (never made up here), the
 * patient's habits and each option's facts are worked out by the caller.
 *
 * | signal                                                       | points                          | reason
 * | ------------------------------------------------------------ | ------------------------------- | -------------------
 * | follow-up with the physician who saw the patient             | +30                             | follow_up_continuity
 * | a physician the patient saw before (any other visit)         | +20                             | your_physician
 * | one of the patient's preferred locations                     | +20                             | preferred_location
 * | where the patient usually goes                               | +15                             | usual_location
 * | the patient's usual time of day (morning, afternoon, evening)| +10                             | usual_time
 * | in person, home known                                        | +15 at the door, -1 per 2 km    | near_home (≤ 10 km)
 * | video visit                                                  | +10                             | video_visit
 * | predicted no-show risk                                       | +10 at 0 %, 0 from 25 %          | suits_you (< 10 %)
 * | starts right before or after the physician's other booking   | +8                              | fills_gap
 * | how soon                                                     | +15 at the window's start → 0   | earliest (first start)
 *
 * At most one suggestion per physician, location and local day, so the few differ; ties go to the
 * earlier start, then physician id, then location id.
 */

export const SUGGESTION_POINTS = {
  followUpContinuity: 30,
  yourPhysician: 20,
  preferredLocation: 20,
  usualLocation: 15,
  usualTime: 10,
  atTheDoor: 15,
  kmPerPoint: 2,
  nearHomeKm: 10,
  videoVisit: 10,
  lowRisk: 10,
  riskZeroAt: 0.25,
  suitsYouBelow: 0.1,
  fillsGap: 8,
  soonest: 15,
} as const;

/** The most suggestions one answer carries. */
export const MAX_SUGGESTIONS = 5;

export type DayPart = "morning" | "afternoon" | "evening";

/** Morning before 12:00, afternoon before 17:00, evening after (local wall clock). */
export function dayPartOf(localHour: number): DayPart {
  if (localHour < 12) return "morning";
  if (localHour < 17) return "afternoon";
  return "evening";
}

/** One option as the suggestion ranking sees it. */
export interface SuggestionCandidate {
  physicianId: string;
  locationId: string;
  start: number;
  telehealth: boolean;
  /** The location's local calendar day, `YYYY-MM-DD`, and hour (0-23) of the start. */
  localDay: string;
  localHour: number;
  /** From the patient's home; null for a video visit or an unknown home. */
  distanceKm: number | null;
  /** Predicted probability that the patient misses it; null when no model is in use. */
  noShowRisk: number | null;
  /** It starts where another booking of the physician there ends, or ends where one starts. */
  fillsGap: boolean;
}

/** What the patient's record and history say. */
export interface SuggestionProfile {
  previousPhysicianIds: string[];
  /** The appointment type is a follow-up. */
  followUp: boolean;
  preferredLocationIds: string[];
  usualLocationId: string | null;
  usualDayPart: DayPart | null;
  /** The bookable window, for "how soon". */
  windowStart: number;
  windowEnd: number;
}

export type SuggestionReason =
  | { code: "follow_up_continuity" }
  | { code: "your_physician" }
  | { code: "preferred_location" }
  | { code: "usual_location" }
  | { code: "usual_time"; dayPart: DayPart }
  | { code: "near_home"; km: number }
  | { code: "video_visit" }
  | { code: "suits_you" }
  | { code: "fills_gap" }
  | { code: "earliest" };

export interface Suggestion<C extends SuggestionCandidate = SuggestionCandidate> {
  candidate: C;
  score: number;
  reasons: SuggestionReason[];
}

/** A visit in the patient's past: where, and at what local hour. */
export interface PastVisit {
  locationId: string;
  localHour: number;
}

/**
 * The patient's habits from past visits: the location visited most (at least twice and more than
 * any other) and the part of the day chosen most (at least twice and more than any other).
 */
export function usualHabits(past: PastVisit[]): { locationId: string | null; dayPart: DayPart | null } {
  return {
    locationId: mostOften(past.map((v) => v.locationId)),
    dayPart: mostOften(past.map((v) => dayPartOf(v.localHour))),
  };
}

function mostOften<T extends string>(values: T[]): T | null {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: T | null = null;
  let bestCount = 0;
  let tie = false;
  for (const [v, n] of counts) {
    if (n > bestCount) {
      best = v;
      bestCount = n;
      tie = false;
    } else if (n === bestCount) tie = true;
  }
  return bestCount >= 2 && !tie ? best : null;
}

/** Whether [start, end) touches another booking of the physician at the same location. */
export function fillsGap(
  option: { locationId: string; start: number; end: number },
  bookings: { locationId: string; start: number; end: number }[],
): boolean {
  return bookings.some(
    (b) => b.locationId === option.locationId && (b.end === option.start || b.start === option.end),
  );
}

/** The score and reasons of one candidate; `earliest` is the first start among all candidates. */
export function scoreSuggestion(
  c: SuggestionCandidate,
  p: SuggestionProfile,
  earliest: number,
): { score: number; reasons: SuggestionReason[] } {
  const P = SUGGESTION_POINTS;
  let score = 0;
  const reasons: SuggestionReason[] = [];
  if (p.previousPhysicianIds.includes(c.physicianId)) {
    if (p.followUp) {
      score += P.followUpContinuity;
      reasons.push({ code: "follow_up_continuity" });
    } else {
      score += P.yourPhysician;
      reasons.push({ code: "your_physician" });
    }
  }
  if (!c.telehealth && p.preferredLocationIds.includes(c.locationId)) {
    score += P.preferredLocation;
    reasons.push({ code: "preferred_location" });
  }
  if (!c.telehealth && p.usualLocationId === c.locationId) {
    score += P.usualLocation;
    reasons.push({ code: "usual_location" });
  }
  const part = dayPartOf(c.localHour);
  if (p.usualDayPart === part) {
    score += P.usualTime;
    reasons.push({ code: "usual_time", dayPart: part });
  }
  if (c.telehealth) {
    score += P.videoVisit;
    reasons.push({ code: "video_visit" });
  } else if (c.distanceKm !== null) {
    score += Math.max(0, P.atTheDoor - c.distanceKm / P.kmPerPoint);
    if (c.distanceKm <= P.nearHomeKm)
      reasons.push({ code: "near_home", km: Math.round(c.distanceKm * 10) / 10 });
  }
  if (c.noShowRisk !== null) {
    score += P.lowRisk * (1 - Math.min(1, Math.max(0, c.noShowRisk) / P.riskZeroAt));
    if (c.noShowRisk < P.suitsYouBelow) reasons.push({ code: "suits_you" });
  }
  if (c.fillsGap) {
    score += P.fillsGap;
    reasons.push({ code: "fills_gap" });
  }
  const span = p.windowEnd - p.windowStart;
  const lateness = span > 0 ? Math.min(1, Math.max(0, (c.start - p.windowStart) / span)) : 0;
  score += P.soonest * (1 - lateness);
  if (c.start === earliest) reasons.push({ code: "earliest" });
  return { score: Math.round(score * 100) / 100, reasons };
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The best `count` (at most MAX_SUGGESTIONS) candidates for the patient, at most one per
 * physician, location and day, best first. Suggestions with no reason at all are left out: a
 * patient is never told "suggested" without a why.
 */
export function suggest<C extends SuggestionCandidate>(
  candidates: readonly C[],
  profile: SuggestionProfile,
  count: number,
): Suggestion<C>[] {
  const wanted = Math.min(MAX_SUGGESTIONS, Math.max(0, Math.floor(Number.isNaN(count) ? 0 : count)));
  if (wanted === 0 || candidates.length === 0) return [];
  const earliest = candidates.reduce((m, c) => Math.min(m, c.start), Number.POSITIVE_INFINITY);
  const scored = candidates
    .map((candidate) => ({ candidate, ...scoreSuggestion(candidate, profile, earliest) }))
    .filter((s) => s.reasons.length > 0)
    .sort(
      (a, b) =>
        b.score - a.score ||
        a.candidate.start - b.candidate.start ||
        byText(a.candidate.physicianId, b.candidate.physicianId) ||
        byText(a.candidate.locationId, b.candidate.locationId) ||
        Number(a.candidate.telehealth) - Number(b.candidate.telehealth),
    );
  const out: Suggestion<C>[] = [];
  const seen = new Set<string>();
  for (const s of scored) {
    const key = `${s.candidate.physicianId}|${s.candidate.locationId}|${s.candidate.localDay}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s);
    if (out.length === wanted) break;
  }
  return out;
}

/** The reasons as the patient reads them, in English or Spanish (others read English). */
export function reasonText(r: SuggestionReason, language: string | null | undefined): string {
  const es = (language ?? "").toLowerCase().startsWith("es");
  switch (r.code) {
    case "follow_up_continuity":
      return es ? "seguimiento con el médico que le atendió" : "follow-up with the physician who saw you";
    case "your_physician":
      return es ? "un médico que ya le atendió" : "a physician you have seen before";
    case "preferred_location":
      return es ? "uno de sus centros preferidos" : "one of your preferred locations";
    case "usual_location":
      return es ? "donde suele ir" : "where you usually go";
    case "usual_time":
      return es
        ? `por la ${{ morning: "mañana", afternoon: "tarde", evening: "tarde-noche" }[r.dayPart]}, como suele elegir`
        : `in the ${r.dayPart}, as you usually choose`;
    case "near_home":
      return es ? `a ${r.km.toFixed(1)} km de casa` : `${r.km.toFixed(1)} km from home`;
    case "video_visit":
      return es ? "videoconsulta, sin desplazamiento" : "video visit, no travel";
    case "suits_you":
      return es ? "una hora que le suele venir bien" : "a time that tends to suit you";
    case "fills_gap":
      return es ? "junto a otras citas del médico, sin esperas" : "next to the physician's other visits";
    case "earliest":
      return es ? "la primera hora disponible" : "the earliest time available";
  }
}
