/**
 * The reports' read model keeps its daily facts by deltas: whatever sequence of changes the
 * appointments go through, the facts equal a sum over the appointments' final states (the
 * reference model), and a cancellation close to the start is a late one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  COUNTERS,
  type Contribution,
  contributionOf,
  type DailyCounters,
  deltaOf,
  localDate,
  outcomeOf,
  type VisitRow,
} from "../../src/services/analytics/reports/facts.js";

const outcomes = ["open", "completed", "no_show", "cancelled", "late_cancelled", "rescheduled"] as const;
const row = (id: number): fc.Arbitrary<VisitRow> =>
  fc.record({
    appointmentId: fc.constant(`a${id}`),
    day: fc.constantFrom("2026-11-02", "2026-11-03"),
    locationId: fc.constantFrom("L1", "L2"),
    physicianId: fc.constantFrom("P1", "P2"),
    appointmentTypeId: fc.constant("T"),
    specialty: fc.constant("cardiology"),
    outcome: fc.constantFrom(...outcomes),
    minutes: fc.integer({ min: 5, max: 120 }),
    leadMinutes: fc.integer({ min: 0, max: 100_000 }),
    waitMinutes: fc.option(fc.integer({ min: 0, max: 90 }), { nil: null }),
    fromLocationId: fc.option(fc.constantFrom("L1", "L2"), { nil: null }),
    homeArea: fc.option(fc.constantFrom("Riverton", "Lakeside"), { nil: null }),
    referredFrom: fc.option(fc.constantFrom("L1", "L2"), { nil: null }),
    followedFrom: fc.option(fc.constantFrom("L1", "L2"), { nil: null }),
    startsAt: fc.constant(null),
    endsAt: fc.constant(null),
  });

type Facts = Map<string, DailyCounters>;
function add(into: Facts, flows: Map<string, number>, cs: Contribution[]): void {
  for (const c of cs) {
    const k = `${c.daily.key.day}|${c.daily.key.locationId}|${c.daily.key.physicianId}`;
    const cur = into.get(k) ?? (Object.fromEntries(COUNTERS.map((n) => [n, 0])) as unknown as DailyCounters);
    for (const n of COUNTERS) cur[n] += c.daily.counters[n];
    into.set(k, cur);
    for (const f of c.flows) {
      const fk = `${f.key.day}|${f.key.sourceKind}|${f.key.source}|${f.key.locationId}`;
      flows.set(fk, (flows.get(fk) ?? 0) + f.visits);
    }
  }
}
const nonZero = <V>(m: Map<string, V>, zero: (v: V) => boolean) =>
  new Map([...m].filter(([, v]) => !zero(v)));
const allZero = (c: DailyCounters) => COUNTERS.every((n) => c[n] === 0);

describe("the daily facts kept by deltas", () => {
  it("equal the sum over the appointments' final states, whatever changes came in between", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })), { maxLength: 30 }),
        fc.tuple(row(0), row(1), row(2), row(3), row(4), row(5)),
        (changes, variants) => {
          // each change sets appointment i to (a variant of) state j, or removes it when j is 5
          const state = new Map<string, VisitRow>();
          const facts: Facts = new Map();
          const flows = new Map<string, number>();
          for (const [i, j] of changes) {
            const id = `a${i}`;
            const next: VisitRow | null =
              j === 5 ? null : { ...(variants[j] as VisitRow), appointmentId: id };
            add(facts, flows, deltaOf(state.get(id) ?? null, next));
            if (next) state.set(id, next);
            else state.delete(id);
          }
          const ref: Facts = new Map();
          const refFlows = new Map<string, number>();
          for (const r of state.values()) add(ref, refFlows, [contributionOf(r, 1)]);
          expect(nonZero(facts, allZero)).toEqual(nonZero(ref, allZero));
          expect(nonZero(flows, (v) => v === 0)).toEqual(nonZero(refFlows, (v) => v === 0));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a rescheduled appointment counts where it went, and a cancelled one brings no flow", () => {
    const base = {
      appointmentId: "a",
      day: "2026-11-02",
      locationId: "L1",
      physicianId: "P",
      appointmentTypeId: "T",
      specialty: "s",
      minutes: 30,
      leadMinutes: 60,
      waitMinutes: null,
      fromLocationId: "L2",
      homeArea: "Riverton",
      referredFrom: null,
      followedFrom: null,
      startsAt: null,
      endsAt: null,
    };
    expect(contributionOf({ ...base, outcome: "rescheduled" }, 1).daily.counters.appointments).toBe(0);
    expect(contributionOf({ ...base, outcome: "cancelled" }, 1).flows).toEqual([]);
    expect(contributionOf({ ...base, outcome: "completed" }, 1).flows).toHaveLength(2);
  });

  it("a visit referred from another location is a referral flow from there, and cancelling it takes the flow away", () => {
    const referred = {
      appointmentId: "r",
      day: "2026-11-02",
      locationId: "L1",
      physicianId: "P",
      appointmentTypeId: "T",
      specialty: "s",
      outcome: "open" as const,
      minutes: 30,
      leadMinutes: 60,
      waitMinutes: null,
      fromLocationId: null,
      homeArea: null,
      referredFrom: "L2",
      followedFrom: null,
      startsAt: null,
      endsAt: null,
    };
    expect(contributionOf(referred, 1).flows).toEqual([
      { key: expect.objectContaining({ sourceKind: "referral", source: "L2", locationId: "L1" }), visits: 1 },
    ]);
    const flowsAfterCancel = deltaOf(referred, { ...referred, outcome: "cancelled" }).flatMap((c) => c.flows);
    expect(flowsAfterCancel.reduce((n, f) => n + f.visits, 0)).toBe(-1);
  });
});

describe("what became of an appointment", () => {
  const start = new Date("2026-11-05T14:00:00Z");
  const cancelled = (hoursBefore: number, reason = "patient request") =>
    outcomeOf({
      status: "cancelled",
      cancelReason: reason,
      cancelledAt: new Date(start.getTime() - hoursBefore * 3_600_000),
      start,
    });
  it("a cancellation less than 24 hours before the start is late, one earlier is not", () => {
    expect(cancelled(23.9)).toBe("late_cancelled");
    expect(cancelled(24)).toBe("cancelled");
  });
  it("a moved appointment is rescheduled and a released hold is no booking at all", () => {
    expect(cancelled(72, "rescheduled: patient asked")).toBe("rescheduled");
    expect(cancelled(1, "hold released")).toBeNull();
    expect(outcomeOf({ status: "held", cancelReason: null, cancelledAt: null, start })).toBeNull();
  });
  it("the day is the location's local date (late evening in New York is the next day in UTC)", () => {
    expect(localDate(new Date("2026-11-06T03:30:00Z"), "America/New_York")).toBe("2026-11-05");
  });
});
