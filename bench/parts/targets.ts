/**
 * The targets, each figure beside its value before the work and the value of this run,
 * computed here so no reader has to divide (bench/README.md, "Targets").
 */

interface TargetInputs {
  availabilityMs: { p95: number };
  bookingHttp?: {
    successPerSecond: number;
    clients: number;
    cpuPerBookingMs?: { api: number; database: number } | undefined;
    statementsPerBooking?: number;
  };
  searchesDuringBookings?: { availabilityMs: object; bookings: { clients: number } } | undefined;
  sqlInsertPerSecond?: number | undefined;
  serverPeakRssMb: number;
  startup?:
    | {
        fresh: { readyMs: { median: number } };
        restart: { readyMs: { median: number }; serverRssMb: { median: number } };
      }
    | undefined;
}

export interface Target {
  figure: string;
  before: string;
  target: string;
  /** This run's value; null where the part was not run. */
  now: number | string | null;
  met: boolean | null;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

function target(
  figure: string,
  before: string,
  goal: string,
  now: number | null,
  within: (n: number) => boolean,
): Target {
  return { figure, before, target: goal, now, met: now === null ? null : within(now) };
}

export function targets(r: TargetInputs, ciSeconds: number | undefined): Target[] {
  const b = r.bookingHttp;
  const ratio = b && r.sqlInsertPerSecond ? round(b.successPerSecond / r.sqlInsertPerSecond, 3) : null;
  const during = r.searchesDuringBookings?.availabilityMs as { p95?: number } | undefined;
  const p95 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? null : n);
  return [
    target(
      `HTTP bookings/s ÷ raw SQL INSERT/s (${b?.clients ?? 64} clients)`,
      "0.036",
      "≥ 0.25",
      ratio,
      (n) => n >= 0.25,
    ),
    target("CPU per booking, API (ms)", "9.1", "≤ 2.5", b?.cpuPerBookingMs?.api ?? null, (n) => n <= 2.5),
    target(
      "CPU per booking, PostgreSQL (ms)",
      "6.0",
      "≤ 2",
      b?.cpuPerBookingMs?.database ?? null,
      (n) => n <= 2,
    ),
    target("statements per booking", "~15", "≤ 6", b?.statementsPerBooking ?? null, (n) => n <= 6),
    target(
      `search p95 while ${r.searchesDuringBookings?.bookings.clients ?? 16} clients book (ms)`,
      "155",
      "≤ 50",
      p95(during?.p95),
      (n) => n <= 50,
    ),
    target("search p95 alone (ms)", "28", "≤ 15", p95(r.availabilityMs.p95), (n) => n <= 15),
    target(
      "resident memory, idle demo server after a restart (MB)",
      "540",
      "≤ 200",
      r.startup?.restart.serverRssMb.median ?? null,
      (n) => n <= 200,
    ),
    target("resident memory, bench API peak (MB)", "645", "≤ 400", r.serverPeakRssMb, (n) => n <= 400),
    target(
      "npm start ready, fresh (s)",
      "14.5–20",
      "≤ 8",
      r.startup ? round(r.startup.fresh.readyMs.median / 1000, 1) : null,
      (n) => n <= 8,
    ),
    target(
      "npm start ready, restart (s)",
      "5.5–9.5",
      "≤ 2",
      r.startup ? round(r.startup.restart.readyMs.median / 1000, 1) : null,
      (n) => n <= 2,
    ),
    // `.ci/run` reinstalls node_modules, so the bench takes its time from `--ci-seconds`
    target(".ci/run (s), with the suite doubled", "311", "≤ 480", ciSeconds ?? null, (n) => n <= 480),
  ];
}
