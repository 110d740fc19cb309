/**
 * What goes with every backup: a manifest naming the Rounds version, the migration level, when it
 * was taken, the sha256 of each part and the audit chain heads, signed (HMAC-SHA256) with a key
 * derived from the audit key. Whoever can edit the backup but does not hold the audit key cannot
 * make a changed part pass: a restore checks the signature and every checksum before it writes.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const BACKUP_FORMAT = "rounds-backup/1";
export const MANIFEST_FILE = "manifest.json";

export interface BackupPart {
  file: string;
  bytes: number;
  sha256: string;
}

/** A chain's newest event when the backup was taken. */
export interface ChainHead {
  chain: number;
  seq: number;
  hash: string;
}

/** JSON with sorted keys at every depth: the signed form of the manifest. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export type BackupScope =
  | { kind: "network" }
  | {
      kind: "location";
      locationId: string;
      code: string;
      name: string;
      /** The location's data residency region: the file belongs on that region's storage (absent: older backups). */
      region?: string;
    };

export interface Manifest {
  format: typeof BACKUP_FORMAT;
  scope: BackupScope;
  database: "pglite" | "postgres";
  roundsVersion: string;
  /** The newest migration applied to the backed-up database. */
  migration: string;
  createdAt: string;
  parts: BackupPart[];
  /** The network's chain heads when the backup was taken, and the audit events the backup holds. */
  audit: { heads: ChainHead[]; events: number };
  signature: string;
}

/** Why a backup was refused or could not be taken: a stable code and a sentence for the operator. */
export class BackupError extends Error {
  constructor(
    readonly code:
      | "manifest_missing"
      | "manifest_signature"
      | "checksum"
      | "audit_chain"
      | "collision"
      | "not_empty"
      | "wrong_scope"
      | "migration_level"
      | "conflict"
      | "in_use"
      | "tool_failed",
    message: string,
  ) {
    super(message);
    this.name = "BackupError";
  }
}

/** The manifest key: derived from the audit key, so one secret guards the trail and its backups. */
function manifestKey(auditKey: Buffer): Buffer {
  return createHmac("sha256", auditKey).update("rounds-backup-manifest/1").digest();
}

function signatureOf(auditKey: Buffer, m: Omit<Manifest, "signature">): string {
  return createHmac("sha256", manifestKey(auditKey)).update(canonicalJson(m)).digest("hex");
}

export async function partOf(dir: string, file: string): Promise<BackupPart> {
  const path = join(dir, file);
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { file, bytes: (await stat(path)).size, sha256: hash.digest("hex") };
}

export async function writeManifest(
  dir: string,
  auditKey: Buffer,
  m: Omit<Manifest, "signature" | "format">,
): Promise<Manifest> {
  const body = { format: BACKUP_FORMAT, ...m } as const;
  const manifest: Manifest = { ...body, signature: signatureOf(auditKey, body) };
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return manifest;
}

/** Reads the manifest without trusting it yet (the key may still have to come from the backup). */
export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), "utf8");
  } catch {
    throw new BackupError("manifest_missing", `no ${MANIFEST_FILE} in ${dir}: not a Rounds backup`);
  }
  try {
    const m = JSON.parse(text) as Manifest;
    if (m.format !== BACKUP_FORMAT || !Array.isArray(m.parts) || typeof m.signature !== "string")
      throw new Error("unknown format");
    return m;
  } catch {
    throw new BackupError(
      "manifest_missing",
      `${MANIFEST_FILE} in ${dir} is not a ${BACKUP_FORMAT} manifest`,
    );
  }
}

/** Checks the signature, then every part's size and sha256: a restore writes nothing before this passes. */
export async function checkManifest(dir: string, auditKey: Buffer, m: Manifest): Promise<void> {
  const { signature, ...body } = m;
  const expected = Buffer.from(signatureOf(auditKey, body), "hex");
  const given = Buffer.from(signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new BackupError(
      "manifest_signature",
      "the manifest is not signed with this network's audit key: the backup was edited, or belongs to another network",
    );
  for (const part of m.parts) {
    const actual = await partOf(dir, part.file).catch(() => undefined);
    if (!actual)
      throw new BackupError("checksum", `${part.file} is listed in the manifest but missing from the backup`);
    if (actual.sha256 !== part.sha256 || actual.bytes !== part.bytes)
      throw new BackupError(
        "checksum",
        `${part.file} does not match its sha256 in the manifest: the file was changed`,
      );
  }
}
