/**
 * Rounds benchmark (`npm run bench`): the large network on a real PostgreSQL server, ~70% of the
 * next 14 days booked, one API process; measures availability search, the unified schedule,
 * booking throughput over HTTP (spread-out and contended) next to the database's own insert rate,
 * the server's peak memory, a mixed workload on one and on two API replicas, and `npm start` on
 * the embedded database. Each part lives in `bench/parts/`; this file parses the command line,
 * runs the parts asked for in order and prints one JSON document. See bench/README.md.
 */
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";
import { DEMO_PASSWORD, DEMO_USERS } from "../src/seed/index.js";
import { availabilityFigure, measureAvailability } from "./parts/availability.js";
import {
  bookingThroughput,
  collectOptions,
  type HammerResult,
  searchesDuringBookings,
} from "./parts/booking.js";
import { capacityPart } from "./parts/capacity.js";
import { capacityPlansPart } from "./parts/capacity-plans.js";
import { ADMIN, type BenchOptions, log, ms, pct } from "./parts/common.js";
import { measureCompliance } from "./parts/compliance.js";
import { contendedOption } from "./parts/contended.js";
import { measureEmbedded } from "./parts/embedded.js";
import { measureFhir } from "./parts/fhir.js";
import { peakRssMb } from "./parts/memory.js";
import { mixedOnReplicas } from "./parts/mixed.js";
import { readNetwork, searchWindow } from "./parts/network.js";
import { scaleOut } from "./parts/replicas.js";
import { measureReports } from "./parts/reports.js";
import { measureSchedule } from "./parts/schedule.js";
import { prepareDatabase } from "./parts/seed.js";
import { getter, signIn, startServer } from "./parts/server.js";
import { sqlInsertRate } from "./parts/sql.js";
import { measureStartup } from "./parts/startup.js";
import { countStatementsPerBooking } from "./parts/statements.js";
import { measureSuggestions } from "./parts/suggestions.js";
import { targets } from "./parts/targets.js";

const { values: args } = parseArgs({
  options: {
    server: { type: "string", default: process.env.BENCH_PG_SERVER ?? "postgres://postgres@127.0.0.1:5432" },
    database: { type: "string", default: "rounds_bench" },
    reuse: { type: "boolean", default: false },
    requests: { type: "string", default: "300" },
    clients: { type: "string", default: "64" },
    seconds: { type: "string", default: "15" },
    only: {
      type: "string",
      default:
        "startup,capacity,availability,suggestions,schedule,reports,compliance,booking,mixed,contended,sql,replicas",
    },
    runs: { type: "string", default: "5" },
    scale: { type: "string", default: "large" },
    // `.ci/run` reinstalls node_modules, so the bench does not run it; pass its time to list it
    "ci-seconds": { type: "string" },
  },
});
const opts: BenchOptions = {
  server: args.server,
  database: args.database,
  databaseUrl: `${args.server}/${args.database}`,
  reuse: args.reuse,
  scale: args.scale === "small" ? "small" : "large",
  requests: Number(args.requests),
  clients: Number(args.clients),
  seconds: Number(args.seconds),
  only: new Set(args.only.split(",")),
  runs: Number(args.runs),
  // the demo network comes with its own administrator, so the server makes no other
  admin: args.scale === "small" ? { email: DEMO_USERS[0]!.email, password: DEMO_PASSWORD } : ADMIN,
};
const ONLY = opts.only;
/** The parts that measure one API process on the seeded database. */
const ONE_PROCESS_PARTS = [
  "availability",
  "suggestions",
  "schedule",
  "fhir",
  "reports",
  "compliance",
  "booking",
  "mixed",
  "contended",
  "sql",
];

