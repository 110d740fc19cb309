/**
 * SQL of the compliance monitor's own state: the cursor over each audit chain, the counters kept
 * as it moves (events and breaks per location, the whole trail's, refusals per account and hour)
 * and who receives alert messages.
 */
import { type Generated, type Selectable, sql } from "kysely";
import type { Executor } from "../../../platform/db.js";

export type MonitorTables = {
  compliance_audit_cursor: {
    chain: number;
    seq: number;
    hash: string;
    keyed: boolean;
    updated_at: Generated<Date>;
  };
  compliance_location_chain: {
    location_id: string;
    events: number;
    last_event_at: Date | null;
    break_chain: number | null;
    break_seq: number | null;
    break_reason: string | null;
    break_found_at: Date | null;
  };
  compliance_chain_status: {
    id: number;
    events: number;
    last_verified_at: Date | null;
    break_chain: number | null;
    break_seq: number | null;
    break_reason: string | null;
    break_found_at: Date | null;
  };
  compliance_refusal_counts: { user_id: string; hour: Date; refusals: number; last_at: Date };
  compliance_alert_subscriptions: {
    user_id: string;
    subscribed: boolean;
    language: string;
    updated_at: Generated<Date>;
  };
};
export type LocationChainRow = Selectable<MonitorTables["compliance_location_chain"]>;
export type ChainStatusRow = Selectable<MonitorTables["compliance_chain_status"]>;
export type SubscriptionRow = Selectable<MonitorTables["compliance_alert_subscriptions"]>;

const q = (db: Executor) => db.withTables<MonitorTables>();
const num = (v: unknown) => Number(v);

export interface BreakFound {
  chain: number | null;
  seq: number | null;
  reason: string;
}

