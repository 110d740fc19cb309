/**
 * Incident response: the detectors' signals raise incidents (one open per kind and subject, a
 * signal once per window), the security contacts are told through the notifications' staff
 * outbox, an account involved in an incident of the configured severity is locked, and compliance
 * officers and administrators work the incident through its timeline: acknowledge, note, lock or
 * unlock the account (unlocking: administrators), resolve with an outcome. Every step is audited.
 */
import { createHash } from "node:crypto";
import type { Actor } from "../../../platform/access.js";
import { type AuditContext, auditService } from "../../../platform/audit/index.js";
import type { IncidentsConfig } from "../../../platform/config.js";
import type { Executor } from "../../../platform/db.js";
import { problems } from "../../../platform/errors.js";
import { type AccountLocks, auditContextOf } from "../../../platform/identity/index.js";
import type { ServiceDeps } from "../../../platform/module.js";
import { type Page, toIso } from "../../../platform/schemas.js";
import { monitorRepository } from "../quality/monitor.repository.js";
import {
  detectBreakGlass,
  detectChainFailures,
  detectSignIns,
  detectWindow,
  type Signal,
  severityAtLeast,
} from "./detectors.js";
import { type IncidentRow, incidentRepository as repo, type TimelineKind } from "./repository.js";
import type {
  Incident,
  IncidentDetail,
  IncidentQuery,
  NoteBody,
  OptionalNoteBody,
  ResolveIncidentBody,
} from "./schema.js";

/** The screen incident messages link to. */
export const INCIDENTS_PATH = "/admin/audit/incidents";
const DAY_MS = 86_400_000;

/** The detectors' own entries in the trail. */
const DETECTOR: AuditContext = {
  userId: null,
  role: "incident_detector",
  requestId: null,
  clientAddress: null,
};

export interface IncidentDeps extends Omit<ServiceDeps, "policies"> {
  config: IncidentsConfig;
  /** Identity's account locks (sign-in refused, sessions ended). */
  locks: AccountLocks;
  /** Identity's active accounts of these roles (the security contacts). */
  staffAccounts(
    db: Executor,
    roles: readonly string[],
  ): Promise<Array<{ id: string; email: string; role: string }>>;
  /** Queues a message to staff in the caller's transaction (the notifications outbox). */
  messageStaff(
    db: Executor,
    message: {
      dedupeKey: string;
      recipients: Array<{ userId: string; email: string; language: string; inApp?: boolean }>;
      payload: { path: string; kind: string; severity: string; subjectKind: string };
    },
    now: Date,
  ): Promise<number>;
}

const iso = (d: Date | null) => (d ? toIso(d) : null);

