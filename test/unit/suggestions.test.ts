import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  dayPartOf,
  fillsGap,
  MAX_SUGGESTIONS,
  reasonText,
  type SuggestionCandidate,
  type SuggestionProfile,
  type SuggestionReason,
  suggest,
  usualHabits,
} from "../../src/services/scheduling/availability/suggest.js";

const HOUR = 3_600_000;
const physicians = ["p1", "p2", "p3"];
const locations = ["l1", "l2", "l3"];

const candidate: fc.Arbitrary<SuggestionCandidate> = fc
  .record({
    physicianId: fc.constantFrom(...physicians),
    locationId: fc.constantFrom(...locations),
    slot: fc.integer({ min: 0, max: 14 * 24 }),
    telehealth: fc.boolean(),
    distanceKm: fc.option(fc.integer({ min: 0, max: 60 }), { nil: null }),
    noShowRisk: fc.option(fc.double({ min: 0, max: 0.6, noNaN: true }), { nil: null }),
    fillsGap: fc.boolean(),
  })
  .map((r) => ({
    physicianId: r.physicianId,
    locationId: r.locationId,
    start: r.slot * HOUR,
    telehealth: r.telehealth,
    localDay: `day-${Math.floor(r.slot / 24)}`,
    localHour: r.slot % 24,
    distanceKm: r.telehealth ? null : r.distanceKm,
    noShowRisk: r.noShowRisk,
    fillsGap: r.fillsGap,
  }));

const profile: fc.Arbitrary<SuggestionProfile> = fc.record({
  previousPhysicianIds: fc.subarray(physicians),
  followUp: fc.boolean(),
  preferredLocationIds: fc.subarray(locations),
  usualLocationId: fc.option(fc.constantFrom(...locations), { nil: null }),
  usualDayPart: fc.option(fc.constantFrom("morning" as const, "afternoon" as const, "evening" as const), {
    nil: null,
  }),
  windowStart: fc.constant(0),
  windowEnd: fc.constant(14 * 24 * HOUR),
});

// distinct options: one per physician, location, start and kind of visit, as a search answers
const options = fc.uniqueArray(candidate, {
  maxLength: 40,
  selector: (c) => `${c.physicianId}|${c.locationId}|${c.start}|${c.telehealth}`,
});

/** The table in suggest.ts written out plainly: points per signal, then sort, then one per day. */
function referenceScore(c: SuggestionCandidate, p: SuggestionProfile, earliest: number) {
  let score = 0;
  let reasons = 0;
  const seen = p.previousPhysicianIds.includes(c.physicianId);
  if (seen) {
    score += p.followUp ? 30 : 20;
    reasons++;
  }
  if (!c.telehealth && p.preferredLocationIds.includes(c.locationId)) {
    score += 20;
    reasons++;
  }
  if (!c.telehealth && p.usualLocationId === c.locationId) {
    score += 15;
    reasons++;
  }
  const part = c.localHour < 12 ? "morning" : c.localHour < 17 ? "afternoon" : "evening";
  if (p.usualDayPart === part) {
    score += 10;
    reasons++;
  }
  if (c.telehealth) {
    score += 10;
    reasons++;
  } else if (c.distanceKm !== null) {
    score += Math.max(0, 15 - c.distanceKm / 2);
    if (c.distanceKm <= 10) reasons++;
  }
  if (c.noShowRisk !== null) {
    score += 10 * Math.max(0, 1 - c.noShowRisk / 0.25);
    if (c.noShowRisk < 0.1) reasons++;
  }
  if (c.fillsGap) {
    score += 8;
    reasons++;
  }
  score += 15 * (1 - (c.start - p.windowStart) / (p.windowEnd - p.windowStart));
  if (c.start === earliest) reasons++;
  return { score: Math.round(score * 100) / 100, reasons };
}

function reference(cs: SuggestionCandidate[], p: SuggestionProfile, count: number): SuggestionCandidate[] {
  const earliest = Math.min(...cs.map((c) => c.start));
  const ranked = cs
    .map((c) => ({ c, ...referenceScore(c, p, earliest) }))
    .filter((s) => s.reasons > 0)
    .sort(
      (a, b) =>
        b.score - a.score ||
        a.c.start - b.c.start ||
        a.c.physicianId.localeCompare(b.c.physicianId) ||
        a.c.locationId.localeCompare(b.c.locationId) ||
        Number(a.c.telehealth) - Number(b.c.telehealth),
    );
  const out: SuggestionCandidate[] = [];
  const days = new Set<string>();
  for (const s of ranked) {
    const key = `${s.c.physicianId}|${s.c.locationId}|${s.c.localDay}`;
    if (days.has(key)) continue;
    days.add(key);
    out.push(s.c);
  }
  return out.slice(0, Math.min(count, MAX_SUGGESTIONS));
}

