#!/usr/bin/env node
/** Composition root for the command line: `rounds serve | migrate | residency apply | seed | backup | restore | audit verify | partitions | noshow evaluate | billing export`. */
import { Command, Option } from "commander";
import { ConfigError, loadConfig } from "./platform/config.js";
import { openDatabase } from "./platform/db.js";
import { migrateAsOwner } from "./platform/migrations.js";
import { DEMO_SEED, type DemoLoad, seedDemoOnFirstStart } from "./server.demo.js";
import { createRounds, VERSION } from "./server.js";

/** After the grace period (ROUNDS_SHUTDOWN_GRACE_SECONDS) the server exits by this much later whatever still hangs. */
const SHUTDOWN_LIMIT_AFTER_GRACE_MS = 2_000;

const program = new Command()
  .name("rounds")
  .description("Rounds: appointment scheduling for hospital networks")
  .version(VERSION);

program
  .command("serve")
  .description("apply migrations, load the demo network into an empty database, and serve the API")
  .action(async () => {
    const started = Date.now();
    const config = loadConfig();
    const first: { demo?: DemoLoad } = {};
    const rounds = await createRounds(config, {
      onReady: async (database, cfg) => {
        first.demo = await seedDemoOnFirstStart(database, cfg);
      },
    });
    const { app } = rounds;
    if (first.demo) {
      const { summary, ms } = first.demo;
      app.log.info(
        { demo: summary, seededInMs: ms },
        `empty database: loaded the demo network (${summary.locations} locations, ${summary.physicians} physicians, ` +
          `${summary.patients} patients, ${summary.appointments} appointments, ${summary.users} demo users) in ${ms} ms`,
      );
    }
    let stopping = false;
    const stop = async (signal: string) => {
      // a second signal (Ctrl-C twice) means now
      if (stopping) process.exit(1);
      stopping = true;
      app.log.info({ signal }, "shutting down: finishing in-flight requests");
      // whatever still holds a connection after the grace period is cut off; whatever still holds
      // the process after that (a stuck query, a stuck SMTP server) does not hold the exit
      setTimeout(() => {
        app.log.warn("shutting down: requests still open after the grace period; closing their connections");
        app.server.closeAllConnections();
      }, config.operations.shutdownGraceSeconds * 1000);
      setTimeout(
        () => {
          app.log.error("shutting down: still not closed; exiting anyway");
          process.exit(1);
        },
        config.operations.shutdownGraceSeconds * 1000 + SHUTDOWN_LIMIT_AFTER_GRACE_MS,
      );
      try {
        // stops accepting, answers 503 on kept-alive connections, ends live streams, waits for
        // in-flight requests, then closes the database
        await rounds.close();
      } catch (err) {
        app.log.error({ err }, "shutting down: closing failed");
        process.exit(1);
      }
      process.exit(0);
    };
    process.on("SIGINT", () => void stop("SIGINT"));
    process.on("SIGTERM", () => void stop("SIGTERM"));
    const address = await app.listen({ host: config.host, port: config.port });
    app.log.info(
      { address, database: rounds.database.kind, readyInMs: Date.now() - started },
      `Rounds is ready at ${address} (API docs at ${address}/api/docs)`,
    );
    const { metricsPort } = rounds;
    app.log.info(
      metricsPort === undefined
        ? `metrics at ${address}/metrics`
        : `metrics at http://${config.operations.metricsHost}:${metricsPort}/metrics only`,
    );
  });

program
  .command("migrate")
  .description("apply pending database migrations (as DATABASE_OWNER_URL when set) and exit")
  .action(async () => {
    const config = loadConfig();
    const database = await openDatabase(config);
    try {
      const applied = await migrateAsOwner(database, config);
      console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
    } finally {
      await database.close();
    }
  });

program
  .command("residency")
  .description('data residency (README.md, "Data residency")')
  .command("apply")
  .description(
    "move each region's partitions into the tablespace ROUNDS_RESIDENCY_TABLESPACES names " +
      "(idempotent, one replica at a time; the server also does it at start)",
  )
  .action(async () => {
    const config = loadConfig();
    const database = await openDatabase({
      ...config,
      databaseUrl: config.databaseOwnerUrl ?? config.databaseUrl,
    });
    try {
      await migrateAsOwner(database, config);
      const { applyPlacement } = await import("./platform/residency/index.js");
      const r = await applyPlacement(database, config.residency.tablespaces);
      if (r.embedded)
        console.log("embedded database: every region lives in its data directory (no tablespaces)");
      for (const m of r.moved) console.log(`moved ${m.relation} (${m.region}) to ${m.tablespace}`);
      for (const m of r.missing)
        console.error(`tablespace ${m.tablespace} for ${m.region} does not exist: not moved`);
      if (!r.embedded && !r.moved.length && !r.missing.length)
        console.log("every partition is where it belongs");
      if (r.missing.length) process.exitCode = 1;
    } finally {
      await database.close();
    }
  });

