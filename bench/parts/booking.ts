/**
 * Booking over HTTP: many clients booking spread-out options at once (throughput, conflicts,
 * latency, CPU per booking), and searches while bookings change the schedule.
 */
import type pg from "pg";
import { specialtySearch } from "./availability.js";
import { ms, pct } from "./common.js";
import { cpuSeconds, postgresCpuSeconds } from "./memory.js";
import type { BenchNetwork } from "./network.js";
import type { Timed } from "./server.js";

export type HammerResult = Awaited<ReturnType<typeof hammer>>;

/**
 * Non-overlapping options of many physicians who take new patients, about `want` of them, handed
 * out round-robin over physicians: concurrent clients book for different physicians, as a
 * network's many front desks would, instead of queueing on one physician's lock.
 */
export async function collectOptions(
  get: (path: string) => Promise<Timed>,
  direct: pg.Pool,
  physicianIds: string[],
  window: { from: string; to: string },
  want: number,
): Promise<string[]> {
  const perPhysician: string[][] = [];
  let collected = 0;
  for (let i = 0; collected < want && i < physicianIds.length; i++) {
    const pid = physicianIds[(i * 13) % physicianIds.length]!;
    const types = (
      await direct.query<{ id: string }>(
        // bookings are for patients new to the physician: only physicians taking new patients
        "SELECT t.id FROM appointment_types t JOIN physicians p ON p.primary_specialty = t.specialty WHERE p.id = $1 AND p.accepts_new_patients AND t.visit_kind = 'new' LIMIT 1",
        [pid],
      )
    ).rows;
    if (!types[0]) continue;
    const r = await get(
      `/api/v1/availability?appointmentTypeId=${types[0].id}&physicianId=${pid}&from=${window.from}&to=${window.to}&limit=200`,
    );
    let lastEnd = "";
    const mine: string[] = [];
    for (const o of (r.body as { options: Array<{ id: string; start: string; end: string }> }).options.sort(
      (a, b) => a.start.localeCompare(b.start),
    )) {
      if (o.start >= lastEnd) {
        mine.push(o.id);
        lastEnd = o.end;
      }
    }
    perPhysician.push(mine);
    collected += mine.length;
  }
  const options: string[] = [];
  for (let k = 0; options.length < collected; k++) {
    for (const mine of perPhysician) if (k < mine.length) options.push(mine[k]!);
  }
  return options;
}

/** `clients` clients book `options[i]` for `patients[i]` until the options or `seconds` run out. */
export async function hammer(
  url: string,
  headers: Record<string, string>,
  options: string[],
  patients: string[],
  seconds: number,
  clients: number,
) {
  let next = 0;
  let ok = 0;
  let conflicts = 0;
  let serverErrors = 0;
  let other = 0;
  const conflictReasons: Record<string, number> = {};
  const latencies: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < deadline && next < options.length) {
        const i = next++;
        const t = performance.now();
        const res = await fetch(`${url}/api/v1/appointments`, {
          method: "POST",
          headers,
          body: JSON.stringify({ optionId: options[i], patientId: patients[i % patients.length] }),
        });
        const body = (await res.json().catch(() => ({}))) as { reason?: string };
        latencies.push(performance.now() - t);
        if (res.status === 201) ok++;
        else if (res.status === 409) {
          conflicts++;
          const reason = body.reason ?? "other";
          conflictReasons[reason] = (conflictReasons[reason] ?? 0) + 1;
        } else if (res.status >= 500) serverErrors++;
        else other++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    clients,
    attempted: ok + conflicts + serverErrors + other,
    created: ok,
    conflicts,
    conflictReasons,
    serverErrors,
    other,
    seconds: Math.round(elapsed * 10) / 10,
    successPerSecond: Math.round(ok / elapsed),
    latencyMs: { p50: ms(pct(latencies, 50)), p95: ms(pct(latencies, 95)) },
  };
}

/**
 * Booking throughput with `clients` clients for `seconds`, and where the time went: CPU
 * milliseconds per created appointment in the API process and in PostgreSQL.
 */
export async function bookingThroughput(
  server: { url: string; pid: number },
  headers: Record<string, string>,
  options: string[],
  patients: string[],
  seconds: number,
  clients: number,
) {
  const cpuBefore = { api: cpuSeconds(server.pid), db: postgresCpuSeconds() };
  const result = await hammer(server.url, headers, options, patients, seconds, clients);
  const cpuPerBookingMs = result.created
    ? {
        api: ms(((cpuSeconds(server.pid) - cpuBefore.api) * 1000) / result.created),
        database: ms(((postgresCpuSeconds() - cpuBefore.db) * 1000) / result.created),
      }
    : undefined;
  // statements per booking (counted on the server) belong here, beside the CPU they cost
  return { ...result, cpuPerBookingMs };
}

/**
 * One client searches as in the availability part while 16 clients book for 10 s: every booking
 * makes the searches' cached days be read again, so this is the number a busy network sees.
 */
export async function searchesDuringBookings(
  server: { url: string },
  headers: Record<string, string>,
  get: (path: string) => Promise<Timed>,
  network: BenchNetwork,
  window: { from: string; to: string },
  options: string[],
  patients: string[],
) {
  const during: number[] = [];
  let done = false;
  const searching = (async () => {
    for (let i = 0; !done; i++) {
      const r = await get(specialtySearch(network, window, i));
      if (r.status !== 200) throw new Error(`availability ${r.status} ${JSON.stringify(r.body)}`);
      during.push(r.ms);
    }
  })();
  const bookings = await hammer(server.url, headers, options, patients, 10, 16);
  done = true;
  await searching;
  return {
    bookings,
    availabilityMs: { requests: during.length, p50: ms(pct(during, 50)), p95: ms(pct(during, 95)) },
  };
}
