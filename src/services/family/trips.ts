/**
 * Family trips: one option per member, all at one location on one local day, close enough in time
 * that the family makes one journey. Pure: per-member options in (from each member's own search),
 * ranked trips out. What makes a trip:
 *
 * - every member's option is at the same location, on the same local date there;
 * - the visits form one stay: sorted by start, each begins at most `maxGapMinutes` after the latest
 *   end so far (back to back, or waiting a little), or while another member's visit runs;
 * - visits that run at the same time are with different physicians (each member's search knew
 *   nothing of the others' options). Rooms and equipment are not compared: every member's search
 *   shows the first free room, and the booking takes another free one for a visit at the same time
 *   (a location with one suitable room refuses the second visit then, naming that member).
 *
 * Ranked: earliest start first, then the shortest stay at the location, then the least travel (the
 * farthest member's home from the location; unknown last), then the members' own search ranking
 * (the sum of each option's position in its member's list), then the option ids. One trip per
 * location and start time: the best of those starting then.
 */

export interface MemberOption {
  id: string;
  start: number;
  end: number;
  physicianId: string;
  locationId: string;
  /** The local date at the location, YYYY-MM-DD. */
  day: string;
  /** From this member's home, when known. */
  distanceKm: number | null;
  /** Its position in this member's own search results (0: their best). */
  rank: number;
}

export interface TripRules {
  /** The longest wait between one visit ending and the next starting. */
  maxGapMinutes: number;
  /** How many trips to answer. */
  limit: number;
}

export const DEFAULT_MAX_GAP_MINUTES = 15;

export interface Trip<O extends MemberOption = MemberOption> {
  locationId: string;
  day: string;
  /** The first visit's start and the last visit's end: the stay at the location. */
  start: number;
  end: number;
  /** One option per member, in the members' order. */
  options: O[];
  /** The farthest member's home from the location; null when no member's home is known. */
  distanceKm: number | null;
}

const MINUTE = 60_000;

const overlap = (a: MemberOption, b: MemberOption) => a.start < b.end && b.start < a.end;

/** Two options that may both be taken: apart in time, or at once with different physicians. */
export const compatible = (a: MemberOption, b: MemberOption): boolean =>
  !overlap(a, b) || a.physicianId !== b.physicianId;

/**
 * Whether these options (one per member) make one trip under the rules above. The booking re-checks
 * the options a client sends back with this, whatever the trip's signature says.
 */
export function fitsOneTrip(options: readonly MemberOption[], maxGapMinutes: number): boolean {
  const first = options[0];
  if (!first) return false;
  if (options.some((o) => o.locationId !== first.locationId || o.day !== first.day)) return false;
  for (let i = 0; i < options.length; i++)
    for (let j = i + 1; j < options.length; j++) if (!compatible(options[i]!, options[j]!)) return false;
  const sorted = [...options].sort((a, b) => a.start - b.start);
  let reach = sorted[0]!.end;
  for (const o of sorted.slice(1)) {
    if (o.start > reach + maxGapMinutes * MINUTE) return false;
    reach = Math.max(reach, o.end);
  }
  return true;
}

function tripOf<O extends MemberOption>(options: O[]): Trip<O> {
  const known = options.map((o) => o.distanceKm).filter((d): d is number => d !== null);
  return {
    locationId: options[0]!.locationId,
    day: options[0]!.day,
    start: Math.min(...options.map((o) => o.start)),
    end: Math.max(...options.map((o) => o.end)),
    options,
    distanceKm: known.length ? Math.max(...known) : null,
  };
}

const rankSum = (t: Trip) => t.options.reduce((s, o) => s + o.rank, 0);
const idsOf = (t: Trip) => t.options.map((o) => o.id).join("\n");

/** Best first, as documented above. */
export function compareTrips(a: Trip, b: Trip): number {
  const da = a.distanceKm ?? Number.POSITIVE_INFINITY;
  const db = b.distanceKm ?? Number.POSITIVE_INFINITY;
  const ia = idsOf(a);
  const ib = idsOf(b);
  return (
    a.start - b.start ||
    a.end - a.start - (b.end - b.start) ||
    (da === db ? 0 : da < db ? -1 : 1) ||
    rankSum(a) - rankSum(b) ||
    (ia < ib ? -1 : ia > ib ? 1 : 0)
  );
}

/**
 * The best trips for these members (`members[i]` is member i's options). A member with no option
 * leaves no trip. The search walks each location's day in time order: after the visits chosen so
 * far, the next one (by start) must begin before the stay's reach plus the gap, which keeps the
 * candidates to a handful at each step.
 */
export function findTrips<O extends MemberOption>(
  members: readonly (readonly O[])[],
  rules: TripRules,
): Trip<O>[] {
  const n = members.length;
  if (n === 0 || members.some((m) => m.length === 0)) return [];
  const gap = rules.maxGapMinutes * MINUTE;

  // member by member, their options per location and day, by start
  const groups = new Map<string, O[][]>();
  members.forEach((options, i) => {
    for (const o of options) {
      const key = `${o.locationId}|${o.day}`;
      const g = groups.get(key) ?? members.map((): O[] => []);
      groups.set(key, g);
      g[i]!.push(o);
    }
  });

  const best = new Map<string, Trip<O>>();
  for (const perMember of groups.values()) {
    if (perMember.some((m) => m.length === 0)) continue;
    for (const m of perMember) m.sort((a, b) => a.start - b.start);
    const chosen: (O | undefined)[] = new Array(n).fill(undefined);
    const order: { member: number; option: O }[] = [];

    const consider = () => {
      const trip = tripOf([...chosen] as O[]);
      const key = `${trip.locationId}|${trip.start}`;
      const held = best.get(key);
      if (!held || compareTrips(trip, held) < 0) best.set(key, trip);
    };

    /** Picks the next visit in time order: start ≥ the last one's, within reach of the stay. */
    const extend = (reach: number, tripStart: number) => {
      if (order.length === n) return consider();
      const last = order[order.length - 1]!;
      // the stay only grows: a longer one than the best already starting then cannot win
      const held = best.get(`${last.option.locationId}|${tripStart}`);
      for (let i = 0; i < n; i++) {
        if (chosen[i]) continue;
        for (const o of perMember[i]!) {
          if (o.start < last.option.start || (o.start === last.option.start && i < last.member)) continue;
          if (o.start > reach + gap) break;
          if (held && Math.max(reach, o.end) - tripStart > held.end - held.start) continue;
          if (!order.every((c) => compatible(c.option, o))) continue;
          chosen[i] = o;
          order.push({ member: i, option: o });
          extend(Math.max(reach, o.end), tripStart);
          order.pop();
          chosen[i] = undefined;
        }
      }
    };

    for (let i = 0; i < n; i++) {
      for (const o of perMember[i]!) {
        chosen[i] = o;
        order.push({ member: i, option: o });
        extend(o.end, o.start);
        order.pop();
        chosen[i] = undefined;
      }
    }
  }
  return [...best.values()].sort(compareTrips).slice(0, rules.limit);
}