program
  .command("seed")
  .description(
    "load the deterministic demo network with its appointments and demo users (small), or a " +
      "benchmark-sized one with 70% of its next two weeks booked (large), into an empty database",
  )
  .addOption(new Option("--scale <scale>", "network size").choices(["small", "large"]).default("small"))
  .option("--seed <n>", "random seed (same seed, same network)", (v) => Number.parseInt(v, 10), DEMO_SEED)
  .action(async (opts: { scale: "small" | "large"; seed: number }) => {
    const config = loadConfig();
    const database = await openDatabase(config);
    try {
      await migrateAsOwner(database, config);
      const { BENCHMARK_BOOKINGS, seedAppointments, seedNetwork } = await import("./seed/index.js");
      const started = Date.now();
      const publicUrl = config.telehealth.publicUrl;
      const summary = await seedNetwork(database, { scale: opts.scale, seed: opts.seed, publicUrl });
      const seconds = (Date.now() - started) / 1000;
      // the large network books in a transaction of its own, after the network is committed
      const booked = Date.now();
      const bookings =
        opts.scale === "large"
          ? await seedAppointments(database, { ...BENCHMARK_BOOKINGS, seed: opts.seed, publicUrl })
          : undefined;
      const bookingSeconds = bookings ? { appointmentSeconds: (Date.now() - booked) / 1000 } : {};
      const appointments = bookings ? { appointments: bookings.appointments } : {};
      console.log(JSON.stringify({ ...summary, ...appointments, seconds, ...bookingSeconds }, null, 2));
    } finally {
      await database.close();
    }
  });

const noshow = program.command("noshow").description("the no-show model");
noshow
  .command("evaluate")
  .description(
    "train the no-show model on the earliest 70% of a CSV of past appointments and measure it on the rest " +
      "(AUC, Brier score and calibration beside a lead-time-only baseline); prints one JSON object. " +
      "Reads the 'Medical Appointment No Shows' layout, or another through --mapping (README.md, 'No-show model')",
  )
  .requiredOption("--csv <file>", "appointments, one a row, with a header row")
  .option("--mapping <file>", "a JSON column mapping for another layout")
  .addOption(
    new Option("--split <how>", "hold out the latest 30% (time) or a fixed pseudo-random 30% (shuffled)")
      .choices(["time", "shuffled"])
      .default("time"),
  )
  .action(async (opts: { csv: string; mapping?: string; split: "time" | "shuffled" }) => {
    const { readFile } = await import("node:fs/promises");
    const { evaluateCsv, CsvLayoutError } = await import("./services/analytics/index.js");
    try {
      const text = await readFile(opts.csv, "utf8");
      const mapping = opts.mapping ? JSON.parse(await readFile(opts.mapping, "utf8")) : undefined;
      console.log(JSON.stringify(await evaluateCsv(text, mapping, opts.split), null, 2));
    } catch (err) {
      if (!(err instanceof CsvLayoutError || err instanceof SyntaxError || isNodeError(err))) throw err;
      console.error(`could not evaluate: ${err.message}`);
      process.exitCode = 2;
    }
  });

program
  .command("backup")
  .description(
    "write a signed backup into a new directory: the whole network (pg_dump -Fc on a PostgreSQL server, " +
      "the data directory for the embedded database, which must not be open in a server), or with " +
      "--location one location's data as a portable file (README.md, 'Operating Rounds')",
  )
  .requiredOption("--out <dir>", "a new or empty directory")
  .option("--location <id>", "only this location and what it needs")
  .action(async (opts: { out: string; location?: string }) => {
    const { runBackup } = await import("./platform/backup/index.js");
    await reportBackup(() => runBackup(loadConfig(), opts, VERSION));
  });

program
  .command("restore")
  .description(
    "restore a backup after checking its signature, checksums and audit chain: the whole network into an " +
      "empty database or data directory, or with --location one location into this running network",
  )
  .requiredOption("--from <dir>", "a directory written by `rounds backup`")
  .option("--location <id>", "the location of a location backup (checked against it)")
  .action(async (opts: { from: string; location?: string }) => {
    const { runRestore } = await import("./platform/backup/index.js");
    await reportBackup(() => runRestore(loadConfig(), opts));
  });

