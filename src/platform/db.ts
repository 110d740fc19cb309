import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
import { Kysely, PostgresDialect, type Transaction } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import { holdDataDir } from "./data-dir-lock.js";
import { connectionOf, explainingRefusals } from "./db-tls.js";

export { primaryConnection } from "./db-tls.js";

/**
 * The database handle every module receives. It knows no tables: each module's repository
 * narrows it with `withTables<ItsOwnTables>()`, so one module cannot type-check a query on
 * another module's tables.
 */
// biome-ignore lint/complexity/noBannedTypes: the empty schema is the point (see above)
export type NoTables = {};
export type Db = Kysely<NoTables>;
/** Either the root handle or an open transaction; services accept both. */
export type Executor = Kysely<NoTables> | Transaction<NoTables>;

/**
 * An empty cluster from initdb, made at build time (`scripts/build-empty-cluster.ts`): a new
 * embedded database is unpacked from it instead of running initdb in WebAssembly (~5 s).
 */
export const EMPTY_CLUSTER = fileURLToPath(
  new URL("../../dist/pglite/empty-cluster.tar.gz", import.meta.url),
);

/** Runs a multi-statement SQL script on one session and returns the last statement's rows. */
export type ScriptRunner = (script: string) => Promise<Array<Record<string, unknown>>>;

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  /** The embedded database's directory, or `memory://`; undefined on a PostgreSQL server. */
  embeddedDir: string | undefined;
  /** One dedicated session (for migrations and advisory locks), released when `fn` settles. */
  session<T>(fn: (run: ScriptRunner) => Promise<T>): Promise<T>;
  /** The embedded database as a gzipped tarball of its data directory, taken while no statement runs (backups). */
  dumpDataDir?: () => Promise<Blob>;
  /** Connections open, idle and awaited (metrics); the embedded database is one session, no pool. */
  poolUse?: () => PoolUse;
  close(): Promise<void>;
}

export interface PoolUse {
  total: number;
  idle: number | undefined;
  waiting: number | undefined;
}

const DATE_OID = 1082;
const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** Dates stay `YYYY-MM-DD` strings (a calendar day has no instant); counts and money become numbers. */
const parseAsIs = (v: string) => v;

/** Statements with more parameters than this (long id lists) are left unnamed: few repeat. */
const MAX_PREPARED_PARAMETERS = 32;
/**
 * `SELECT *`, `t.*` or `RETURNING *`: a prepared plan of one fails ("cached plan must not change
 * result type") once a migration adds a column under a running replica, so those stay unnamed.
 */
const ALL_COLUMNS = /(\bselect\s+(distinct\s+)?|\breturning\s+|,\s*|\.)\*/i;

/**
 * The pool as Kysely sees it, with parameterised statements prepared once per connection under a
 * name derived from their text: PostgreSQL then parses each once and may reuse its plan, instead
 * of parsing and planning it on every call (about a third of the database's CPU per booking).
 */
