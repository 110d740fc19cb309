/**
 * What an audit event's hash covers, and how. The rule: hash exactly what the row holds after a
 * round trip through the database — canonical values (lowercase uuids, text PostgreSQL accepts,
 * detail as the JSON jsonb gives back) in one canonical serialisation (sorted keys).
 */
import { createHash, createHmac } from "node:crypto";
import type { AuditRow } from "./repository.js";

export const GENESIS = "0".repeat(64);
/** Events written before the chain was keyed: plain SHA-256, verified as they were written. */
export const LEGACY_ALG = "sha256";
/** Every event written now: HMAC-SHA256 under the audit key, which the database never holds. */
export const KEYED_ALG = "hmac-sha256";

/** The fields an event's hash covers: the stored row without its position and its own hash. */
export type HashedEvent = Omit<AuditRow, "seq" | "hash" | "hash_alg">;

const UUID_FIELDS = ["id", "user_id", "acting_for", "patient_id", "location_id"] as const;
const TEXT_FIELDS = [
  "role",
  "action",
  "resource_type",
  "resource_id",
  "outcome",
  "request_id",
  "client_address",
] as const;

/**
 * PostgreSQL's `uuid` input accepts capitals, braces and missing hyphens and gives back one
 * spelling: lowercase, hyphenated. Anything else is left alone (the insert will refuse it).
 */
export function canonicalUuid(value: string): string {
  const hex = value.replace(/^\{(.*)\}$/, "$1").replaceAll("-", "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return value;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * PostgreSQL refuses NUL in text and jsonb, and a lone surrogate reaches it as U+FFFD; an odd
 * string in a request must not make its audit event (and so the request) fail.
 */
function storableText(value: string): string {
  return value
    .replaceAll("\0", "\ufffd")
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

function storableJson(value: unknown): unknown {
  if (typeof value === "string") return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableJson(v)]));
  }
  return value;
}

/**
 * The detail as jsonb will give it back: plain JSON (dates as ISO strings, undefined dropped,
 * toJSON applied), with text PostgreSQL accepts. jsonb keeps every JSON number's value, so a
 * number parses back to the same double.
 */
export function storedDetail(detail: unknown): Record<string, unknown> {
  const json = JSON.parse(JSON.stringify(storableJson(detail ?? {})) ?? "{}") as unknown;
  return json && typeof json === "object" && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
}

/** The row exactly as the database will hold it, so the hash written is the hash re-computed. */
export function storedEvent(e: HashedEvent): HashedEvent {
  const row = { ...e, detail: storedDetail(e.detail), occurred_at: new Date(e.occurred_at) };
  for (const f of UUID_FIELDS) {
    const v = row[f];
    if (typeof v === "string") row[f] = canonicalUuid(v);
  }
  for (const f of TEXT_FIELDS) {
    const v = row[f];
    if (typeof v === "string") (row as Record<string, unknown>)[f] = storableText(v);
  }
  return row;
}

/** One serialisation: JSON with every object's keys sorted, at every depth. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(",")}]`;
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

const detailOf = (e: HashedEvent): unknown =>
  typeof e.detail === "string" ? JSON.parse(e.detail) : (e.detail ?? {});

/** HMAC-SHA256 under the audit key over every field a reader relies on and the previous hash. */
export function keyedEventHash(key: Buffer, e: HashedEvent): string {
  const material = canonicalJson({
    format: "rounds-audit-event/2",
    id: e.id,
    chain: e.chain,
    occurredAt: new Date(e.occurred_at).toISOString(),
    userId: e.user_id,
    role: e.role,
    actingFor: e.acting_for,
    action: e.action,
    resourceType: e.resource_type,
    resourceId: e.resource_id,
    patientId: e.patient_id,
    locationId: e.location_id,
    outcome: e.outcome,
    requestId: e.request_id,
    clientAddress: e.client_address,
    detail: detailOf(e),
    flagged: e.flagged,
    prevHash: e.prev_hash,
  });
  return createHmac("sha256", key).update(material).digest("hex");
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The unkeyed SHA-256 of events written before the chain was keyed, exactly as they were hashed. */
export function legacyEventHash(e: HashedEvent): string {
  const material = JSON.stringify([
    e.id,
    e.chain,
    new Date(e.occurred_at).toISOString(),
    e.user_id,
    e.role,
    e.acting_for,
    e.action,
    e.resource_type,
    e.resource_id,
    e.patient_id,
    e.location_id,
    e.outcome,
    e.request_id,
    e.client_address,
    sortedKeys(detailOf(e)),
    e.flagged,
    e.prev_hash,
  ]);
  return createHash("sha256").update(material).digest("hex");
}

/**
 * An unkeyed event is genuine if its hash matches as stored, or as it was hashed by the version
 * that hashed ids in the capitals they were sent in and stored them in lowercase.
 */
export function legacyHashMatches(e: HashedEvent, hash: string): boolean {
  if (legacyEventHash(e) === hash) return true;
  const fields = (["patient_id", "acting_for", "location_id"] as const).filter((f) => e[f] !== null);
  for (let mask = 1; mask < 1 << fields.length; mask++) {
    const variant = { ...e };
    fields.forEach((f, i) => {
      if (mask & (1 << i)) variant[f] = (e[f] as string).toUpperCase();
    });
    if (legacyEventHash(variant) === hash) return true;
  }
  return false;
}