/** Prints the summary; a refused or impossible backup is a clear sentence and exit code 1 (2 when the data directory is busy). */
async function reportBackup(fn: () => Promise<unknown>): Promise<void> {
  const { BackupError } = await import("./platform/backup/index.js");
  const { DataDirInUseError } = await import("./platform/data-dir-lock.js");
  try {
    console.log(JSON.stringify(await fn(), null, 2));
  } catch (err) {
    if (!(err instanceof BackupError || err instanceof DataDirInUseError)) throw err;
    console.error(`refused: ${err.message}`);
    process.exitCode = err instanceof DataDirInUseError ? 2 : 1;
  }
}

const billing = program.command("billing").description("claims from completed visits");
billing
  .command("export")
  .description(
    "export the completed visits of a date range not yet exported in the format as one batch " +
      "(the same range again gives the same batch) and write its document to a file; prints the batch as JSON",
  )
  .addOption(
    new Option("--format <format>", "X12 837P or a FHIR Bundle of Claims")
      .choices(["x12-837p", "fhir-claim"])
      .makeOptionMandatory(),
  )
  .requiredOption("--from <date>", "first service date, YYYY-MM-DD")
  .requiredOption("--to <date>", "last service date, YYYY-MM-DD")
  .requiredOption("--out <file>", "where to write the document")
  .action(async (opts: { format: string; from: string; to: string; out: string }) => {
    const { batchRequest, commandLineActor } = await import("./integrations/billing/index.js");
    const parsed = batchRequest.safeParse({ format: opts.format, from: opts.from, to: opts.to });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      console.error(`could not export: --${String(issue.path[0] ?? "from")} ${issue.message}`);
      process.exitCode = 2;
      return;
    }
    const config = loadConfig();
    // no background work: this process exports and exits
    const rounds = await createRounds({
      ...config,
      notifications: { ...config.notifications, worker: false },
    });
    try {
      const actor = commandLineActor();
      const batch = await rounds.billing.exportBatch(actor, parsed.data);
      const doc = await rounds.billing.download(actor, batch.id);
      const { writeFile } = await import("node:fs/promises");
      await writeFile(opts.out, doc.content);
      console.log(JSON.stringify(batch, null, 2));
    } catch (err) {
      const { ProblemError } = await import("./platform/errors.js");
      if (!(err instanceof ProblemError || isNodeError(err))) throw err;
      console.error(`could not export: ${err.message}`);
      process.exitCode = 1;
    } finally {
      await rounds.close();
    }
  });

const isNodeError = (err: unknown): err is NodeJS.ErrnoException => err instanceof Error && "code" in err;

const audit = program.command("audit").description("work with the tamper-evident audit trail");
audit
  .command("verify")
  .description(
    "walk every chain of the audit trail, checking each event's keyed hash and link, and hold each " +
      "chain against its newest signed checkpoint (so removed newest events, a deleted chain or a " +
      "re-hashed chain are caught); report the first problem (exit 0 intact, 1 broken, 2 could not check)",
  )
  .action(async () => {
    const config = loadConfig();
    let result: import("./platform/audit/index.js").VerifyResult;
    try {
      const database = await openDatabase(config);
      try {
        const { auditService, openAuditTrail } = await import("./platform/audit/index.js");
        await openAuditTrail(database, config, { writeCheckpoints: false, createKey: false });
        result = await auditService.verify(database.db);
      } finally {
        await database.close();
      }
    } catch (err) {
      // a trail that could not be read is not a broken trail: schedulers must tell the two apart
      console.error(`could not verify the audit trail: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 2;
      return;
    }
    if (result.ok) {
      const c = result.checkpoints;
      console.log(
        `audit trail intact: ${result.checked} events verified` +
          (c.newest
            ? `, every chain reaches its head in the newest of ${c.count} signed checkpoints (${c.newest}, ${c.location})`
            : `; no signed checkpoint yet in ${c.location}, so removal of the newest events cannot be ruled out`),
      );
    } else {
      const b = result.brokenAt;
      const where =
        b.seq === null
          ? ""
          : b.id
            ? ` at event seq=${b.seq} id=${b.id} (chain ${b.chain})`
            : ` at seq=${b.seq} (chain ${b.chain})`;
      console.error(`audit trail BROKEN${where}: ${b.reason}`);
      process.exitCode = 1;
    }
  });

program
  .command("partitions")
  .description(
    "list the monthly partitions of the audit trail and the in-app inbox with their row counts " +
      "(rows in a DEFAULT partition mean the daily pass has not run; it moves them on its next run)",
  )
  .action(async () => {
    const config = loadConfig();
    const database = await openDatabase(config);
    try {
      const { listPartitions } = await import("./platform/partitions.js");
      const partitions = await listPartitions(database.db);
      const width = Math.max(...partitions.map((p) => p.name.length));
      for (const p of partitions)
        console.log(`${p.name.padEnd(width)}  ${String(p.rows).padStart(10)}  ${p.bound}`);
    } finally {
      await database.close();
    }
  });

program.parseAsync().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
