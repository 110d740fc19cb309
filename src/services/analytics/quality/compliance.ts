/**
 * Compliance monitoring for compliance officers and administrators: break-the-glass accesses not
 * reviewed in time, refused accesses per account, the audit chain's status, staff whose scope
 * changed; thresholds that raise alerts, each alert once (a unique subject per alert), recorded as
 * a flagged audit event, announced to the officers by email and in the app (notifications'
 * staff outbox, counts only), listed on their screen until resolved. The audit trail is read
 * through a cursor (monitor.ts): a check costs the new events, not the trail. Reads the audit trail through the
 * audit module's interface and the grants through identity's, passed in by the composition root.
 */
import type { Actor } from "../../../platform/access.js";
import { type AuditContext, auditService } from "../../../platform/audit/index.js";
import type { Executor } from "../../../platform/db.js";
import { problems } from "../../../platform/errors.js";
import { auditContextOf } from "../../../platform/identity/index.js";
import type { ServiceDeps } from "../../../platform/module.js";
import { toIso } from "../../../platform/schemas.js";
import { advanceMonitor } from "./monitor.js";
import { monitorRepository as monitor } from "./monitor.repository.js";
import { type AlertRow, qualityRepository as repo, type ThresholdRow } from "./repository.js";
import {
  type AlertDigest,
  alertDigest,
  alertRecipients,
  alertsFor,
  type ComplianceFacts,
  locationChainStatus,
  refusalWindowStart,
  type Thresholds,
} from "./rules.js";
import type {
  AcknowledgeBody,
  ComplianceAlert,
  ComplianceOverview,
  ResolveBody,
  SubscriptionBody,
  ThresholdsDto,
} from "./schema.js";

/** Scope changes shown: the last 30 days. */
const SCOPE_CHANGE_DAYS = 30;
/** Resolved alerts listed on the screen. */
const RESOLVED_SHOWN = 50;
/** The screen alert messages link to. */
export const MONITORING_PATH = "/admin/audit/monitoring";
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
  /** Identity's active accounts of these roles (who may receive alert messages). */
  staffAccounts(
    db: Executor,
    roles: readonly string[],
  ): Promise<Array<{ id: string; email: string; role: string }>>;
  /** Queues a message to staff in the caller's transaction (the notifications outbox). */
  messageStaff(
    db: Executor,
    message: {
      dedupeKey: string;
      recipients: Array<{ userId: string; email: string; language: string }>;
      payload: AlertDigest & { path: string };
    },
    now: Date,
  ): Promise<number>;
}

const toThresholds = (r: ThresholdRow): Thresholds => ({
  breakGlassReviewHours: r.break_glass_review_hours,
  refusalsPerAccount: r.refusals_per_account,
  refusalWindowHours: r.refusal_window_hours,
});

const iso = (d: Date | null) => (d ? toIso(d) : null);

const toAlert = (r: AlertRow): ComplianceAlert => ({
  id: r.id,
  kind: r.kind as ComplianceAlert["kind"],
  subject: r.subject,
  detail: typeof r.detail === "string" ? (JSON.parse(r.detail) as Record<string, unknown>) : r.detail,
  raisedAt: toIso(r.raised_at),
  status: r.resolved_at ? "resolved" : r.acknowledged_at ? "acknowledged" : "open",
  acknowledgedAt: iso(r.acknowledged_at),
  acknowledgedBy: r.acknowledged_by,
  acknowledgeNote: r.acknowledge_note,
  resolvedAt: iso(r.resolved_at),
  resolvedBy: r.resolved_by,
  resolutionNote: r.resolution_note,
});

const strings = (v: unknown): string[] | null =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : null;

const breakAt = (r: {
  break_chain: number | null;
  break_seq: number | null;
  break_reason: string | null;
  break_found_at: Date | null;
}) =>
  r.break_reason && r.break_found_at
    ? { chain: r.break_chain, seq: r.break_seq, reason: r.break_reason, foundAt: r.break_found_at }
    : null;

