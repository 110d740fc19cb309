/**
 * Equipment that travels between the network's locations (a portable ultrasound, an ECG cart):
 * when it can be used somewhere, and the trips it makes between its uses. Pure: uses, a home and
 * the travel matrix in, answers out.
 *
 * The rule: an item can be used at a location when no use of it overlaps and there is time to
 * bring it there from wherever its previous use leaves it (or from home, where it waits when it
 * has none) and to take it on to its next use. Between two uses it stays put when both are at one
 * location, goes home in between when the gap leaves time for both trips, and otherwise goes
 * straight from one to the next; it comes from home before its first use and goes home after its
 * last. The reserved interval of each use (its transport before and after, `legBetween`) is what
 * the database's exclusion constraint holds apart.
 */
import { MINUTE_MS } from "./intervals.js";
import type { EquipmentInfo, Interval } from "./types.js";

/** One use of an item: an appointment's time and place. */
export interface Use extends Interval {
  locationId: string;
}

type TravelMinutes = (fromLocationId: string, toLocationId: string) => number;

/** Travel in milliseconds as the engine counts it: an unknown time (NaN) can never be made. */
export function travelMs(travelMinutes: TravelMinutes, from: string, to: string): number {
  if (from === to) return 0;
  const minutes = travelMinutes(from, to);
  return Number.isNaN(minutes) ? Number.POSITIVE_INFINITY : Math.max(0, minutes) * MINUTE_MS;
}

/** An item's uses with their places (a use without one is at home), by start, each once. */
export function usesOf(item: Pick<EquipmentInfo, "locationId" | "busy">): Use[] {
  const uses = item.busy
    .map((b) => ({ start: b.start, end: b.end, locationId: b.locationId ?? item.locationId }))
    .sort((a, b) => a.start - b.start || a.end - b.end || (a.locationId < b.locationId ? -1 : 1));
  return uses.filter(
    (u, i) =>
      i === 0 ||
      u.start !== uses[i - 1]!.start ||
      u.end !== uses[i - 1]!.end ||
      u.locationId !== uses[i - 1]!.locationId,
  );
}

/**
 * The items of a kind an appointment at `locationId` may use, in the order they are tried: the
 * location's own by id, then equipment that travels from other locations, nearest home first.
 */