function preparing(pool: pg.Pool): pg.Pool {
  const names = new Map<string, string | null>();
  const nameOf = (text: string, parameters: number): string | null => {
    if (parameters === 0 || parameters > MAX_PREPARED_PARAMETERS) return null;
    let name = names.get(text);
    if (name === undefined) {
      name = ALL_COLUMNS.test(text) ? null : `r${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
      if (names.size >= 10_000) names.clear();
      names.set(text, name);
    }
    return name;
  };
  const wrap = (client: pg.PoolClient): pg.PoolClient =>
    new Proxy(client, {
      get(target, prop, receiver) {
        if (prop !== "query") return Reflect.get(target, prop, receiver);
        return (text: unknown, values?: unknown) => {
          const name = typeof text === "string" && Array.isArray(values) ? nameOf(text, values.length) : null;
          return name === null
            ? target.query(text as string, values as unknown[])
            : target.query({ name, text: text as string, values: values as unknown[] });
        };
      },
    });
  return new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop === "connect") return async () => wrap(await target.connect());
      return Reflect.get(target, prop, receiver);
    },
  });
}

/**
 * PostgreSQL settings of the embedded database, on top of PGlite's own. Its WebAssembly memory
 * starts at 128 MB and never shrinks; PostgreSQL's default `shared_buffers = 128MB` grew it well
 * past that, where 32 MB fits inside it: an idle demo server went from about 380 to 265 MB with
 * the same search and booking latency (bench/README.md, "Embedded database settings").
 */
const PGLITE_SETTINGS = ["shared_buffers=32MB"];

export async function openDatabase(opts: {
  databaseUrl: string | undefined;
  dataDir: string;
  /** PostgreSQL only: PEM file of the CA the server's certificate must chain to (ROUNDS_DATABASE_CA). */
  databaseCa?: string | undefined;
  /** Connections to a PostgreSQL server (default 10). */
  databasePoolSize?: number;
  /** Prepare repeated statements once per connection on PostgreSQL (default on). */
  databasePreparedStatements?: boolean;
  /** The cluster a new embedded database is unpacked from (a `dumpDataDir` tarball; default the empty one). */
  embeddedCluster?: string;
  /** PostgreSQL only: every transaction read-only, as on a hot standby (the read replica's handle). */
  readOnly?: boolean;
  /** PostgreSQL only: told of each statement's text as it runs (the read replica's query count). */
  onQuery?: (sql: string) => void;
}): Promise<Database> {
  if (opts.databaseUrl) {
    const raw = new pg.Pool({
      ...connectionOf(opts.databaseUrl, opts.databaseCa),
      max: opts.databasePoolSize ?? 10,
      ...(opts.readOnly ? { options: "-c default_transaction_read_only=on" } : {}),
      types: {
        getTypeParser: ((oid: number, format?: "text" | "binary") => {
          if (oid === DATE_OID) return parseAsIs;
          if (oid === INT8_OID || oid === NUMERIC_OID) return Number;
          return pg.types.getTypeParser(oid, format as "text");
        }) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client's error must not crash the process; the next checkout reconnects.
    raw.on("error", () => {});
    const pool = explainingRefusals(raw, opts.databaseUrl);
    // DATABASE_PREPARED_STATEMENTS=false for a pooler that cannot keep them (PgBouncer in
    // transaction mode without max_prepared_statements)
    const prepared = opts.databasePreparedStatements ?? true;
    const db = new Kysely<NoTables>({
      dialect: new PostgresDialect({ pool: prepared ? preparing(pool) : pool }),
      ...(opts.onQuery
        ? {
            log: (e) => {
              if (e.level === "query") opts.onQuery?.(e.query.sql);
            },
          }
        : {}),
    });
    return {
      db,
      kind: "postgres",
      embeddedDir: undefined,
      poolUse: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      async session(fn) {
        const client = await pool.connect();
        try {
          return await fn(async (script) => {
            const result = (await client.query(script)) as unknown as pg.QueryResult | pg.QueryResult[];
            const last = Array.isArray(result) ? result[result.length - 1] : result;
            return (last?.rows ?? []) as Array<Record<string, unknown>>;
          });
        } finally {
          client.release();
        }
      },
      close: async () => {
        await db.destroy();
        // Kysely ends the pool only if it ever queried; sessions alone (migrations) leave it open
        if (!pool.ended) await pool.end();
      },
    };
  }
  const inMemory = opts.dataDir.startsWith("memory://");
  if (!inMemory) mkdirSync(opts.dataDir, { recursive: true });
  const release = inMemory ? () => {} : holdDataDir(opts.dataDir);
  const fresh = inMemory || !existsSync(join(opts.dataDir, "PG_VERSION"));
  // without the build's cluster (never built), PGlite runs initdb itself
  const cluster = opts.embeddedCluster ?? EMPTY_CLUSTER;
  const loadDataDir = fresh && existsSync(cluster) ? new Blob([readFileSync(cluster)]) : undefined;
  const client = new PGlite(inMemory ? "memory://" : opts.dataDir, {
    ...(loadDataDir ? { loadDataDir } : {}),
    startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((s) => ["-c", s])],
    extensions: { btree_gist },
    parsers: {
      [pgliteTypes.DATE]: parseAsIs,
      [pgliteTypes.INT8]: Number,
      [pgliteTypes.NUMERIC]: Number,
    },
  });
  await client.waitReady.catch((err: unknown) => {
    release();
    throw err;
  });
  const db = new Kysely<NoTables>({ dialect: new PGliteDialect(client) });
  return {
    db,
    kind: "pglite",
    embeddedDir: inMemory ? "memory://" : opts.dataDir,
    poolUse: () => ({ total: 1, idle: undefined, waiting: undefined }),
    dumpDataDir: () => client.dumpDataDir("gzip") as Promise<Blob>,
    // PGlite has a single session; callers use this before the server takes traffic.
    async session(fn) {
      return fn(async (script) => {
        const results = await client.exec(script);
        return (results[results.length - 1]?.rows ?? []) as Array<Record<string, unknown>>;
      });
    },
    close: async () => {
      await db.destroy();
      // Kysely closes the client only if it ever queried; one unpacked from the cluster tarball
      // keeps the process alive until it is closed
      if (!client.closed) await client.close();
      release();
    },
  };
}
