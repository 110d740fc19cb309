/**
 * The availability engine: every bookable (physician, location, start) for one appointment type,
 * ranked for the patient. Pure: the caller loads the data; nothing here reads a clock or a table.
 *
 * Travel is reserved between engagements (appointments and valid holds) at different locations,
 * not cut from the working blocks around them: a block elsewhere constrains nothing unless it is
 * marked on site. Each constraint (the physician's engagements and travel, on-site blocks
 * elsewhere, the patient's engagements and travel, opening hours, a room's or an item's
 * bookings) becomes a sorted set of ruled-out start times. The engine walks each
 * working block's grid once and jumps past ruled-out ranges, so a search costs about
 * O(grid points · log engagements) instead of checking every engagement for every slot.
 */
import {
  DAY_MS,
  ExcludedRanges,
  ExcludedStarts,
  gridAtOrAfter,
  MINUTE_MS,
  openingIntervals,
} from "./intervals.js";
import { rankOptions } from "./rank.js";
import { equipmentCandidates, excludeAroundUses, usesOf } from "./transport.js";
import type {
  AvailabilityInput,
  Block,
  Commitment,
  EquipmentInfo,
  Interval,
  PhysicianInfo,
  SlotCandidate,
  SlotOption,
} from "./types.js";

/** Bookable options for the need in `input`, best first, at most `input.limit` of them. */
export function findOptions(input: AvailabilityInput): SlotOption[] {
  return rankOptions(availableSlots(input), input);
}

/** When an appointment may start under the booking rules and the requested dates. */
interface BookingWindow {
  earliest: number;
  /** Exclusive: the booking horizon. */
  startsBefore: number;
  /** Inclusive: the appointment must end by `to`. */
  latestStart: number;
}

/** A room or equipment item with the starts its bookings rule out. */
interface Resource {
  id: string;
  excluded: ExcludedStarts;
}

/** What a location contributes to every option there, worked out once per search. */
interface Site {
  virtual: boolean;
  closed: ExcludedStarts;
  /** The patient's engagements, travel included. */
  patientBusy: ExcludedStarts;
  /** Suitable rooms by id; undefined when the type needs no room. */
  rooms: Resource[] | undefined;
  /** For each required equipment kind, in the type's order, the items of that kind by id. */
  equipment: Resource[][];
}

interface Allocation {
  roomId: string | null;
  equipmentIds: string[];
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Travel times in milliseconds, asked once per pair of locations. */
class TravelTimes {
  private readonly known = new Map<string, number>();
  constructor(private readonly minutes: AvailabilityInput["travelMinutes"]) {}

  ms(from: string, to: string): number {
    if (from === to) return 0;
    const key = `${from}\u0000${to}`;
    let ms = this.known.get(key);
    if (ms === undefined) {
      const minutes = this.minutes(from, to);
      // an unknown travel time (NaN) means the trip cannot be planned
      ms = Number.isNaN(minutes) ? Number.POSITIVE_INFINITY : Math.max(0, minutes) * MINUTE_MS;
      this.known.set(key, ms);
    }
    return ms;
  }
}

/** Rules out the starts at `locationId` that overlap an engagement or leave too little time to travel. */
function excludeEngagements(
  ranges: ExcludedRanges,
  engagements: Iterable<{ start: number; end: number; locationId: string }>,
  locationId: string,
  durationMs: number,
  travel: TravelTimes,
): void {
  // engagements come in runs at one place, so the last place's travel times are kept at hand
  let place: string | undefined;
  let to = 0;
  let from = 0;
  for (const e of engagements) {
    if (e.locationId !== place) {
      place = e.locationId;
      to = travel.ms(locationId, place);
      from = travel.ms(place, locationId);
    }
    ranges.around(e, durationMs, to, from);
  }
}

class Sites {
  private readonly known = new Map<string, Site | undefined>();
  /** Per location, the stretch of time its blocks cover: opening hours are expanded only there. */
  private readonly extents = new Map<string, Interval>();

