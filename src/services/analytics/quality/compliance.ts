/**
 * Compliance monitoring for compliance officers and administrators: break-the-glass accesses not
 * reviewed in time, refused accesses per account, the audit chain's status, staff whose scope
 * changed; thresholds that raise alerts, each alert once (a unique subject per alert), recorded as
 * a flagged audit event and listed on the officers' screen. Reads the audit trail through the
 * audit module's interface and the grants through identity's, passed in by the composition root.
 */
import type { Actor } from "../../../platform/access.js";
import { type AuditContext, auditService } from "../../../platform/audit/index.js";
import type { Executor } from "../../../platform/db.js";
import { problems } from "../../../platform/errors.js";
import { auditContextOf } from "../../../platform/identity/index.js";
import type { ServiceDeps } from "../../../platform/module.js";
import { toIso } from "../../../platform/schemas.js";
import { type AlertRow, qualityRepository as repo, type ThresholdRow } from "./repository.js";
import { alertsFor, type ComplianceFacts, refusalWindowStart, type Thresholds } from "./rules.js";
import type { ComplianceAlert, ComplianceOverview, ThresholdsDto } from "./schema.js";

/** At most this many refusals are read for one window. */
const REFUSALS_READ = 5000;
/** Scope changes shown: the last 30 days. */
const SCOPE_CHANGE_DAYS = 30;
/** The monitor evaluates the thresholds this often when started (alerts appear without a visit). */
export const COMPLIANCE_CHECK_MINUTES = 15;

/** The watch's own entries in the trail. */
const MONITOR_CONTEXT: AuditContext = {
  userId: null,
  role: "compliance_monitor",
  requestId: null,
  clientAddress: null,
};

export interface ComplianceDeps extends Omit<ServiceDeps, "policies"> {
  /** Identity's break-the-glass grants that nobody has reviewed yet. */
  breakGlass: {
    unreviewed(
      db: Executor,
    ): Promise<Array<{ id: string; userId: string; patientId: string; grantedAt: Date }>>;
  };
  /** Every location's id (the chain status is shown per location); read before the transaction. */
  locationIds: () => Promise<string[]>;
}

const toThresholds = (r: ThresholdRow): Thresholds => ({
  breakGlassReviewHours: r.break_glass_review_hours,
  refusalsPerAccount: r.refusals_per_account,
  refusalWindowHours: r.refusal_window_hours,
});

const toAlert = (r: AlertRow): ComplianceAlert => ({
  id: r.id,
  kind: r.kind as ComplianceAlert["kind"],
  subject: r.subject,
  detail: typeof r.detail === "string" ? (JSON.parse(r.detail) as Record<string, unknown>) : r.detail,
  raisedAt: toIso(r.raised_at),
  acknowledgedAt: r.acknowledged_at ? toIso(r.acknowledged_at) : null,
  acknowledgedBy: r.acknowledged_by,
});

const strings = (v: unknown): string[] | null =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : null;

