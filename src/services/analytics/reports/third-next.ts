/**
 * Days to the third next available slot per specialty and location: the industry's measure of
 * access. From a day, scheduling's availability (its public search, no table reads) is asked for
 * the free starts of a new-patient type of the specialty at the location; the local calendar days
 * until the third one are kept, one row per day, location and specialty. A daily run (claimed by
 * one replica) computes today; a report computes a missing day of the coming two weeks on demand.
 */
import type { Executor } from "../../../platform/db.js";
import type { ServiceDeps } from "../../../platform/module.js";
import { localDate } from "./facts.js";
import { type ThirdNextRow, thirdNextRepository } from "./third-next.repository.js";

export type { ThirdNextRow } from "./third-next.repository.js";

/** How far ahead the third slot is looked for (beyond: no third slot, NULL). */
export const THIRD_NEXT_HORIZON_DAYS = 31;
/** Missing days are computed on demand this far ahead of today (past days cannot be). */
export const THIRD_NEXT_ON_DEMAND_DAYS = 14;
/** Free starts asked per search; a full answer is narrowed day by day. */
const SEARCH_LIMIT = 200;
const DAY = 86_400_000;

export interface ThirdNextSource {
  /** One new-patient appointment type per specialty (the one the measure is taken with). */
  newPatientTypes(db: Executor): Promise<Array<{ appointmentTypeId: string; specialty: string }>>;
  /** The active locations and their time zones. */
  locations(db: Executor): Promise<Array<{ id: string; timeZone: string }>>;
  /** Free bookable starts (ms) of the type at the location within [from, to), at most `limit`. */
  freeStarts(
    db: Executor,
    q: { appointmentTypeId: string; locationId: string; from: number; to: number; limit: number },
  ): Promise<number[]>;
}

/** Calendar days between two YYYY-MM-DD dates. */
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);

/**
 * The days from `day` to the local date of the third earliest free start on or after `day`
 * (null: fewer than three within the horizon).
 */
export function thirdNextDays(
  day: string,
  starts: readonly number[],
  timeZone: string,
  horizonDays = THIRD_NEXT_HORIZON_DAYS,
): number | null {
  const dates = starts
    .map((s) => localDate(new Date(s), timeZone))
    .filter((d) => d >= day)
    .sort();
  const third = dates[2];
  if (third === undefined) return null;
  const n = daysBetween(day, third);
  return n < horizonDays ? n : null;
}

/** The UTC instant of a local date's midnight (the day's first minute in the location). */
export function localMidnight(day: string, timeZone: string): number {
  let guess = Date.parse(`${day}T00:00:00Z`);
  // two corrections reach the zone's offset (also across a daylight-saving change)
  for (let i = 0; i < 2; i++) {
    const shown = localDate(new Date(guess), timeZone);
    const hm = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(new Date(guess));
    const [h, m] = hm.split(":").map(Number);
    guess -= (daysBetween(day, shown) * 1440 + (h ?? 0) * 60 + (m ?? 0)) * 60_000;
  }
  return guess;
}

export function createThirdNext(deps: Pick<ServiceDeps, "db" | "clock"> & { source: ThirdNextSource }) {
  const { db, clock, source } = deps;

  /** The free starts of the horizon: one search, or (a full answer) day by day until three. */
  async function startsFrom(typeId: string, locationId: string, from: number, timeZone: string, day: string) {
    const to = from + THIRD_NEXT_HORIZON_DAYS * DAY;
    const all = await source.freeStarts(db, {
      appointmentTypeId: typeId,
      locationId,
      from,
      to,
      limit: SEARCH_LIMIT,
    });
    if (all.length < SEARCH_LIMIT) return all;
    // more than the search returns: its best are not necessarily its earliest
    const found: number[] = [];
    for (let d = 0; d < THIRD_NEXT_HORIZON_DAYS && found.length < 3; d++) {
      const date = localDate(new Date(Date.parse(`${day}T12:00:00Z`) + d * DAY), timeZone);
      const start = Math.max(from, localMidnight(date, timeZone));
      const end = localMidnight(
        localDate(new Date(Date.parse(`${date}T12:00:00Z`) + DAY), timeZone),
        timeZone,
      );
      found.push(
        ...(await source.freeStarts(db, {
          appointmentTypeId: typeId,
          locationId,
          from: start,
          to: end,
          limit: 3,
        })),
      );
    }
    return found;
  }

  /** Computes and stores the rows of one day (today or later: free slots are only known ahead). */
  async function computeDay(day: string): Promise<ThirdNextRow[]> {
    const [types, locations] = await Promise.all([source.newPatientTypes(db), source.locations(db)]);
    const now = clock.now().getTime();
    const rows: ThirdNextRow[] = [];
    for (const loc of locations)
      for (const t of types) {
        const from = Math.max(now, localMidnight(day, loc.timeZone));
        const starts = await startsFrom(t.appointmentTypeId, loc.id, from, loc.timeZone, day);
        rows.push({
          day,
          locationId: loc.id,
          specialty: t.specialty,
          appointmentTypeId: t.appointmentTypeId,
          days: thirdNextDays(day, starts, loc.timeZone),
        });
      }
    await thirdNextRepository.save(db, day, rows);
    return rows;
  }

  const today = () => clock.now().toISOString().slice(0, 10);

  return {
    computeDay,
    /** Today's rows, by the replica whose single claim statement wins the day (false: another's). */
    async runDaily(): Promise<boolean> {
      const day = today();
      if (!(await thirdNextRepository.claim(db, day))) return false;
      await computeDay(day);
      await thirdNextRepository.finish(db, day);
      return true;
    },
    /** Computes the range's missing days from today to two weeks ahead (earlier ones stay missing). */
    async ensure(from: string, to: string): Promise<void> {
      const first = from > today() ? from : today();
      const limit = localDate(new Date(clock.now().getTime() + THIRD_NEXT_ON_DEMAND_DAYS * DAY), "UTC");
      const last = to < limit ? to : limit;
      if (first > last) return;
      const have = new Set(await thirdNextRepository.days(db, first, last));
      for (let d = first; d <= last; d = localDate(new Date(Date.parse(`${d}T12:00:00Z`) + DAY), "UTC"))
        if (!have.has(d)) await computeDay(d);
    },
  };
}

export type ThirdNext = ReturnType<typeof createThirdNext>;
