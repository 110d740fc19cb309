import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dayBounds, localDate, pickupTime } from "../../src/integrations/transport/pickup.js";

const NY = "America/New_York";

describe("pickup time for a ride to an appointment", () => {
  it("picks up travel time plus margin before the start, on the location's clock", () => {
    // 09:00 EST is 14:00Z; 25 min travel + 15 min margin → 08:20 local
    const p = pickupTime({
      appointmentStart: new Date("2026-01-14T14:00:00Z"),
      travelMinutes: 25,
      marginMinutes: 15,
      timeZone: NY,
    });
    expect(p.at.toISOString()).toBe("2026-01-14T13:20:00.000Z");
    expect(p.local).toBe("2026-01-14T08:20");
    expect(p.tight).toBe(false);
  });

  it("on the spring-forward day the patient still gets the whole travel time (no lost hour)", () => {
    // 8 March 2026: 02:00 EST jumps to 03:00 EDT. A 03:30 EDT appointment is 07:30Z; 45 + 15
    // minutes before it is 06:30Z = 01:30 EST — a wall-clock subtraction would say 02:30, a time
    // that does not exist that night
    const p = pickupTime({
      appointmentStart: new Date("2026-03-08T07:30:00Z"),
      travelMinutes: 45,
      marginMinutes: 15,
      timeZone: NY,
    });
    expect(p.at.toISOString()).toBe("2026-03-08T06:30:00.000Z");
    expect(p.local).toBe("2026-03-08T01:30");
  });

  it("on the fall-back day the patient is not picked up an hour early", () => {
    // 1 November 2026: 02:00 EDT falls back to 01:00 EST. A 01:30 EST appointment is 06:30Z;
    // an hour before it is 05:30Z = 01:30 EDT, the first of the two 01:30s
    const p = pickupTime({
      appointmentStart: new Date("2026-11-01T06:30:00Z"),
      travelMinutes: 45,
      marginMinutes: 15,
      timeZone: NY,
    });
    expect(p.at.toISOString()).toBe("2026-11-01T05:30:00.000Z");
    expect(p.local).toBe("2026-11-01T01:30");
    expect(dayBounds("2026-11-01", NY).to.getTime() - dayBounds("2026-11-01", NY).from.getTime()).toBe(
      25 * 3_600_000,
    );
  });

  it("a ride between two locations never leaves before the earlier visit ends, and says it is tight", () => {
    const p = pickupTime({
      appointmentStart: new Date("2026-01-14T15:00:00Z"),
      travelMinutes: 40,
      marginMinutes: 15,
      notBefore: new Date("2026-01-14T14:32:00Z"),
      timeZone: NY,
    });
    expect(p.at.toISOString()).toBe("2026-01-14T14:35:00.000Z");
    expect(p.tight).toBe(true);
  });

  it("is on a five-minute mark, leaves at least travel plus margin, and less than five minutes more", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }),
        fc.integer({ min: 0, max: 240 }),
        fc.integer({ min: 0, max: 60 }),
        (start, travel, margin) => {
          const p = pickupTime({
            appointmentStart: new Date(start),
            travelMinutes: travel,
            marginMinutes: margin,
            timeZone: NY,
          });
          const lead = start - p.at.getTime();
          expect(p.at.getTime() % 300_000).toBe(0);
          expect(lead).toBeGreaterThanOrEqual((travel + margin) * 60_000);
          expect(lead).toBeLessThan((travel + margin + 5) * 60_000);
          expect(p.local.slice(0, 10)).toBe(localDate(p.at, NY));
        },
      ),
    );
  });
});
