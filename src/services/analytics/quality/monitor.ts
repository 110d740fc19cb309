/**
 * The compliance monitor's cursor over the audit trail. Each check verifies only the events
 * appended since the last one (the audit module's `verifyAfter`, from a cursor per chain) and
 * folds them into counters: events and first break per location, refused accesses per account
 * and hour. A check costs O(new events) plus a few reads per chain, whatever the trail's length.
 */
import { type ChainBreak, verifyAfter } from "../../../platform/audit/index.js";
import type { Executor } from "../../../platform/db.js";
import { type BreakFound, type ChainStatusRow, monitorRepository as repo } from "./monitor.repository.js";
import { tallyEvents } from "./rules.js";

/** Events verified in one check at most; a larger backlog (a first run on a big trail) takes several. */
export const WALK_BUDGET = 50_000;

export interface Advance {
  status: ChainStatusRow;
  /** Problems this check found (each raises its alert once). */
  breaks: ChainBreak[];
  /** Whether the cursor reached the end of every chain. */
  complete: boolean;
}

const found = (b: ChainBreak): BreakFound => ({ chain: b.chain, seq: b.seq, reason: b.reason });

/** Moves the cursor over the new events inside the caller's transaction (one check at a time). */
export async function advanceMonitor(tx: Executor, now: Date, budget = WALK_BUDGET): Promise<Advance> {
  await repo.lockStatus(tx);
  const walk = await verifyAfter(tx, await repo.cursors(tx), budget);
  const tally = tallyEvents(walk.events);
  const firstBreak = new Map<string, BreakFound>();
  for (const b of walk.breaks)
    if (b.locationId && !firstBreak.has(b.locationId)) firstBreak.set(b.locationId, found(b));
  const counted = new Map(tally.locations.map((l) => [l.locationId, l]));
  const ids = [...new Set([...counted.keys(), ...firstBreak.keys()])].sort();
  await repo.saveCursors(tx, walk.cursors);
  await repo.addLocationCounts(
    tx,
    ids.map((id) => ({
      locationId: id,
      events: counted.get(id)?.events ?? 0,
      last: counted.get(id)?.last ?? null,
      firstBreak: firstBreak.get(id) ?? null,
    })),
    now,
  );
  await repo.addRefusals(tx, tally.refusals);
  const unlocated = walk.breaks.find((b) => !b.locationId);
  await repo.saveStatus(tx, {
    events: tally.total,
    verifiedAt: now,
    unlocated: unlocated && found(unlocated),
  });
  return { status: await repo.status(tx), breaks: walk.breaks, complete: walk.complete };
}
