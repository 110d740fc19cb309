/** The bench's database: created fresh (or kept with `--reuse`), migrated, seeded. */
import pg from "pg";
import { openDatabase } from "../../src/platform/db.js";
import { migrate } from "../../src/platform/migrations.js";
import { BENCHMARK_BOOKINGS, seedAppointments, seedNetwork } from "../../src/seed/index.js";
import { type BenchOptions, log } from "./common.js";

export async function prepareDatabase(opts: BenchOptions): Promise<void> {
  const admin = new pg.Client({ connectionString: `${opts.server}/postgres` });
  await admin.connect();
  const exists = (await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [opts.database]))
    .rowCount;
  if (exists && opts.reuse) {
    await admin.end();
    log(`reusing database ${opts.database}`);
    return;
  }
  await admin.query(`DROP DATABASE IF EXISTS ${opts.database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${opts.database}`);
  await admin.end();
  const database = await openDatabase({ databaseUrl: opts.databaseUrl, dataDir: "" });
  await migrate(database);
  const t0 = Date.now();
  const summary = await seedNetwork(database, { scale: opts.scale, seed: 1 });
  log(`seeded ${opts.scale} network in ${((Date.now() - t0) / 1000).toFixed(1)} s`, JSON.stringify(summary));
  if (opts.scale === "large") {
    // the small (demo) network books its own appointments as it is seeded
    const t1 = Date.now();
    const booked = await seedAppointments(database, { ...BENCHMARK_BOOKINGS, seed: 1 });
    log(`booked ${booked.appointments} appointments in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  }
  await database.close();
}
