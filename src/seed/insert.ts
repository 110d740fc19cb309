/** Batched multi-row INSERTs of generated rows, the same statements on PGlite and PostgreSQL. */
import { sql } from "kysely";
import type { Executor } from "../platform/db.js";
import type { SeedTables } from "./tables.js";

/** PostgreSQL allows 65,535 bind parameters per statement; stay well below. */
export const MAX_PARAMS_PER_STATEMENT = 59_999;

/**
 * Inserts `rows` (all with the same columns) in as few statements as the parameter limit allows;
 * returns how many rows were written. With `skipExisting`, rows that clash with a unique key
 * already present (for example specialties a migration loaded) are left as they are.
 */
export async function insertRows<T extends keyof SeedTables>(
  db: Executor,
  table: T,
  rows: ReadonlyArray<SeedTables[T]>,
  opts: { skipExisting?: boolean } = {},
): Promise<number> {
  const first = rows[0];
  if (!first) return 0;
  const columns = Object.keys(first);
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS_PER_STATEMENT / columns.length));
  const columnList = sql.join(columns.map((c) => sql.ref(c)));
  const onConflict = opts.skipExisting ? sql` ON CONFLICT DO NOTHING` : sql``;
  let written = 0;
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const values = sql.join(
      chunk.map((row) => {
        const record = row as Record<string, unknown>;
        return sql`(${sql.join(columns.map((c) => record[c]))})`;
      }),
    );
    const result =
      await sql`INSERT INTO ${sql.table(table)} (${columnList}) VALUES ${values}${onConflict}`.execute(db);
    written += Number(result.numAffectedRows ?? chunk.length);
  }
  return written;
}
