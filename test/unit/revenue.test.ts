/**
 * The revenue report's maths: the daily copay sums kept by deltas equal a sum over the visits'
 * final states (the reference model), and a group's fees split into the patient's share (the
 * recorded copays) and the payer's (the rest, never below zero).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  COPAY_COUNTERS,
  type CopayContribution,
  type CopayCounters,
  type CopayRow,
  copayDeltaOf,
  copayRowOf,
  noCopays,
  sharesOf,
} from "../../src/services/analytics/reports/revenue.js";

const outcomes = ["open", "completed", "no_show", "cancelled", "late_cancelled", "rescheduled"] as const;
const row = (id: number): fc.Arbitrary<CopayRow> =>
  fc.record({
    appointmentId: fc.constant(`a${id}`),
    day: fc.constantFrom("2026-11-02", "2026-11-03"),
    locationId: fc.constantFrom("L1", "L2"),
    physicianId: fc.constantFrom("P1", "P2"),
    appointmentTypeId: fc.constant("T"),
    specialty: fc.constant("cardiology"),
    outcome: fc.constantFrom(...outcomes),
    copayCents: fc.integer({ min: 0, max: 50_000 }),
  });

const keyOf = (k: CopayContribution["key"]) => `${k.day}|${k.locationId}|${k.physicianId}`;
const zero = (): CopayCounters =>
  Object.fromEntries(COPAY_COUNTERS.map((n) => [n, 0])) as unknown as CopayCounters;

/** The reference model: the sums straight from the final rows. */
function direct(rows: Iterable<CopayRow>): Map<string, CopayCounters> {
  const out = new Map<string, CopayCounters>();
  for (const r of rows) {
    const c = out.get(keyOf(r)) ?? zero();
    if (r.outcome !== "rescheduled") {
      c.bookedPriced += 1;
      c.bookedCopayCents += r.copayCents;
    }
    if (r.outcome === "completed") {
      c.completedPriced += 1;
      c.completedCopayCents += r.copayCents;
    }
    out.set(keyOf(r), c);
  }
  return out;
}
const nonZero = (m: Map<string, CopayCounters>) =>
  new Map([...m].filter(([, c]) => COPAY_COUNTERS.some((n) => c[n] !== 0)));

describe("the daily copay sums kept by deltas", () => {
  it("equal the sum over the visits' final states, whatever changes came in between", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 4 })), { maxLength: 30 }),
        fc
          .tuple(row(0), row(1), row(2), row(3))
          .chain((a) => fc.tuple(fc.constant(a), fc.tuple(row(0), row(1), row(2), row(3)))),
        (changes, [first, second]) => {
          // each change sets visit i to one of its two states, or forgets it (its copay unknown)
          const states = [first, second];
          const current = new Map<string, CopayRow>();
          const sums = new Map<string, CopayCounters>();
          for (const [i, j] of changes) {
            const id = `a${i}`;
            const after = j < 2 ? states[j]![i]! : j < 4 ? states[j - 2]![i]! : null;
            for (const c of copayDeltaOf(current.get(id) ?? null, after)) {
              const s = sums.get(keyOf(c.key)) ?? zero();
              for (const n of COPAY_COUNTERS) s[n] += c.counters[n];
              sums.set(keyOf(c.key), s);
            }
            if (after) current.set(id, after);
            else current.delete(id);
          }
          expect(nonZero(sums)).toEqual(nonZero(direct(current.values())));
        },
      ),
    );
  });

  it("a visit whose copay was never recorded adds nothing", () => {
    const visit = {
      appointmentId: "a",
      day: "2026-11-02",
      locationId: "L",
      physicianId: "P",
      appointmentTypeId: "T",
      specialty: "s",
      outcome: "completed" as const,
      minutes: 30,
      leadMinutes: 0,
      waitMinutes: null,
      fromLocationId: null,
      homeArea: null,
      referredFrom: null,
      followedFrom: null,
      startsAt: null,
      endsAt: null,
    };
    expect(copayRowOf(visit, undefined)).toBeNull();
    expect(copayRowOf(visit, 0)).toMatchObject({ copayCents: 0, outcome: "completed" });
  });
});

describe("a group's fees split into the patient's and the payer's shares", () => {
  it("the patient pays the copays and the payer the rest of those visits' fees", () => {
    // 3 booked at $200 with copays $135, $135, $150; one of them completed ($135); 1 more booked without a copay
    const shares = sharesOf(
      {
        bookedPriced: 3,
        bookedCopayCents: 42000,
        completedPriced: 1,
        completedCopayCents: 13500,
        bookedPricedFeeCents: 60000,
        completedPricedFeeCents: 20000,
      },
      4,
    );
    expect(shares).toEqual({
      bookedPatientCents: 42000,
      bookedPayerCents: 18000,
      realisedPatientCents: 13500,
      realisedPayerCents: 6500,
      withoutCopay: 1,
    });
  });

  it("copays above the fee leave the payer nothing, never a negative share", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 1000 }),
        (priced, copays, fees, extra) => {
          const s = sharesOf(
            { ...noCopays(), bookedPriced: priced, bookedCopayCents: copays, bookedPricedFeeCents: fees },
            priced + extra,
          );
          expect(s.bookedPayerCents).toBe(Math.max(0, fees - copays));
          expect(s.bookedPatientCents + s.bookedPayerCents).toBe(Math.max(fees, copays));
          expect(s.withoutCopay).toBe(extra);
        },
      ),
    );
  });
});
