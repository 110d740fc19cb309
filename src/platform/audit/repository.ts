import type { Generated, Insertable, Selectable } from "kysely";
import { sql } from "kysely";
import type { Executor } from "../db.js";
import { pageOf } from "../paging.js";

export type AuditTables = {
  audit_events: {
    seq: Generated<number>;
    id: string;
    chain: number;
    occurred_at: Date;
    user_id: string | null;
    role: string | null;
    acting_for: string | null;
    action: string;
    resource_type: string;
    resource_id: string | null;
    patient_id: string | null;
    location_id: string | null;
    outcome: string;
    request_id: string | null;
    client_address: string | null;
    detail: unknown;
    flagged: boolean;
    prev_hash: string;
    /** `sha256` for events written before the chain was keyed, `hmac-sha256` since. */
    hash_alg: string;
    hash: string;
  };
};
export type AuditRow = Selectable<AuditTables["audit_events"]>;
export type NewAuditRow = Insertable<AuditTables["audit_events"]>;

const q = (db: Executor) => db.withTables<AuditTables>();
const CHAIN_LOCK_BASE = 7_500_000;

export interface AuditFilter {
  patientId?: string | undefined;
  userId?: string | undefined;
  locationId?: string | undefined;
  action?: string | undefined;
  outcome?: string | undefined;
  flagged?: boolean | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  offset: number;
}

export const auditRepository = {
  /**
   * Picks the transaction's chain from its transaction id, so every event of one transaction
   * lands on the same chain (two transactions never hold one chain each and wait for the
   * other's), serialises appenders of that chain until the transaction ends, and reads the
   * chain's last hash once the lock is held: one statement (`audit_chain_head`, which reads
   * after the lock with a fresh snapshot, as a single plain statement could not).
   */
  async lockChainHead(
    db: Executor,
    chains: number,
  ): Promise<{ chain: number; prevHash: string | undefined }> {
    const { rows } = await sql<{ chain: number; prev_hash: string | null }>`
      SELECT chain, prev_hash FROM audit_chain_head(${chains}::int, ${CHAIN_LOCK_BASE}::bigint)`.execute(db);
    return { chain: Number(rows[0]!.chain), prevHash: rows[0]!.prev_hash ?? undefined };
  },
  async insert(db: Executor, row: NewAuditRow): Promise<void> {
    await q(db)
      .insertInto("audit_events")
      .values({ ...row, detail: JSON.stringify(row.detail ?? {}) })
      .execute();
  },
  async list(db: Executor, f: AuditFilter): Promise<{ rows: AuditRow[]; total: number }> {
    let query = q(db).selectFrom("audit_events");
    if (f.patientId) query = query.where("patient_id", "=", f.patientId);
    if (f.userId) query = query.where("user_id", "=", f.userId);
    if (f.locationId) query = query.where("location_id", "=", f.locationId);
    if (f.action) query = query.where("action", "=", f.action);
    if (f.outcome) query = query.where("outcome", "=", f.outcome);
    if (f.flagged !== undefined) query = query.where("flagged", "=", f.flagged);
    if (f.from) query = query.where("occurred_at", ">=", new Date(f.from));
    if (f.to) query = query.where("occurred_at", "<", new Date(f.to));
    return pageOf(query, query.selectAll().orderBy("seq", "desc"), f);
  },
  /** One chain, in order, a page at a time (for verification of large trails). */
  chainPage(db: Executor, chain: number, afterSeq: number, limit: number): Promise<AuditRow[]> {
    return q(db)
      .selectFrom("audit_events")
      .selectAll()
      .where("chain", "=", chain)
      .where("seq", ">", afterSeq)
      .orderBy("seq")
      .limit(limit)
      .execute();
  },
  /** The events at these positions (seq is unique across chains), in one read. */
  eventsAt(db: Executor, seqs: readonly number[]): Promise<AuditRow[]> {
    if (!seqs.length) return Promise.resolve([]);
    return q(db)
      .selectFrom("audit_events")
      .selectAll()
      .where("seq", "in", [...seqs])
      .execute();
  },
  /** The newest event of every chain: what a checkpoint signs. */
  async heads(db: Executor): Promise<Array<{ chain: number; seq: number; hash: string }>> {
    const { rows } = await sql<{ chain: number; seq: number; hash: string }>`
      SELECT c.chain, e.seq, e.hash
      FROM generate_series(0, 63) AS c (chain)
      CROSS JOIN LATERAL (
        SELECT seq, hash FROM audit_events WHERE chain = c.chain ORDER BY seq DESC LIMIT 1
      ) e
      ORDER BY c.chain`.execute(db);
    return rows.map((r) => ({ chain: Number(r.chain), seq: Number(r.seq), hash: r.hash }));
  },
  async databaseName(db: Executor): Promise<string> {
    const { rows } = await sql<{ name: string }>`SELECT current_database() AS name`.execute(db);
    return rows[0]!.name;
  },
  async chains(db: Executor): Promise<number[]> {
    const rows = await q(db).selectFrom("audit_events").select("chain").distinct().orderBy("chain").execute();
    return rows.map((r) => r.chain);
  },
};
