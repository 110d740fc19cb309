/** The incident detectors, pure over windows of the audit trail, against a simple reference model. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  detectBreakGlass,
  detectChainFailures,
  detectWindow,
  type Signal,
  type Thresholds,
  type WindowEvent,
} from "../../src/services/analytics/incidents/detectors.js";

const MIN = 60_000;
const NOW = Date.parse("2026-12-05T10:07:00Z");
const T: Thresholds = {
  windowMinutes: 15,
  refusals: 4,
  sprayAccounts: 3,
  accountFailures: 4,
  massReadPatients: 5,
  breakGlassPerDay: 2,
};

const users = ["u1", "u2", "u3"];
const addresses = ["10.0.0.1", "10.0.0.2"];
const eventArb: fc.Arbitrary<WindowEvent> = fc.record({
  at: fc.integer({ min: NOW - 40 * MIN, max: NOW + MIN }),
  action: fc.constantFrom("access.refused", "auth.login", "patient.read", "patient.break_glass"),
  outcome: fc.constantFrom("success", "failure", "denied"),
  userId: fc.option(fc.constantFrom(...users), { nil: null }),
  role: fc.constantFrom("location_staff", "patient", "physician"),
  address: fc.option(fc.constantFrom(...addresses), { nil: null }),
  patientId: fc.option(fc.constantFrom("p1", "p2", "p3", "p4", "p5", "p6"), { nil: null }),
  email: fc.option(fc.constantFrom("a@x.test", "B@x.test", "b@x.test", "c@x.test"), { nil: null }),
});

/** The reference: for every candidate subject, filter the window and count, the obvious way. */
function reference(
  events: WindowEvent[],
  t: Thresholds,
  now: number,
): Array<[string, string, string, number]> {
  const inWindow = events.filter((e) => e.at >= now - t.windowMinutes * MIN && e.at <= now);
  const out: Array<[string, string, string, number]> = [];
  const refused = inWindow.filter((e) => e.action === "access.refused");
  for (const u of users) {
    const n = refused.filter((e) => e.userId === u).length;
    if (n >= t.refusals) out.push(["refused_burst", "account", u, n]);
  }
  for (const a of addresses) {
    const n = refused.filter((e) => e.address === a).length;
    if (n >= t.refusals) out.push(["refused_burst", "address", a, n]);
  }
  const failed = inWindow.filter((e) => e.action === "auth.login" && e.outcome !== "success");
  for (const a of addresses) {
    const n = new Set(failed.filter((e) => e.address === a && e.email).map((e) => e.email!.toLowerCase()))
      .size;
    if (n >= t.sprayAccounts) out.push(["sign_in_spraying", "address", a, n]);
  }
  for (const email of ["a@x.test", "b@x.test", "c@x.test"]) {
    const mine = failed.filter((e) => e.email?.toLowerCase() === email);
    if (mine.length >= t.accountFailures)
      out.push(["sign_in_failures", "account", mine.find((e) => e.userId)?.userId ?? email, mine.length]);
  }
  for (const u of users) {
    const read = inWindow.filter(
      (e) => e.userId === u && e.patientId && e.outcome === "success" && e.role !== "patient",
    );
    const n = new Set(read.map((e) => e.patientId)).size;
    if (n >= t.massReadPatients) out.push(["mass_read", "account", u, n]);
  }
  return out.sort();
}
const shape = (signals: Signal[]) =>
  signals.map((s) => [s.kind, s.subjectKind, s.subject, s.count] as [string, string, string, number]).sort();

describe("incident detectors", () => {
  it("raise exactly the signals that counting each subject's window one by one finds", () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 120 }), (events) => {
        expect(shape(detectWindow(events, T, NOW))).toEqual(reference(events, T, NOW));
      }),
      { numRuns: 300 },
    );
  });

  it("the same window evaluated twice, or a little later in the same window, gives the same keys", () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 80 }),
        fc.integer({ min: 0, max: 7 * MIN }),
        (events, later) => {
          const keys = detectWindow(events, T, NOW).map((s) => s.key);
          expect(new Set(keys).size).toBe(keys.length);
          // 10:07 and up to 10:14 fall in the 10:00 bucket of a 15-minute window
          const again = new Set(detectWindow(events, T, NOW + later).map((s) => s.key));
          for (const s of detectWindow(events, T, NOW + later)) expect(again.has(s.key)).toBe(true);
          for (const k of keys) expect(k).toContain("2026-12-05T10:00:00.000Z");
        },
      ),
      { numRuns: 100 },
    );
  });

  it("one staff account refused four times in ten minutes is a high-severity burst that names the account", () => {
    const events: WindowEvent[] = [0, 2, 5, 9].map((m) => ({
      at: NOW - m * MIN,
      action: "access.refused",
      outcome: "denied",
      userId: "u1",
      role: "location_staff",
      address: null,
      patientId: "p1",
      email: null,
    }));
    const [s] = detectWindow(events, T, NOW);
    expect(s).toMatchObject({
      kind: "refused_burst",
      subject: "u1",
      accountId: "u1",
      severity: "high",
      count: 4,
    });
    // refusals older than the window do not count
    expect(detectWindow(events, T, NOW + 7 * MIN)).toEqual([]);
  });

  it("break-the-glass above the daily threshold is a signal per user and day, not per grant", () => {
    const grant = (userId: string, at: number): WindowEvent => ({
      at,
      action: "patient.break_glass",
      outcome: "success",
      userId,
      role: "physician",
      address: null,
      patientId: "p1",
      email: null,
    });
    const grants = [
      grant("u1", NOW - 60 * MIN),
      grant("u1", NOW - 30 * MIN),
      grant("u1", NOW),
      grant("u2", NOW),
    ];
    const signals = detectBreakGlass(grants, T, NOW);
    expect(signals.map((s) => [s.subject, s.count, s.key])).toEqual([
      ["u1", 3, "break_glass_unusual:account:u1:2026-12-05"],
    ]);
    // yesterday's grants are yesterday's
    expect(detectBreakGlass(grants, T, NOW + 86_400_000)).toEqual([]);
  });

  it("an audit chain break is a critical signal of its location, keyed by where the chain broke", () => {
    const [s] = detectChainFailures(
      [{ chain: 3, seq: 41, reason: "hash mismatch", locationId: "loc-a" }],
      NOW,
    );
    expect(s).toMatchObject({
      kind: "audit_chain_failure",
      subjectKind: "location",
      subject: "loc-a",
      severity: "critical",
    });
    expect(s!.key).toBe("audit_chain_failure:3:41:hash mismatch");
  });
});
