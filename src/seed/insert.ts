/** Batched INSERTs of generated rows, the same statements on PGlite and PostgreSQL. */
import { sql } from "kysely";
import type { Executor } from "../platform/db.js";
import type { SeedTables } from "./tables.js";

/**
 * Inserts `rows` (all with the same columns) in statements of up to 5,000 rows; returns how many
 * rows were written. With `skipExisting`, rows that clash with a unique key
 * already present (for example specialties a migration loaded) are left as they are.
 */
export async function insertRows<T extends keyof SeedTables>(
  db: Executor,
  table: T,
  rows: ReadonlyArray<SeedTables[T]>,
  opts: { skipExisting?: boolean } = {},
): Promise<number> {
  return insertAsJson(db, table, rows, opts);
}

/** Rows per statement: one JSON document of a few megabytes. */
const ROWS_PER_STATEMENT = 5_000;

/**
 * Inserts `rows` (plain objects keyed by column, all with the same keys) into `table`, each chunk
 * sent as one JSON parameter that PostgreSQL spreads into rows (`json_populate_recordset`): one
 * value to bind and parse instead of one per column per row, which on the embedded database took
 * longer than writing the rows. Dates travel as ISO strings, arrays as JSON arrays.
 */
export async function insertAsJson(
  db: Executor,
  table: string,
  rows: ReadonlyArray<object>,
  opts: { skipExisting?: boolean } = {},
): Promise<number> {
  const first = rows[0];
  if (!first) return 0;
  const columnList = sql.join(Object.keys(first).map((c) => sql.ref(c)));
  const onConflict = opts.skipExisting ? sql` ON CONFLICT DO NOTHING` : sql``;
  let written = 0;
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    const result = await sql`INSERT INTO ${sql.table(table)} (${columnList})
      SELECT ${columnList} FROM json_populate_recordset(NULL::${sql.table(table)}, ${JSON.stringify(chunk)}::json)${onConflict}`.execute(
      db,
    );
    written += Number(result.numAffectedRows ?? chunk.length);
  }
  return written;
}

/**
 * Runs `fill` with `table`'s foreign keys, exclusion constraints and secondary indexes added once
 * afterwards instead of checked row by row, when the table is empty and ours to alter (the
 * embedded database, or a seed run as the schema's owner); otherwise runs it as it is. Checking
 * each row's references and overlaps as it went in was most of the demo seed's time on the
 * embedded database; adding a constraint checks every row just the same. The definitions are
 * read back from the catalog, so they return exactly as the migrations made them, and all of it
 * happens inside the caller's transaction.
 */
export async function withIndexesBuiltAfter<T>(
  db: Executor,
  table: string,
  fill: () => Promise<T>,
): Promise<T> {
  const state = await sql<{ owned: boolean; empty: boolean }>`
    SELECT pg_has_role(c.relowner, 'USAGE') AS owned,
      NOT EXISTS (SELECT 1 FROM ${sql.table(table)}) AS empty
    FROM pg_class c WHERE c.oid = ${table}::regclass`.execute(db);
  if (!state.rows[0]?.owned || !state.rows[0]?.empty) return fill();
  const constraints = (
    await sql<{ name: string; definition: string }>`
      SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
      WHERE conrelid = ${table}::regclass AND contype IN ('f', 'x') ORDER BY contype, conname`.execute(db)
  ).rows;
  const indexes = (
    await sql<{ name: string; definition: string }>`
      SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = ${table}::regclass
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
      ORDER BY i.relname`.execute(db)
  ).rows;
  for (const c of constraints)
    await sql`ALTER TABLE ${sql.table(table)} DROP CONSTRAINT ${sql.ref(c.name)}`.execute(db);
  for (const i of indexes) await sql`DROP INDEX ${sql.ref(i.name)}`.execute(db);
  const result = await fill();
  for (const i of indexes) await sql.raw(i.definition).execute(db);
  for (const c of constraints)
    await sql`ALTER TABLE ${sql.table(table)} ADD CONSTRAINT ${sql.ref(c.name)} ${sql.raw(c.definition)}`.execute(
      db,
    );
  return result;
}