export function equipmentCandidates<T extends Pick<EquipmentInfo, "id" | "locationId" | "kind" | "travels">>(
  items: readonly T[],
  kind: string,
  locationId: string,
  travelMinutes: TravelMinutes,
): T[] {
  const byId = (a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const own = items.filter((e) => e.kind === kind && e.locationId === locationId).sort(byId);
  const away = (e: T) => travelMs(travelMinutes, e.locationId, locationId);
  const visiting = items
    .filter((e) => e.kind === kind && e.travels === true && e.locationId !== locationId)
    .sort((a, b) => away(a) - away(b) || byId(a, b));
  return [...own, ...visiting];
}

/**
 * Whether the item can be used at `locationId` over `slot`: no use overlaps, it can be brought
 * from its previous use's place in time and taken to its next use's place in time. `uses` must
 * not overlap one another (the database's exclusion constraint holds them apart).
 */
export function canTravelTo(
  uses: readonly Use[],
  locationId: string,
  slot: Interval,
  travelMinutes: TravelMinutes,
): boolean {
  let previous: Use | undefined;
  let next: Use | undefined;
  for (const u of uses) {
    if (u.start < slot.end && u.end > slot.start) return false;
    if (u.end <= slot.start && (!previous || u.end > previous.end)) previous = u;
    if (u.start >= slot.end && (!next || u.start < next.start)) next = u;
  }
  if (previous && previous.end + travelMs(travelMinutes, previous.locationId, locationId) > slot.start)
    return false;
  if (next && slot.end + travelMs(travelMinutes, locationId, next.locationId) > next.start) return false;
  return true;
}

/**
 * The starts `canTravelTo` refuses, as open ranges for the engine: around each use, the
 * appointment must end in time to bring the item there, or start after it has been brought on.
 * Only the neighbouring uses bind, so each range stops where the use before or after it takes
 * over (which keeps the overlap with that use ruled out). `uses` sorted by start, not overlapping.
 */
export function excludeAroundUses(
  add: (lo: number, hi: number) => void,
  uses: readonly Use[],
  locationId: string,
  durationMs: number,
  ms: (from: string, to: string) => number,
): void {
  for (let i = 0; i < uses.length; i++) {
    const u = uses[i]!;
    const before = uses[i - 1];
    const after = uses[i + 1];
    const lo = u.start - durationMs - ms(locationId, u.locationId);
    const hi = u.end + ms(u.locationId, locationId);
    add(before ? Math.max(lo, before.start - durationMs) : lo, after ? Math.min(hi, after.end) : hi);
  }
}

/** Whole minutes a transport window may hold (the database's range is 0-1440). */
const storable = (minutes: number) =>
  Number.isFinite(minutes) ? Math.min(1440, Math.max(0, Math.ceil(minutes))) : 0;

/** The trip between two uses (or home, when one is missing), as the reserved intervals keep it. */
export interface Leg {
  /** Minutes reserved after the earlier use: taking it home. */
  after: number;
  /** Minutes reserved before the later use: bringing it there. */
  before: number;
  /** Where the later use's transport comes from (home, or the earlier use's place). */
  from: string;
}

/**
 * The trip from one use to the next, and where the item waits: it stays when both are at one
 * place, goes home in between when the gap leaves time for both trips, else goes straight on
 * (the straight trip never reserves more than the gap: with a travel matrix that breaks the
 * triangle inequality, the way through a cancelled use's place was quicker). `previous` null:
 * it comes from home; `next` null: it goes home.
 */
export function legBetween(
  previous: Use | null,
  next: Use | null,
  home: string,
  travelMinutes: TravelMinutes,
): Leg {
  const minutes = (a: string, b: string) => (a === b ? 0 : storable(travelMinutes(a, b)));
  if (!previous) return { after: 0, before: next ? minutes(home, next.locationId) : 0, from: home };
  if (!next) return { after: minutes(previous.locationId, home), before: 0, from: home };
  if (previous.locationId === next.locationId) return { after: 0, before: 0, from: previous.locationId };
  const gap = Math.max(0, Math.floor((next.start - previous.end) / MINUTE_MS));
  const known = (a: string, b: string) => a === b || Number.isFinite(travelMinutes(a, b));
  const out = minutes(previous.locationId, home);
  const back = minutes(home, next.locationId);
  if (known(previous.locationId, home) && known(home, next.locationId) && out + back <= gap)
    return { after: out, before: back, from: home };
  return {
    after: 0,
    before: Math.min(gap, minutes(previous.locationId, next.locationId)),
    from: previous.locationId,
  };
}

/** One trip of an item between two locations. */
export interface Trip {
  fromLocationId: string;
  toLocationId: string;
  departs: number;
  arrives: number;
}

/** The trips an item makes around its uses (`uses` sorted by start, not overlapping), in order. */
export function tripsOf(uses: readonly Use[], home: string, travelMinutes: TravelMinutes): Trip[] {
  const trips: Trip[] = [];
  for (let i = 0; i <= uses.length; i++) {
    const previous = uses[i - 1] ?? null;
    const next = uses[i] ?? null;
    if (!previous && !next) break;
    const leg = legBetween(previous, next, home, travelMinutes);
    if (previous && leg.after > 0)
      trips.push({
        fromLocationId: previous.locationId,
        toLocationId: home,
        departs: previous.end,
        arrives: previous.end + leg.after * MINUTE_MS,
      });
    if (next && leg.before > 0)
      trips.push({
        fromLocationId: leg.from,
        toLocationId: next.locationId,
        departs: next.start - leg.before * MINUTE_MS,
        arrives: next.start,
      });
  }
  return trips;
}

/** Where an item is at an instant: in use somewhere, on the road, or waiting somewhere. */
export type Whereabouts =
  | { state: "in_use"; locationId: string; until: number }
  | { state: "moving"; fromLocationId: string; toLocationId: string; until: number }
  | { state: "waiting"; locationId: string };

export function whereabouts(
  uses: readonly Use[],
  trips: readonly Trip[],
  home: string,
  at: number,
): Whereabouts {
  const use = uses.find((u) => u.start <= at && at < u.end);
  if (use) return { state: "in_use", locationId: use.locationId, until: use.end };
  const trip = trips.find((t) => t.departs <= at && at < t.arrives);
  if (trip)
    return {
      state: "moving",
      fromLocationId: trip.fromLocationId,
      toLocationId: trip.toLocationId,
      until: trip.arrives,
    };
  // where the last thing that happened before now left it
  let place = home;
  let last = Number.NEGATIVE_INFINITY;
  for (const u of uses)
    if (u.end <= at && u.end >= last) {
      last = u.end;
      place = u.locationId;
    }
  for (const t of trips)
    if (t.arrives <= at && t.arrives >= last) {
      last = t.arrives;
      place = t.toLocationId;
    }
  return { state: "waiting", locationId: place };
}
