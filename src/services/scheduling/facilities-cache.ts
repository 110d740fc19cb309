/**
 * The facility snapshot (locations, rooms, equipment, travel times) kept under the facilities'
 * fact stamp, which triggers renew on any change, so a reader that finds another stamp (a search
 * reads it; a booking folds it into its lock statement) reads the facilities again.
 */
import type { Executor } from "../../platform/db.js";
import { readFactStamp } from "../../platform/facts.js";
import { type NetworkSnapshot, networkSnapshot } from "../locations/index.js";

/** How stale the snapshot may be for labels only (a time zone shown with an appointment). */
const LABELS_STALE_MS = 15_000;

export interface FacilitiesOptions {
  inTransaction?: boolean | undefined;
  stamp?: string | undefined;
  labelsOnly?: boolean;
}

export interface FacilitiesCache {
  /**
   * The facility snapshot as of the facilities' stamp: `stamp` when the caller has just read it (a
   * booking reads it with its locks), read here otherwise. `labelsOnly` (naming a time zone, never
   * deciding what may be booked) accepts a snapshot whose stamp was checked in the last 15 s.
   * Inside a transaction a pending load started elsewhere is never awaited (on the single-session
   * embedded database it would wait for this very transaction).
   */
  get(db: Executor, opts?: FacilitiesOptions): Promise<NetworkSnapshot>;
}

export function createFacilitiesCache(clock: () => number = Date.now): FacilitiesCache {
  let cached:
    | { stamp: string; checkedAt: number; snapshot: Promise<NetworkSnapshot>; value?: NetworkSnapshot }
    | undefined;
  return {
    async get(db, opts = {}) {
      if (opts.labelsOnly && cached?.value && clock() - cached.checkedAt <= LABELS_STALE_MS)
        return cached.value;
      const stamp = opts.stamp ?? (await readFactStamp(db, "facilities"));
      const current = cached?.stamp === stamp ? cached : undefined;
      if (current) current.checkedAt = clock();
      if (current?.value) return current.value;
      if (opts.inTransaction) {
        // built on this transaction's own connection, then shared; the stamp was read before the
        // facilities, so the snapshot is never older than the stamp it is kept under
        const value = await networkSnapshot(db);
        if (cached?.stamp !== stamp || !cached.value)
          cached = { stamp, checkedAt: clock(), snapshot: Promise.resolve(value), value };
        return value;
      }
      if (current) return current.snapshot;
      const entry: NonNullable<typeof cached> = { stamp, checkedAt: clock(), snapshot: networkSnapshot(db) };
      entry.snapshot.then(
        (v) => {
          entry.value = v;
        },
        () => {
          if (cached === entry) cached = undefined;
        },
      );
      cached = entry;
      return entry.snapshot;
    },
  };
}
