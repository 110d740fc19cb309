/**
 * Statements per booking: books spread-out options in this process through the booking service
 * itself (the path `POST /appointments` takes after the session lookup), counting every SQL
 * statement Kysely sends (a plugin sees each one, raw SQL included; BEGIN and COMMIT go straight
 * to the driver and are not counted), and the CPU time this process spent per booking.
 * Nothing is asserted; the numbers go into the bench's JSON as `statementsPerBooking`.
 *
 * Usage on its own: `tsx bench/parts/statements.ts postgres://…/db [bookings]` (a seeded database).
 */
import { randomBytes, randomUUID } from "node:crypto";
import {
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  sql,
} from "kysely";
import { builtInProvider, createTelehealthLinks } from "../../src/integrations/telehealth/index.js";
import type { Actor } from "../../src/platform/access.js";
import { openAuditTrail } from "../../src/platform/audit/index.js";
import { type BookingConfig, loadConfig } from "../../src/platform/config.js";
import { type Db, openDatabase } from "../../src/platform/db.js";
import { createPolicies, noScopeFacts } from "../../src/platform/policy.js";
import { createOptionIds } from "../../src/services/scheduling/availability/option-id.js";
import { searchOptions, toOptionDto } from "../../src/services/scheduling/availability.service.js";
import { booking } from "../../src/services/scheduling/booking.service.js";
import { createSchedulingCaches } from "../../src/services/scheduling/caches.js";

