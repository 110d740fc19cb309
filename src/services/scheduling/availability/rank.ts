/**
 * Ranking: a score and the reasons a patient reads for each bookable option.
 *
 * | signal                                   | points                                                   | reason shown
 * | ---------------------------------------- | -------------------------------------------------------- | ---------------------------------
 * | the patient saw this physician before    | +30                                                      | "your physician"
 * | one of the patient's preferred locations | +25                                                      | "one of your preferred locations"
 * | in person, the patient's home is known   | +20 at the door, 1 less per 2.5 km, never below 0        | "3.2 km from home"
 * | video visit                              | +15                                                      | "video visit, no travel"
 * | how soon                                 | +20 at the start of the bookable window, 0 at its end    | "earliest available" (first start)
 * | step-free access was asked for           | 0 (it is a filter)                                       | "step-free room"
 *
 * Higher scores come first; ties go to the earlier start, then physician id, then location id.
 */
import { distanceKm } from "../../../platform/geo.js";
import { DAY_MS, MINUTE_MS } from "./intervals.js";
import type { AvailabilityInput, SlotCandidate, SlotOption } from "./types.js";

export const POINTS = {
  yourPhysician: 30,
  preferredLocation: 25,
  atTheDoor: 20,
  kmPerPoint: 2.5,
  videoVisit: 15,
  soonest: 20,
} as const;

interface Scored {
  option: SlotCandidate;
  score: number;
  /** The option's start, kept beside the score for a quicker sort. */
  start: number;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Best first: score, then earlier start, then physician id, then location id. */
function compareRanked(a: Scored, b: Scored): number {
  return (
    b.score - a.score ||
    a.start - b.start ||
    byText(a.option.physicianId, b.option.physicianId) ||
    byText(a.option.locationId, b.option.locationId)
  );
}

/** Scores options for one search; per-location facts are worked out once. */
class Ranker {
  private readonly previous: Set<string>;
  private readonly preferred: Set<string>;
  private readonly places = new Map<string, { points: number; reasons: string[] }>();
  private readonly windowStart: number;
  private readonly windowSpan: number;
  readonly firstStart: number;

  constructor(
    private readonly input: AvailabilityInput,
    candidates: SlotCandidate[],
  ) {
    this.previous = new Set(input.patient?.previousPhysicianIds ?? []);
    this.preferred = new Set(input.patient?.preferredLocationIds ?? []);
    this.windowStart = Math.max(input.from, input.now + input.rules.minNoticeMinutes * MINUTE_MS);
    const span = Math.min(input.to, input.now + input.rules.horizonDays * DAY_MS) - this.windowStart;
    // an open-ended or empty window still needs a scale for "soon"
    this.windowSpan = Number.isFinite(span) && span > 0 ? span : 14 * DAY_MS;
    this.firstStart = candidates.reduce((m, c) => Math.min(m, c.start), Number.POSITIVE_INFINITY);
  }

  /** What a location adds on its own: preference and distance, with the reasons to show. */
  private place(locationId: string): { points: number; reasons: string[] } {
    let place = this.places.get(locationId);
    if (place) return place;
    place = { points: 0, reasons: [] };
    if (this.preferred.has(locationId)) {
      place.points += POINTS.preferredLocation;
      place.reasons.push("one of your preferred locations");
    }
    const home = this.input.patient?.home;
    const l = this.input.locations.get(locationId);
    if (home && l && l.kind !== "virtual" && l.latitude !== null && l.longitude !== null) {
      const km = distanceKm(home, { latitude: l.latitude, longitude: l.longitude });
      place.points += Math.max(0, POINTS.atTheDoor - km / POINTS.kmPerPoint);
      place.reasons.push(`${km.toFixed(1)} km from home`);
    }
    this.places.set(locationId, place);
    return place;
  }

  private soonness(start: number): number {
    const lateness = Math.min(1, Math.max(0, (start - this.windowStart) / this.windowSpan));
    return POINTS.soonest * (1 - lateness);
  }

  score(o: SlotCandidate): number {
    let score = this.place(o.locationId).points;
    if (this.previous.has(o.physicianId)) score += POINTS.yourPhysician;
    if (o.telehealth) score += POINTS.videoVisit;
    score += this.soonness(o.start);
    return Math.round(score * 100) / 100;
  }

  /** No option starting at or after `start` can score more than this (every bonus at once). */
  ceiling(start: number): number {
    let score = 0;
    for (const id of this.input.locations.keys()) score = Math.max(score, this.place(id).points);
    if (this.previous.size > 0) score += POINTS.yourPhysician;
    if (this.input.telehealth) score += POINTS.videoVisit;
    score += this.soonness(start);
    return Math.round(score * 100) / 100;
  }

  reasons(o: SlotCandidate): string[] {
    const reasons: string[] = [];
    if (this.previous.has(o.physicianId)) reasons.push("your physician");
    reasons.push(...this.place(o.locationId).reasons);
    if (o.telehealth) reasons.push("video visit, no travel");
    if (o.start === this.firstStart) reasons.push("earliest available");
    if (this.input.stepFree && o.roomId !== null) reasons.push("step-free room");
    if (reasons.length === 0) reasons.push("available in the requested dates");
    return reasons;
  }
}

/** The best `limit` items by `compare`, without sorting everything when few are wanted. */
function best<T>(items: T[], limit: number, compare: (a: T, b: T) => number): T[] {
  if (limit * 4 >= items.length) return items.sort(compare).slice(0, limit);
  const top: T[] = [];
  for (const item of items) {
    if (top.length === limit && compare(item, top[limit - 1]!) >= 0) continue;
    let a = 0;
    let b = top.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (compare(top[mid]!, item) <= 0) a = mid + 1;
      else b = mid;
    }
    top.splice(a, 0, item);
    if (top.length > limit) top.pop();
  }
  return top;
}

/**
 * The highest score any option starting at or after `start` could reach in this search. Ties go
 * to the earlier start, so `input.limit` options already scoring at least this cannot be beaten
 * by anything later: a search may stop looking there.
 */
export function scoreCeiling(input: AvailabilityInput, start: number): number {
  return new Ranker(input, []).ceiling(start);
}

/** Orders candidates best first, exactly as `rankOptions` would. */
export function rankOrder(input: AvailabilityInput, candidates: SlotCandidate[]): SlotCandidate[] {
  const ranker = new Ranker(input, candidates);
  return candidates
    .map((option) => ({ option, score: ranker.score(option), start: option.start }))
    .sort(compareRanked)
    .map((s) => s.option);
}

/** Scores, explains and orders the options, keeping the first `input.limit`. */
export function rankOptions(candidates: SlotCandidate[], input: AvailabilityInput): SlotOption[] {
  const limit = Number.isNaN(input.limit) ? 0 : Math.max(0, Math.floor(input.limit));
  if (limit === 0 || candidates.length === 0) return [];
  const ranker = new Ranker(input, candidates);
  const scored = candidates.map((option) => ({ option, score: ranker.score(option), start: option.start }));
  // spelled out: V8 copies `{ ...option, score }` far more slowly than a plain literal
  return best(scored, limit, compareRanked).map(({ option: o, score }) => ({
    physicianId: o.physicianId,
    locationId: o.locationId,
    roomId: o.roomId,
    equipmentIds: o.equipmentIds,
    start: o.start,
    end: o.end,
    telehealth: o.telehealth,
    score,
    reasons: ranker.reasons(o),
  }));
}
