/**
 * Availability: loads what the pure engine needs with a handful of indexed queries, runs it, and
 * labels the answer. Nothing about availability is stored; what is cached (the facility snapshot,
 * occupancy, expanded plans) lives in the caches passed in (`caches.ts`), each renewed by a stamp
 * or by the schedule changes forwarded to it.
 */

import { groupBy } from "../../platform/collections.js";
import type { BookingConfig } from "../../platform/config.js";
import type { Executor } from "../../platform/db.js";
import { problems } from "../../platform/errors.js";
import type { NetworkSnapshot } from "../locations/index.js";
import { patientService } from "../patients/index.js";
import { physicianService } from "../physicians/index.js";
import { outOfServiceBusy } from "./availability/intervals.js";
import {
  bestOfSlice,
  type ResourceLoader,
  rankProgressively,
  type Slice,
  sliceWindow,
} from "./availability/progressive.js";
import type {
  AppointmentTypeInfo,
  AvailabilityInput,
  Block,
  Commitment,
  PatientContext,
  PhysicianInfo,
  SlotCandidate,
} from "./availability/types.js";
import type { SearchNeed, SearchResult } from "./availability.request.js";
import { busyRepository as busy } from "./busy.repository.js";
import type { SchedulingCaches } from "./caches.js";
import { appointmentTypeCatalog } from "./catalog.service.js";
import { equipmentTransport } from "./equipment-transport.repository.js";
import type { FacilitiesCache, FacilitiesOptions } from "./facilities-cache.js";
import type { Occupancy } from "./occupancy.js";

export { needFromQuery, type SearchNeed, type SearchResult, toOptionDto } from "./availability.request.js";

const DAY = 86_400_000;
/** Travel constraints reach at most this far beyond the window (longest plausible trip). */
const TRAVEL_MARGIN = DAY / 2;

/**
 * The facility snapshot as of the facilities' stamp (see `FacilitiesCache.get`), from `opts.cache`.
 */
