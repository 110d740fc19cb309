/**
 * Computes the planned-time read model from the physicians' plans (through their service's
 * interface, passed in), the visits the projector keeps and the travel matrix. A report first
 * computes the days of its range nobody has computed and the physician-days a change made stale;
 * a periodic pass recomputes the weeks around today, where plans change without an event (time
 * off approved, a template removed).
 */
import type { Db, Executor } from "../../../platform/db.js";
import { type PlanBlock, type PlannedDay, plannedDays } from "./planned.js";
import { plannedRepository as repo } from "./planned.repository.js";

/** One planned block as the physicians' plans give it (instants as ISO strings). */
export interface SourceBlock {
  locationId: string;
  date: string;
  start: string;
  end: string;
  appointmentTypeIds: string[];
}

/**
 * How the planned time reads the other services (passed in by the composition root). The lists
 * without an executor are read before the writing transaction opens (PGlite has one connection).
 */
export interface PlanSources {
  /** Every physician with the specialty their planned time is reported under. */
  physicians(): Promise<{ id: string; specialty: string }[]>;
  /** Working blocks over the local dates [from, to], after and before approved time off. */
  plans(
    db: Executor,
    physicianIds: string[],
    from: string,
    to: string,
  ): Promise<Map<string, { working: SourceBlock[]; planned: SourceBlock[] }>>;
  /** Minutes between two locations. */
  travel(): Promise<{ fromLocationId: string; toLocationId: string; minutes: number }[]>;
  /** Each appointment type's length in minutes. */
  typeMinutes(): Promise<Map<string, number>>;
}

/** What every computation needs besides the plans: read once per pass, outside its transaction. */
interface Context {
  everyone: { id: string; specialty: string }[];
  travelOf: Map<string, number>;
  typeMinutes: Map<string, number>;
}

const DAY = 86_400_000;
/** Physicians per batch of plan reads. */
const BATCH = 100;
/** The periodic pass: this many days back and ahead of today. */
export const REFRESH_BACK_DAYS = 7;
export const REFRESH_AHEAD_DAYS = 56;

const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

/** Contiguous runs of sorted days. */
export function runsOf(days: readonly string[]): { from: string; to: string }[] {
  const runs: { from: string; to: string }[] = [];
  for (const d of days) {
    const last = runs[runs.length - 1];
    if (last && addDays(last.to, 1) === d) last.to = d;
    else runs.push({ from: d, to: d });
  }
  return runs;
}

export function createPlannedTime(sources: PlanSources) {
  async function contextOf(): Promise<Context> {
    const [everyone, travel, typeMinutes] = await Promise.all([
      sources.physicians(),
      sources.travel(),
      sources.typeMinutes(),
    ]);
    const travelOf = new Map(travel.map((t) => [`${t.fromLocationId}|${t.toLocationId}`, t.minutes]));
    return { everyone, travelOf, typeMinutes };
  }

  /** Recomputes [from, to] for these physicians. */
  async function compute(
    tx: Executor,
    ctx: Context,
    from: string,
    to: string,
    who: { id: string; specialty: string }[],
  ): Promise<number> {
    const { travelOf, typeMinutes } = ctx;
    const shortestAll = Math.min(...typeMinutes.values(), Number.POSITIVE_INFINITY);
    const shortest = (ids: string[]) => {
      const known = ids.flatMap((id) => (typeMinutes.has(id) ? [typeMinutes.get(id)!] : []));
      const m = known.length ? Math.min(...known) : shortestAll;
      return Number.isFinite(m) ? m : 1;
    };
    const toBlock = (b: SourceBlock): PlanBlock => ({
      locationId: b.locationId,
      date: b.date,
      start: Date.parse(b.start),
      end: Date.parse(b.end),
      shortestMinutes: shortest(b.appointmentTypeIds),
    });
    let rows = 0;
    for (let i = 0; i < who.length; i += BATCH) {
      const batch = who.slice(i, i + BATCH);
      const ids = batch.map((p) => p.id);
      const [plans, busy] = await Promise.all([
        sources.plans(tx, ids, from, to),
        // a local day reaches at most a day either side of its UTC date
        repo.busy(
          tx,
          ids,
          new Date(Date.parse(`${from}T00:00:00Z`) - DAY),
          new Date(Date.parse(`${to}T00:00:00Z`) + 2 * DAY),
        ),
      ]);
      const out: (PlannedDay & { physicianId: string; specialty: string })[] = [];
      for (const p of batch) {
        const plan = plans.get(p.id);
        if (!plan) continue;
        const days = plannedDays({
          planned: plan.planned.map(toBlock),
          working: plan.working.map(toBlock),
          busy: busy.filter((b) => b.physicianId === p.id),
          travelMinutes: (a, b) => travelOf.get(`${a}|${b}`),
        });
        for (const d of days)
          if (d.date >= from && d.date <= to) out.push({ ...d, physicianId: p.id, specialty: p.specialty });
      }
      await repo.replace(tx, from, to, ids, out);
      rows += out.length;
    }
    return rows;
  }

  return {
    /**
     * Computes what [from, to] lacks, in a transaction of its own before the report's: days never
     * computed, and physician-days made stale since. Nothing to do: one short read.
     */
    async ensure(db: Db, from: string, to: string): Promise<void> {
      const pending = async (ex: Executor) => ({
        missing: await repo.missingDays(ex, from, to),
        stale: await repo.stale(ex, from, to),
      });
      const first = await pending(db);
      if (first.missing.length === 0 && first.stale.length === 0) return;
      const ctx = await contextOf();
      await db.transaction().execute(async (tx) => {
        // another reader may have computed some of it meanwhile
        const { missing, stale } = await pending(tx);
        for (const run of runsOf(missing)) {
          await compute(tx, ctx, run.from, run.to, ctx.everyone);
          await repo.markComputed(tx, run.from, run.to);
        }
        const specialtyOf = new Map(ctx.everyone.map((p) => [p.id, p.specialty]));
        const byPhysician = new Map<string, string[]>();
        for (const s of stale)
          byPhysician.set(s.physicianId, [...(byPhysician.get(s.physicianId) ?? []), s.day]);
        for (const [id, days] of byPhysician) {
          const specialty = specialtyOf.get(id);
          for (const run of runsOf(days)) {
            if (specialty !== undefined) await compute(tx, ctx, run.from, run.to, [{ id, specialty }]);
            await repo.clearStale(tx, id, run.from, run.to);
          }
        }
      });
    },

    /** Recomputes every physician's days around `today` (the periodic pass). */
    async refreshAround(db: Db, today: string): Promise<number> {
      const from = addDays(today, -REFRESH_BACK_DAYS);
      const to = addDays(today, REFRESH_AHEAD_DAYS);
      const ctx = await contextOf();
      return db.transaction().execute(async (tx) => {
        const rows = await compute(tx, ctx, from, to, ctx.everyone);
        await repo.markComputed(tx, from, to);
        return rows;
      });
    },

    markStale: repo.markStale,
    markStaleBetween: repo.markStaleBetween,
  };
}

export type PlannedTime = ReturnType<typeof createPlannedTime>;
