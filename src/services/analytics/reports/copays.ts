/**
 * Keeps the revenue report's copay split up to date. It follows the same schedule events as the
 * reports' projector, but never past the last event the price recorder has read, so an
 * appointment is split once its copay is known: for each appointment an event names, it re-reads
 * the visit row (the projector's, already current) and the recorded copay (pricing's interface)
 * and applies the change as a delta. Re-reading is idempotent, so reading an appointment again
 * changes nothing. One replica at a time: the cursor row is locked for the pass.
 */
import type { Db, Executor } from "../../../platform/db.js";
import { eventsAfter } from "../../../platform/events.js";
import { copaysRepository as copays } from "./copays.repository.js";
import { reportsRepository as reports } from "./repository.js";
import { type CopayContribution, type CopayRow, copayDeltaOf, copayRowOf } from "./revenue.js";

/** How the copay split reads the recorded copays (pricing's `copayReads`, passed in by the composition root). */
export interface CopaySource {
  copays(db: Executor, appointmentIds: readonly string[]): Promise<Map<string, number>>;
  recordedThrough(db: Executor): Promise<number>;
  /** Prices the bookings the recorder has not reached yet (its own pass), before a report reads. */
  recordPending?: () => Promise<unknown>;
}

const PAGE = 2000;
const EVENTS_PER_PASS = 2000;

export function createCopayProjection(deps: { db: Db; source: CopaySource }) {
  const { db, source } = deps;

  async function refresh(tx: Executor, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const [visits, recorded, before] = await Promise.all([
      reports.visits(tx, ids),
      source.copays(tx, ids),
      copays.rows(tx, ids),
    ]);
    const contributions: CopayContribution[] = [];
    const saved: CopayRow[] = [];
    const removed: string[] = [];
    for (const id of ids) {
      const a = copayRowOf(visits.get(id) ?? null, recorded.get(id));
      const b = before.get(id) ?? null;
      if (!a && !b) continue;
      contributions.push(...copayDeltaOf(b, a));
      if (a) saved.push(a);
      else removed.push(id);
    }
    await copays.apply(tx, contributions);
    await copays.save(tx, saved, removed);
  }

  /** Splits every visit row again; the cursor then points at the recorder's last event. */
  async function rebuildIn(tx: Executor, upTo: number): Promise<void> {
    await copays.clear(tx);
    let afterId: string | null = null;
    for (;;) {
      const page = await copays.visitPage(tx, afterId, PAGE);
      if (page.length === 0) break;
      const recorded = await source.copays(
        tx,
        page.map((v) => v.appointmentId),
      );
      const rows = page.flatMap((v) => {
        const r = copayRowOf(v, recorded.get(v.appointmentId));
        return r ? [r] : [];
      });
      await copays.apply(
        tx,
        rows.flatMap((r) => copayDeltaOf(null, r)),
      );
      await copays.save(tx, rows, []);
      afterId = page[page.length - 1]!.appointmentId;
      if (page.length < PAGE) break;
    }
    await copays.setCursor(tx, upTo);
  }

  return {
    /** Follows the events up to where both the projector and the price recorder have got. */
    async catchUp(): Promise<void> {
      // a failed pass here is not the report's failure: the split waits for the recorder's next run
      await source.recordPending?.()?.catch(() => undefined);
      await db.transaction().execute(async (tx) => {
        const cursor = await copays.cursor(tx);
        const upTo = Math.min((await reports.cursor(tx, false)) ?? 0, await source.recordedThrough(tx));
        if (cursor === null) return rebuildIn(tx, upTo);
        let seq = cursor;
        while (seq < upTo) {
          const events = (await eventsAfter(tx, seq, EVENTS_PER_PASS)).filter((e) => e.seq <= upTo);
          if (events.length === 0) break;
          const ids = [...new Set(events.filter((e) => e.appointmentId).map((e) => e.appointmentId))];
          for (const e of events) {
            const prev = e.payload.previousAppointmentId;
            if (typeof prev === "string" && !ids.includes(prev)) ids.push(prev);
          }
          await refresh(tx, ids);
          seq = events[events.length - 1]!.seq;
        }
        if (seq !== cursor) await copays.setCursor(tx, seq);
      });
    },

    /** Throws the split away; the next catch-up splits every visit again. */
    async reset(): Promise<void> {
      await db.transaction().execute(async (tx) => {
        await copays.cursor(tx);
        await copays.clear(tx);
        await copays.setCursor(tx, null);
      });
    },
  };
}

export type CopayProjection = ReturnType<typeof createCopayProjection>;
