/** SQL of the HL7 adapter's own tables (migrations/0036_hl7.sql, 0044_hl7_targets.sql). */
import { type Generated, type Selectable, sql } from "kysely";
import type { Executor } from "../../platform/db.js";
import type { SiuTrigger } from "./siu.js";

export type Hl7Tables = {
  hl7_cursor: { name: string; seq: number | string };
  hl7_targets: {
    target: string;
    first_seen_seq: number | string;
    first_seen_at: Generated<Date>;
    backfill_after: string | null;
    backfilled_at: Date | null;
    backfilled: Generated<number>;
  };
  hl7_messages: {
    id: Generated<string>;
    target: string;
    event_seq: number | string;
    appointment_id: string;
    chain_id: string;
    trigger: SiuTrigger;
    control_id: string;
    body: string;
    status: Generated<"pending" | "acknowledged" | "failed" | "withheld">;
    attempts: Generated<number>;
    next_attempt_at: Generated<Date>;
    claimed_until: Date | null;
    last_sent_at: Date | null;
    ack_code: string | null;
    last_error: string | null;
    created_at: Generated<Date>;
    acknowledged_at: Date | null;
  };
  hl7_lab_results: {
    id: Generated<string>;
    patient_id: string;
    control_id: string;
    set_id: number;
    order_code: string | null;
    order_name: string | null;
    code: string;
    name: string | null;
    value: string | null;
    units: string | null;
    reference_range: string | null;
    abnormal_flag: string | null;
    result_status: string | null;
    observed_at: Date | null;
    received_at: Generated<Date>;
  };
};
export type MessageRow = Selectable<Hl7Tables["hl7_messages"]>;
export type LabResultRow = Selectable<Hl7Tables["hl7_lab_results"]>;

const q = (db: Executor) => db.withTables<Hl7Tables>();

export const SIU_CURSOR = "siu";

