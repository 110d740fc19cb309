/**
 * What the no-show model knows of one visit, and how it becomes a vector of numbers. Pure: the
 * network's history (through scheduling's read) and a CSV of someone else's history both arrive
 * as `Visit`s; a feature missing from the data (or the same for every visit) is left out.
 */

/** One appointment as the model sees it; `noShow` is the outcome (unknown for upcoming ones). */
export interface Visit {
  /** When it was booked. */
  bookedAt: Date;
  /** When it starts (a visit day without a time counts as its midnight). */
  start: Date;
  noShow?: boolean;
  /** Weekday (0 = Sunday) and hour at the location, when the source knows the local time. */
  weekday?: number | null;
  hour?: number | null;
  age?: number | null;
  priorNoShows?: number | null;
  priorCancellations?: number | null;
  remindersSent?: number | null;
  distanceKm?: number | null;
  appointmentType?: string | null;
  telehealth?: boolean | null;
  /** Other yes/no or numeric facts a source holds (a CSV's mapped columns). */
  extra?: Record<string, number>;
}

const DAY_MS = 86_400_000;

/** Days between booking and the visit (0 for same-day or walk-in). */
export function leadDays(v: Pick<Visit, "bookedAt" | "start">): number {
  return Math.max(0, (v.start.getTime() - v.bookedAt.getTime()) / DAY_MS);
}

export const AGE_BANDS = ["0-17", "18-39", "40-64", "65+"] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export function ageBand(age: number): AgeBand {
  if (age < 18) return "0-17";
  if (age < 40) return "18-39";
  if (age < 65) return "40-64";
  return "65+";
}

const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

/** A numeric column: its value for a visit, or undefined when the visit does not say. */
type Numeric = (v: Visit) => number | undefined;
/** A categorical column: its level for a visit, or undefined. */
type Categorical = (v: Visit) => string | undefined;

const known = <T>(x: T | null | undefined): T | undefined => (x === null ? undefined : x);

/** The numeric candidates, transformed so a logistic model can use them (counts and days on a log scale). */
const NUMERIC: Record<string, Numeric> = {
  leadDays: (v) => Math.log1p(leadDays(v)),
  sameDay: (v) => (leadDays(v) < 1 ? 1 : 0),
  hour: (v) => known(v.hour),
  priorNoShows: (v) => {
    const n = known(v.priorNoShows);
    return n === undefined ? undefined : Math.log1p(n);
  },
  priorCancellations: (v) => {
    const n = known(v.priorCancellations);
    return n === undefined ? undefined : Math.log1p(n);
  },
  remindersSent: (v) => known(v.remindersSent),
  distanceKm: (v) => {
    const d = known(v.distanceKm);
    return d === undefined ? undefined : Math.log1p(d);
  },
  telehealth: (v) => {
    const t = known(v.telehealth);
    return t === undefined ? undefined : t ? 1 : 0;
  },
};

const CATEGORICAL: Record<string, Categorical> = {
  ageBand: (v) => {
    const a = known(v.age);
    return a === undefined ? undefined : ageBand(a);
  },
  weekday: (v) => {
    const d = known(v.weekday);
    return d === undefined ? undefined : WEEKDAYS[d];
  },
  appointmentType: (v) => known(v.appointmentType),
};

/** How raw visits become standardised vectors: learned from the training visits, stored with the model. */
export interface FeatureSpec {
  /** Numeric features in order, with the training mean and standard deviation (a missing value counts as the mean). */
  numeric: { name: string; mean: number; sd: number }[];
  /** Categorical features: one 0/1 column per common level seen in training; the most common level, and the rare ones, are the reference. */
  categorical: { name: string; levels: string[]; reference: string }[];
}

/** The names of the vector's columns, in order (the intercept not included). */
export function columnNames(spec: FeatureSpec): string[] {
  return [
    ...spec.numeric.map((n) => n.name),
    ...spec.categorical.flatMap((c) => c.levels.map((l) => `${c.name}=${l}`)),
  ];
}

function numericValue(name: string, v: Visit): number | undefined {
  const f = NUMERIC[name];
  if (f) return f(v);
  if (name.startsWith("extra.")) return v.extra?.[name.slice(6)];
  return undefined;
}

/** Levels seen fewer times than this are folded into the reference (no column of noise). */
const MIN_LEVEL_COUNT = 5;
/** At most this many columns per categorical feature (the most common levels): training time grows with columns. */
const MAX_LEVELS = 8;

/**
 * The features the training visits hold: a numeric one known for at least half of them and not
 * constant; a categorical one with at least two levels. `only` limits the candidates by name
 * (the lead-time baseline is `["leadDays"]`).
 */
export function learnFeatures(visits: readonly Visit[], only?: readonly string[]): FeatureSpec {
  const wanted = (name: string) => !only || only.includes(name);
  const extras = new Set<string>();
  for (const v of visits) for (const k of Object.keys(v.extra ?? {})) extras.add(`extra.${k}`);
  const numeric: FeatureSpec["numeric"] = [];
  for (const name of [...Object.keys(NUMERIC), ...[...extras].sort()]) {
    if (!wanted(name)) continue;
    const values = visits.map((v) => numericValue(name, v)).filter((x): x is number => Number.isFinite(x));
    if (values.length === 0 || values.length < visits.length / 2) continue;
    const mean = values.reduce((s, x) => s + x, 0) / values.length;
    const variance = values.reduce((s, x) => s + (x - mean) ** 2, 0) / values.length;
    if (variance < 1e-12) continue;
    numeric.push({ name, mean, sd: Math.sqrt(variance) });
  }
  const categorical: FeatureSpec["categorical"] = [];
  for (const [name, f] of Object.entries(CATEGORICAL)) {
    if (!wanted(name)) continue;
    const counts = new Map<string, number>();
    for (const v of visits) {
      const level = f(v);
      if (level !== undefined) counts.set(level, (counts.get(level) ?? 0) + 1);
    }
    const byCount = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const kept = byCount.filter(([, n]) => n >= MIN_LEVEL_COUNT).slice(0, MAX_LEVELS + 1);
    if (kept.length < 2) continue;
    const [reference, ...rest] = kept.map(([level]) => level);
    categorical.push({ name, reference: reference!, levels: rest.sort() });
  }
  return { numeric, categorical };
}

/** One visit as the model's input: standardised numeric values, then the 0/1 level columns. */
export function vectorOf(spec: FeatureSpec, v: Visit): number[] {
  const out: number[] = [];
  for (const { name, mean, sd } of spec.numeric) {
    const x = numericValue(name, v);
    out.push(x === undefined || !Number.isFinite(x) ? 0 : (x - mean) / sd);
  }
  for (const { name, levels } of spec.categorical) {
    const level = CATEGORICAL[name]?.(v);
    for (const l of levels) out.push(level === l ? 1 : 0);
  }
  return out;
}
