/**
 * How long an alternative is held for a patient whose appointment must move: two days, but never
 * past the day before either time; on the day itself a short while, ending before either starts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { offerExpiry } from "../src/services/rescheduling/offers.js";

const HOUR = 3_600_000;
const NOW = Date.parse("2027-03-01T09:00:00Z");

describe("an offer of another time", () => {
  it("is held for two days when both times are a week away", () => {
    expect(offerExpiry(NOW, NOW + 7 * 24 * HOUR, NOW + 8 * 24 * HOUR)?.getTime()).toBe(NOW + 48 * HOUR);
  });

  it("ends the day before the earlier of the appointment and the offered time", () => {
    const start = NOW + 60 * HOUR;
    expect(offerExpiry(NOW, NOW + 5 * 24 * HOUR, start)?.getTime()).toBe(start - 24 * HOUR);
  });

  it("on the day itself lasts two hours, ending half an hour before the earlier time", () => {
    expect(offerExpiry(NOW, NOW + 6 * HOUR, NOW + 5 * HOUR)?.getTime()).toBe(NOW + 2 * HOUR);
    expect(offerExpiry(NOW, NOW + 90 * 60_000, NOW + 3 * HOUR)?.getTime()).toBe(NOW + 60 * 60_000);
  });

  it("is not made when the appointment starts within half an hour", () => {
    expect(offerExpiry(NOW, NOW + 4 * HOUR, NOW + 20 * 60_000)).toBeUndefined();
  });

  it("always ends after now, within two days, and before either time starts", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 * 24 * 60 }),
        fc.integer({ min: 0, max: 30 * 24 * 60 }),
        (a, b) => {
          const offered = NOW + a * 60_000;
          const start = NOW + b * 60_000;
          const until = offerExpiry(NOW, offered, start);
          if (!until) return Math.min(offered, start) - NOW <= 30 * 60_000;
          const t = until.getTime();
          return t > NOW && t <= NOW + 48 * HOUR && t < Math.min(offered, start);
        },
      ),
    );
  });
});
