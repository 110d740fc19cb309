/**
 * Planned time (utilisation's available, blocked, travel minutes and fillable gaps) against a
 * reference model that marks every minute of a day one by one.
 */
import fc from "fast-check";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { type PlanBlock, plannedDays, subtract } from "../../src/services/analytics/reports/planned.js";
import { runsOf } from "../../src/services/analytics/reports/planned.refresh.js";

const MIN = 60_000;
const DAY0 = Date.UTC(2026, 10, 2);

/** Free stretches of a block on a minute grid: minutes not covered by any busy interval. */
function referenceFree(block: PlanBlock, busy: { start: number; end: number }[]): number[] {
  const stretches: number[] = [];
  let run = 0;
  for (let t = block.start; t < block.end; t += MIN) {
    const taken = busy.some((b) => b.start <= t && t < b.end);
    if (taken) {
      if (run) stretches.push(run);
      run = 0;
    } else run++;
  }
  if (run) stretches.push(run);
  return stretches;
}

const minuteRange = (lo: number, hi: number) =>
  fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: 5, max: 240 })).map(([s, len]) => ({
    start: DAY0 + s * MIN,
    end: DAY0 + (s + len) * MIN,
  }));

describe("planned time of a physician's day", () => {
  it("free minutes and fillable gaps are the minutes of the block no visit covers", () => {
    fc.assert(
      fc.property(
        minuteRange(0, 600),
        fc.array(minuteRange(0, 800), { maxLength: 6 }),
        fc.integer({ min: 5, max: 60 }),
        (span, busy, shortest) => {
          const block: PlanBlock = {
            ...span,
            locationId: "L",
            date: "2026-11-02",
            shortestMinutes: shortest,
          };
          const [day] = plannedDays({
            planned: [block],
            working: [block],
            busy,
            travelMinutes: () => undefined,
          });
          const stretches = referenceFree(block, busy);
          const fillable = stretches.filter((m) => m >= shortest);
          expect(day).toMatchObject({
            plannedMinutes: (span.end - span.start) / MIN,
            timeOffMinutes: 0,
            travelMinutes: 0,
            availableMinutes: stretches.reduce((a, b) => a + b, 0),
            gapMinutes: fillable.reduce((a, b) => a + b, 0),
            gaps: fillable.length,
          });
        },
      ),
    );
  });

  it("time off is the planned time the working blocks lost, and travel comes off the next block", () => {
    const at = (h: number, m = 0) => DAY0 + (h * 60 + m) * MIN;
    const blocks = (location: string, start: number, end: number): PlanBlock => ({
      locationId: location,
      date: "2026-11-02",
      start,
      end,
      shortestMinutes: 30,
    });
    const days = plannedDays({
      planned: [blocks("A", at(8), at(12)), blocks("B", at(12), at(16))],
      // 14:00–15:00 off at B
      working: [blocks("A", at(8), at(12)), blocks("B", at(12), at(14)), blocks("B", at(15), at(16))],
      busy: [],
      travelMinutes: (a, b) => (a === "A" && b === "B" ? 45 : undefined),
    });
    // B: 240 planned, 60 off, 45 travel from A eats 12:00–12:45; free 75 + 60 = 135
    expect(days).toEqual([
      expect.objectContaining({
        locationId: "A",
        plannedMinutes: 240,
        availableMinutes: 240,
        travelMinutes: 0,
      }),
      expect.objectContaining({
        locationId: "B",
        plannedMinutes: 240,
        timeOffMinutes: 60,
        travelMinutes: 45,
        availableMinutes: 135,
        gaps: 2,
      }),
    ]);
  });

  it("a block over the night the clocks go forward counts the hours it really has", () => {
    // New York, 8 March 2026: 02:00 becomes 03:00, so 00:00–04:00 local is three hours
    const instant = (t: string) =>
      Temporal.PlainDateTime.from(t).toZonedDateTime("America/New_York").epochMilliseconds;
    const block: PlanBlock = {
      locationId: "L",
      date: "2026-03-08",
      start: instant("2026-03-08T00:00"),
      end: instant("2026-03-08T04:00"),
      shortestMinutes: 30,
    };
    const [day] = plannedDays({ planned: [block], working: [block], busy: [], travelMinutes: () => 0 });
    expect(day).toMatchObject({ date: "2026-03-08", plannedMinutes: 180, availableMinutes: 180 });
  });

  it("subtracting intervals leaves sorted, disjoint pieces inside the original", () => {
    fc.assert(
      fc.property(minuteRange(0, 600), fc.array(minuteRange(0, 800), { maxLength: 6 }), (from, cuts) => {
        const pieces = subtract(from, cuts);
        for (let i = 0; i < pieces.length; i++) {
          const p = pieces[i]!;
          expect(p.start).toBeGreaterThanOrEqual(from.start);
          expect(p.end).toBeLessThanOrEqual(from.end);
          expect(p.end).toBeGreaterThan(p.start);
          if (i > 0) expect(p.start).toBeGreaterThanOrEqual(pieces[i - 1]!.end);
          for (const c of cuts) expect(p.end <= c.start || p.start >= c.end).toBe(true);
        }
      }),
    );
  });

  it("missing days are computed in contiguous runs", () => {
    expect(runsOf(["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-03"])).toEqual([
      { from: "2026-02-27", to: "2026-03-01" },
      { from: "2026-03-03", to: "2026-03-03" },
    ]);
  });
});