async function main(): Promise<void> {
  // `npm start` on the embedded database: needs no PostgreSQL server, so it runs first
  const startup = ONLY.has("startup") ? await measureStartup(opts.runs) : undefined;
  // the demo network served by `npm start`: idle memory, searches and bookings (not in the default run)
  const embedded = ONLY.has("embedded") ? await measureEmbedded(opts.requests) : undefined;
  if ([...ONLY].every((part) => part === "startup" || part === "embedded")) {
    console.log(JSON.stringify({ startup, embedded }, null, 2));
    return;
  }
  await prepareDatabase(opts);
  const bookablePhysicianMinutesPerDay = ONLY.has("capacity")
    ? await capacityPart(opts.databaseUrl, opts.scale)
    : undefined;
  // capacity planning's MIP per specialty (not in the default run: `--only capacity-plans`)
  const capacityPlans = ONLY.has("capacity-plans") ? await capacityPlansPart(opts.databaseUrl) : undefined;
  if (!ONE_PROCESS_PARTS.some((part) => ONLY.has(part))) {
    const replicas = ONLY.has("replicas") ? await mixedOnReplicas(opts) : undefined;
    // the mixed workload on 1, 2 and 4 API processes (not in the default run: `--only scale-out`)
    const scale = ONLY.has("scale-out") ? await scaleOut(opts) : undefined;
    console.log(
      JSON.stringify(
        { startup, bookablePhysicianMinutesPerDay, capacityPlans, replicas, scaleOut: scale },
        null,
        2,
      ),
    );
    return;
  }
  const server = await startServer(opts);
  const headers = await signIn(server.url, opts.admin);
  const get = getter(server.url, headers);

  const direct = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.clients });
  const network = await readNetwork(direct);
  const { physicianIds, patientIds } = network;
  log(
    `${physicianIds.length} physicians, ${network.activeAppointmentsNext14Days} active appointments in the next 14 days`,
  );

  // 1. availability for a specialty across all locations, 14 days, first 20 options
  const window = searchWindow();
  const availability = ONLY.has("availability")
    ? await measureAvailability(get, network, window, opts.requests)
    : { latencies: [], empty: 0 };

  // 1b. "suggested for you" beside the same patient's search
  const suggestions = ONLY.has("suggestions")
    ? await measureSuggestions(get, network, window, opts.requests)
    : undefined;

  // 2. one physician's unified 30-day schedule
  const schedule = ONLY.has("schedule") ? await measureSchedule(get, physicianIds, opts.requests) : [];

  // 2a. the FHIR endpoint: $bulk-publish and the reference-data searches (bench/parts/fhir.ts; `--only fhir`)
  const fhir = ONLY.has("fhir")
    ? await measureFhir(
        server.url,
        {
          physicianIds,
          locationIds: (
            await direct.query<{ id: string }>("SELECT id FROM locations ORDER BY code")
          ).rows.map((r) => r.id),
        },
        opts.requests,
      )
    : undefined;

  // 2b. the reports, network-wide over 90 days (bench/parts/reports.ts)
  const reports = ONLY.has("reports") ? await measureReports(get, opts.requests) : undefined;
  // 2c. compliance monitoring: catching up with the trail, then checks of the new events only
  const compliance = ONLY.has("compliance") ? await measureCompliance(get, opts.requests) : undefined;

  // 3. spread-out bookings: non-overlapping options of many physicians, distinct patients
  const wantOptions =
    ONLY.has("booking") || ONLY.has("mixed")
      ? opts.clients * opts.seconds * 150
      : ONLY.has("contended")
        ? 1
        : 0;
  const options = await collectOptions(get, direct, physicianIds, window, wantOptions);
  log(`collected ${options.length} spread-out options`);
  const bookingResult = ONLY.has("booking")
    ? await bookingThroughput(server, headers, options, patientIds, opts.seconds, opts.clients)
    : undefined;

  // 4. searches while bookings change the schedule
  let mixed: { bookings: HammerResult; availabilityMs: object } | undefined;
  if (ONLY.has("mixed")) {
    const used = bookingResult?.attempted ?? 0;
    // patients who have not booked yet in this run
    const fresh = [
      ...patientIds.slice(used % patientIds.length),
      ...patientIds.slice(0, used % patientIds.length),
    ];
    mixed = await searchesDuringBookings(server, headers, get, network, window, options.slice(used), fresh);
  }

  // 5. one contended option, 64 clients at once
  const contended = ONLY.has("contended")
    ? await contendedOption(server.url, headers, options[options.length - 1]!, patientIds, opts.clients)
    : { clients: opts.clients, created: 0, conflicts: 0, other: [] };

  // 6. the database's own limit: the same appointment insert straight in SQL, same concurrency
  const sqlRate = ONLY.has("sql") ? await sqlInsertRate(direct, opts.seconds, opts.clients) : undefined;
  const peak = peakRssMb(server.pid);
  await server.stop();
  // statements per booking, counted around the booking service in this process (bench/parts/statements.ts)
  const statements = ONLY.has("booking") ? await countStatementsPerBooking(opts.databaseUrl) : undefined;
  await direct.end();

  // 7. the mixed workload on two API replicas and on one (starts its own processes)
  const replicas = ONLY.has("replicas") ? await mixedOnReplicas(opts) : undefined;

  const result = {
    machine: { cores: cpus().length, cpu: cpus()[0]?.model },
    network: {
      physicians: physicianIds.length,
      activeAppointmentsNext14Days: network.activeAppointmentsNext14Days,
    },
    availabilityMs: availabilityFigure(opts.requests, availability.latencies, availability.empty),
    suggestions,
    schedule30DaysMs: { requests: opts.requests, p50: ms(pct(schedule, 50)), p95: ms(pct(schedule, 95)) },
    reportsMs: reports,
    complianceMs: compliance,
    fhir,
    bookingHttp: bookingResult && {
      ...bookingResult,
      statementsPerBooking: statements?.mean,
    },
    statementsPerBooking: statements,
    searchesDuringBookings: mixed,
    contendedOption: contended,
    sqlInsertPerSecond: sqlRate,
    httpToSqlRatio:
      bookingResult && sqlRate
        ? Math.round((bookingResult.successPerSecond / sqlRate) * 1000) / 1000
        : undefined,
    serverPeakRssMb: peak,
    bookablePhysicianMinutesPerDay,
    startup,
    embedded,
    replicas,
    targets: undefined as ReturnType<typeof targets> | undefined,
  };
  result.targets = targets(result, args["ci-seconds"] === undefined ? undefined : Number(args["ci-seconds"]));
  console.log(JSON.stringify(result, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
