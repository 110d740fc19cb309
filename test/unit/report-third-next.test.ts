/**
 * Days to the third next available slot: the local calendar days from a day to the third free
 * start, against a reference that counts the starts day by day; and a location's local midnight.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { localDate } from "../../src/services/analytics/reports/facts.js";
import {
  daysBetween,
  localMidnight,
  thirdNextDays,
} from "../../src/services/analytics/reports/third-next.js";

const DAY = 86_400_000;
const ZONES = ["America/New_York", "Europe/Berlin", "Asia/Kolkata", "UTC"] as const;
const day0 = "2026-03-27"; // across Europe's and after America's daylight-saving change

/** The reference: the first n whose days 0..n hold three starts (n below the horizon). */
function reference(day: string, starts: number[], tz: string, horizon: number): number | null {
  let seen = 0;
  for (let n = 0; n < horizon; n++) {
    seen += starts.filter((s) => daysBetween(day, localDate(new Date(s), tz)) === n).length;
    if (seen >= 3) return n;
  }
  return null;
}

describe("days to the third next available slot", () => {
  it("equals the day-by-day count of free starts, in the location's time zone", () => {
    const base = Date.parse(`${day0}T00:00:00Z`);
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.array(fc.integer({ min: -DAY, max: 20 * DAY }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 15 }),
        (tz, offsets, horizon) => {
          const starts = offsets.map((o) => base + o);
          expect(thirdNextDays(day0, starts, tz, horizon)).toBe(reference(day0, starts, tz, horizon));
        },
      ),
    );
  });

  it("three slots on the day itself are zero days; two today and one on Thursday are two days", () => {
    const at = (d: string, t: string) => Date.parse(`${d}T${t}:00Z`);
    const tz = "America/New_York";
    // 13:00–15:00 UTC is 09:00–11:00 in New York (EDT)
    expect(
      thirdNextDays(
        "2026-06-02",
        [at("2026-06-02", "13:00"), at("2026-06-02", "14:00"), at("2026-06-02", "15:00")],
        tz,
      ),
    ).toBe(0);
    expect(
      thirdNextDays(
        "2026-06-02",
        [at("2026-06-02", "13:00"), at("2026-06-02", "14:00"), at("2026-06-04", "13:00")],
        tz,
      ),
    ).toBe(2);
    // 02:00 UTC on the 3rd is still the 2nd in New York
    expect(
      thirdNextDays(
        "2026-06-02",
        [at("2026-06-02", "13:00"), at("2026-06-02", "14:00"), at("2026-06-03", "02:00")],
        tz,
      ),
    ).toBe(0);
    expect(thirdNextDays("2026-06-02", [at("2026-06-02", "13:00")], tz)).toBeNull();
  });

  it("a location's midnight is the first minute of its local day", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: 0, max: 400 }), (tz, n) => {
        const day = new Date(Date.parse("2026-01-01T00:00:00Z") + n * DAY).toISOString().slice(0, 10);
        const m = localMidnight(day, tz);
        expect(localDate(new Date(m), tz)).toBe(day);
        expect(localDate(new Date(m - 60_000), tz)).not.toBe(day);
      }),
    );
  });
});
