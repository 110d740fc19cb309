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
  /** Refused accesses (who, when). */
  refusals: ReadonlyArray<{ userId: string; at: Date }>;
  /** The audit trail's verification: ok, or where it broke. */
  chain: { ok: true } | { ok: false; chain: number | null; seq: number | null; reason: string };
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
      perAccount.set(r.userId, (perAccount.get(r.userId) ?? 0) + 1);
  for (const [userId, count] of [...perAccount.entries()].sort(([a], [b]) => (a < b ? -1 : 1)))
    if (count >= t.refusalsPerAccount)
      out.push({
        kind: "refusals",
        subject: `${userId}@${windowStart.toISOString()}`,
        detail: { userId, count, windowStart: windowStart.toISOString(), windowHours: t.refusalWindowHours },
      });
  if (!facts.chain.ok)
    out.push({
      kind: "audit_chain_broken",
      subject: `chain ${facts.chain.chain ?? "?"} seq ${facts.chain.seq ?? "?"}`,
      detail: { chain: facts.chain.chain, seq: facts.chain.seq, reason: facts.chain.reason },
    });
  return out;
}