export function createCompliance(deps: ComplianceDeps) {
  const { db, clock, breakGlass, locationIds } = deps;

  /** The facts the thresholds are held against, read through the audit and identity interfaces. */
  async function factsAt(tx: Executor, t: Thresholds, now: Date) {
    const windowStart = refusalWindowStart(now, t.refusalWindowHours);
    // one after another: the statements share the transaction's connection
    const unreviewed = await breakGlass.unreviewed(tx);
    const refused = await auditService.list(tx, {
      action: "access.refused",
      from: windowStart.toISOString(),
      limit: REFUSALS_READ,
      offset: 0,
    });
    const verified = await auditService.verify(tx);
    const facts: ComplianceFacts = {
      unreviewed,
      refusals: refused.rows
        .filter((r) => r.user_id !== null)
        .map((r) => ({ userId: r.user_id!, at: new Date(r.occurred_at) })),
      chain: verified.ok
        ? { ok: true }
        : {
            ok: false,
            chain: verified.brokenAt.chain,
            seq: verified.brokenAt.seq,
            reason: verified.brokenAt.reason,
          },
    };
    return { facts, windowStart, verified };
  }

  /** Raises the alerts the facts call for that were not raised before; returns the new ones. */
  async function evaluateIn(tx: Executor, now: Date) {
    const t = toThresholds(await repo.thresholds(tx));
    const read = await factsAt(tx, t, now);
    const raised = await repo.raise(tx, alertsFor(read.facts, t, now), now);
    // each new alert is a flagged event: the trail's review queue and the officers' screen show it
    for (const a of raised)
      await auditService.record(tx, MONITOR_CONTEXT, {
        action: "compliance.alert",
        resourceType: "compliance_alert",
        resourceId: a.id,
        detail: { kind: a.kind, subject: a.subject },
        flagged: true,
      });
    return { t, ...read, raised };
  }

  return {
    /** Holds the facts against the thresholds now (the watch and every overview call it). */
    evaluate: (): Promise<ComplianceAlert[]> =>
      db.transaction().execute(async (tx) => (await evaluateIn(tx, clock.now())).raised.map(toAlert)),

    /** The monitoring page: every figure, and the open alerts (evaluated first). */
    async overview(actor: Actor): Promise<ComplianceOverview> {
      // the locations module reads on its own connection: before this transaction, not inside it
      const ids = await locationIds();
      return db.transaction().execute(async (tx) => {
        const now = clock.now();
        const { t, facts, windowStart, verified } = await evaluateIn(tx, now);
        const perAccount = new Map<string, { count: number; last: Date }>();
        for (const r of facts.refusals) {
          const e = perAccount.get(r.userId) ?? { count: 0, last: r.at };
          perAccount.set(r.userId, {
            count: e.count + 1,
            last: new Date(Math.max(r.at.getTime(), e.last.getTime())),
          });
        }
        const since = new Date(now.getTime() - SCOPE_CHANGE_DAYS * 86_400_000);
        const updates = await auditService.list(tx, {
          action: "user.update",
          from: since.toISOString(),
          limit: 500,
          offset: 0,
        });
        const locations = [];
        for (const id of ids) {
          const { total } = await auditService.list(tx, { locationId: id, limit: 1, offset: 0 });
          locations.push({
            locationId: id,
            events: total,
            status: verified.ok ? ("intact" as const) : ("broken" as const),
          });
        }
        const alerts = await repo.alerts(tx, { open: true, limit: 200 });
        await auditService.record(tx, auditContextOf(actor), {
          action: "compliance.overview",
          resourceType: "compliance",
          detail: { openAlerts: alerts.length },
        });
        return {
          thresholds: t,
          breakGlassOverdue: facts.unreviewed
            .map((g) => ({ g, due: g.grantedAt.getTime() + t.breakGlassReviewHours * 3_600_000 }))
            .filter(({ due }) => due <= now.getTime())
            .map(({ g, due }) => ({
              id: g.id,
              userId: g.userId,
              patientId: g.patientId,
              grantedAt: toIso(g.grantedAt),
              reviewDue: toIso(new Date(due)),
            })),
          refusalsByAccount: [...perAccount.entries()]
            .map(([userId, v]) => ({ userId, count: v.count, last: toIso(v.last) }))
            .sort((a, b) => b.count - a.count || (a.userId < b.userId ? -1 : 1)),
          refusalWindowStart: toIso(windowStart),
          auditChain: verified.ok
            ? { ok: true, checked: verified.checked, brokenAt: null }
            : {
                ok: false,
                checked: verified.checked,
                brokenAt: {
                  chain: verified.brokenAt.chain,
                  seq: verified.brokenAt.seq,
                  reason: verified.brokenAt.reason,
                },
              },
          locations,
          scopeChanges: updates.rows
            .map((r) => ({ r, d: (r.detail ?? {}) as Record<string, unknown> }))
            .filter(({ d }) => d.previousLocationIds !== undefined || d.previousDepartmentIds !== undefined)
            .map(({ r, d }) => ({
              userId: r.resource_id,
              changedBy: r.user_id,
              at: toIso(r.occurred_at),
              locationIds: strings(d.locationIds),
              previousLocationIds: strings(d.previousLocationIds),
              departmentIds: strings(d.departmentIds),
              previousDepartmentIds: strings(d.previousDepartmentIds),
            })),
          alerts: alerts.map(toAlert),
        };
      });
    },

    async setThresholds(actor: Actor, body: ThresholdsDto): Promise<ThresholdsDto> {
      return db.transaction().execute(async (tx) => {
        const before = toThresholds(await repo.thresholds(tx));
        const row = await repo.setThresholds(tx, {
          break_glass_review_hours: body.breakGlassReviewHours,
          refusals_per_account: body.refusalsPerAccount,
          refusal_window_hours: body.refusalWindowHours,
          updated_by: actor.userId,
        });
        await auditService.record(tx, auditContextOf(actor), {
          action: "compliance.thresholds.update",
          resourceType: "compliance_thresholds",
          detail: { before, after: body },
        });
        return toThresholds(row);
      });
    },

    async acknowledge(actor: Actor, id: string): Promise<ComplianceAlert> {
      return db.transaction().execute(async (tx) => {
        const row = await repo.acknowledge(tx, id, actor.userId, clock.now());
        if (!row) throw problems.notFound("open compliance alert");
        await auditService.record(tx, auditContextOf(actor), {
          action: "compliance.alert.acknowledge",
          resourceType: "compliance_alert",
          resourceId: id,
          detail: { kind: row.kind, subject: row.subject },
        });
        return toAlert(row);
      });
    },
  };
}

export type Compliance = ReturnType<typeof createCompliance>;

/** Evaluates the thresholds every few minutes; returns the stop function. */
export function startComplianceWatch(
  compliance: Compliance,
  log: { error(o: object, msg: string): void; warn(o: object, msg: string): void },
  minutes = COMPLIANCE_CHECK_MINUTES,
): () => void {
  const timer = setInterval(() => {
    compliance
      .evaluate()
      .then((raised) => {
        if (raised.length) log.warn({ alerts: raised.map((a) => a.kind) }, "compliance alerts raised");
      })
      .catch((err: unknown) => log.error({ err }, "compliance evaluation failed"));
  }, minutes * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
