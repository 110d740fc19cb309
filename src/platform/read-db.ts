/**
 * The read side of read scaling (ROUNDS_READ_DATABASE_URL): a second pool on a PostgreSQL
 * streaming replica that searches and reports read from while its replay lag is within bounds.
 * Everything that writes, and the booking transaction with every check it makes, stays on the
 * primary: a replica may be seconds behind, so what it answers is only ever an offer that the
 * primary re-checks under its locks.
 */
import { sql } from "kysely";
import type { Config } from "./config.js";
import { type Database, type Db, openDatabase } from "./db.js";

/** How often the replica's lag is looked at. */
const LAG_CHECK_MS = 2000;
/** Marks the lag query, so it is not counted as a read the services made. */
const LAG_QUERY_MARK = "rounds_replica_lag";

/**
 * Where a service that may read from a replica reads: the replica while its lag is within
 * bounds, otherwise the primary. A function, because the answer changes as the lag does.
 */
export type ReadDb = () => Db;

export interface ReadDatabase {
  readDb: ReadDb;
  /** Statements the services ran on the replica (metrics, and the tests that prove the seam). */
  queries(): number;
  /** Seconds the replica was behind at the last check; undefined when it did not answer. */
  lagSeconds(): number | undefined;
  close(): Promise<void>;
}

/** The replica's pool (read-only transactions), or undefined when none is configured. */
export async function openReadDatabase(config: Config, primary: Database): Promise<ReadDatabase | undefined> {
  const settings = config.readDatabase;
  if (!settings) return undefined;
  let queries = 0;
  const replica = await openDatabase({
    databaseUrl: settings.url,
    dataDir: config.dataDir,
    databaseCa: config.databaseCa,
    databasePoolSize: config.databasePoolSize,
    databasePreparedStatements: config.databasePreparedStatements,
    readOnly: true,
    onQuery: (text) => {
      if (!text.includes(LAG_QUERY_MARK)) queries++;
    },
  });
  let lag: number | undefined;
  const check = async () => {
    try {
      // an idle primary sends no WAL: a replica that replayed all it received is current
      const r = await sql<{ lag: number }>`
        SELECT CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
          THEN 0 ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END::float8 AS lag
        /* ${sql.raw(LAG_QUERY_MARK)} */`.execute(replica.db);
      lag = Number(r.rows[0]?.lag ?? Number.NaN);
      if (!Number.isFinite(lag)) lag = undefined;
    } catch {
      lag = undefined;
    }
  };
  await check();
  let checking: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    checking = check();
  }, LAG_CHECK_MS);
  timer.unref();
  return {
    readDb: () => (lag !== undefined && lag <= settings.maxLagSeconds ? replica.db : primary.db),
    queries: () => queries,
    lagSeconds: () => lag,
    async close() {
      clearInterval(timer);
      await checking;
      await replica.close();
    },
  };
}
