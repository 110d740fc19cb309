/**
 * The security signals: pure functions over a window of the audit trail (refused accesses,
 * failed sign-ins, patient records read, break-the-glass grants) and the audit chain's failures.
 * Each signal names its kind, its subject and the window it was counted in: the key that makes
 * evaluating the same window twice (or on two replicas) one signal. Tested against a simple
 * reference model in test/unit/incident-detectors.test.ts.
 */
import type { IncidentsConfig, Severity } from "../../../platform/config.js";

export const INCIDENT_KINDS = [
  "refused_burst",
  "break_glass_unusual",
  "sign_in_spraying",
  "sign_in_failures",
  "mass_read",
  "audit_chain_failure",
] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];
export type SubjectKind = "account" | "address" | "location" | "network";

/** One audit event as the detectors see it (`at` in epoch milliseconds). */
export interface WindowEvent {
  at: number;
  action: string;
  outcome: string;
  userId: string | null;
  role: string | null;
  address: string | null;
  patientId: string | null;
  /** The email a sign-in attempt named. */
  email: string | null;
}

/** A break found in the audit chain (the compliance monitor's verification). */
export interface ChainFailure {
  chain: number | null;
  seq: number | null;
  reason: string;
  locationId: string | null;
}

export interface Signal {
  kind: IncidentKind;
  subjectKind: SubjectKind;
  subject: string;
  /** The account involved (locking acts on it), when known. */
  accountId: string | null;
  severity: Severity;
  /** Kind, subject and window: the same signal counted again has the same key. */
  key: string;
  count: number;
  first: number;
  last: number;
}

export type Thresholds = Pick<
  IncidentsConfig,
  "windowMinutes" | "refusals" | "sprayAccounts" | "accountFailures" | "massReadPatients" | "breakGlassPerDay"
>;

const DAY_MS = 86_400_000;
const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };
export const severityAtLeast = (s: Severity, floor: Severity) => RANK[s] >= RANK[floor];
export const higherSeverity = (a: Severity, b: Severity): Severity => (RANK[a] >= RANK[b] ? a : b);

/** Whom a group belongs to and what it counts: events, or distinct values (accounts, patients). */
interface Tally {
  events: WindowEvent[];
  distinct: Set<string>;
}

function groupBy(
  events: readonly WindowEvent[],
  subjectOf: (e: WindowEvent) => string | null,
  countedOf: (e: WindowEvent) => string | null = () => null,
): Map<string, Tally> {
  const groups = new Map<string, Tally>();
  for (const e of events) {
    const subject = subjectOf(e);
    if (subject === null) continue;
    const g = groups.get(subject) ?? { events: [], distinct: new Set<string>() };
    groups.set(subject, g);
    g.events.push(e);
    const v = countedOf(e);
    if (v !== null) g.distinct.add(v);
  }
  return groups;
}

const span = (events: readonly WindowEvent[]) => ({
  first: Math.min(...events.map((e) => e.at)),
  last: Math.max(...events.map((e) => e.at)),
});

const isRefusal = (e: WindowEvent) => e.action === "access.refused";
const isFailedSignIn = (e: WindowEvent) => e.action === "auth.login" && e.outcome !== "success";
/** A patient's record read or exported by staff (patients reading their family's are not counted). */
const isRecordRead = (e: WindowEvent) =>
  e.patientId !== null && e.outcome === "success" && e.userId !== null && e.role !== "patient";
const emailOf = (e: WindowEvent) => (e.email ? e.email.toLowerCase() : null);

