/**
 * Where a proposal's demand comes from: booked history and bookings ahead (hours per week per
 * location) and the waiting list (patients still waiting, by urgency and where they accept to be
 * seen; the arithmetic is demand.ts's). Reads go through the other modules' interfaces, inside
 * the caller's transaction.
 */
import type { Executor } from "../../../platform/db.js";
import type { VisitFacts } from "../../scheduling/index.js";
import { type Urgency, type WaitingEntry, waitlistDemand } from "./demand.js";

const DAY = 86_400_000;
/** The weeks of history and of bookings ahead that estimate demand when none is given. */
const DEMAND_WEEKS = 4;

export interface DemandSources {
  /** Appointments as history and bookings (scheduling's visit history). */
  visits: {
    outcomes(db: Executor, range: { from: Date; to: Date; limit: number }): Promise<VisitFacts[]>;
    upcoming(
      db: Executor,
      filter: { from: Date; to: Date; locationIds?: readonly string[]; limit: number },
    ): Promise<VisitFacts[]>;
  };
  appointmentType(db: Executor, id: string): Promise<{ specialty: string; durationMinutes: number }>;
  /** Entries still waiting for the specialty or one of the physicians, window not over (the waitlist's interface). */
  waiting(
    db: Executor,
    filter: { specialty: string; physicianIds: readonly string[]; after: Date },
  ): Promise<
    Array<{ patientId: string; appointmentTypeId: string; locationIds: string[]; urgency: Urgency }>
  >;
  /** Patients' home areas (city), for entries open to any location. */
  homeAreas(db: Executor, patientIds: readonly string[]): Promise<Map<string, string | null>>;
  /** A location's area (city). */
  areaOf(db: Executor, locationId: string): Promise<string | null>;
}

export function createForecast(deps: DemandSources, now: () => Date) {
  const typeCache = (tx: Executor) => {
    const types = new Map<string, { specialty: string; durationMinutes: number }>();
    return async (id: string) => {
      const t = types.get(id) ?? (await deps.appointmentType(tx, id));
      types.set(id, t);
      return t;
    };
  };

  return {
    /** Weekly demanded hours per location for the specialty: history behind and bookings ahead. */
    async booked(tx: Executor, specialty: string, locationIds: readonly string[]) {
      const at = now().getTime();
      const span = DEMAND_WEEKS * 7 * DAY;
      const [past, ahead] = await Promise.all([
        deps.visits.outcomes(tx, { from: new Date(at - span), to: new Date(at), limit: 100_000 }),
        deps.visits.upcoming(tx, {
          from: new Date(at),
          to: new Date(at + span),
          locationIds,
          limit: 100_000,
        }),
      ]);
      const minutes: Record<string, number> = Object.fromEntries(locationIds.map((l) => [l, 0]));
      const typeOf = typeCache(tx);
      for (const v of [...past, ...ahead]) {
        if (!(v.locationId in minutes)) continue;
        const t = await typeOf(v.appointmentTypeId);
        if (t.specialty === specialty) minutes[v.locationId]! += t.durationMinutes;
      }
      // two spans of DEMAND_WEEKS weeks, in hours per week
      return Object.fromEntries(
        Object.entries(minutes).map(([l, m]) => [l, Math.round((m / 60 / (2 * DEMAND_WEEKS)) * 10) / 10]),
      );
    },

    /** Weekly hours per location the waiting list asks of the specialty over a plan of `weeks`. */
    async waitlist(
      tx: Executor,
      specialty: string,
      physicianIds: readonly string[],
      locationIds: readonly string[],
      weeks: number,
    ): Promise<Record<string, number>> {
      const waiting = await deps.waiting(tx, { specialty, physicianIds, after: now() });
      const areas = await deps.homeAreas(tx, [...new Set(waiting.map((w) => w.patientId))]);
      const typeOf = typeCache(tx);
      const entries: WaitingEntry[] = [];
      for (const w of waiting)
        entries.push({
          locationIds: w.locationIds,
          homeArea: areas.get(w.patientId) ?? null,
          urgency: w.urgency,
          minutes: (await typeOf(w.appointmentTypeId)).durationMinutes,
        });
      const locations = [];
      for (const id of locationIds) locations.push({ id, area: await deps.areaOf(tx, id) });
      return waitlistDemand(entries, locations, weeks);
    },
  };
}
