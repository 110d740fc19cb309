/**
 * Capacity planning as a mixed-integer programme, in pure functions: which physician works which
 * weekday at which location in the coming weeks (one repeating week), so that each location's
 * demand for the specialty is covered with the least travel and the fewest idle hours.
 *
 *   x[p,l,d] ∈ {0,1}   physician p works a day of DAY_HOURS at location l on weekday d
 *   short[l] ≥ 0      demanded hours at l left uncovered;  idle[l] ≥ 0  hours planned beyond demand
 *   minimise  SHORT_COST·Σ short + Σ travel(home p → l)·x + IDLE_COST·Σ idle
 *   Σ_l x[p,l,d] ≤ 1 (one place a day)      DAY_HOURS·Σ x[p,·,·] ≤ contract hours
 *   Σ_p x[p,l,d] ≤ rooms of l               short[l] + DAY_HOURS·Σ x[·,l,·] ≥ demand[l]
 *   idle[l] − DAY_HOURS·Σ x[·,l,·] ≥ −demand[l]
 * x exists only where the contract allows the location and the weekday. `buildLp` writes it as
 * CPLEX LP text for HiGHS; `readSolution` turns HiGHS's columns back into assignments; `measure`
 * gives the figures a proposal is shown with (and today's plan, measured the same way).
 */

/** One worked day, in hours (an 08:00–16:00 session). */
export const DAY_HOURS = 8;
/** An uncovered demanded hour costs as much as this many minutes of travel: coverage comes first. */
export const SHORT_COST = 1000;
/** A planned hour beyond demand (a gap in a physician's day) costs this many minutes of travel. */
export const IDLE_COST = 10;

export interface Contract {
  physicianId: string;
  homeLocationId: string;
  locationIds: readonly string[];
  hoursPerWeek: number;
  /** ISO weekdays the physician may work. */
  weekdays: readonly number[];
}