/** An extra contact is no account: a stable id made from the address keeps its messages once each. */
const contactId = (email: string) => {
  const h = createHash("sha256").update(email.toLowerCase()).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

export function createIncidents(deps: IncidentDeps) {
  const { db, clock, config, locks } = deps;

  async function toIncident(ex: Executor, r: IncidentRow): Promise<Incident> {
    const state = r.account_id ? (await locks.states(ex, [r.account_id])).get(r.account_id) : undefined;
    return {
      id: r.id,
      kind: r.kind as Incident["kind"],
      severity: r.severity as Incident["severity"],
      subjectKind: r.subject_kind as Incident["subjectKind"],
      subject: r.subject,
      account: r.account_id
        ? { id: r.account_id, email: state?.email ?? null, locked: state?.locked ?? false }
        : null,
      status: r.status as Incident["status"],
      openedAt: toIso(r.opened_at),
      lastSignalAt: toIso(r.last_signal_at),
      signals: r.signals,
      acknowledgedAt: iso(r.acknowledged_at),
      acknowledgedBy: r.acknowledged_by,
      resolvedAt: iso(r.resolved_at),
      resolvedBy: r.resolved_by,
      outcome: r.outcome as Incident["outcome"],
    };
  }

  /** Locks the incident's account and records it on the timeline and in the trail. */
  async function lockIn(tx: Executor, r: IncidentRow, ctx: AuditContext, now: Date, note?: string) {
    if (!r.account_id || !(await locks.lock(tx, r.account_id, `incident ${r.id}`))) return false;
    await repo.addEvent(tx, r.id, now, "account_locked", ctx.userId, {
      accountId: r.account_id,
      ...(ctx.userId ? {} : { automatic: true, severity: r.severity }),
      ...(note ? { note } : {}),
    });
    await auditService.record(tx, ctx, {
      action: "account.lock",
      resourceType: "user",
      resourceId: r.account_id,
      detail: { incidentId: r.id, kind: r.kind },
      flagged: true,
    });
    return true;
  }

  /** One signal in its own transaction: recorded once, added to its incident, announced, acted on. */
  async function raise(s: Signal): Promise<Incident | undefined> {
    return db.transaction().execute(async (tx) => {
      const now = clock.now();
      const raised = await repo.raise(tx, s, now);
      if (!raised) return undefined;
      const { incident, created } = raised;
      if (created) {
        await auditService.record(tx, DETECTOR, {
          action: "incident.raise",
          resourceType: "incident",
          resourceId: incident.id,
          detail: { kind: s.kind, subjectKind: s.subjectKind, severity: s.severity, count: s.count },
          flagged: true,
        });
        const staff = await deps.staffAccounts(tx, ["compliance", "admin"]);
        const recipients = [
          ...staff.map((a) => ({ userId: a.id, email: a.email, language: "en" })),
          ...config.contacts.map((email) => ({
            userId: contactId(email),
            email,
            language: "en",
            inApp: false,
          })),
        ];
        // the kind, severity and a link: the message names no account, address or patient
        const queued = await deps.messageStaff(
          tx,
          {
            dedupeKey: incident.id,
            recipients,
            payload: {
              path: `${INCIDENTS_PATH}/${incident.id}`,
              kind: s.kind.replaceAll("_", " "),
              severity: s.severity,
              subjectKind: s.subjectKind,
            },
          },
          now,
        );
        await repo.addEvent(tx, incident.id, now, "alert_sent", null, {
          recipients: recipients.length,
          messages: queued,
        });
      }
      const role = incident.account_id
        ? (await locks.states(tx, [incident.account_id])).get(incident.account_id)?.role
        : undefined;
      // an administrator is never locked out automatically: the network would have nobody to unlock it
      if (config.lockSeverity && severityAtLeast(s.severity, config.lockSeverity) && role && role !== "admin")
        await lockIn(tx, incident, DETECTOR, now);
      return toIncident(tx, (await repo.get(tx, incident.id))!);
    });
  }

  async function raiseAll(signals: readonly Signal[]): Promise<Incident[]> {
    const out: Incident[] = [];
    for (const s of signals) {
      const r = await raise(s);
      if (r) out.push(r);
    }
    return out;
  }

  /** An operation on one incident: read under lock, changed, recorded on the timeline and audited. */
  function change(
    actor: Actor,
    id: string,
    act: (
      tx: Executor,
      r: IncidentRow,
      now: Date,
    ) => Promise<{ event: TimelineKind; detail: Record<string, unknown> } | undefined>,
  ): Promise<IncidentDetail> {
    return db.transaction().execute(async (tx) => {
      const r = await repo.get(tx, id, true);
      if (!r) throw problems.notFound("incident");
      const now = clock.now();
      const done = await act(tx, r, now);
      if (done) {
        await repo.addEvent(tx, id, now, done.event, actor.userId, done.detail);
        await auditService.record(tx, auditContextOf(actor), {
          action: `incident.${done.event}`,
          resourceType: "incident",
          resourceId: id,
          detail: { kind: r.kind, ...done.detail },
        });
      }
      return detailIn(tx, (await repo.get(tx, id))!);
    });
  }

  async function detailIn(tx: Executor, r: IncidentRow): Promise<IncidentDetail> {
    const events = await repo.timeline(tx, r.id);
    return {
      ...(await toIncident(tx, r)),
      timeline: events.map((e) => ({
        id: e.id,
        at: toIso(e.at),
        kind: e.kind as IncidentDetail["timeline"][number]["kind"],
        actorId: e.actor_id,
        detail: typeof e.detail === "string" ? (JSON.parse(e.detail) as Record<string, unknown>) : e.detail,
      })),
    };
  }

  const unresolved = (r: IncidentRow) => {
    if (r.status === "resolved")
      throw problems.conflict("incident_resolved", "the incident is resolved", "params.id");
  };

  return {
    /** The worker round: every detector over its window; returns the incidents raised or added to. */
    async evaluate(): Promise<Incident[]> {
      const now = clock.now();
      const t = config;
      const from = new Date(now.getTime() - t.windowMinutes * 60_000);
      const day = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
      const [events, grants, breaks] = await Promise.all([
        repo.windowEvents(db, from),
        repo.breakGlass(db, day),
        monitorRepository.breaks(db),
      ]);
      return raiseAll([
        ...detectChainFailures(breaks, now.getTime()),
        ...detectWindow(events, t, now.getTime()),
        ...detectBreakGlass(grants, t, now.getTime()),
      ]);
    },

    /** The hot path after a failed sign-in: only that address's and that email's failures are read. */
    async signInFailed(attempt: { clientAddress: string; email: string }): Promise<Incident[]> {
      const now = clock.now().getTime();
      const windowMs = config.windowMinutes * 60_000;
      const events = await repo.signInFailures(
        db,
        new Date(now - windowMs),
        attempt.clientAddress,
        attempt.email,
      );
      return raiseAll(detectSignIns(events, config, Math.floor(now / windowMs) * windowMs));
    },

    async list(actor: Actor, query: IncidentQuery): Promise<Page<Incident>> {
      return db.transaction().execute(async (tx) => {
        const { rows, total } = await repo.list(tx, query);
        await auditService.record(tx, auditContextOf(actor), {
          action: "incident.list",
          resourceType: "incident",
          detail: { status: query.status ?? null, kind: query.kind ?? null, found: rows.length },
        });
        const items: Incident[] = [];
        for (const r of rows) items.push(await toIncident(tx, r));
        return { items, total, limit: query.limit, offset: query.offset };
      });
    },

    async get(actor: Actor, id: string): Promise<IncidentDetail> {
      return db.transaction().execute(async (tx) => {
        const r = await repo.get(tx, id);
        if (!r) throw problems.notFound("incident");
        await auditService.record(tx, auditContextOf(actor), {
          action: "incident.read",
          resourceType: "incident",
          resourceId: id,
        });
        return detailIn(tx, r);
      });
    },

    acknowledge: (actor: Actor, id: string, body: OptionalNoteBody) =>
      change(actor, id, async (tx, r, now) => {
        if (r.status !== "open")
          throw problems.conflict("incident_not_open", "the incident is not open", "params.id");
        await repo.setStatus(tx, id, { status: "acknowledged", by: actor.userId, at: now });
        return { event: "acknowledged", detail: body?.note ? { note: body.note } : {} };
      }),

    addNote: (actor: Actor, id: string, body: NoteBody) =>
      change(actor, id, async () => ({ event: "note", detail: { note: body.note } })),

    resolve: (actor: Actor, id: string, body: ResolveIncidentBody) =>
      change(actor, id, async (tx, r, now) => {
        unresolved(r);
        await repo.setStatus(tx, id, {
          status: "resolved",
          by: actor.userId,
          at: now,
          outcome: body.outcome,
        });
        return { event: "resolved", detail: { outcome: body.outcome, note: body.note } };
      }),

    /** Locks the incident's account by hand (it was not, or an administrator unlocked it too early). */
    lockAccount: (actor: Actor, id: string, body: OptionalNoteBody) =>
      change(actor, id, async (tx, r, now) => {
        unresolved(r);
        if (!r.account_id) throw problems.invalid("params.id", "this incident names no account");
        if (r.account_id === actor.userId)
          throw problems.invalid("params.id", "you cannot lock yourself out");
        await lockIn(tx, r, auditContextOf(actor), now, body?.note);
        return undefined;
      }),

    /** Administrators unlock the account once it is safe (the incident may stay open). */
    unlockAccount: (actor: Actor, id: string, body: OptionalNoteBody) =>
      change(actor, id, async (tx, r) => {
        if (actor.role !== "admin") throw problems.forbidden("Only an administrator unlocks an account");
        if (!r.account_id) throw problems.invalid("params.id", "this incident names no account");
        if (!(await locks.unlock(tx, r.account_id))) return undefined;
        await auditService.record(tx, auditContextOf(actor), {
          action: "account.unlock",
          resourceType: "user",
          resourceId: r.account_id,
          detail: { incidentId: r.id },
        });
        return {
          event: "account_unlocked",
          detail: { accountId: r.account_id, ...(body?.note ? { note: body.note } : {}) },
        };
      }),
  };
}

export type Incidents = ReturnType<typeof createIncidents>;

/** Runs the detectors every `seconds`; returns the stop function. */
export function startIncidentWatch(
  incidents: Incidents,
  log: { error(o: object, msg: string): void; warn(o: object, msg: string): void },
  seconds: number,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    incidents
      .evaluate()
      .then((raised) => {
        if (raised.length) log.warn({ incidents: raised.map((i) => i.kind) }, "security incidents raised");
      })
      .catch((err: unknown) => log.error({ err }, "incident detection failed"))
      .finally(() => {
        running = false;
      });
  }, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