/** The signals of the short window [now - windowMinutes, now]; keys name the window's bucket. */
export function detectWindow(events: readonly WindowEvent[], t: Thresholds, now: number): Signal[] {
  const windowMs = t.windowMinutes * 60_000;
  const from = now - windowMs;
  const bucket = Math.floor(now / windowMs) * windowMs;
  const inWindow = events.filter((e) => e.at >= from && e.at <= now);
  const out: Signal[] = [];
  const emit = (
    kind: IncidentKind,
    subjectKind: SubjectKind,
    subject: string,
    accountId: string | null,
    severity: Severity,
    count: number,
    group: readonly WindowEvent[],
  ) =>
    out.push({
      kind,
      subjectKind,
      subject,
      accountId,
      severity,
      key: `${kind}:${subjectKind}:${subject}:${new Date(bucket).toISOString()}`,
      count,
      ...span(group),
    });

  const refusals = inWindow.filter(isRefusal);
  for (const [user, g] of groupBy(refusals, (e) => e.userId))
    if (g.events.length >= t.refusals)
      emit("refused_burst", "account", user, user, "high", g.events.length, g.events);
  for (const [address, g] of groupBy(refusals, (e) => e.address))
    if (g.events.length >= t.refusals)
      emit("refused_burst", "address", address, null, "medium", g.events.length, g.events);

  out.push(...detectSignIns(inWindow, t, bucket));

  for (const [user, g] of groupBy(
    inWindow.filter(isRecordRead),
    (e) => e.userId,
    (e) => e.patientId,
  ))
    if (g.distinct.size >= t.massReadPatients)
      emit("mass_read", "account", user, user, "high", g.distinct.size, g.events);
  return out;
}

/** Failed sign-ins: many accounts from one address (spraying), many failures on one account. */
export function detectSignIns(events: readonly WindowEvent[], t: Thresholds, bucket: number): Signal[] {
  const failed = events.filter(isFailedSignIn);
  const at = new Date(bucket).toISOString();
  const out: Signal[] = [];
  for (const [address, g] of groupBy(failed, (e) => e.address, emailOf))
    if (g.distinct.size >= t.sprayAccounts)
      out.push({
        kind: "sign_in_spraying",
        subjectKind: "address",
        subject: address,
        accountId: null,
        severity: "high",
        key: `sign_in_spraying:address:${address}:${at}`,
        count: g.distinct.size,
        ...span(g.events),
      });
  for (const [email, g] of groupBy(failed, emailOf))
    if (g.events.length >= t.accountFailures) {
      // an unknown email has no account: the subject is the email tried
      const accountId = g.events.find((e) => e.userId !== null)?.userId ?? null;
      const subject = accountId ?? email;
      out.push({
        kind: "sign_in_failures",
        subjectKind: "account",
        subject,
        accountId,
        // the failures are someone else's guesses: the victim is not locked out (the throttle slows them)
        severity: "medium",
        key: `sign_in_failures:account:${subject}:${at}`,
        count: g.events.length,
        ...span(g.events),
      });
    }
  return out;
}

/** More break-the-glass grants by one user in one UTC day than the threshold allows. */
export function detectBreakGlass(grants: readonly WindowEvent[], t: Thresholds, now: number): Signal[] {
  const day = Math.floor(now / DAY_MS) * DAY_MS;
  const today = grants.filter((e) => e.action === "patient.break_glass" && e.at >= day && e.at <= now);
  const out: Signal[] = [];
  for (const [user, g] of groupBy(today, (e) => e.userId))
    if (g.events.length > t.breakGlassPerDay)
      out.push({
        kind: "break_glass_unusual",
        subjectKind: "account",
        subject: user,
        accountId: user,
        severity: "medium",
        key: `break_glass_unusual:account:${user}:${new Date(day).toISOString().slice(0, 10)}`,
        count: g.events.length,
        ...span(g.events),
      });
  return out;
}

/** Each break in the audit chain is a critical signal of its location (or of the whole network). */
export function detectChainFailures(failures: readonly ChainFailure[], now: number): Signal[] {
  return failures.map((f) => ({
    kind: "audit_chain_failure" as const,
    subjectKind: f.locationId ? ("location" as const) : ("network" as const),
    subject: f.locationId ?? "network",
    accountId: null,
    severity: "critical" as const,
    key: `audit_chain_failure:${f.chain ?? "-"}:${f.seq ?? "-"}:${f.reason}`,
    count: 1,
    first: now,
    last: now,
  }));
}
