/**
 * Progressive search: a wide window is searched in slices of start time, earliest first (one day,
 * then two, four, eight…), and the search stops as soon as nothing in a later slice could outrank
 * the options already found. The answer is exactly what ranking the whole window would give (a
 * property test holds it to that); the saving is that a network-wide search usually loads and
 * walks a day or two of bookings instead of weeks.
 */
import { availableSlots, resourceAllocator } from "./engine.js";
import { DAY_MS } from "./intervals.js";
import { rankOptions, rankOrder, scoreCeiling } from "./rank.js";
import type { AvailabilityInput, EquipmentInfo, RoomInfo, SlotCandidate, SlotOption } from "./types.js";

/** Candidates whose start lies in [from, to); the last slice also takes starts at `to` itself. */
export interface Slice {
  from: number;
  to: number;
  last: boolean;
}

/** Slices of [from, to): `first` long, each next one twice the one before. */
export function slicesOf(from: number, to: number, first = DAY_MS): Slice[] {
  const out: Slice[] = [];
  let start = from;
  let span = Math.max(1, first);
  while (start < to) {
    const end = Math.min(to, start + span);
    out.push({ from: start, to: end, last: end >= to });
    start = end;
    span *= 2;
  }
  if (out.length === 0) out.push({ from, to, last: true });
  return out;
}

export interface ProgressiveResult {
  options: SlotOption[];
  /** How many slices were searched before the answer was certain. */
  slicesSearched: number;
}

/**
 * Ranks the options of `input`'s whole window, asking `candidatesIn` for one slice at a time.
 * `input` supplies the window, the patient and the limit, as for `rankOptions`.
 */
export async function rankProgressively(
  input: AvailabilityInput,
  candidatesIn: (slice: Slice) => Promise<SlotCandidate[]>,
  firstSliceMs = DAY_MS,
): Promise<ProgressiveResult> {
  const found: SlotCandidate[] = [];
  const slices = slicesOf(input.from, input.to, firstSliceMs);
  let searched = 0;
  for (const slice of slices) {
    searched++;
    for (const c of await candidatesIn(slice)) found.push(c);
    if (slice.last) break;
    if (found.length < input.limit) continue;
    const top = rankOptions([...found], input);
    const last = top[top.length - 1];
    if (last && top.length >= input.limit && last.score >= scoreCeiling(input, slice.to)) {
      return { options: top, slicesSearched: searched };
    }
  }
  return { options: rankOptions(found, input), slicesSearched: searched };
}

/** The engine's candidates of one slice: starts in the slice, appointments may end after it. */
export function sliceWindow(
  slice: Slice,
  wholeTo: number,
  durationMs: number,
): { from: number; to: number; keep: (c: SlotCandidate) => boolean } {
  return {
    from: slice.from,
    to: slice.last ? wholeTo : Math.min(wholeTo, slice.to + durationMs),
    keep: slice.last ? () => true : (c) => c.start < slice.to,
  };
}

/** A location's rooms and equipment are wanted with their bookings overlapping [from, to). */
export interface ResourceRequest {
  locationId: string;
  from: number;
  to: number;
}

/**
 * The suitable rooms and equipment of the requested locations, each with at least its bookings
 * overlapping the requested times. A room may come back from several calls: its bookings add up.
 */
export type ResourceLoader = (
  requests: ResourceRequest[],
) => Promise<Pick<AvailabilityInput, "rooms" | "equipment">>;

/**
 * One slice's best `input.limit` candidates and its earliest one: all that a ranking of the whole
 * window (`input`) can take from it. Candidates are first found and ranked without rooms (a room never
 * changes an option's score), then walked best first; a location's rooms and equipment are loaded,
 * one UTC day at a time, only when the walk reaches a candidate there. A network-wide search thus
 * reads the bookings of the few locations and days its best options are at, not every room's.
 */
export async function bestOfSlice(
  input: AvailabilityInput,
  window: ReturnType<typeof sliceWindow>,
  load: ResourceLoader,
): Promise<SlotCandidate[]> {
  const slice: AvailabilityInput = { ...input, from: window.from, to: window.to };
  const open = availableSlots({ ...slice, deferResources: true }).filter(window.keep);
  const type = input.appointmentType;
  if (open.length === 0 || (type.roomKind === null && type.equipmentKinds.length === 0)) return open;

  const resources: AvailabilityInput = { ...slice, rooms: [], equipment: [], deferResources: false };
  const allocator = resourceAllocator(resources);
  const rooms = new Map<string, RoomInfo>();
  const equipment = new Map<string, EquipmentInfo>();
  const loaded = new Set<string>();
  const daysOf = (c: SlotCandidate) => {
    const keys: Array<{ key: string; day: number }> = [];
    for (let day = Math.floor(c.start / DAY_MS); day * DAY_MS < c.end; day++)
      keys.push({ key: `${c.locationId}|${day}`, day });
    return keys;
  };
  const ready = (c: SlotCandidate) => daysOf(c).every((d) => loaded.has(d.key));
  /** Loads, in one call, the location-days of `candidates` not loaded yet. */
  const ensure = async (candidates: SlotCandidate[]) => {
    const missing = new Map<string, ResourceRequest>();
    for (const c of candidates) {
      for (const { key, day } of daysOf(c)) {
        if (!loaded.has(key) && !missing.has(key))
          missing.set(key, { locationId: c.locationId, from: day * DAY_MS, to: (day + 1) * DAY_MS });
      }
    }
    if (missing.size === 0) return;
    const more = await load([...missing.values()]);
    for (const key of missing.keys()) loaded.add(key);
    for (const r of more.rooms) {
      const known = rooms.get(r.id);
      rooms.set(r.id, known ? { ...known, busy: [...known.busy, ...r.busy] } : r);
    }
    for (const e of more.equipment) {
      const known = equipment.get(e.id);
      equipment.set(e.id, known ? { ...known, busy: [...known.busy, ...e.busy] } : e);
    }
    resources.rooms = [...rooms.values()];
    resources.equipment = [...equipment.values()];
    for (const r of missing.values()) allocator.changed(r.locationId);
  };

  // scored on the whole window's scale, as the final ranking will score them
  const ranked = rankOrder(input, open);
  const kept: SlotCandidate[] = [];
  let i = 0;
  // where rooms are scarce many candidates fail, so each load reaches further ahead than the last
  let reach = 1;
  while (i < ranked.length && kept.length < input.limit) {
    await ensure(ranked.slice(i, i + (input.limit - kept.length) * reach));
    reach *= 2;
    while (i < ranked.length && kept.length < input.limit && ready(ranked[i]!)) {
      const c = allocator.allocate(ranked[i++]!);
      if (c) kept.push(c);
    }
  }
  // the earliest bookable start, which a ranking marks "earliest available"
  const byStart = [...open].sort((a, b) => a.start - b.start);
  for (let j = 0; j < byStart.length; j++) {
    if (!ready(byStart[j]!)) await ensure(byStart.slice(j, j + 8));
    const c = allocator.allocate(byStart[j]!);
    if (!c) continue;
    if (
      !kept.some(
        (k) => k.physicianId === c.physicianId && k.locationId === c.locationId && k.start === c.start,
      )
    )
      kept.push(c);
    break;
  }
  return kept;
}
