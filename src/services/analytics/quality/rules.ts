/**
 * The pure rules of quality and compliance monitoring: how answered surveys summarise, and which
 * compliance facts cross a threshold. Plain data in, plain data out (property-tested in
 * test/unit/quality-rules.test.ts against a reference model).
 */

/** Ratings from 1 (poor) to 5 (excellent). */
export const RATINGS = [1, 2, 3, 4, 5] as const;

export interface RatingSummary {
  count: number;
  /** The mean rating, rounded to two decimals; null without answers. */
  average: number | null;
  /** How many answers gave 1, 2, 3, 4 and 5 (in that order). */
  distribution: [number, number, number, number, number];
}

export function summarize(ratings: readonly number[]): RatingSummary {
  const distribution: RatingSummary["distribution"] = [0, 0, 0, 0, 0];
  let sum = 0;
  for (const r of ratings) {
    distribution[r - 1]! += 1;
    sum += r;
  }
  const count = ratings.length;
  return { count, average: count ? Math.round((sum / count) * 100) / 100 : null, distribution };
}

/** Answered surveys grouped by a key (a location, a physician), each group summarised. */
export function summarizeBy<T>(rows: readonly T[], key: (r: T) => string, rating: (r: T) => number) {
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    const k = key(r);
    const list = groups.get(k) ?? [];
    list.push(rating(r));
    groups.set(k, list);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, list]) => ({ key: k, ...summarize(list) }));
}

export interface Thresholds {
  breakGlassReviewHours: number;
  refusalsPerAccount: number;
  refusalWindowHours: number;
}

export interface ComplianceFacts {
  /** Break-the-glass grants nobody has reviewed yet. */
  unreviewed: ReadonlyArray<{ id: string; userId: string; patientId: string; grantedAt: Date }>;
  /** Refused accesses (who, when; `count` of them when the row is an hour's tally, else one). */
  refusals: ReadonlyArray<{ userId: string; at: Date; count?: number }>;
  /** The problems the audit trail's verification found (none: intact). */
  chainBreaks: ReadonlyArray<{ chain: number | null; seq: number | null; reason: string }>;
}

export type AlertKind = "break_glass_unreviewed" | "refusals" | "audit_chain_broken";

export interface AlertDraft {
  kind: AlertKind;
  /** What the alert is about: each subject raises its alert once. */
  subject: string;
  detail: Record<string, unknown>;
}

const HOUR = 3_600_000;

/** The start of the refusal window `now` falls in (windows are fixed, counted from the epoch). */
export const refusalWindowStart = (now: Date, hours: number): Date =>
  new Date(Math.floor(now.getTime() / (hours * HOUR)) * hours * HOUR);

/**
 * The alerts the facts call for at `now`: a grant unreviewed past its deadline; an account with at
 * least the threshold of refusals in the current window; a broken audit chain.
 */
export function alertsFor(facts: ComplianceFacts, t: Thresholds, now: Date): AlertDraft[] {
  const out: AlertDraft[] = [];
  for (const g of facts.unreviewed) {
    const due = g.grantedAt.getTime() + t.breakGlassReviewHours * HOUR;
    if (due <= now.getTime())
      out.push({
        kind: "break_glass_unreviewed",
        subject: g.id,
        detail: {
          userId: g.userId,
          patientId: g.patientId,
          grantedAt: g.grantedAt.toISOString(),
          reviewDue: new Date(due).toISOString(),
        },
      });
  }
  const windowStart = refusalWindowStart(now, t.refusalWindowHours);
  const perAccount = new Map<string, number>();
  for (const r of facts.refusals)
    if (r.at.getTime() >= windowStart.getTime() && r.at.getTime() <= now.getTime())
      perAccount.set(r.userId, (perAccount.get(r.userId) ?? 0) + (r.count ?? 1));
  for (const [userId, count] of [...perAccount.entries()].sort(([a], [b]) => (a < b ? -1 : 1)))
    if (count >= t.refusalsPerAccount)
      out.push({
        kind: "refusals",
        subject: `${userId}@${windowStart.toISOString()}`,
        detail: { userId, count, windowStart: windowStart.toISOString(), windowHours: t.refusalWindowHours },
      });
  const seen = new Set<string>();
  for (const b of facts.chainBreaks) {
    // a break without a place (a forged checkpoint) is named by its reason
    const subject = (
      b.chain === null && b.seq === null ? b.reason : `chain ${b.chain ?? "?"} seq ${b.seq ?? "?"}`
    ).slice(0, 200);
    if (seen.has(subject)) continue;
    seen.add(subject);
    out.push({
      kind: "audit_chain_broken",
      subject,
      detail: { chain: b.chain, seq: b.seq, reason: b.reason },
    });
  }
  return out;
}