  constructor(
    private readonly input: AvailabilityInput,
    private readonly durationMs: number,
    private readonly window: BookingWindow,
    private readonly travel: TravelTimes,
  ) {
    for (const b of input.blocks) {
      const e = this.extents.get(b.locationId);
      if (!e) this.extents.set(b.locationId, { start: b.start, end: b.end });
      else {
        e.start = Math.min(e.start, b.start);
        e.end = Math.max(e.end, b.end);
      }
    }
  }

  get(locationId: string): Site | undefined {
    if (!this.known.has(locationId)) this.known.set(locationId, this.build(locationId));
    return this.known.get(locationId);
  }

  private build(locationId: string): Site | undefined {
    const { input, durationMs, window } = this;
    const location = input.locations.get(locationId);
    const extent = this.extents.get(locationId);
    if (!location || !extent) return undefined;
    const virtual = location.kind === "virtual";
    const from = Math.max(extent.start, window.earliest);
    const to = Math.min(extent.end, window.latestStart + durationMs, window.startsBefore + durationMs);
    const open = openingIntervals(location, from, Math.max(from, to));
    const closed = new ExcludedRanges();
    if (open) closed.outside(open, durationMs);
    const patientBusy = new ExcludedRanges();
    excludeEngagements(patientBusy, input.patient?.commitments ?? [], locationId, durationMs, this.travel);
    return {
      virtual,
      closed: new ExcludedStarts(closed),
      patientBusy: new ExcludedStarts(patientBusy),
      ...(input.deferResources
        ? NO_RESOURCES
        : resourcesAt(input, locationId, virtual, durationMs, this.travel)),
    };
  }
}

type SiteResources = Pick<Site, "rooms" | "equipment">;
const NO_RESOURCES: SiteResources = { rooms: undefined, equipment: [] };

/**
 * A location's suitable rooms and the items of each required kind of equipment it may use (its
 * own by id, then equipment that travels from elsewhere, nearest first), with the starts their
 * bookings rule out; an item that travels also rules out the starts that leave no time to bring
 * it from its previous booking's place or take it on to its next's.
 */
function resourcesAt(
  input: AvailabilityInput,
  locationId: string,
  virtual: boolean,
  durationMs: number,
  travel: TravelTimes,
): SiteResources {
  if (virtual) return NO_RESOURCES;
  const type = input.appointmentType;
  const resource = (r: { id: string; busy: Interval[] }): Resource => {
    const busy = new ExcludedRanges();
    for (const b of r.busy) busy.around(b, durationMs, 0, 0);
    return { id: r.id, excluded: new ExcludedStarts(busy) };
  };
  const item = (e: EquipmentInfo): Resource => {
    if (!e.travels) return resource(e);
    const busy = new ExcludedRanges();
    excludeAroundUses(
      (lo, hi) => busy.add(lo, hi),
      usesOf(e),
      locationId,
      durationMs,
      (from, to) => travel.ms(from, to),
    );
    return { id: e.id, excluded: new ExcludedStarts(busy) };
  };
  return {
    rooms:
      type.roomKind === null
        ? undefined
        : input.rooms
            .filter(
              (r) =>
                r.locationId === locationId && r.kind === type.roomKind && (!input.stepFree || r.stepFree),
            )
            .sort(byId)
            .map(resource),
    equipment: type.equipmentKinds.map((kind) =>
      equipmentCandidates(input.equipment, kind, locationId, input.travelMinutes).map(item),
    ),
  };
}

/** The index of the first item (by id) free for the whole appointment and not taken, or -1. */
function firstFree(items: Resource[], start: number, taken: readonly string[]): number {
  for (let i = 0; i < items.length; i++) {
    if (!taken.includes(items[i]!.id) && items[i]!.excluded.blockedUntil(start) === undefined) return i;
  }
  return -1;
}

/** When the first of the busy items frees up: no start before it can have one of them. */
function firstRelease(items: Resource[], start: number, taken: readonly string[]): number {
  let release = Number.POSITIVE_INFINITY;
  for (const item of items) {
    if (taken.includes(item.id)) continue;
    release = Math.min(release, item.excluded.blockedUntil(start) ?? release);
  }
  return release;
}

const NONE_TAKEN: readonly string[] = [];

/** The room and equipment for an appointment at `start`, or the earliest start worth trying next. */
function allocate(site: SiteResources, start: number): Allocation | number {
  let roomId: string | null = null;
  if (site.rooms) {
    const room = firstFree(site.rooms, start, NONE_TAKEN);
    if (room < 0) return firstRelease(site.rooms, start, NONE_TAKEN);
    roomId = site.rooms[room]!.id;
  }
  // the same kind listed twice needs two different items
  const equipmentIds: string[] = [];
  for (const items of site.equipment) {
    const item = firstFree(items, start, equipmentIds);
    if (item < 0) return firstRelease(items, start, equipmentIds);
    equipmentIds.push(items[item]!.id);
  }
  return { roomId, equipmentIds };
}

/** Physicians who may take this appointment at all, each once. */
function eligiblePhysicians(input: AvailabilityInput): PhysicianInfo[] {
  const previous = new Set(input.patient?.previousPhysicianIds ?? []);
  const kind = input.appointmentType.visitKind;
  const seen = new Set<string>();
  return input.physicians.filter((p) => {
    if (seen.has(p.id)) return false;
    seen.add(p.id);
    if (input.language !== null && !p.languages.includes(input.language)) return false;
    if (kind === "new" && !p.acceptsNewPatients && !previous.has(p.id)) return false;
    // follow-ups stay with the physicians who saw the patient before
    if (kind === "follow_up" && previous.size > 0 && !previous.has(p.id)) return false;
    return true;
  });
}

function offersVideo(physician: PhysicianInfo, input: AvailabilityInput): boolean {
  return input.telehealth && input.appointmentType.telehealthAllowed && physician.offersTelehealth;
}

/** Blocks by physician, each list sorted by start. */
function blocksByPhysician(blocks: Block[]): Map<string, Block[]> {
  const grouped = new Map<string, Block[]>();
  for (const b of blocks) {
    const list = grouped.get(b.physicianId);
    if (list) list.push(b);
    else grouped.set(b.physicianId, [b]);
  }
  for (const list of grouped.values()) list.sort((a, b) => a.start - b.start);
  return grouped;
}

function firstTime(seen: Set<string>, key: string): boolean {
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

function anyOverlap(sorted: Block[]): boolean {
  let reach = Number.NEGATIVE_INFINITY;
  for (const b of sorted) {
    if (b.start < reach) return true;
    reach = Math.max(reach, b.end);
  }
  return false;
}

function bookingWindow(input: AvailabilityInput, durationMs: number): BookingWindow {
  return {
    earliest: Math.max(input.from, input.now + input.rules.minNoticeMinutes * MINUTE_MS),
    startsBefore: input.now + input.rules.horizonDays * DAY_MS,
    latestStart: input.to - durationMs,
  };
}

/** Chooses rooms and equipment for candidates of a `deferResources` search. */
export interface ResourceAllocator {
  /** The candidate with the room and equipment the full search would choose, or undefined. */
  allocate(c: SlotCandidate): SlotCandidate | undefined;
  /** `input.rooms` or `input.equipment` changed at this location since it was last asked about. */
  changed(locationId: string): void;
}

/**
 * Finds rooms and equipment (first free by id, as the full search does) for candidates of a
 * `deferResources` search. The rooms and equipment of a location, with their bookings around a
 * candidate, must be in `input.rooms` and `input.equipment` when it is asked about.
 */
export function resourceAllocator(input: AvailabilityInput): ResourceAllocator {
  const durationMs = input.appointmentType.durationMinutes * MINUTE_MS;
  const travel = new TravelTimes(input.travelMinutes);
  const known = new Map<string, SiteResources | undefined>();
  const at = (locationId: string) => {
    if (!known.has(locationId)) {
      const location = input.locations.get(locationId);
      known.set(
        locationId,
        location && resourcesAt(input, locationId, location.kind === "virtual", durationMs, travel),
      );
    }
    return known.get(locationId);
  };
  return {
    allocate(c) {
      const site = at(c.locationId);
      const allocation = site && allocate(site, c.start);
      if (allocation === undefined || typeof allocation === "number") return undefined;
      return { ...c, roomId: allocation.roomId, equipmentIds: allocation.equipmentIds };
    },
    changed: (locationId) => known.delete(locationId),
  };
}

/** Every bookable (physician, location, start), unranked: the engine's answer before ranking. */
export function availableSlots(input: AvailabilityInput): SlotCandidate[] {
  const type = input.appointmentType;
  const durationMs = type.durationMinutes * MINUTE_MS;
  const stepMs = type.slotIntervalMinutes * MINUTE_MS;
  if (!(durationMs > 0) || !(stepMs > 0)) return [];
  const window = bookingWindow(input, durationMs);
  const travel = new TravelTimes(input.travelMinutes);
  const sites = new Sites(input, durationMs, window, travel);
  const grouped = blocksByPhysician(input.blocks);
  const out: SlotCandidate[] = [];

  for (const physician of eligiblePhysicians(input)) {
    const blocks = grouped.get(physician.id);
    if (!blocks) continue;
    const commitments: Commitment[] = input.physicianCommitments.get(physician.id) ?? [];
    const busyAt = new Map<string, ExcludedStarts[]>();
    // overlapping blocks at one location would offer the same start twice
    const seen = anyOverlap(blocks) ? new Set<string>() : undefined;

    for (const block of blocks) {
      if (block.appointmentTypeIds.length > 0 && !block.appointmentTypeIds.includes(type.id)) continue;
      const site = sites.get(block.locationId);
      if (!site || (site.virtual && !offersVideo(physician, input))) continue;
      let constraints = busyAt.get(block.locationId);
      if (!constraints) {
        const booked = new ExcludedRanges();
        excludeEngagements(booked, commitments, block.locationId, durationMs, travel);
        // travel is reserved between engagements, not cut from blocks: only a block elsewhere
        // marked on site is a promise to be there for all of it, travel included
        const promised = new ExcludedRanges();
        const elsewhere = blocks.filter((b) => b.onSite && b.locationId !== block.locationId);
        excludeEngagements(promised, elsewhere, block.locationId, durationMs, travel);
        constraints = [
          new ExcludedStarts(booked),
          new ExcludedStarts(promised),
          site.closed,
          site.patientBusy,
        ];
        busyAt.set(block.locationId, constraints);
      }

      let start = gridAtOrAfter(block.start, stepMs, window.earliest);
      while (start + durationMs <= block.end && start < window.startsBefore && start <= window.latestStart) {
        let until: number | undefined;
        for (const c of constraints) {
          const u = c.blockedUntil(start);
          if (u !== undefined && (until === undefined || u > until)) until = u;
        }
        if (until === undefined) {
          const allocation = allocate(site, start);
          if (typeof allocation === "number") until = allocation;
          else if (!seen || firstTime(seen, `${block.locationId}|${start}`)) {
            out.push({
              physicianId: physician.id,
              locationId: block.locationId,
              roomId: allocation.roomId,
              equipmentIds: allocation.equipmentIds,
              start,
              end: start + durationMs,
              telehealth: site.virtual,
            });
          }
        }
        start = until === undefined ? start + stepMs : gridAtOrAfter(block.start, stepMs, until);
      }
    }
  }
  return out;
}
