/**
 * Bookable physician-minutes per day: how much of the network's planned working time an
 * appointment could still be placed in, under the travel rule in force (travel reserved between
 * engagements) and under the rule it replaced (travel cut from both blocks around every transfer,
 * which is exactly what marking every block "on site" does).
 *
 * Counted with the availability engine itself: a 5-minute visit on a 5-minute grid that any
 * physician may take (no room, no equipment, video allowed), so each offered start is 5 bookable
 * minutes. "Empty" counts the plan alone; "with bookings" keeps today's appointments and holds.
 */
import { type Executor, openDatabase } from "../../src/platform/db.js";
import { activePhysicians, plannedBlocks } from "../../src/seed/booking-data.js";
import { networkSnapshot } from "../../src/services/locations/index.js";
import { availableSlots } from "../../src/services/scheduling/availability/engine.js";
import type {
  AvailabilityInput,
  Block,
  Commitment,
} from "../../src/services/scheduling/availability/types.js";
import { busyRepository } from "../../src/services/scheduling/busy.repository.js";
import { log } from "./common.js";

const MINUTE = 60_000;
const DAY = 86_400_000;
const GRID_MINUTES = 5;
const PHYSICIANS_PER_RUN = 200;

export interface CapacityFigure {
  days: number;
  physicians: number;
  plannedMinutesPerDay: number;
  /** Travel reserved between engagements (this version). */
  betweenEngagements: { empty: number; withBookings: number };
  /** Travel cut from both blocks around every transfer (the rule before). */
  cutFromBlocks: { empty: number; withBookings: number };
}

type Rule = (blocks: Block[]) => Block[];
const asStored: Rule = (blocks) => blocks;
const everyBlockOnSite: Rule = (blocks) => blocks.map((b) => ({ ...b, onSite: true }));

/**
 * What-if: each day's blocks at different locations planned back to back (the next block starts
 * when the one before ends, when they are less than three hours apart), as a hospital that no
 * longer pads its plans for travel would write them.
 */
export function backToBack(blocks: Block[]): Block[] {
  const out = [...blocks].sort((a, b) => a.start - b.start).map((b) => ({ ...b }));
  for (let i = 1; i < out.length; i++) {
    const prev = out[i - 1]!;
    const next = out[i]!;
    const gap = next.start - prev.end;
    if (next.locationId !== prev.locationId && gap > 0 && gap < 3 * 3_600_000) next.start = prev.end;
  }
  return out;
}

/** Bookable physician-minutes per day over the `days` days from `from`, under both rules. */
export async function bookableMinutes(
  db: Executor,
  from: number,
  days: number,
  reshape: Rule = asStored,
): Promise<CapacityFigure> {
  const to = from + days * DAY;
  const snapshot = await networkSnapshot(db);
  const doctors = await activePhysicians(db);
  const blocksOf = await plannedBlocks(db, doctors, from - DAY, to + DAY);
  const figure: CapacityFigure = {
    days,
    physicians: doctors.length,
    plannedMinutesPerDay: 0,
    betweenEngagements: { empty: 0, withBookings: 0 },
    cutFromBlocks: { empty: 0, withBookings: 0 },
  };
  let planned = 0;
  for (let i = 0; i < doctors.length; i += PHYSICIANS_PER_RUN) {
    const group = doctors.slice(i, i + PHYSICIANS_PER_RUN).map((d) => d.info.id);
    const booked = await busyRepository.physicianCommitments(
      db,
      group,
      new Date(from - DAY / 2),
      new Date(to + DAY / 2),
    );
    // every block takes the counting visit: restrictions to some appointment types do not apply
    const blocks = group.flatMap((id) =>
      reshape((blocksOf.get(id) ?? []).map((b) => ({ ...b, appointmentTypeIds: [] }))),
    );
    for (const b of blocks) planned += Math.max(0, Math.min(b.end, to) - Math.max(b.start, from));
    const commitments = new Map<string, Commitment[]>(group.map((id) => [id, booked.get(id) ?? []]));
    const count = (rule: Rule, withBookings: boolean) => {
      const input: AvailabilityInput = {
        now: from - DAY,
        from,
        to,
        appointmentType: {
          id: "capacity",
          durationMinutes: GRID_MINUTES,
          slotIntervalMinutes: GRID_MINUTES,
          roomKind: null,
          equipmentKinds: [],
          telehealthAllowed: true,
          visitKind: "procedure",
        },
        physicians: group.map((id) => ({
          id,
          languages: [],
          offersTelehealth: true,
          acceptsNewPatients: true,
        })),
        blocks: rule(blocks),
        physicianCommitments: withBookings ? commitments : new Map(),
        locations: new Map(snapshot.locations.map((l) => [l.id, l])),
        rooms: [],
        equipment: [],
        travelMinutes: snapshot.travelMinutes,
        rules: { minNoticeMinutes: 0, horizonDays: days + 2 },
        patient: null,
        telehealth: true,
        stepFree: false,
        language: null,
        limit: Number.POSITIVE_INFINITY,
      };
      return availableSlots(input).length * GRID_MINUTES;
    };
    figure.betweenEngagements.empty += count(asStored, false);
    figure.betweenEngagements.withBookings += count(asStored, true);
    figure.cutFromBlocks.empty += count(everyBlockOnSite, false);
    figure.cutFromBlocks.withBookings += count(everyBlockOnSite, true);
  }
  const perDay = (minutes: number) => Math.round(minutes / days);
  figure.plannedMinutesPerDay = perDay(planned / MINUTE);
  for (const rule of [figure.betweenEngagements, figure.cutFromBlocks]) {
    rule.empty = perDay(rule.empty);
    rule.withBookings = perDay(rule.withBookings);
  }
  return figure;
}

/** Bookable physician-minutes per day over the next 14 days, as planned and if split days were back to back. */
export async function capacityPart(databaseUrl: string, scale: string) {
  const database = await openDatabase({ databaseUrl, dataDir: "" });
  try {
    const t0 = Date.now();
    const tomorrow = Math.ceil(Date.now() / DAY) * DAY;
    const asPlanned = await bookableMinutes(database.db, tomorrow, 14);
    const splitDaysBackToBack = await bookableMinutes(database.db, tomorrow, 14, backToBack);
    log(`counted bookable minutes in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return { scale, asPlanned, splitDaysBackToBack };
  } finally {
    await database.close();
  }
}