/** What the monitor keeps of one verified event. */
export interface TalliedEvent {
  occurredAt: Date;
  userId: string | null;
  locationId: string | null;
  action: string;
}

/** The action of a refused access in the audit trail. */
export const REFUSED_ACTION = "access.refused";

/** The later of two moments. */
const later = (a: Date, b: Date): Date => (a.getTime() >= b.getTime() ? a : b);

export const hourOf = (at: Date): Date => new Date(Math.floor(at.getTime() / HOUR) * HOUR);

/**
 * The counters a batch of newly verified events adds: events per location (and the newest), and
 * refused accesses per account and hour. Sorted, so equal batches give equal tallies.
 */
export function tallyEvents(events: readonly TalliedEvent[]) {
  const locations = new Map<string, { events: number; last: Date }>();
  const refusals = new Map<string, { userId: string; hour: Date; count: number; last: Date }>();
  for (const e of events) {
    if (e.locationId) {
      const l = locations.get(e.locationId);
      if (!l) locations.set(e.locationId, { events: 1, last: e.occurredAt });
      else
        locations.set(e.locationId, {
          events: l.events + 1,
          last: later(e.occurredAt, l.last),
        });
    }
    if (e.action === REFUSED_ACTION && e.userId) {
      const hour = hourOf(e.occurredAt);
      const key = `${e.userId}|${hour.toISOString()}`;
      const r = refusals.get(key);
      if (!r) refusals.set(key, { userId: e.userId, hour, count: 1, last: e.occurredAt });
      else refusals.set(key, { ...r, count: r.count + 1, last: later(e.occurredAt, r.last) });
    }
  }
  const byKey = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    total: events.length,
    locations: byKey(locations).map(([locationId, v]) => ({ locationId, ...v })),
    refusals: byKey(refusals).map(([, v]) => v),
  };
}

export interface ChainBreakAt {
  chain: number | null;
  seq: number | null;
  reason: string;
  foundAt: Date;
}

/**
 * A location's chain status: broken at the first break found in one of its own events; broken too
 * while a break no location can be named for (a removed event) stands against the whole trail.
 */
export function locationChainStatus(
  own: ChainBreakAt | null,
  unlocated: ChainBreakAt | null,
): { status: "intact" | "broken"; firstBreak: (ChainBreakAt & { scope: "location" | "trail" }) | null } {
  if (own) return { status: "broken", firstBreak: { ...own, scope: "location" } };
  if (unlocated) return { status: "broken", firstBreak: { ...unlocated, scope: "trail" } };
  return { status: "intact", firstBreak: null };
}

/** What an alert message may say: how many alerts of each kind, nothing about anyone. */
export function alertDigest(alerts: ReadonlyArray<{ kind: AlertKind }>) {
  const count = (k: AlertKind) => alerts.filter((a) => a.kind === k).length;
  return {
    total: alerts.length,
    breakGlassUnreviewed: count("break_glass_unreviewed"),
    refusals: count("refusals"),
    auditChainBroken: count("audit_chain_broken"),
  };
}
export type AlertDigest = ReturnType<typeof alertDigest>;

/**
 * Who is told of new alerts: every active compliance officer, and administrators who opted in;
 * each in the language they chose (English otherwise). An officer cannot opt out.
 */
export function alertRecipients(
  accounts: ReadonlyArray<{ id: string; email: string; role: string }>,
  subscriptions: ReadonlyArray<{ user_id: string; subscribed: boolean; language: string }>,
): Array<{ userId: string; email: string; language: string }> {
  const chosen = new Map(subscriptions.map((s) => [s.user_id, s]));
  return accounts
    .filter((a) => a.role === "compliance" || (a.role === "admin" && chosen.get(a.id)?.subscribed === true))
    .map((a) => ({ userId: a.id, email: a.email, language: chosen.get(a.id)?.language ?? "en" }))
    .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}
