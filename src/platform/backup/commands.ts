/**
 * `rounds backup` and `rounds restore` as the command line runs them: open the database named by
 * the configuration (as the tables' owner when DATABASE_OWNER_URL is set), bind its audit key,
 * take or restore the backup, and answer with a summary to print.
 */
import { openAuditTrail, trailKey } from "../audit/index.js";
import type { Config } from "../config.js";
import { type Database, openDatabase } from "../db.js";
import { backupLocation, restoreLocation } from "./location.js";
import type { Manifest } from "./manifest.js";
import { backupNetwork, restoreNetwork } from "./network.js";

async function withTrail<T>(config: Config, fn: (database: Database, key: Buffer) => Promise<T>): Promise<T> {
  const url = config.databaseOwnerUrl ?? config.databaseUrl;
  const database = await openDatabase({ ...config, databaseUrl: url });
  try {
    // an embedded database that never served has no key yet: the one it makes is the one its server will use
    await openAuditTrail(database, config, { writeCheckpoints: false, createKey: true });
    return await fn(database, trailKey(database.db));
  } finally {
    await database.close();
  }
}

const summary = (m: Manifest) => ({
  scope: m.scope,
  database: m.database,
  migration: m.migration,
  createdAt: m.createdAt,
  parts: m.parts,
  auditEvents: m.audit.events,
});

export function runBackup(
  config: Config,
  opts: { out: string; location?: string | undefined },
  version: string,
) {
  return withTrail(config, async (database, auditKey) => {
    const common = { out: opts.out, auditKey, roundsVersion: version };
    const manifest = opts.location
      ? await backupLocation(database, { ...common, locationId: opts.location })
      : await backupNetwork(database, {
          ...common,
          databaseUrl: config.databaseOwnerUrl ?? config.databaseUrl,
          databaseCa: config.databaseCa,
        });
    return summary(manifest);
  });
}

export async function runRestore(config: Config, opts: { from: string; location?: string | undefined }) {
  if (opts.location)
    return withTrail(config, async (database, auditKey) => {
      const report = await restoreLocation(database, {
        from: opts.from,
        locationId: opts.location,
        auditKey,
      });
      return { ...summary(report.manifest), restored: report.rows, audit: report.audit };
    });
  const url = config.databaseOwnerUrl ?? config.databaseUrl;
  const report = await restoreNetwork({
    from: opts.from,
    target: url
      ? { kind: "postgres", url, databaseCa: config.databaseCa }
      : { kind: "pglite", dataDir: config.dataDir },
    auditKey: config.audit.key ? Buffer.from(config.audit.key, "utf8") : undefined,
  });
  return { ...summary(report.manifest), restoredInto: url ? "postgres" : config.dataDir };
}