export interface CapacityProblem {
  /** ISO weekdays being planned. */
  weekdays: readonly number[];
  contracts: readonly Contract[];
  /** Rooms a location can give the specialty on one day (at most this many physicians a day). */
  rooms: Readonly<Record<string, number>>;
  /** Demanded hours per week, per location (history and bookings, and the waiting list). */
  demand: Readonly<Record<string, number>>;
  /** The part of `demand` that is the waiting list's (see demand.ts); none when absent. */
  waitlist?: Readonly<Record<string, number>>;
  /** One-way travel minutes between locations: travel[from][to] (0 to itself). */
  travel: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export interface Assignment {
  physicianId: string;
  locationId: string;
  weekday: number;
}

export interface LocationFigures {
  locationId: string;
  demandHours: number;
  plannedHours: number;
  /** Share of demanded hours planned, 0…1 (1 when nothing is demanded). */
  coverage: number;
  shortHours: number;
  idleHours: number;
  /** Demanded hours that are the waiting list's (unmet demand: patients waiting for a slot). */
  waitlistHours: number;
  /** Of those, hours left uncovered (booked demand is served first, the waiting list from what is left). */
  waitlistShortHours: number;
  /** Days a new request waits, estimated as the uncovered week's backlog spread over what is planned. */
  expectedWaitDays: number;
}

export interface Figures {
  locations: LocationFigures[];
  coverage: number;
  shortHours: number;
  idleHours: number;
  waitlistHours: number;
  waitlistShortHours: number;
  /** Round-trip minutes from each physician's home location, per week. */
  travelMinutes: number;
  objective: number;
}

interface Column {
  name: string;
  p: number;
  l: string;
  d: number;
  contract: Contract;
}

/** The x columns: one per allowed (physician, location, weekday). */
function columnsOf(problem: CapacityProblem): Column[] {
  const cols: Column[] = [];
  problem.contracts.forEach((c, p) => {
    for (const d of problem.weekdays) {
      if (!c.weekdays.includes(d)) continue;
      for (const l of c.locationIds)
        if (l in problem.rooms)
          cols.push({ name: `x_${p}_${locIndex(problem, l)}_${d}`, p, l, d, contract: c });
    }
  });
  return cols;
}

const locationsOf = (problem: CapacityProblem) => Object.keys(problem.rooms).sort();
const locIndex = (problem: CapacityProblem, l: string) => locationsOf(problem).indexOf(l);
const travelOf = (problem: CapacityProblem, from: string, to: string) =>
  from === to ? 0 : (problem.travel[from]?.[to] ?? problem.travel[to]?.[from] ?? 0);

const terms = (pairs: Array<[number, string]>) =>
  pairs
    .filter(([k]) => k !== 0)
    .map(([k, v], i) => `${k < 0 ? "- " : i === 0 ? "" : "+ "}${Math.abs(k)} ${v}`)
    .join(" ") || "0 dummy";

/** The model as CPLEX LP text. */
export function buildLp(problem: CapacityProblem): string {
  const cols = columnsOf(problem);
  const locs = locationsOf(problem);
  const obj: Array<[number, string]> = [];
  locs.forEach((_, li) => {
    obj.push([SHORT_COST, `short_${li}`]);
    obj.push([IDLE_COST, `idle_${li}`]);
  });
  for (const c of cols) obj.push([2 * travelOf(problem, c.contract.homeLocationId, c.l), c.name]);
  const rows: string[] = [];
  problem.contracts.forEach((c, p) => {
    for (const d of problem.weekdays) {
      const day = cols.filter((x) => x.p === p && x.d === d);
      if (day.length > 1) rows.push(`day_${p}_${d}: ${terms(day.map((x) => [1, x.name]))} <= 1`);
    }
    const mine = cols.filter((x) => x.p === p);
    if (mine.length)
      rows.push(`hours_${p}: ${terms(mine.map((x) => [DAY_HOURS, x.name]))} <= ${c.hoursPerWeek}`);
  });
  locs.forEach((l, li) => {
    for (const d of problem.weekdays) {
      const here = cols.filter((x) => x.l === l && x.d === d);
      if (here.length)
        rows.push(`rooms_${li}_${d}: ${terms(here.map((x) => [1, x.name]))} <= ${problem.rooms[l] ?? 0}`);
    }
    const at = cols.filter((x) => x.l === l);
    const demand = problem.demand[l] ?? 0;
    rows.push(
      `cover_${li}: ${terms([[1, `short_${li}`], ...at.map((x): [number, string] => [DAY_HOURS, x.name])])} >= ${demand}`,
    );
    rows.push(
      `idle_${li}: ${terms([[1, `idle_${li}`], ...at.map((x): [number, string] => [-DAY_HOURS, x.name])])} >= ${-demand}`,
    );
  });
  return [
    "Minimize",
    ` obj: ${terms(obj)}`,
    "Subject To",
    ...rows.map((r) => ` ${r}`),
    "Bounds",
    ...cols.map((c) => ` 0 <= ${c.name} <= 1`),
    ...(cols.length ? ["General", ` ${cols.map((c) => c.name).join(" ")}`] : []),
    "End",
    "",
  ].join("\n");
}

/** The assignments HiGHS chose (columns at 1). */
export function readSolution(
  problem: CapacityProblem,
  columns: Record<string, { Primal: number }>,
): Assignment[] {
  return columnsOf(problem)
    .filter((c) => (columns[c.name]?.Primal ?? 0) > 0.5)
    .map((c) => ({ physicianId: c.contract.physicianId, locationId: c.l, weekday: c.d }))
    .sort((a, b) => a.physicianId.localeCompare(b.physicianId) || a.weekday - b.weekday);
}

const tenths = (v: number) => Math.round(v * 10) / 10;

/** The figures of a set of assignments (the proposal, or today's plan read the same way). */
export function measure(problem: CapacityProblem, assignments: readonly Assignment[]): Figures {
  const home = new Map(problem.contracts.map((c) => [c.physicianId, c.homeLocationId]));
  const locs = [...new Set([...locationsOf(problem), ...Object.keys(problem.demand)])].sort();
  let travelMinutes = 0;
  for (const a of assignments) {
    const h = home.get(a.physicianId);
    if (h) travelMinutes += 2 * travelOf(problem, h, a.locationId);
  }
  const locations = locs.map((l): LocationFigures => {
    const demandHours = problem.demand[l] ?? 0;
    const plannedHours = DAY_HOURS * assignments.filter((a) => a.locationId === l).length;
    const shortHours = Math.max(0, demandHours - plannedHours);
    const waitlistHours = Math.min(demandHours, problem.waitlist?.[l] ?? 0);
    return {
      locationId: l,
      demandHours,
      plannedHours,
      coverage: demandHours === 0 ? 1 : Math.min(1, plannedHours / demandHours),
      shortHours,
      idleHours: Math.max(0, plannedHours - demandHours),
      waitlistHours,
      waitlistShortHours: Math.min(waitlistHours, shortHours),
      expectedWaitDays:
        shortHours === 0
          ? 0
          : Math.min(365, Math.round((7 * shortHours) / Math.max(plannedHours, DAY_HOURS))),
    };
  });
  const demand = locations.reduce((s, x) => s + x.demandHours, 0);
  const shortHours = locations.reduce((s, x) => s + x.shortHours, 0);
  const idleHours = locations.reduce((s, x) => s + x.idleHours, 0);
  return {
    locations,
    coverage: demand === 0 ? 1 : (demand - shortHours) / demand,
    shortHours,
    idleHours,
    waitlistHours: tenths(locations.reduce((s, x) => s + x.waitlistHours, 0)),
    waitlistShortHours: tenths(locations.reduce((s, x) => s + x.waitlistShortHours, 0)),
    travelMinutes,
    objective: SHORT_COST * shortHours + IDLE_COST * idleHours + travelMinutes,
  };
}