export const hl7Repository = {
  /** Where the cursor stands, without waiting for whoever holds it (metrics). */
  async readCursor(db: Executor): Promise<number | undefined> {
    const row = await q(db)
      .selectFrom("hl7_cursor")
      .select("seq")
      .where("name", "=", SIU_CURSOR)
      .executeTakeFirst();
    return row ? Number(row.seq) : undefined;
  },
  /** The cursor, locked until the caller's transaction ends; undefined before the first start. */
  async lockCursor(db: Executor): Promise<number | undefined> {
    const row = await q(db)
      .selectFrom("hl7_cursor")
      .select("seq")
      .where("name", "=", SIU_CURSOR)
      .forUpdate()
      .executeTakeFirst();
    return row ? Number(row.seq) : undefined;
  },
  async setCursor(db: Executor, seq: number): Promise<void> {
    await q(db)
      .insertInto("hl7_cursor")
      .values({ name: SIU_CURSOR, seq })
      .onConflict((oc) => oc.column("name").doUpdateSet({ seq }))
      .execute();
  },
  /** Starts the cursor at `seq` unless a replica already did. */
  async initCursor(db: Executor, seq: number): Promise<void> {
    await q(db)
      .insertInto("hl7_cursor")
      .values({ name: SIU_CURSOR, seq })
      .onConflict((oc) => oc.column("name").doNothing())
      .execute();
  },
  async chainKnown(db: Executor, target: string, chainId: string): Promise<boolean> {
    const row = await q(db)
      .selectFrom("hl7_messages")
      .select("id")
      .where("target", "=", target)
      .where("chain_id", "=", chainId)
      .limit(1)
      .executeTakeFirst();
    return Boolean(row);
  },
  /**
   * Whether this target already has a message about the appointment that reports this event or a
   * later one (a backfilled S12 read the appointment after the event): the event is then not sent.
   */
  async covered(db: Executor, target: string, appointmentId: string, seq: number): Promise<boolean> {
    const row = await q(db)
      .selectFrom("hl7_messages")
      .select("id")
      .where("target", "=", target)
      .where("appointment_id", "=", appointmentId)
      .where("event_seq", ">=", seq)
      .limit(1)
      .executeTakeFirst();
    return Boolean(row);
  },
  /** Records the targets not seen before, at the cursor's position; returns those still backfilling. */
  async seeTargets(
    db: Executor,
    targets: readonly string[],
    seq: number,
  ): Promise<Array<{ target: string; firstSeenSeq: number; after: string | null }>> {
    if (!targets.length) return [];
    await q(db)
      .insertInto("hl7_targets")
      .values(targets.map((target) => ({ target, first_seen_seq: seq })))
      .onConflict((oc) => oc.column("target").doNothing())
      .execute();
    const rows = await q(db)
      .selectFrom("hl7_targets")
      .select(["target", "first_seen_seq", "backfill_after"])
      .where("target", "in", [...targets])
      .where("backfilled_at", "is", null)
      .execute();
    return rows.map((r) => ({
      target: r.target,
      firstSeenSeq: Number(r.first_seen_seq),
      after: r.backfill_after,
    }));
  },
  /** Moves a target's backfill on (done: no appointment is left after `after`). */
  async backfillProgress(
    db: Executor,
    target: string,
    after: string | null,
    sent: number,
    done: Date | null,
  ) {
    await q(db)
      .updateTable("hl7_targets")
      .set((eb) => ({ backfill_after: after, backfilled_at: done, backfilled: eb("backfilled", "+", sent) }))
      .where("target", "=", target)
      .execute();
  },
  /**
   * The next future booked appointments after `after` (by id), each with its latest schedule event's
   * seq (0 when none). Read-only over the scheduling tables: the EMR is told what is on the books.
   */
  async futureBooked(
    db: Executor,
    now: Date,
    after: string | null,
    limit: number,
  ): Promise<Array<{ id: string; latestSeq: number }>> {
    const r = await sql<{ id: string; latest_seq: number | string | null }>`
      SELECT a.id, max(e.seq) AS latest_seq
      FROM (
        SELECT id FROM appointments
        WHERE status IN ('booked', 'checked_in') AND starts_at > ${now}
          ${after ? sql`AND id > ${after}` : sql``}
        ORDER BY id LIMIT ${limit}) a
      LEFT JOIN schedule_events e ON e.appointment_id = a.id
      GROUP BY a.id
      ORDER BY a.id`.execute(db);
    return r.rows.map((x) => ({ id: x.id, latestSeq: Number(x.latest_seq ?? 0) }));
  },
  async enqueue(
    db: Executor,
    m: Pick<
      MessageRow,
      "target" | "event_seq" | "appointment_id" | "chain_id" | "trigger" | "control_id" | "body"
    > &
      Partial<Pick<MessageRow, "status" | "last_error" | "next_attempt_at">>,
  ): Promise<void> {
    await q(db)
      .insertInto("hl7_messages")
      .values(m)
      .onConflict((oc) => oc.columns(["target", "event_seq", "appointment_id"]).doNothing())
      .execute();
  },
  /**
   * Claims due messages, each the oldest unacknowledged one of its chain at its target (a later
   * message waits for the earlier one, even a failed one, so the EMR hears of a chain in order).
   * SKIP LOCKED: two replicas never claim the same message. Only the sender's configured targets:
   * a target taken out of the configuration keeps its messages, pending, for an administrator to see.
   */
  async claim(
    db: Executor,
    targets: readonly string[],
    now: Date,
    leaseMs: number,
    limit: number,
  ): Promise<MessageRow[]> {
    if (!targets.length) return [];
    const until = new Date(now.getTime() + leaseMs);
    const r = await sql<MessageRow>`
      UPDATE hl7_messages SET claimed_until = ${until}, attempts = attempts + 1, last_sent_at = ${now}
      WHERE id IN (
        SELECT m.id FROM hl7_messages m
        WHERE m.status = 'pending' AND m.next_attempt_at <= ${now} AND m.target = ANY(${[...targets]}::text[])
          AND (m.claimed_until IS NULL OR m.claimed_until < ${now})
          AND NOT EXISTS (
            SELECT 1 FROM hl7_messages p
            WHERE p.target = m.target AND p.chain_id = m.chain_id AND p.event_seq < m.event_seq
              AND p.status NOT IN ('acknowledged', 'withheld'))
        ORDER BY m.event_seq
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING *`.execute(db);
    return r.rows;
  },
  /** Marks the answer; only while the claim is still ours (a claim that ran out is another sender's). */
  async acknowledged(db: Executor, id: string, ackCode: string, now: Date): Promise<void> {
    await q(db)
      .updateTable("hl7_messages")
      .set({
        status: "acknowledged",
        ack_code: ackCode,
        acknowledged_at: now,
        claimed_until: null,
        last_error: null,
      })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .execute();
  },
  async retryLater(
    db: Executor,
    id: string,
    outcome: { ackCode: string | null; error: string; nextAttemptAt: Date; giveUp: boolean },
  ): Promise<void> {
    await q(db)
      .updateTable("hl7_messages")
      .set({
        status: outcome.giveUp ? "failed" : "pending",
        ack_code: outcome.ackCode,
        last_error: outcome.error.slice(0, 1000),
        next_attempt_at: outcome.nextAttemptAt,
        claimed_until: null,
      })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .execute();
  },
  /** Lets go of claims of messages that were not sent after all (their attempt is not counted). */
  async release(db: Executor, ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await q(db)
      .updateTable("hl7_messages")
      .set((eb) => ({ claimed_until: null, attempts: eb("attempts", "-", 1) }))
      .where("id", "in", [...ids])
      .where("status", "=", "pending")
      .execute();
  },
  async list(
    db: Executor,
    f: { status?: string | undefined; appointmentId?: string | undefined; limit: number; offset: number },
  ): Promise<{ items: MessageRow[]; total: number }> {
    let base = q(db).selectFrom("hl7_messages");
    if (f.status) base = base.where("status", "=", f.status as MessageRow["status"]);
    if (f.appointmentId) base = base.where("appointment_id", "=", f.appointmentId);
    const [items, total] = await Promise.all([
      base
        .selectAll()
        .orderBy("created_at", "desc")
        .orderBy("event_seq", "desc")
        .limit(f.limit)
        .offset(f.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(total.n) };
  },
  async get(db: Executor, id: string, forUpdate = false): Promise<MessageRow | undefined> {
    let query = q(db).selectFrom("hl7_messages").selectAll().where("id", "=", id);
    if (forUpdate) query = query.forUpdate();
    return query.executeTakeFirst();
  },
  /** A failed message goes again from its first attempt. */
  async resend(db: Executor, id: string, now: Date): Promise<MessageRow> {
    return q(db)
      .updateTable("hl7_messages")
      .set({ status: "pending", attempts: 0, next_attempt_at: now, claimed_until: null })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  async insertLabResults(
    db: Executor,
    rows: Array<Omit<LabResultRow, "id" | "received_at">>,
  ): Promise<number> {
    const r = await q(db)
      .insertInto("hl7_lab_results")
      .values(rows)
      .onConflict((oc) => oc.columns(["control_id", "set_id"]).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0);
  },
  async labResultsOf(db: Executor, patientId: string, limit = 200): Promise<LabResultRow[]> {
    return q(db)
      .selectFrom("hl7_lab_results")
      .selectAll()
      .where("patient_id", "=", patientId)
      .orderBy("observed_at", (ob) => ob.desc().nullsLast())
      .orderBy("received_at", "desc")
      .limit(limit)
      .execute();
  },
};
