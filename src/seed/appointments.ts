/**
 * Demo appointments: books a realistic share of every physician's planned time with real patients,
 * through the availability engine patients use, so every booking respects the physician's blocks
 * and travel, room kinds, equipment, opening hours and the patient's other visits. What is booked
 * is tracked in memory so later picks stay valid; the database's exclusion constraints then judge
 * the bookkeeping when the rows go in.
 */
import type { Database, Executor } from "../platform/db.js";
import { activePhysicians, plannedBlocks } from "./booking-data.js";
import { type BookingSummary, Ledger, type Window } from "./booking-ledger.js";
import { recordSeededCopays } from "./copays.js";

export type { BookingSummary } from "./booking-ledger.js";
export { noShowChance } from "./no-shows.js";

export interface BookingShare {
  /** Share of each physician's bookable time to fill, between 0 and 1. */
  fraction: number;
  /** Future window: tomorrow through this many days ahead (UTC days); those visits are booked. */
  daysAhead: number;
  /** Past window: this many days back through yesterday; completed, no-show or cancelled. */
  daysBack: number;
  seed: number;
  /** Epoch milliseconds whose UTC day is "today"; defaults to now. */
  now?: number;
  /** The app's public address: video visits get built-in join links under it (ROUNDS_PUBLIC_URL). */
  publicUrl?: string;
}

/** Where the demo's join links point when no public address is given (the server's default). */
export const DEFAULT_PUBLIC_URL = "http://localhost:3000";

export const DEMO_BOOKINGS = { fraction: 0.4, daysAhead: 14, daysBack: 21 } as const;
export const BENCHMARK_BOOKINGS = { fraction: 0.7, daysAhead: 14, daysBack: 0 } as const;

const DAY = 86_400_000;

/** Books `fraction` of the network's time in a transaction of its own; returns what was written. */
export function seedAppointments(database: Database, share: BookingShare): Promise<BookingSummary> {
  return database.db.transaction().execute(async (tx) => {
    const written = await bookAppointments(tx, share);
    // each booking's copay, as the price recorder keeps it (the revenue report's patient share)
    await recordSeededCopays(tx);
    return written;
  });
}

/** The same inside the caller's transaction (the demo network loads in one). */
export async function bookAppointments(db: Executor, share: BookingShare): Promise<BookingSummary> {
  if (!(share.fraction >= 0 && share.fraction <= 1)) throw new Error("fraction must be between 0 and 1");
  const today = Math.floor((share.now ?? Date.now()) / DAY) * DAY;
  const windows: Window[] = [
    { from: today - share.daysBack * DAY, to: today, past: true },
    { from: today + DAY, to: today + (1 + share.daysAhead) * DAY, past: false },
  ].filter((w) => w.to > w.from);
  const from = Math.min(...windows.map((w) => w.from));
  const to = Math.max(...windows.map((w) => w.to));
  const ledger = await Ledger.open(db, share, today, from, to);
  const doctors = await activePhysicians(db);
  const blocks = await plannedBlocks(db, doctors, from - DAY, to + DAY);
  // day by day, physicians in a new random order each day, so none gets the rooms first every time
  for (const window of windows) {
    for (let day = window.from; day < window.to; day += DAY) {
      for (const doctor of ledger.shuffle(doctors)) {
        const near = (blocks.get(doctor.info.id) ?? []).filter(
          (b) => b.end > day - DAY && b.start < day + 2 * DAY,
        );
        if (near.some((b) => b.end > day && b.start < day + DAY))
          ledger.fill(doctor, near, { from: day, to: day + DAY, past: window.past });
      }
    }
  }
  return ledger.write(db, share.publicUrl ?? DEFAULT_PUBLIC_URL);
}
