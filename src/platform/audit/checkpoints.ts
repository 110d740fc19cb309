/**
 * Signed checkpoints of every chain head, kept outside the database: whoever can rewrite the
 * database cannot make a chain shorter, or drop one, than a checkpoint has already seen.
 *
 * Each replica appends to a file of its own (`<database>.<replica>.jsonl`), rewritten whole into
 * a temporary file and renamed over the old one, so a reader never sees half a line and two
 * replicas never interleave; the newest CHECKPOINTS_KEPT lines are kept. Any valid checkpoint
 * from any replica is evidence: verification uses the newest head of each chain among them all.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { canonicalJson } from "./hashing.js";

export const CHECKPOINT_FORMAT = "rounds-audit-checkpoint/1";
const CHECKPOINTS_KEPT = 200;

export interface ChainHead {
  chain: number;
  seq: number;
  hash: string;
}

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  database: string;
  replica: string;
  writtenAt: string;
  heads: ChainHead[];
  mac: string;
}

/** Where one checkpoint line came from, for the verification report. */
export interface CheckpointLine {
  source: string;
  line: number;
  text: string;
}

export interface CheckpointStore {
  /** Human-readable location, for reports. */
  readonly location: string;
  append(checkpoint: Checkpoint): Promise<void>;
  /** Every stored line for this database, whatever its replica. */
  lines(database: string): Promise<CheckpointLine[]>;
}

const macOf = (key: Buffer, body: Omit<Checkpoint, "mac">): string =>
  createHmac("sha256", key)
    .update(`${CHECKPOINT_FORMAT}\n${canonicalJson(body)}`)
    .digest("hex");

export function signCheckpoint(key: Buffer, body: Omit<Checkpoint, "mac" | "format">): Checkpoint {
  const unsigned = { format: CHECKPOINT_FORMAT, ...body } as const;
  return { ...unsigned, mac: macOf(key, unsigned) };
}

/** Parses and authenticates one line; undefined when it is not a checkpoint signed with `key`. */
export function readCheckpoint(key: Buffer, text: string): Checkpoint | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== "object") return undefined;
  const { mac, ...body } = parsed as Checkpoint;
  if (body.format !== CHECKPOINT_FORMAT || typeof mac !== "string" || !Array.isArray(body.heads))
    return undefined;
  const expected = Buffer.from(macOf(key, body), "hex");
  const given = Buffer.from(mac, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return { ...body, mac };
}

/** File names carry only letters, digits, `_` and `-`. */
export const fileSafe = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 100) || "-";

export function fileCheckpointStore(dir: string, replica: string): CheckpointStore {
  const fileOf = (database: string) => join(dir, `${fileSafe(database)}.${fileSafe(replica)}.jsonl`);
  return {
    location: dir,
    async append(checkpoint) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = fileOf(checkpoint.database);
      const previous = await readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") return "";
        throw err;
      });
      const kept = previous
        .split("\n")
        .filter(Boolean)
        .slice(-(CHECKPOINTS_KEPT - 1));
      const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
      try {
        await writeFile(temp, `${[...kept, JSON.stringify(checkpoint)].join("\n")}\n`, {
          mode: 0o600,
          flush: true,
        });
        await rename(temp, file);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },
    async lines(database) {
      const prefix = `${fileSafe(database)}.`;
      const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") return [] as string[];
        throw err;
      });
      const out: CheckpointLine[] = [];
      for (const name of names.filter((n) => n.startsWith(prefix) && n.endsWith(".jsonl")).sort()) {
        const text = await readFile(join(dir, name), "utf8");
        text.split("\n").forEach((t, i) => {
          if (t.trim()) out.push({ source: join(dir, name), line: i + 1, text: t });
        });
      }
      return out;
    },
  };
}

/** For an in-memory database: checkpoints that live exactly as long as the process. */
export function memoryCheckpointStore(): CheckpointStore {
  const lines: string[] = [];
  return {
    location: "memory",
    async append(checkpoint) {
      lines.push(JSON.stringify(checkpoint));
    },
    async lines(database) {
      return lines
        .map((text, i) => ({ source: "memory", line: i + 1, text }))
        .filter((l) => (JSON.parse(l.text) as Checkpoint).database === database);
    },
  };
}