describe("suggested for you", () => {
  it("suggests the options the documented points rank best, one per physician, place and day", () => {
    fc.assert(
      fc.property(options, profile, fc.integer({ min: 1, max: 8 }), (cs, p, count) => {
        expect(suggest(cs, p, count).map((s) => s.candidate)).toEqual(reference(cs, p, count));
      }),
      { numRuns: 300 },
    );
  });

  it("only ever suggests options the search offered, each with at least one reason, never more than five", () => {
    fc.assert(
      fc.property(options, profile, fc.integer({ min: 0, max: 20 }), (cs, p, count) => {
        const out = suggest(cs, p, count);
        expect(out.length).toBeLessThanOrEqual(Math.min(count, MAX_SUGGESTIONS));
        for (const s of out) {
          expect(cs).toContain(s.candidate);
          expect(s.reasons.length).toBeGreaterThan(0);
        }
        const keys = out.map(
          (s) => `${s.candidate.physicianId}|${s.candidate.locationId}|${s.candidate.localDay}`,
        );
        expect(new Set(keys).size).toBe(keys.length);
      }),
      { numRuns: 200 },
    );
  });

  it("does not depend on the order the search listed its options in", () => {
    fc.assert(
      fc.property(
        options.chain((cs) => fc.tuple(fc.constant(cs), fc.shuffledSubarray(cs, { minLength: cs.length }))),
        profile,
        ([cs, shuffled], p) => {
          expect(suggest(shuffled, p, 3)).toEqual(suggest(cs, p, 3));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a patient who makes the suggested place a preference never sees it drop out", () => {
    fc.assert(
      fc.property(options, profile, (cs, p) => {
        const first = suggest(cs, p, 1)[0];
        if (!first || first.candidate.telehealth) return;
        const preferring = {
          ...p,
          preferredLocationIds: [...new Set([...p.preferredLocationIds, first.candidate.locationId])],
        };
        expect(suggest(cs, preferring, 1)[0]?.candidate).toBe(first.candidate);
      }),
      { numRuns: 200 },
    );
  });

  it("a lower no-show risk never ranks an option lower", () => {
    fc.assert(
      fc.property(options, profile, fc.nat(), (cs, p, pick) => {
        if (cs.length === 0) return;
        const i = pick % cs.length;
        const safer = cs.map((c, j) => (j === i ? { ...c, noShowRisk: 0 } : c));
        const rank = (list: SuggestionCandidate[]) =>
          suggest(list, p, MAX_SUGGESTIONS).findIndex((s) => s.candidate === list[i]);
        const before = rank(cs);
        const after = rank(safer);
        if (before !== -1) expect(after).not.toBe(-1);
        if (before !== -1) expect(after).toBeLessThanOrEqual(before);
      }),
      { numRuns: 200 },
    );
  });

  it("a follow-up with the physician who saw the patient comes first when everything else is equal", () => {
    const base = {
      locationId: "l1",
      start: 10 * HOUR,
      telehealth: false,
      localDay: "day-0",
      localHour: 10,
      distanceKm: 4,
      noShowRisk: null,
      fillsGap: false,
    };
    const out = suggest(
      [
        { ...base, physicianId: "p1" },
        { ...base, physicianId: "p2" },
      ],
      {
        previousPhysicianIds: ["p2"],
        followUp: true,
        preferredLocationIds: [],
        usualLocationId: null,
        usualDayPart: null,
        windowStart: 0,
        windowEnd: 24 * HOUR,
      },
      2,
    );
    expect(out.map((s) => s.candidate.physicianId)).toEqual(["p2", "p1"]);
    expect(out[0]!.reasons.map((r) => r.code)).toContain("follow_up_continuity");
  });
});

describe("the patient's habits", () => {
  it("the usual place and time of day are the ones chosen most, at least twice, without a tie", () => {
    expect(
      usualHabits([
        { locationId: "a", localHour: 9 },
        { locationId: "a", localHour: 10 },
        { locationId: "b", localHour: 15 },
      ]),
    ).toEqual({ locationId: "a", dayPart: "morning" });
    expect(
      usualHabits([
        { locationId: "a", localHour: 9 },
        { locationId: "b", localHour: 15 },
      ]),
    ).toEqual({ locationId: null, dayPart: null });
    expect(dayPartOf(11)).toBe("morning");
    expect(dayPartOf(12)).toBe("afternoon");
    expect(dayPartOf(17)).toBe("evening");
  });

  it("a time right after or before the physician's other booking at that place fills a gap", () => {
    const booked = [{ locationId: "l1", start: 9 * HOUR, end: 10 * HOUR }];
    expect(fillsGap({ locationId: "l1", start: 10 * HOUR, end: 11 * HOUR }, booked)).toBe(true);
    expect(fillsGap({ locationId: "l1", start: 8 * HOUR, end: 9 * HOUR }, booked)).toBe(true);
    expect(fillsGap({ locationId: "l1", start: 11 * HOUR, end: 12 * HOUR }, booked)).toBe(false);
    expect(fillsGap({ locationId: "l2", start: 10 * HOUR, end: 11 * HOUR }, booked)).toBe(false);
  });

  it("every reason reads in English and in Spanish", () => {
    const reasons: SuggestionReason[] = [
      { code: "follow_up_continuity" },
      { code: "your_physician" },
      { code: "preferred_location" },
      { code: "usual_location" },
      { code: "usual_time", dayPart: "evening" },
      { code: "near_home", km: 3.24 },
      { code: "video_visit" },
      { code: "suits_you" },
      { code: "fills_gap" },
      { code: "earliest" },
    ];
    const en = reasons.map((r) => reasonText(r, "en"));
    const es = reasons.map((r) => reasonText(r, "es-MX"));
    expect(new Set(en).size).toBe(reasons.length);
    expect(new Set(es).size).toBe(reasons.length);
    expect(en[5]).toBe("3.2 km from home");
    expect(es[5]).toBe("a 3.2 km de casa");
    expect(reasonText({ code: "earliest" }, "fr")).toBe(en[9]);
  });
});
