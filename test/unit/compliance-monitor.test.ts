/**
 * The compliance monitor's pure rules: the counters a batch of verified events adds (checked
 * against counting event by event, and against tallying the same events in any split), a
 * location's chain status, who is told of alerts, and what an alert message may say.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  alertDigest,
  alertRecipients,
  alertsFor,
  hourOf,
  locationChainStatus,
  REFUSED_ACTION,
  refusalWindowStart,
  tallyEvents,
} from "../../src/services/analytics/quality/rules.js";

const HOUR = 3_600_000;
const t0 = Date.parse("2026-03-10T00:00:00Z");

const event = fc.record({
  minute: fc.integer({ min: 0, max: 72 * 60 }),
  userId: fc.constantFrom("u1", "u2", null),
  locationId: fc.constantFrom("main", "satellite", null),
  refused: fc.boolean(),
});
const toEvent = (e: {
  minute: number;
  userId: string | null;
  locationId: string | null;
  refused: boolean;
}) => ({
  occurredAt: new Date(t0 + e.minute * 60_000),
  userId: e.userId,
  locationId: e.locationId,
  action: e.refused ? REFUSED_ACTION : "appointment.read",
});

describe("the monitor's counters", () => {
  it("two refusals by one account in the same hour and one in the next are two hourly rows of 2 and 1", () => {
    const at = (m: number) => new Date(t0 + m * 60_000);
    const t = tallyEvents([
      { occurredAt: at(5), userId: "u1", locationId: "main", action: REFUSED_ACTION },
      { occurredAt: at(50), userId: "u1", locationId: "main", action: REFUSED_ACTION },
      { occurredAt: at(65), userId: "u1", locationId: null, action: REFUSED_ACTION },
      { occurredAt: at(70), userId: "u2", locationId: "satellite", action: "appointment.read" },
    ]);
    expect(t.total).toBe(4);
    expect(t.refusals.map((r) => [r.userId, r.hour.toISOString(), r.count])).toEqual([
      ["u1", "2026-03-10T00:00:00.000Z", 2],
      ["u1", "2026-03-10T01:00:00.000Z", 1],
    ]);
    expect(t.locations.map((l) => [l.locationId, l.events])).toEqual([
      ["main", 2],
      ["satellite", 1],
    ]);
  });

  it("counters summed over any split of the events equal counting the events one by one", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), fc.nat(), (raw, cut) => {
        const events = raw.map(toEvent);
        const k = events.length ? cut % (events.length + 1) : 0;
        const parts = [tallyEvents(events.slice(0, k)), tallyEvents(events.slice(k))];
        const perLocation = new Map<string, number>();
        const perHour = new Map<string, number>();
        for (const p of parts) {
          for (const l of p.locations)
            perLocation.set(l.locationId, (perLocation.get(l.locationId) ?? 0) + l.events);
          for (const r of p.refusals) {
            const key = `${r.userId}|${r.hour.toISOString()}`;
            perHour.set(key, (perHour.get(key) ?? 0) + r.count);
          }
        }
        // reference: one event at a time
        for (const loc of ["main", "satellite"])
          expect(perLocation.get(loc) ?? 0).toBe(events.filter((e) => e.locationId === loc).length);
        for (const [key, n] of perHour) {
          const [user, hour] = key.split("|");
          expect(n).toBe(
            events.filter(
              (e) =>
                e.action === REFUSED_ACTION &&
                e.userId === user &&
                hourOf(e.occurredAt).toISOString() === hour,
            ).length,
          );
        }
        expect(parts[0]!.total + parts[1]!.total).toBe(events.length);
      }),
      { numRuns: 100 },
    );
  });

  it("alerts from hourly counts are the alerts from the refusals one by one", () => {
    const thresholds = { breakGlassReviewHours: 24, refusalsPerAccount: 3, refusalWindowHours: 6 };
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 60 }),
        fc.integer({ min: 0, max: 72 * 60 }),
        (raw, nowMinute) => {
          const now = new Date(t0 + nowMinute * 60_000);
          const events = raw.map(toEvent).filter((e) => e.occurredAt <= now);
          const one = events
            .filter((e) => e.action === REFUSED_ACTION && e.userId)
            .map((e) => ({ userId: e.userId!, at: e.occurredAt }));
          const hourly = tallyEvents(events)
            .refusals.filter((r) => r.hour >= refusalWindowStart(now, thresholds.refusalWindowHours))
            .map((r) => ({ userId: r.userId, at: r.hour, count: r.count }));
          const facts = { unreviewed: [], chainBreaks: [] };
          expect(alertsFor({ ...facts, refusals: hourly }, thresholds, now)).toEqual(
            alertsFor({ ...facts, refusals: one }, thresholds, now),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("a location's audit chain status", () => {
  const foundAt = new Date(t0 + HOUR);
  it("is intact without breaks, broken at its own first break, and broken by a break of unknown location", () => {
    expect(locationChainStatus(null, null)).toEqual({ status: "intact", firstBreak: null });
    const own = { chain: 2, seq: 40, reason: "altered", foundAt };
    const trail = { chain: 5, seq: 9, reason: "removed", foundAt };
    expect(locationChainStatus(own, trail)).toEqual({
      status: "broken",
      firstBreak: { ...own, scope: "location" },
    });
    expect(locationChainStatus(null, trail)).toEqual({
      status: "broken",
      firstBreak: { ...trail, scope: "trail" },
    });
  });

  it("one break raises one alert however often a walk reports it", () => {
    const b = { chain: 2, seq: 40, reason: "altered" };
    const alerts = alertsFor(
      { unreviewed: [], refusals: [], chainBreaks: [b, b] },
      { breakGlassReviewHours: 24, refusalsPerAccount: 3, refusalWindowHours: 24 },
      new Date(t0),
    );
    expect(alerts.map((a) => a.subject)).toEqual(["chain 2 seq 40"]);
  });
});

describe("who is told, and what", () => {
  it("every compliance officer, administrators who opted in, nobody else; each in their language", () => {
    const accounts = [
      { id: "a-officer", email: "o@x", role: "compliance" },
      { id: "b-admin-in", email: "in@x", role: "admin" },
      { id: "c-admin-out", email: "out@x", role: "admin" },
      { id: "d-admin-none", email: "none@x", role: "admin" },
      { id: "e-staff", email: "s@x", role: "location_staff" },
    ];
    const subs = [
      { user_id: "b-admin-in", subscribed: true, language: "es" },
      { user_id: "c-admin-out", subscribed: false, language: "en" },
      { user_id: "a-officer", subscribed: false, language: "es" },
      { user_id: "e-staff", subscribed: true, language: "en" },
    ];
    expect(alertRecipients(accounts, subs)).toEqual([
      { userId: "a-officer", email: "o@x", language: "es" },
      { userId: "b-admin-in", email: "in@x", language: "es" },
    ]);
  });

  it("the message's digest is counts per kind and nothing else", () => {
    const d = alertDigest([{ kind: "refusals" }, { kind: "refusals" }, { kind: "audit_chain_broken" }]);
    expect(d).toEqual({ total: 3, breakGlassUnreviewed: 0, refusals: 2, auditChainBroken: 1 });
  });
});
