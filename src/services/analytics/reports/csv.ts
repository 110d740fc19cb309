/** Reports as CSV: one header line of the row's field names, then the rows (RFC 4180 quoting). */

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  // a leading =, +, - or @ would be read as a formula by spreadsheets
  const safe = /^[=+\-@]/.test(s) && Number.isNaN(Number(s)) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): string {
  const lines = [columns.join(",")];
  for (const r of rows) lines.push(columns.map((c) => cell(r[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
