/** The pure rules of survey summaries and compliance thresholds, against simple reference models. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  alertsFor,
  refusalWindowStart,
  summarize,
  summarizeBy,
} from "../../src/services/analytics/quality/rules.js";

const HOUR = 3_600_000;

describe("survey summaries", () => {
  it("three answers of 5, 4 and 2 average 3.67 with one answer each at 2, 4 and 5", () => {
    expect(summarize([5, 4, 2])).toEqual({ count: 3, average: 3.67, distribution: [0, 1, 0, 1, 1] });
    expect(summarize([])).toEqual({ count: 0, average: null, distribution: [0, 0, 0, 0, 0] });
  });

  it("the summary agrees with counting and averaging the answers one by one", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 60 }), (ratings) => {
        const s = summarize(ratings);
        expect(s.count).toBe(ratings.length);
        for (const r of [1, 2, 3, 4, 5])
          expect(s.distribution[r - 1]).toBe(ratings.filter((x) => x === r).length);
        if (ratings.length === 0) expect(s.average).toBeNull();
        else {
          const mean = ratings.reduce((a, b) => a + b, 0) / ratings.length;
          expect(Math.abs(s.average! - mean)).toBeLessThanOrEqual(0.005 + 1e-9);
          expect(s.average).toBeGreaterThanOrEqual(1);
          expect(s.average).toBeLessThanOrEqual(5);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("groups add up to the whole", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.constantFrom("a", "b", "c"), rating: fc.integer({ min: 1, max: 5 }) }), {
          maxLength: 40,
        }),
        (rows) => {
          const groups = summarizeBy(
            rows,
            (r) => r.at,
            (r) => r.rating,
          );
          expect(groups.reduce((n, g) => n + g.count, 0)).toBe(rows.length);
          for (const g of groups) expect(g.count).toBe(rows.filter((r) => r.at === g.key).length);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("compliance thresholds", () => {
  const thresholds = { breakGlassReviewHours: 24, refusalsPerAccount: 3, refusalWindowHours: 24 };
  const now = new Date("2026-03-10T15:00:00Z");

  it("a break-the-glass access unreviewed for a day raises an alert; one granted an hour ago does not", () => {
    const old = { id: "g1", userId: "u1", patientId: "p1", grantedAt: new Date(now.getTime() - 25 * HOUR) };
    const fresh = { id: "g2", userId: "u1", patientId: "p2", grantedAt: new Date(now.getTime() - HOUR) };
    const alerts = alertsFor({ unreviewed: [old, fresh], refusals: [], chainBreaks: [] }, thresholds, now);
    expect(alerts.map((a) => [a.kind, a.subject])).toEqual([["break_glass_unreviewed", "g1"]]);
  });

  it("an account with as many refusals as the threshold in the window raises one alert; fewer or older ones do not", () => {
    const start = refusalWindowStart(now, 24);
    expect(start.toISOString()).toBe("2026-03-10T00:00:00.000Z");
    const at = (h: number) => new Date(start.getTime() + h * HOUR);
    const refusals = [
      { userId: "busy", at: at(1) },
      { userId: "busy", at: at(2) },
      { userId: "busy", at: at(3) },
      { userId: "quiet", at: at(1) },
      { userId: "quiet", at: at(2) },
      { userId: "quiet", at: at(-1) },
    ];
    const alerts = alertsFor({ unreviewed: [], refusals, chainBreaks: [] }, thresholds, now);
    expect(alerts).toEqual([
      {
        kind: "refusals",
        subject: `busy@${start.toISOString()}`,
        detail: { userId: "busy", count: 3, windowStart: start.toISOString(), windowHours: 24 },
      },
    ]);
  });

  it("every alert's subject is unique, so storing them once per subject raises each once", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ userId: fc.constantFrom("a", "b", "c"), h: fc.integer({ min: -48, max: 0 }) })),
        fc.array(fc.record({ id: fc.uuid(), h: fc.integer({ min: 0, max: 72 }) }), { maxLength: 10 }),
        (refused, grants) => {
          const unique = [...new Map(grants.map((g) => [g.id, g])).values()];
          const alerts = alertsFor(
            {
              unreviewed: unique.map((g) => ({
                id: g.id,
                userId: "u",
                patientId: "p",
                grantedAt: new Date(now.getTime() - g.h * HOUR),
              })),
              refusals: refused.map((r) => ({ userId: r.userId, at: new Date(now.getTime() + r.h * HOUR) })),
              chainBreaks: [{ chain: 3, seq: 9, reason: "altered" }],
            },
            thresholds,
            now,
          );
          const keys = alerts.map((a) => `${a.kind}/${a.subject}`);
          expect(new Set(keys).size).toBe(keys.length);
          // reference: an overdue grant is one granted at least the review hours ago
          expect(alerts.filter((a) => a.kind === "break_glass_unreviewed").length).toBe(
            unique.filter((g) => g.h >= 24).length,
          );
          expect(alerts.filter((a) => a.kind === "audit_chain_broken").length).toBe(1);
        },
      ),
      { numRuns: 100 },
    );
  });
});
