/**
 * Fact stamps: one per family of facts that processes cache (`fact_versions`), renewed by triggers
 * whenever the family's tables change on any replica or behind the API's back. A cache keeps what
 * it read under the stamp it read first, and a reader that finds another stamp reads again.
 */
import { type RawBuilder, sql } from "kysely";
import type { Executor } from "./db.js";

/** The families of cached facts and the tables whose changes renew each one's stamp. */
export type FactFamily = "facilities";

/** The family's current stamp, as an expression to fold into a statement a caller already makes. */
export function factStamp(family: FactFamily): RawBuilder<string> {
  return sql<string>`(SELECT stamp::text FROM fact_versions WHERE family = ${family})`;
}

/** The family's current stamp, in a statement of its own. */
export async function readFactStamp(db: Executor, family: FactFamily): Promise<string> {
  const r = await sql<{ stamp: string }>`SELECT ${factStamp(family)} AS stamp`.execute(db);
  const stamp = r.rows[0]?.stamp;
  if (!stamp) throw new Error(`no fact stamp for ${family}: are the migrations applied?`);
  return stamp;
}