export function facilities(
  db: Executor,
  opts: FacilitiesOptions & { cache: FacilitiesCache },
): Promise<NetworkSnapshot> {
  return opts.cache.get(db, opts);
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export async function searchOptions(
  db: Executor,
  rules: BookingConfig,
  need: SearchNeed,
  caches: SchedulingCaches,
): Promise<SearchResult> {
  const type = await appointmentTypeCatalog.get(db, need.appointmentTypeId).catch(() => {
    throw problems.invalid("query.appointmentTypeId", "no such appointment type");
  });
  if (!type.active) throw problems.invalid("query.appointmentTypeId", "this appointment type is not offered");
  const appointmentType: AppointmentTypeInfo = {
    id: type.id,
    durationMinutes: type.durationMinutes,
    slotIntervalMinutes: type.slotIntervalMinutes,
    roomKind: type.roomKind,
    equipmentKinds: type.equipmentKinds,
    telehealthAllowed: type.telehealthAllowed,
    visitKind: type.visitKind,
  };

  // the physicians come with their plan stamps, which spares each slice's plans a query
  const candidates = need.physicianIds
    ? await physicianService.forSearch(db, { ids: need.physicianIds })
    : await physicianService.forSearch(db, { specialty: need.specialty ?? type.specialty });
  if (need.physicianIds && candidates.length < new Set(need.physicianIds).size)
    throw problems.notFound("physician", "query.physicianId");
  const stamps = new Map(candidates.map((p) => [p.id, p.planStamp]));
  const physicians = candidates
    .filter((p) => p.active)
    .map(
      (p): PhysicianInfo => ({
        id: p.id,
        languages: p.languages,
        offersTelehealth: p.offersTelehealth,
        acceptsNewPatients: p.acceptsNewPatients,
      }),
    );
  const physicianNames = new Map(
    candidates.map((p) => [
      p.id,
      `${p.title === "MD" || p.title === "DO" ? "Dr. " : ""}${p.givenName} ${p.familyName}`,
    ]),
  );

  const [firstSnapshot, patient] = await Promise.all([
    facilities(db, {
      inTransaction: need.inTransaction,
      stamp: need.facilitiesStamp,
      cache: caches.facilities,
    }),
    need.patientId
      ? patientContext(
          db,
          need.patientId,
          need.from - TRAVEL_MARGIN,
          need.to + TRAVEL_MARGIN,
          need.excludeAppointmentId,
        )
      : Promise.resolve(null),
  ]);

  let followUpRestrictedTo: string[] | null = null;
  // continuity means a physician who saw the patient before among those offering this care;
  // the engine reads previousPhysicianIds, so a staff override clears it
  const seenHere = patient
    ? patient.previousPhysicianIds.filter((id) => physicians.some((p) => p.id === id))
    : [];
  if (patient) patient.previousPhysicianIds = need.ignoreContinuity ? [] : seenHere;
  if (appointmentType.visitKind === "follow_up" && seenHere.length && !need.ignoreContinuity) {
    followUpRestrictedTo = seenHere;
  }
  const engineCandidates = followUpRestrictedTo
    ? physicians.filter((p) => followUpRestrictedTo!.includes(p.id))
    : physicians;
  const ids = engineCandidates.map((p) => p.id);

  const wanted = need.locationIds ? new Set(need.locationIds) : undefined;
  const bookingRules = { minNoticeMinutes: rules.minNoticeMinutes, horizonDays: rules.horizonDays };
  let snapshot = firstSnapshot;
  // one clock for the whole search: each slice's ranking must score as the final one does
  const now = need.now ?? Date.now();
  const base = (): AvailabilityInput => ({
    now,
    from: need.from,
    to: need.to,
    appointmentType,
    physicians: engineCandidates,
    blocks: [],
    physicianCommitments: new Map(),
    locations: new Map(snapshot.locations.map((l) => [l.id, l])),
    rooms: [],
    equipment: [],
    travelMinutes: snapshot.travelMinutes,
    rules: bookingRules,
    patient,
    telehealth: need.telehealth,
    stepFree: need.stepFree ?? false,
    language: need.language ?? null,
    limit: need.limit,
  });
  const whole = base();
  const durationMs = appointmentType.durationMinutes * 60_000;

  /** The engine over one slice of start times, with only that slice's bookings loaded. */
  const candidatesIn = async (slice: Slice): Promise<SlotCandidate[]> => {
    const window = sliceWindow(slice, need.to, durationMs);
    const [plans, commitments] = await Promise.all([
      physicianService.plans(
        db,
        ids,
        isoDay(window.from - DAY),
        isoDay(window.to + DAY),
        stamps,
        caches.plans,
      ),
      physicianCommitments(
        db,
        need,
        caches.occupancy,
        ids,
        window.from - TRAVEL_MARGIN,
        window.to + TRAVEL_MARGIN,
      ),
    ]);
    const blocks: Block[] = [];
    for (const [physicianId, plan] of plans) {
      for (const b of plan.assignments) {
        blocks.push({
          physicianId,
          locationId: b.locationId,
          start: Date.parse(b.start),
          end: Date.parse(b.end),
          appointmentTypeIds: b.appointmentTypeIds,
          onSite: b.onSite,
        });
      }
    }
    if (blocks.some((b) => !snapshot.locations.some((l) => l.id === b.locationId))) {
      // a location created since the stamp was read: read it (and the facilities) again
      snapshot = await facilities(db, { inTransaction: need.inTransaction, cache: caches.facilities });
      whole.locations = new Map(snapshot.locations.map((l) => [l.id, l]));
    }
    /** The suitable rooms and equipment of the requested locations, one query per day asked. */
    const load: ResourceLoader = async (requests) => {
      const out: Pick<AvailabilityInput, "rooms" | "equipment"> = { rooms: [], equipment: [] };
      const byDay = groupBy(requests, (r) => `${r.from}|${r.to}`);
      for (const day of byDay.values()) {
        const here = new Set(day.map((r) => r.locationId));
        const from = new Date(day[0]!.from);
        const to = new Date(day[0]!.to);
        const rooms = appointmentType.roomKind
          ? snapshot.rooms.filter(
              (r) =>
                r.kind === appointmentType.roomKind &&
                here.has(r.locationId) &&
                (!need.stepFree || r.stepFree) &&
                (!need.roomIds || need.roomIds.includes(r.id)),
            )
          : [];
        // equipment that travels may be brought from any location: its bookings (and their
        // places) around the day decide whether it can get here and on in time
        const equipment = snapshot.equipment.filter(
          (e) => appointmentType.equipmentKinds.includes(e.kind) && (here.has(e.locationId) || e.travels),
        );
        const travelling = equipment.filter((e) => e.travels).map((e) => e.id);
        const [roomBusy, equipmentBusy, travellingUses] = await Promise.all([
          roomsBusy(
            db,
            need,
            caches.occupancy,
            rooms.map((r) => r.id),
            from,
            to,
          ),
          busy.equipmentBusy(
            db,
            equipment.filter((e) => !e.travels).map((e) => e.id),
            from,
            to,
          ),
          equipmentTransport.uses(
            db,
            travelling,
            new Date(from.getTime() - TRAVEL_MARGIN),
            new Date(to.getTime() + TRAVEL_MARGIN),
          ),
        ]);
        for (const r of rooms) {
          out.rooms.push({
            id: r.id,
            locationId: r.locationId,
            kind: r.kind,
            stepFree: r.stepFree,
            busy: [...(roomBusy.get(r.id) ?? []), ...outOfServiceBusy(r.outOfService)],
          });
        }
        for (const e of equipment) {
          out.equipment.push(
            e.travels
              ? {
                  id: e.id,
                  locationId: e.locationId,
                  kind: e.kind,
                  busy: [...(travellingUses.get(e.id) ?? []), ...outOfServiceBusy(e.outOfService)],
                  travels: true,
                }
              : {
                  id: e.id,
                  locationId: e.locationId,
                  kind: e.kind,
                  busy: [...(equipmentBusy.get(e.id) ?? []), ...outOfServiceBusy(e.outOfService)],
                },
          );
        }
      }
      return out;
    };
    const input: AvailabilityInput = {
      ...base(),
      // on-site blocks at unwanted locations still bind the physician (travel), so blocks stay in
      blocks,
      physicianCommitments: commitments as Map<string, Commitment[]>,
    };
    const keep = (c: SlotCandidate) => window.keep(c) && (!wanted || wanted.has(c.locationId));
    return bestOfSlice(input, { ...window, keep }, load);
  };
  const { options } = await rankProgressively(whole, candidatesIn);
  return {
    options,
    physicians,
    physicianNames,
    followUpRestrictedTo,
    snapshot,
    appointmentType,
    patientHome: patient?.home ?? null,
    stepFree: need.stepFree ?? false,
    previousPhysicianIds: patient?.previousPhysicianIds ?? [],
  };
}

/**
 * The physicians' bookings overlapping [from, to): from the occupancy cache for a search, from the
 * database for a booking's re-check (inside its transaction, under its locks).
 */
async function physicianCommitments(
  db: Executor,
  need: SearchNeed,
  occupancy: Occupancy,
  ids: string[],
  from: number,
  to: number,
): Promise<Map<string, Commitment[]>> {
  const found = need.inTransaction
    ? await busy.physicianCommitments(db, ids, new Date(from), new Date(to))
    : await occupancy.physicianBookings.get(db, ids, from, to);
  const own = need.ownTime;
  if (!own || !found.has(own.physicianId)) return found;
  const out = new Map(found);
  out.set(
    own.physicianId,
    found.get(own.physicianId)!.filter((c) => c.start !== own.start || c.end !== own.end),
  );
  return out;
}

/** The rooms' bookings overlapping [from, to), by room: cached for a search, as above. */
async function roomsBusy(
  db: Executor,
  need: SearchNeed,
  occupancy: Occupancy,
  roomIds: string[],
  from: Date,
  to: Date,
): Promise<Map<string, Array<{ start: number; end: number }>>> {
  if (need.inTransaction) return busy.roomBusy(db, roomIds, from, to);
  return occupancy.roomBookings.get(db, roomIds, from.getTime(), to.getTime());
}

async function patientContext(
  db: Executor,
  patientId: string,
  from: number,
  to: number,
  excludeId?: string,
): Promise<PatientContext> {
  const [p, { previousPhysicianIds, commitments }] = await Promise.all([
    patientService.get(db, patientId).catch(() => {
      throw problems.notFound("patient", "query.patientId");
    }),
    busy.patientHistory(db, patientId, new Date(from), new Date(to), excludeId),
  ]);
  const home =
    p.address?.latitude != null && p.address?.longitude != null
      ? { latitude: p.address.latitude, longitude: p.address.longitude }
      : null;
  return { home, preferredLocationIds: p.preferredLocationIds, previousPhysicianIds, commitments };
}
