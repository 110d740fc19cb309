/**
 * SQL of incidents: the windows of the audit trail the detectors read, incidents with their
 * signals and timelines. Raising is idempotent: a signal's key is its primary key, and one open
 * incident per kind and subject is a partial unique index, so replicas evaluating the same window
 * add nothing twice.
 */
import { type ColumnType, type Generated, type Selectable, sql } from "kysely";
import type { Severity } from "../../../platform/config.js";
import type { Executor } from "../../../platform/db.js";
import type { Signal, WindowEvent } from "./detectors.js";

export type IncidentTables = {
  incidents: {
    id: Generated<string>;
    kind: string;
    severity: string;
    subject_kind: string;
    subject: string;
    account_id: string | null;
    status: Generated<string>;
    opened_at: Date;
    last_signal_at: Date;
    signals: Generated<number>;
    acknowledged_at: Date | null;
    acknowledged_by: string | null;
    resolved_at: Date | null;
    resolved_by: string | null;
    outcome: string | null;
  };
  incident_signals: { key: string; incident_id: string | null; detected_at: Date };
  incident_events: {
    id: Generated<string>;
    seq: Generated<number>;
    incident_id: string;
    at: Date;
    kind: string;
    actor_id: string | null;
    // jsonb: read as objects, written as JSON text
    detail: ColumnType<Record<string, unknown>, string, never>;
  };
};
export type IncidentRow = Selectable<IncidentTables["incidents"]>;
export type IncidentEventRow = Selectable<IncidentTables["incident_events"]>;
export type TimelineKind =
  | "signal"
  | "alert_sent"
  | "account_locked"
  | "account_unlocked"
  | "acknowledged"
  | "note"
  | "resolved";

const q = (db: Executor) => db.withTables<IncidentTables>();
/** Events read for one window at most (a larger window is a larger problem: it is still raised). */
const WINDOW_ROWS = 100_000;

type AuditWindowRow = {
  occurred_at: Date;
  action: string;
  outcome: string;
  user_id: string | null;
  role: string | null;
  client_address: string | null;
  patient_id: string | null;
  email: string | null;
};
const toEvent = (r: AuditWindowRow): WindowEvent => ({
  at: new Date(r.occurred_at).getTime(),
  action: r.action,
  outcome: r.outcome,
  userId: r.user_id,
  role: r.role,
  address: r.client_address,
  patientId: r.patient_id,
  email: r.email,
});
const AUDIT_COLUMNS = sql`occurred_at, action, outcome, user_id::text AS user_id, role, client_address,
  patient_id::text AS patient_id, CASE WHEN action = 'auth.login' THEN detail->>'email' END AS email`;

export interface IncidentFilter {
  status?: string | undefined;
  kind?: string | undefined;
  severity?: string | undefined;
  subjectKind?: string | undefined;
  limit: number;
  offset: number;
}