export const monitorRepository = {
  /** Takes the whole-trail row for this transaction: one monitor walks at a time. */
  async lockStatus(db: Executor): Promise<ChainStatusRow> {
    const r = await q(db)
      .selectFrom("compliance_chain_status")
      .selectAll()
      .where("id", "=", 1)
      .forUpdate()
      .executeTakeFirstOrThrow();
    return { ...r, events: num(r.events), break_seq: r.break_seq === null ? null : num(r.break_seq) };
  },
  async status(db: Executor): Promise<ChainStatusRow> {
    const r = await q(db)
      .selectFrom("compliance_chain_status")
      .selectAll()
      .where("id", "=", 1)
      .executeTakeFirstOrThrow();
    return { ...r, events: num(r.events), break_seq: r.break_seq === null ? null : num(r.break_seq) };
  },
  async cursors(db: Executor) {
    const rows = await q(db).selectFrom("compliance_audit_cursor").selectAll().orderBy("chain").execute();
    return rows.map((r) => ({ chain: r.chain, seq: num(r.seq), hash: r.hash, keyed: r.keyed }));
  },
  async saveCursors(
    db: Executor,
    cursors: ReadonlyArray<{ chain: number; seq: number; hash: string; keyed: boolean }>,
  ) {
    if (!cursors.length) return;
    await q(db)
      .insertInto("compliance_audit_cursor")
      .values(cursors.map((c) => ({ ...c })))
      .onConflict((oc) =>
        oc.column("chain").doUpdateSet((eb) => ({
          seq: eb.ref("excluded.seq"),
          hash: eb.ref("excluded.hash"),
          keyed: eb.ref("excluded.keyed"),
          updated_at: sql<Date>`now()`,
        })),
      )
      .execute();
  },
  /** Adds the walk's counts; the first break found stays (later ones are alerts of their own). */
  async saveStatus(db: Executor, s: { events: number; verifiedAt: Date; unlocated: BreakFound | undefined }) {
    const b = s.unlocated;
    await q(db)
      .updateTable("compliance_chain_status")
      .set((eb) => ({
        events: sql<number>`events + ${s.events}`,
        last_verified_at: s.verifiedAt,
        ...(b
          ? {
              break_chain: eb.fn.coalesce("break_chain", sql<number>`${b.chain}::int`),
              break_seq: eb.fn.coalesce("break_seq", sql<number>`${b.seq}::bigint`),
              break_found_at: eb.fn.coalesce("break_found_at", sql<Date>`${s.verifiedAt}::timestamptz`),
              break_reason: eb.fn.coalesce("break_reason", sql<string>`${b.reason}::text`),
            }
          : {}),
      }))
      .where("id", "=", 1)
      .execute();
  },
  async addLocationCounts(
    db: Executor,
    rows: ReadonlyArray<{
      locationId: string;
      events: number;
      last: Date | null;
      firstBreak: BreakFound | null;
    }>,
    at: Date,
  ) {
    for (const r of rows) {
      const b = r.firstBreak;
      await sql`
        INSERT INTO compliance_location_chain
          (location_id, events, last_event_at, break_chain, break_seq, break_reason, break_found_at)
        VALUES (${r.locationId}, ${r.events}, ${r.last}, ${b?.chain ?? null}, ${b?.seq ?? null},
          ${b?.reason ?? null}, ${b ? at : null})
        ON CONFLICT (location_id) DO UPDATE SET
          events = compliance_location_chain.events + excluded.events,
          last_event_at = greatest(compliance_location_chain.last_event_at, excluded.last_event_at),
          break_chain = coalesce(compliance_location_chain.break_chain, excluded.break_chain),
          break_seq = coalesce(compliance_location_chain.break_seq, excluded.break_seq),
          break_reason = coalesce(compliance_location_chain.break_reason, excluded.break_reason),
          break_found_at = coalesce(compliance_location_chain.break_found_at, excluded.break_found_at)`.execute(
        db,
      );
    }
  },
  async locations(db: Executor, ids: readonly string[]): Promise<LocationChainRow[]> {
    if (!ids.length) return [];
    const rows = await q(db)
      .selectFrom("compliance_location_chain")
      .selectAll()
      .where("location_id", "in", ids)
      .execute();
    return rows.map((r) => ({
      ...r,
      events: num(r.events),
      break_seq: r.break_seq === null ? null : num(r.break_seq),
    }));
  },
  /** Every break the monitor has found: the whole trail's and each location's first (incidents read them). */
  async breaks(db: Executor): Promise<Array<BreakFound & { locationId: string | null }>> {
    const { rows } = await sql<{
      location_id: string | null;
      chain: number | null;
      seq: string | null;
      reason: string;
    }>`
      SELECT NULL::text AS location_id, break_chain AS chain, break_seq::text AS seq, break_reason AS reason
      FROM compliance_chain_status WHERE break_reason IS NOT NULL
      UNION ALL
      SELECT location_id::text, break_chain, break_seq::text, break_reason
      FROM compliance_location_chain WHERE break_reason IS NOT NULL`.execute(db);
    return rows.map((r) => ({
      locationId: r.location_id,
      chain: r.chain === null ? null : Number(r.chain),
      seq: r.seq === null ? null : Number(r.seq),
      reason: r.reason,
    }));
  },
  async addRefusals(
    db: Executor,
    rows: ReadonlyArray<{ userId: string; hour: Date; count: number; last: Date }>,
  ) {
    for (const r of rows)
      await sql`
        INSERT INTO compliance_refusal_counts (user_id, hour, refusals, last_at)
        VALUES (${r.userId}, ${r.hour}, ${r.count}, ${r.last})
        ON CONFLICT (user_id, hour) DO UPDATE SET
          refusals = compliance_refusal_counts.refusals + excluded.refusals,
          last_at = greatest(compliance_refusal_counts.last_at, excluded.last_at)`.execute(db);
  },
  /** Refusal counts per account and hour since `from` (a window is a few hours of rows). */
  async refusalsSince(db: Executor, from: Date) {
    const rows = await q(db)
      .selectFrom("compliance_refusal_counts")
      .selectAll()
      .where("hour", ">=", from)
      .orderBy("user_id")
      .orderBy("hour")
      .execute();
    return rows.map((r) => ({
      userId: r.user_id,
      at: new Date(r.hour),
      count: r.refusals,
      last: new Date(r.last_at),
    }));
  },

  subscriptions: (db: Executor) => q(db).selectFrom("compliance_alert_subscriptions").selectAll().execute(),
  subscription: (db: Executor, userId: string) =>
    q(db)
      .selectFrom("compliance_alert_subscriptions")
      .selectAll()
      .where("user_id", "=", userId)
      .executeTakeFirst(),
  setSubscription: (db: Executor, row: { user_id: string; subscribed: boolean; language: string }) =>
    q(db)
      .insertInto("compliance_alert_subscriptions")
      .values(row)
      .onConflict((oc) =>
        oc
          .column("user_id")
          .doUpdateSet({ subscribed: row.subscribed, language: row.language, updated_at: sql<Date>`now()` }),
      )
      .returningAll()
      .executeTakeFirstOrThrow(),
};
