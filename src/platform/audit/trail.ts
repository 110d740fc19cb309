/**
 * One database's audit trail as this process sees it: the key its chains are signed with and
 * where its checkpoints go. `openAuditTrail` binds both to the database handle, so every
 * `auditService.record(tx, …)` on that database (or a transaction of it) finds them.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { Config } from "../config.js";
import { ConfigError } from "../config.js";
import type { Database, Executor } from "../db.js";
import {
  type Checkpoint,
  type CheckpointStore,
  fileCheckpointStore,
  memoryCheckpointStore,
  signCheckpoint,
} from "./checkpoints.js";
import { auditRepository as repo } from "./repository.js";

export interface BoundTrail {
  key: Buffer;
  store: CheckpointStore;
  database: string;
  /** Called after each event this process records (counts towards the next checkpoint). */
  recorded(): void;
}

/** An in-memory database's key: it lives exactly as long as the process and its database. */
const PROCESS_KEY = randomBytes(32);
const KEY_FILE = "audit.key";

/**
 * Trails by the database handle's adapter: Kysely hands the same adapter to the root handle and
 * to every transaction opened from it, and a new one to every other database.
 */
const bound = new WeakMap<object, BoundTrail>();
const handleOf = (db: Executor): object => db.getExecutor().adapter;

export function boundTrail(db: Executor): BoundTrail {
  const trail = bound.get(handleOf(db));
  if (!trail) throw new Error("the audit trail of this database was not opened (openAuditTrail)");
  return trail;
}

/**
 * The key: ROUNDS_AUDIT_KEY when set; required with a PostgreSQL server, where every replica and
 * `rounds audit verify` must hold the same one; otherwise the embedded database's own, generated
 * on first start into its data directory (mode 0600), or a per-process key for `memory://`.
 */
export function auditKey(database: Database, config: Config, opts: { create: boolean }): Buffer {
  if (config.audit.key) return Buffer.from(config.audit.key, "utf8");
  if (database.kind === "postgres")
    throw new ConfigError(
      "ROUNDS_AUDIT_KEY",
      "must be set with DATABASE_URL: every replica and `rounds audit verify` sign and check the audit " +
        "trail with this one secret (generate one with `openssl rand -hex 32`)",
    );
  const dir = database.embeddedDir;
  if (!dir || dir.startsWith("memory://")) return PROCESS_KEY;
  const file = join(dir, KEY_FILE);
  const read = () => Buffer.from(readFileSync(file, "utf8").trim(), "utf8");
  try {
    return read();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    if (!opts.create) throw new Error(`no audit key in ${file}: the trail cannot be checked without it`);
  }
  try {
    writeFileSync(file, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  } catch (err) {
    // another process created it first: use theirs
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return read();
}

function checkpointStore(database: Database, config: Config): CheckpointStore {
  const replica = `${hostname()}-${config.port}`;
  // a throw-away database's checkpoints go with it (in a shared folder, every one is "postgres")
  if (database.embeddedDir?.startsWith("memory://"))
    return memoryStores.get(database) ?? newMemoryStore(database);
  if (config.audit.checkpointDir) return fileCheckpointStore(config.audit.checkpointDir, replica);
  return fileCheckpointStore(join(config.dataDir, "audit-checkpoints"), replica);
}

/** An in-memory database's checkpoints are kept with it, for every trail opened on it. */
const memoryStores = new WeakMap<Database, CheckpointStore>();
function newMemoryStore(database: Database): CheckpointStore {
  const store = memoryCheckpointStore();
  memoryStores.set(database, store);
  return store;
}

export interface AuditTrail {
  /** Signs the current head of every chain and stores it; undefined when the trail is empty. */
  checkpoint(): Promise<Checkpoint | undefined>;
  /** Stops the checkpoint timer and writes a last checkpoint if the trail grew. */
  close(): Promise<void>;
}

export interface TrailOptions {
  /** Write checkpoints (a server); `rounds audit verify` only reads them. */
  writeCheckpoints: boolean;
  /** Create the embedded database's key if it has none yet (a server, not a verifier). */
  createKey: boolean;
  onError?: (err: unknown) => void;
}

export async function openAuditTrail(
  database: Database,
  config: Config,
  opts: TrailOptions,
): Promise<AuditTrail> {
  const key = auditKey(database, config, { create: opts.createKey });
  const store = checkpointStore(database, config);
  const name = await repo.databaseName(database.db);
  let sinceCheckpoint = 0;
  let lastHeads = "";
  let writing: Promise<Checkpoint | undefined> = Promise.resolve(undefined);
  let closed = false;

  const write = async (): Promise<Checkpoint | undefined> => {
    const heads = await repo.heads(database.db);
    if (heads.length === 0) return undefined;
    const fingerprint = JSON.stringify(heads);
    if (fingerprint === lastHeads) return undefined;
    const checkpoint = signCheckpoint(key, {
      database: name,
      replica: `${hostname()}-${config.port}`,
      writtenAt: new Date().toISOString(),
      heads,
    });
    await store.append(checkpoint);
    lastHeads = fingerprint;
    return checkpoint;
  };
  // one checkpoint at a time per process; a failed one is reported and the next one tries again
  const checkpoint = (): Promise<Checkpoint | undefined> => {
    writing = writing.catch(() => undefined).then(write);
    return writing;
  };
  const inBackground = () => {
    checkpoint().catch((err: unknown) => opts.onError?.(err));
  };

  const trail: BoundTrail = {
    key,
    store,
    database: name,
    recorded() {
      if (closed || !opts.writeCheckpoints) return;
      sinceCheckpoint++;
      if (sinceCheckpoint >= config.audit.checkpointEvents) {
        sinceCheckpoint = 0;
        // the event's own transaction has not committed yet: it goes into the next checkpoint
        setImmediate(inBackground);
      }
    },
  };
  bound.set(handleOf(database.db), trail);

  let timer: NodeJS.Timeout | undefined;
  if (opts.writeCheckpoints) {
    // pin what the trail holds at start (after an upgrade: every unkeyed event written before)
    await checkpoint().catch((err: unknown) => opts.onError?.(err));
    timer = setInterval(inBackground, config.audit.checkpointMinutes * 60_000);
    timer.unref();
  }
  return {
    checkpoint,
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      if (opts.writeCheckpoints) await checkpoint().catch((err: unknown) => opts.onError?.(err));
    },
  };
}