/** Counts the statements run through a Kysely instance. */
class StatementCounter implements KyselyPlugin {
  count = 0;
  /** What the statements since the last reset were, roughly (with BENCH_TRACE_STATEMENTS=1). */
  readonly seen: string[] = [];
  transformQuery(args: PluginTransformQueryArgs) {
    this.count++;
    if (process.env.BENCH_TRACE_STATEMENTS) this.seen.push(describe(args.node));
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<Record<string, unknown>>> {
    return args.result;
  }
}

export interface StatementsPerBooking {
  /** Bookings created (conflicts are left out of the averages). */
  bookings: number;
  conflicts: number;
  /** Mean statements per created booking, besides BEGIN and COMMIT (and the session lookup of HTTP). */
  mean: number;
  min: number;
  max: number;
  /** CPU time of this process per created booking, without HTTP. */
  serviceCpuPerBookingMs: number;
}

/**
 * Books up to `bookings` options (non-overlapping options of physicians who take new patients,
 * round-robin over physicians, each for a patient with nothing booked in the next 16 days) and
 * counts what each booking costs.
 */
export async function countStatementsPerBooking(
  databaseUrl: string,
  opts: { bookings?: number; rules?: BookingConfig } = {},
): Promise<StatementsPerBooking> {
  const wanted = opts.bookings ?? 200;
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: databaseUrl,
    ROUNDS_AUDIT_KEY: process.env.ROUNDS_AUDIT_KEY ?? randomBytes(32).toString("hex"),
  });
  const rules = opts.rules ?? config.booking;
  const database = await openDatabase({ databaseUrl, dataDir: "", databasePoolSize: 2 });
  try {
    // events recorded here are signed with a key of their own: the bench database's trail is not kept
    await openAuditTrail(database, config, { writeCheckpoints: false, createKey: false });
    const { db } = database;
    const optionIds = createOptionIds(randomBytes(32));
    // one server's caches; the actor is an administrator, whom the policy admits without scope facts
    const caches = createSchedulingCaches();
    const policies = createPolicies({ facts: noScopeFacts });
    const telehealth = createTelehealthLinks({ provider: builtInProvider(config.telehealth.publicUrl) });
    const pairs = await query<{ physician_id: string; type_id: string }>(
      db,
      `SELECT DISTINCT ON (p.id) p.id AS physician_id, t.id AS type_id
       FROM physicians p JOIN appointment_types t ON t.specialty = p.primary_specialty
       WHERE p.active AND p.accepts_new_patients AND t.visit_kind = 'new' AND t.active
       ORDER BY p.id, t.code LIMIT 400`,
    );
    const patients = await query<{ id: string }>(
      db,
      `SELECT id FROM patients p WHERE NOT EXISTS (
         SELECT 1 FROM appointments a WHERE a.patient_id = p.id AND a.active AND a.ends_at > now() - interval '1 day'
           AND a.starts_at < now() + interval '16 days')
       ORDER BY mrn LIMIT ${Number(wanted)}`,
    );
    const from = Date.now() + 2 * 3_600_000;
    const perPhysician: string[][] = [];
    let collected = 0;
    for (const pair of pairs) {
      if (collected >= wanted) break;
      const result = await searchOptions(
        db,
        rules,
        {
          appointmentTypeId: pair.type_id,
          physicianIds: [pair.physician_id],
          from,
          to: from + 14 * 86_400_000,
          telehealth: false,
          limit: 50,
        },
        caches,
      );
      let lastEnd = 0;
      const mine: string[] = [];
      for (const o of [...result.options].sort((a, b) => a.start - b.start)) {
        if (o.start >= lastEnd) {
          mine.push(toOptionDto(o, result, optionIds).id);
          lastEnd = o.end;
        }
      }
      perPhysician.push(mine);
      collected += mine.length;
    }
    const options: string[] = [];
    for (let k = 0; options.length < Math.min(collected, wanted); k++) {
      for (const mine of perPhysician) if (k < mine.length) options.push(mine[k]!);
    }

    const counter = new StatementCounter();
    const counted = db.withPlugin(counter);
    const actor: Actor = {
      userId: randomUUID(),
      role: "admin",
      email: "statements.bench@rounds.test",
      displayName: "Statements bench",
      sessionId: randomUUID(),
      patientId: null,
      patientIds: [],
      physicianId: null,
      locationIds: [],
      departmentIds: [],
      specialties: [],
      clientAddress: "127.0.0.1",
      requestId: "bench-statements",
    };
    const counts: number[] = [];
    let conflicts = 0;
    let cpuMicros = 0;
    for (let i = 0; i < options.length && i < patients.length; i++) {
      counter.count = 0;
      counter.seen.length = 0;
      const cpu = process.cpuUsage();
      try {
        await booking.book(
          counted,
          { rules, optionIds, caches, policies, telehealth },
          actor,
          { optionId: options[i]!, patientId: patients[i]!.id },
          undefined,
        );
        const used = process.cpuUsage(cpu);
        cpuMicros += used.user + used.system;
        counts.push(counter.count);
        if (process.env.BENCH_TRACE_STATEMENTS && i === 0) console.error(counter.seen.join("\n"));
      } catch (err) {
        if ((err as { status?: unknown }).status !== 409) throw err;
        conflicts++;
      }
    }
    const mean = counts.reduce((a, b) => a + b, 0) / Math.max(1, counts.length);
    return {
      bookings: counts.length,
      conflicts,
      mean: Math.round(mean * 100) / 100,
      min: Math.min(...counts),
      max: Math.max(...counts),
      serviceCpuPerBookingMs: Math.round((cpuMicros / 1000 / Math.max(1, counts.length)) * 100) / 100,
    };
  } finally {
    await database.close();
  }
}

/** A statement's kind and the first words of its text, for tracing. */
function describe(node: RootOperationNode): string {
  if (node.kind === "RawNode") return node.sqlFragments.join("?").replace(/\s+/g, " ").trim().slice(0, 90);
  const table = JSON.stringify(node).match(/"identifier":"?([a-z_]+)/)?.[1];
  return `${node.kind} ${table ?? ""}`;
}

async function query<T>(db: Db, text: string): Promise<T[]> {
  return (await sql.raw<T>(text).execute(db)).rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [url, bookings] = process.argv.slice(2);
  if (!url) throw new Error("usage: tsx bench/parts/statements.ts DATABASE_URL [bookings]");
  console.log(
    JSON.stringify(await countStatementsPerBooking(url, { bookings: Number(bookings ?? 200) }), null, 2),
  );
}
