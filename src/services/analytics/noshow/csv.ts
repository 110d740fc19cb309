/**
 * Historical appointments from a CSV file, as `Visit`s. The layout of the public "Medical
 * Appointment No Shows" data set is the default; another layout is read through a column mapping
 * (a JSON file, `columnMapping` below).
 */
import { z } from "zod";
import type { Visit } from "./features.js";

/** A yes/no column: the values that mean yes (case-insensitive); anything else is no. */
const flag = z.object({ column: z.string().min(1), yes: z.array(z.string()).min(1) }).strict();
/** A column by name, or a yes/no column. */
const column = z.union([z.string().min(1), flag]);

/** Which column holds what; only `bookedAt`, `start` and `noShow` are required. */
export const columnMapping = z
  .object({
    bookedAt: z.string().min(1),
    start: z.string().min(1),
    noShow: flag,
    age: z.string().min(1).optional(),
    priorNoShows: z.string().min(1).optional(),
    priorCancellations: z.string().min(1).optional(),
    remindersSent: z.string().min(1).optional(),
    distanceKm: z.string().min(1).optional(),
    appointmentType: z.string().min(1).optional(),
    telehealth: flag.optional(),
    /** Weekday and hour of the visit from `start` as written (the visit's local time); off when `start` is only a day. */
    weekdayFromStart: z.boolean().default(true),
    hourFromStart: z.boolean().default(false),
    /** Further numeric or yes/no columns, by the feature name to give them. */
    extra: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), column).default({}),
  })
  .strict();
export type ColumnMapping = z.infer<typeof columnMapping>;

/** The layout of the Kaggle "Medical Appointment No Shows" file (KaggleV2-May-2016.csv). */
export const MEDICAL_APPOINTMENT_NO_SHOWS: ColumnMapping = columnMapping.parse({
  bookedAt: "ScheduledDay",
  start: "AppointmentDay",
  noShow: { column: "No-show", yes: ["Yes"] },
  age: "Age",
  remindersSent: "SMS_received",
  weekdayFromStart: true,
  hourFromStart: false,
  extra: {
    male: { column: "Gender", yes: ["M"] },
    scholarship: "Scholarship",
    hypertension: "Hipertension",
    diabetes: "Diabetes",
    alcoholism: "Alcoholism",
    handicap: "Handcap",
  },
});

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      if (record.length > 1 || record[0] !== "") records.push(record);
      record = [];
      field = "";
    } else field += c;
  }
  record.push(field);
  if (record.length > 1 || record[0] !== "") records.push(record);
  return records;
}

export class CsvLayoutError extends Error {}

/** Visits from CSV text; rows whose dates or outcome cannot be read are counted, not guessed. */
export function visitsFromCsv(
  text: string,
  mapping: ColumnMapping = MEDICAL_APPOINTMENT_NO_SHOWS,
): { visits: Visit[]; skipped: number } {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ""));
  if (!header) throw new CsvLayoutError("the file is empty");
  const index = new Map(header.map((h, i) => [h.trim(), i]));
  const at = (name: string) => {
    const i = index.get(name);
    if (i === undefined) throw new CsvLayoutError(`the file has no column "${name}"`);
    return i;
  };
  const bookedAt = at(mapping.bookedAt);
  const start = at(mapping.start);
  const yesNo = (f: z.infer<typeof flag>) => {
    const i = at(f.column);
    const yes = new Set(f.yes.map((y) => y.toLowerCase()));
    return (row: string[]) => {
      const cell = row[i]?.trim();
      return cell === undefined || cell === "" ? undefined : yes.has(cell.toLowerCase());
    };
  };
  const number = (name: string | undefined) => {
    if (name === undefined) return () => undefined;
    const i = at(name);
    return (row: string[]) => {
      const cell = row[i]?.trim();
      const x = cell ? Number(cell) : Number.NaN;
      return Number.isFinite(x) ? x : undefined;
    };
  };
  const noShow = yesNo(mapping.noShow);
  const telehealth = mapping.telehealth ? yesNo(mapping.telehealth) : () => undefined;
  const typeAt = mapping.appointmentType === undefined ? undefined : at(mapping.appointmentType);
  const numbers = {
    age: number(mapping.age),
    priorNoShows: number(mapping.priorNoShows),
    priorCancellations: number(mapping.priorCancellations),
    remindersSent: number(mapping.remindersSent),
    distanceKm: number(mapping.distanceKm),
  };
  const extras = Object.entries(mapping.extra).map(([name, c]) => {
    const read = typeof c === "string" ? number(c) : yesNo(c);
    return [
      name,
      (row: string[]) => {
        const x = read(row);
        return typeof x === "boolean" ? (x ? 1 : 0) : x;
      },
    ] as const;
  });

  const visits: Visit[] = [];
  let skipped = 0;
  for (const row of rows) {
    const booked = new Date(row[bookedAt]?.trim() ?? "");
    const starts = new Date(row[start]?.trim() ?? "");
    const outcome = noShow(row);
    if (Number.isNaN(booked.getTime()) || Number.isNaN(starts.getTime()) || outcome === undefined) {
      skipped++;
      continue;
    }
    const age = numbers.age(row);
    const extra: Record<string, number> = {};
    for (const [name, read] of extras) {
      const x = read(row);
      if (x !== undefined) extra[name] = x;
    }
    visits.push({
      bookedAt: booked,
      // a visit day without a time is the start of that day: booking later that day is lead time 0
      start: starts,
      noShow: outcome,
      weekday: mapping.weekdayFromStart ? starts.getUTCDay() : null,
      hour: mapping.hourFromStart ? starts.getUTCHours() : null,
      age: age !== undefined && age >= 0 && age < 130 ? age : null,
      priorNoShows: numbers.priorNoShows(row) ?? null,
      priorCancellations: numbers.priorCancellations(row) ?? null,
      remindersSent: numbers.remindersSent(row) ?? null,
      distanceKm: numbers.distanceKm(row) ?? null,
      appointmentType: typeAt === undefined ? null : row[typeAt]?.trim() || null,
      telehealth: telehealth(row) ?? null,
      extra,
    });
  }
  return { visits, skipped };
}
