/** One page of a list and the number of rows the whole list holds, as every list endpoint answers. */
import type { SelectQueryBuilder } from "kysely";

export interface Page {
  limit: number;
  offset: number;
}

/**
 * Runs `ordered` for the rows of one page, and `filtered` (the same query before its columns and
 * order) for the total only when the page cannot tell it: a page shorter than the limit ends the
 * list, so its total is the offset plus its rows, from the same snapshot as the rows (two
 * statements could see a row committed between them: a total of 1 beside no items).
 */
export async function pageOf<DB, TB extends keyof DB, Row>(
  filtered: SelectQueryBuilder<DB, TB, object>,
  ordered: SelectQueryBuilder<DB, TB, Row>,
  page: Page,
): Promise<{ rows: Row[]; total: number }> {
  const rows = (await ordered.limit(page.limit).offset(page.offset).execute()) as Row[];
  if (rows.length < page.limit && (rows.length > 0 || page.offset === 0))
    return { rows, total: page.offset + rows.length };
  const count = await filtered.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  // PostgreSQL counts in bigint, which arrives as a string
  return { rows, total: Number((count as { n: number | string }).n) };
}