export const incidentRepository = {
  /** The audit events the short-window detectors count: refusals, failed sign-ins, records read. */
  async windowEvents(db: Executor, from: Date): Promise<WindowEvent[]> {
    const { rows } = await sql<AuditWindowRow>`
      SELECT ${AUDIT_COLUMNS} FROM audit_events
      WHERE occurred_at >= ${from}
        AND (action = 'access.refused'
          OR (action = 'auth.login' AND outcome <> 'success')
          OR (patient_id IS NOT NULL AND outcome = 'success' AND user_id IS NOT NULL
              AND coalesce(role, '') <> 'patient'))
      ORDER BY occurred_at LIMIT ${WINDOW_ROWS}`.execute(db);
    return rows.map(toEvent);
  },
  /** Failed sign-ins from one address or on one email (the hot path after a failure). */
  async signInFailures(db: Executor, from: Date, address: string, email: string): Promise<WindowEvent[]> {
    const { rows } = await sql<AuditWindowRow>`
      SELECT ${AUDIT_COLUMNS} FROM audit_events
      WHERE action = 'auth.login' AND occurred_at >= ${from} AND outcome <> 'success'
        AND (client_address = ${address} OR lower(detail->>'email') = ${email.toLowerCase()})
      ORDER BY occurred_at LIMIT ${WINDOW_ROWS}`.execute(db);
    return rows.map(toEvent);
  },
  async breakGlass(db: Executor, from: Date): Promise<WindowEvent[]> {
    const { rows } = await sql<AuditWindowRow>`
      SELECT ${AUDIT_COLUMNS} FROM audit_events
      WHERE action = 'patient.break_glass' AND occurred_at >= ${from}
      ORDER BY occurred_at LIMIT ${WINDOW_ROWS}`.execute(db);
    return rows.map(toEvent);
  },

  /**
   * Records the signal once (its key) and adds it to the open incident of its kind and subject,
   * opening one when there is none. Undefined when the signal was recorded before.
   */
  async raise(
    db: Executor,
    s: Signal,
    now: Date,
  ): Promise<{ incident: IncidentRow; created: boolean } | undefined> {
    const fresh = await q(db)
      .insertInto("incident_signals")
      .values({ key: s.key, incident_id: null, detected_at: now })
      .onConflict((oc) => oc.column("key").doNothing())
      .returning("key")
      .executeTakeFirst();
    if (!fresh) return undefined;
    const { rows } = await sql<IncidentRow & { created: boolean }>`
      INSERT INTO incidents AS i (kind, severity, subject_kind, subject, account_id, opened_at, last_signal_at)
      VALUES (${s.kind}, ${s.severity}, ${s.subjectKind}, ${s.subject}, ${s.accountId}, ${now}, ${now})
      ON CONFLICT (kind, subject_kind, subject) WHERE status <> 'resolved' DO UPDATE SET
        signals = i.signals + 1,
        last_signal_at = greatest(i.last_signal_at, excluded.last_signal_at),
        severity = CASE
          WHEN array_position(ARRAY['low','medium','high','critical'], excluded.severity)
             > array_position(ARRAY['low','medium','high','critical'], i.severity)
          THEN excluded.severity ELSE i.severity END
      RETURNING *, (xmax = 0) AS created`.execute(db);
    const { created, ...incident } = rows[0]!;
    await q(db)
      .updateTable("incident_signals")
      .set({ incident_id: incident.id })
      .where("key", "=", s.key)
      .execute();
    await this.addEvent(db, incident.id, now, "signal", null, {
      count: s.count,
      severity: s.severity,
      first: new Date(s.first).toISOString(),
      last: new Date(s.last).toISOString(),
    });
    return { incident: { ...incident, signals: Number(incident.signals) }, created: Boolean(created) };
  },

  async addEvent(
    db: Executor,
    incidentId: string,
    at: Date,
    kind: TimelineKind,
    actorId: string | null,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await q(db)
      .insertInto("incident_events")
      .values({ incident_id: incidentId, at, kind, actor_id: actorId, detail: JSON.stringify(detail) })
      .execute();
  },

  async list(db: Executor, f: IncidentFilter): Promise<{ rows: IncidentRow[]; total: number }> {
    let query = q(db).selectFrom("incidents");
    if (f.status) query = query.where("status", "=", f.status);
    if (f.kind) query = query.where("kind", "=", f.kind);
    if (f.severity) query = query.where("severity", "=", f.severity);
    if (f.subjectKind) query = query.where("subject_kind", "=", f.subjectKind);
    const [rows, count] = await Promise.all([
      query
        .selectAll()
        .orderBy(sql`status = 'resolved'`)
        .orderBy("last_signal_at", "desc")
        .orderBy("id")
        .limit(f.limit)
        .offset(f.offset)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    ]);
    return { rows: rows.map((r) => ({ ...r, signals: Number(r.signals) })), total: Number(count.n) };
  },
  async get(db: Executor, id: string, forUpdate = false): Promise<IncidentRow | undefined> {
    let query = q(db).selectFrom("incidents").selectAll().where("id", "=", id);
    if (forUpdate) query = query.forUpdate();
    const r = await query.executeTakeFirst();
    return r && { ...r, signals: Number(r.signals) };
  },
  timeline: (db: Executor, id: string): Promise<IncidentEventRow[]> =>
    q(db).selectFrom("incident_events").selectAll().where("incident_id", "=", id).orderBy("seq").execute(),
  async setStatus(
    db: Executor,
    id: string,
    change:
      | { status: "acknowledged"; by: string; at: Date }
      | { status: "resolved"; by: string; at: Date; outcome: string },
  ): Promise<void> {
    await q(db)
      .updateTable("incidents")
      .set(
        change.status === "acknowledged"
          ? { status: "acknowledged", acknowledged_at: change.at, acknowledged_by: change.by }
          : {
              status: "resolved",
              resolved_at: change.at,
              resolved_by: change.by,
              outcome: change.outcome,
              acknowledged_at: sql<Date>`coalesce(acknowledged_at, ${change.at})`,
              acknowledged_by: sql<string>`coalesce(acknowledged_by, ${change.by}::uuid)`,
            },
      )
      .where("id", "=", id)
      .execute();
  },
  /** Inserts a finished incident as it stands (the demo data). */
  insertResolved: (
    db: Executor,
    row: Omit<IncidentRow, "id" | "signals"> & { signals: number; severity: Severity },
  ) => q(db).insertInto("incidents").values(row).returning("id").executeTakeFirstOrThrow(),
};
