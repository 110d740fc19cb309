/** Tampering with the audit trail behind the application's back, as tests of its defences need. */
import { type RawBuilder, sql } from "kysely";
import type { Db } from "../../src/platform/db.js";

/** The application's role is refused by privileges (an owner by the append-only trigger). */
export const REFUSED = /permission denied|append-only/;

/**
 * Runs statements with the append-only trigger off, as someone with the table owner's rights
 * could (on the embedded database, by leaving the application role first).
 */
export async function behindTheBack(db: Db, ...statements: RawBuilder<unknown>[]): Promise<void> {
  const { rows } = await sql<{ role: string }>`SELECT current_user AS role`.execute(db);
  await sql`RESET ROLE`.execute(db);
  await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`.execute(db);
  try {
    for (const statement of statements) await statement.execute(db);
  } finally {
    await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update`.execute(db);
    if (rows[0]!.role === "rounds_app") await sql`SET ROLE rounds_app`.execute(db);
  }
}

export async function longestChain(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT coalesce(max(n), 0)::int AS n FROM (SELECT count(*) AS n FROM audit_events GROUP BY chain) c`.execute(
    db,
  );
  return rows[0]!.n;
}

/** An event with events before and after it in its chain. */
export async function middleOfAChain(db: Db): Promise<{ seq: number; nextSeq: number; chain: number }> {
  const { rows } = await sql<{ seq: number; next_seq: number; chain: number }>`
    SELECT seq::int, next_seq::int, chain FROM (
      SELECT seq, chain, lag(seq) OVER w AS prev_seq, lead(seq) OVER w AS next_seq
      FROM audit_events WINDOW w AS (PARTITION BY chain ORDER BY seq)
    ) e
    WHERE prev_seq IS NOT NULL AND next_seq IS NOT NULL
    ORDER BY seq LIMIT 1`.execute(db);
  const r = rows[0];
  if (!r) throw new Error("no chain with three events");
  return { seq: r.seq, nextSeq: r.next_seq, chain: r.chain };
}
