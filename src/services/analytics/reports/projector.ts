/**
 * Keeps the reports' read model up to date: follows the schedule events (the outbox every service
 * already publishes to) and re-reads the appointments they name through scheduling's interface,
 * applying each change as a delta to the daily facts. The first pass (or `rebuild`) reads every
 * appointment in pages. One replica at a time: the cursor row is locked for the pass.
 */
import type { Db, Executor } from "../../../platform/db.js";
import { eventsAfter, latestSeq } from "../../../platform/events.js";
import type { ReportFacts } from "../../scheduling/index.js";
import { type Contribution, deltaOf, localDate, type VisitRow, visitRowOf } from "./facts.js";
import { plannedRepository } from "./planned.repository.js";
import { reportsRepository as repo } from "./repository.js";

/** How the projector reads the other services (passed in by the composition root). */
export interface ReportSources {
  reportFacts(
    db: Executor,
    filter: { ids: readonly string[] } | { afterId: string | null; limit: number },
  ): Promise<ReportFacts[]>;
  timeZones(db: Executor, locationIds: string[]): Promise<Map<string, string>>;
  homeAreas(db: Executor, patientIds: readonly string[]): Promise<Map<string, string | null>>;
  /** The referring location of appointments booked from a referral (none: no referral flows). */
  referralOrigins?(db: Executor, appointmentIds: readonly string[]): Promise<Map<string, string>>;
}

const PAGE = 2000;
const EVENTS_PER_PASS = 2000;

export function createProjector(deps: { db: Db; sources: ReportSources }) {
  const { db, sources } = deps;

  async function rowsOf(tx: Executor, facts: ReportFacts[]): Promise<Map<string, VisitRow | null>> {
    const zones = await sources.timeZones(tx, [...new Set(facts.map((f) => f.locationId))]);
    const areas = await sources.homeAreas(tx, [...new Set(facts.map((f) => f.patientId))]);
    const referred =
      (await sources.referralOrigins?.(
        tx,
        facts.map((f) => f.id),
      )) ?? new Map<string, string>();
    return new Map(
      facts.map((f) => [
        f.id,
        visitRowOf(
          f,
          zones.get(f.locationId) ?? "UTC",
          areas.get(f.patientId) ?? null,
          referred.get(f.id) ?? null,
        ),
      ]),
    );
  }

  /** Re-reads these appointments and applies what changed. */
  async function refresh(tx: Executor, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const facts = await sources.reportFacts(tx, { ids });
    const after = await rowsOf(tx, facts);
    const before = await repo.visits(tx, ids);
    const contributions: Contribution[] = [];
    const saved: VisitRow[] = [];
    const removed: string[] = [];
    // the planned time of the physician-days a visit left or reached is recomputed on the next read
    const stale: { day: string; physicianId: string }[] = [];
    for (const id of ids) {
      const a = after.get(id) ?? null;
      const b = before.get(id) ?? null;
      if (!a && !b) continue;
      for (const r of [a, b]) if (r) stale.push({ day: r.day, physicianId: r.physicianId });
      contributions.push(...deltaOf(b, a));
      if (a) saved.push(a);
      else removed.push(id);
    }
    await repo.apply(tx, contributions);
    await repo.saveVisits(tx, saved, removed);
    await plannedRepository.markStale(tx, stale);
    return saved.length + removed.length;
  }

  /** Reads every appointment from scratch (the cursor then points at the latest event). */
  async function rebuildIn(tx: Executor): Promise<number> {
    const seq = await latestSeq(tx);
    await repo.clear(tx);
    await plannedRepository.clear(tx);
    let afterId: string | null = null;
    let count = 0;
    for (;;) {
      const page: ReportFacts[] = await sources.reportFacts(tx, { afterId, limit: PAGE });
      if (page.length === 0) break;
      const rows = [...(await rowsOf(tx, page)).values()].filter((r): r is VisitRow => r !== null);
      await repo.apply(
        tx,
        rows.flatMap((r) => deltaOf(null, r)),
      );
      await repo.saveVisits(tx, rows, []);
      count += rows.length;
      afterId = page[page.length - 1]!.id;
      if (page.length < PAGE) break;
    }
    await repo.setCursor(tx, seq);
    return count;
  }

  return {
    /**
     * Follows the events since the last pass (a first pass reads everything); returns how many
     * appointments changed. Safe to call from any replica at any time.
     */
    async catchUp(): Promise<number> {
      return db.transaction().execute(async (tx) => {
        const cursor = await repo.cursor(tx, true);
        if (cursor === null) return rebuildIn(tx);
        let seq = cursor;
        let changed = 0;
        for (;;) {
          const events = await eventsAfter(tx, seq, EVENTS_PER_PASS);
          if (events.length === 0) break;
          const ids = [...new Set(events.filter((e) => e.appointmentId).map((e) => e.appointmentId))];
          // a rescheduled event names the new appointment; the one it replaced changed too
          for (const e of events) {
            const prev = e.payload.previousAppointmentId;
            if (typeof prev === "string" && !ids.includes(prev)) ids.push(prev);
          }
          changed += await refresh(tx, ids);
          // opened schedule time (a template, an assignment, time off removed) changes planned time
          for (const e of events)
            if (e.type === "schedule.opened" && e.physicianId && typeof e.payload.from === "string")
              await plannedRepository.markStaleBetween(
                tx,
                e.physicianId,
                localDate(new Date(Date.parse(e.payload.from) - 86_400_000), "UTC"),
                typeof e.payload.to === "string"
                  ? localDate(new Date(Date.parse(e.payload.to) + 86_400_000), "UTC")
                  : null,
              );
          seq = events[events.length - 1]!.seq;
          if (events.length < EVENTS_PER_PASS) break;
        }
        if (seq !== cursor) await repo.setCursor(tx, seq);
        return changed;
      });
    },

    /** Throws the read model away and reads every appointment again. */
    async rebuild(): Promise<number> {
      return db.transaction().execute(async (tx) => {
        await repo.cursor(tx, true);
        return rebuildIn(tx);
      });
    },
  };
}

export type Projector = ReturnType<typeof createProjector>;