export function createCompliance(deps: ComplianceDeps) {
  const { db, clock, breakGlass, locationIds } = deps;

  /** Moves the audit cursor, then holds the facts against the thresholds; raises and announces what is new. */
  async function evaluateIn(tx: Executor, now: Date) {
    const t = toThresholds(await repo.thresholds(tx));
    const advanced = await advanceMonitor(tx, now);
    const windowStart = refusalWindowStart(now, t.refusalWindowHours);
    const hourly = await monitor.refusalsSince(tx, windowStart);
    const facts: ComplianceFacts = {
      unreviewed: await breakGlass.unreviewed(tx),
      refusals: hourly,
      chainBreaks: advanced.breaks,
    };
    const raised = await repo.raise(tx, alertsFor(facts, t, now), now);
    // each new alert is a flagged event: the trail's review queue and the officers' screen show it
    for (const a of raised)
      await auditService.record(tx, MONITOR_CONTEXT, {
        action: "compliance.alert",
        resourceType: "compliance_alert",
        resourceId: a.id,
        detail: { kind: a.kind, subject: a.subject },
        flagged: true,
      });
    if (raised.length) {
      const recipients = alertRecipients(
        await deps.staffAccounts(tx, ["compliance", "admin"]),
        await monitor.subscriptions(tx),
      );
      // counts and a link only: the message names no patient and no account
      const digest = alertDigest(raised.map((a) => ({ kind: a.kind as ComplianceAlert["kind"] })));
      const first = [...raised].sort((a, b) => (a.id < b.id ? -1 : 1))[0]!;
      await deps.messageStaff(
        tx,
        { dedupeKey: first.id, recipients, payload: { ...digest, path: MONITORING_PATH } },
        now,
      );
    }
    return { t, facts, windowStart, hourly, advanced, raised };
  }

  return {
    /** Holds the facts against the thresholds now (the watch and every overview call it). */
    evaluate: (): Promise<ComplianceAlert[]> =>
      db.transaction().execute(async (tx) => (await evaluateIn(tx, clock.now())).raised.map(toAlert)),

    /** The monitoring page: every figure, open and resolved alerts (evaluated first). */
    async overview(actor: Actor): Promise<ComplianceOverview> {
      // the locations module reads on its own connection: before this transaction, not inside it
      const ids = await locationIds();
      return db.transaction().execute(async (tx) => {
        const now = clock.now();
        const { t, facts, windowStart, hourly, advanced } = await evaluateIn(tx, now);
        const perAccount = new Map<string, { count: number; last: Date }>();
        for (const r of hourly) {
          const e = perAccount.get(r.userId) ?? { count: 0, last: r.last };
          perAccount.set(r.userId, {
            count: e.count + r.count,
            last: new Date(Math.max(r.last.getTime(), e.last.getTime())),
          });
        }
        const since = new Date(now.getTime() - SCOPE_CHANGE_DAYS * 86_400_000);
        const updates = await auditService.list(tx, {
          action: "user.update",
          from: since.toISOString(),
          limit: 500,
          offset: 0,
        });
        const status = advanced.status;
        const unlocated = breakAt(status);
        const counted = new Map((await monitor.locations(tx, ids)).map((r) => [r.location_id, r]));
        const locations = ids.map((id) => {
          const row = counted.get(id);
          const s = locationChainStatus(row ? breakAt(row) : null, unlocated);
          return {
            locationId: id,
            events: row?.events ?? 0,
            lastEventAt: iso(row?.last_event_at ?? null),
            lastVerifiedAt: iso(status.last_verified_at),
            status: s.status,
            firstBreak: s.firstBreak && { ...s.firstBreak, foundAt: toIso(s.firstBreak.foundAt) },
          };
        });
        const firstLocated = locations.find((l) => l.firstBreak?.scope === "location")?.firstBreak ?? null;
        const brokenAt = unlocated ?? firstLocated;
        const alerts = await repo.alerts(tx, { resolved: false, limit: 200 });
        const resolved = await repo.alerts(tx, { resolved: true, limit: RESOLVED_SHOWN });
        const mine = await monitor.subscription(tx, actor.userId);
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
          auditChain: {
            ok: brokenAt === null,
            checked: status.events,
            lastVerifiedAt: iso(status.last_verified_at),
            upToDate: advanced.complete,
            brokenAt: brokenAt && { chain: brokenAt.chain, seq: brokenAt.seq, reason: brokenAt.reason },
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
          resolvedAlerts: resolved.map(toAlert),
          subscription: {
            subscribed: actor.role === "compliance" || mine?.subscribed === true,
            language: (mine?.language ?? "en") as "en" | "es",
            required: actor.role === "compliance",
          },
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

    /** Someone is on it; the alert stays listed until it is resolved. */
    acknowledge: (actor: Actor, id: string, body: AcknowledgeBody): Promise<ComplianceAlert> =>
      db.transaction().execute(async (tx) => {
        const note = body?.note ?? null;
        const row = await repo.acknowledge(tx, id, actor.userId, clock.now(), note);
        if (!row) throw problems.notFound("open compliance alert");
        await auditService.record(tx, auditContextOf(actor), {
          action: "compliance.alert.acknowledge",
          resourceType: "compliance_alert",
          resourceId: id,
          detail: { kind: row.kind, subject: row.subject, note },
        });
        return toAlert(row);
      }),

    /** Closes the alert with a note saying how (acknowledging it too, if nobody had). */
    resolve: (actor: Actor, id: string, body: ResolveBody): Promise<ComplianceAlert> =>
      db.transaction().execute(async (tx) => {
        const row = await repo.resolve(tx, id, actor.userId, clock.now(), body.note);
        if (!row) throw problems.notFound("unresolved compliance alert");
        await auditService.record(tx, auditContextOf(actor), {
          action: "compliance.alert.resolve",
          resourceType: "compliance_alert",
          resourceId: id,
          detail: { kind: row.kind, subject: row.subject, note: body.note },
        });
        return toAlert(row);
      }),

    /** Administrators opt in to alert messages; everyone chooses their language. */
    setSubscription: (actor: Actor, body: SubscriptionBody) =>
      db.transaction().execute(async (tx) => {
        const required = actor.role === "compliance";
        const row = await monitor.setSubscription(tx, {
          user_id: actor.userId,
          subscribed: required || body.subscribed,
          language: body.language,
        });
        await auditService.record(tx, auditContextOf(actor), {
          action: "compliance.subscription.update",
          resourceType: "compliance_subscription",
          resourceId: actor.userId,
          detail: { subscribed: row.subscribed, language: row.language },
        });
        return { subscribed: row.subscribed, language: row.language as "en" | "es", required };
      }),
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
