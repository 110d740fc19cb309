/** One page of a list and the number of rows the whole list holds, as every list endpoint answers. */
import type { SelectQueryBuilder } from "kysely";

export interface Page {
  limit: number;
  offset: number;
}

/**
 * Runs `ordered` for the rows of one page and `filtered` (the same query before its columns and
 * order) for the total, side by side.
 */
export async function pageOf<DB, TB extends keyof DB, Row>(
  filtered: SelectQueryBuilder<DB, TB, object>,
  ordered: SelectQueryBuilder<DB, TB, Row>,
  page: Page,
): Promise<{ rows: Row[]; total: number }> {
  const [rows, count] = await Promise.all([
    ordered.limit(page.limit).offset(page.offset).execute(),
    filtered.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  // PostgreSQL counts in bigint, which arrives as a string
  return { rows: rows as Row[], total: Number((count as { n: number | string }).n) };
}
