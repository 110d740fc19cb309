/**
 * Idempotency keys for changes that may be sent twice (a browser replaying its offline queue, a
 * retry after a lost answer): the first answer is kept per account and key, and a replay gets it
 * back instead of a second effect. The key is claimed inside the change's own transaction, so
 * on any number of replicas two copies of one request meet at the table's primary key: the
 * second waits for the first to commit, then reads its answer (or, if the first rolled back,
 * goes ahead itself).
 */
import { createHash } from "node:crypto";
import { sql } from "kysely";
import type { Actor } from "./access.js";
import type { Executor } from "./db.js";
import { problems } from "./errors.js";

type IdempotencyTables = {
  idempotency_keys: {
    user_id: string;
    key: string;
    operation: string;
    request_hash: string;
    response: unknown;
    created_at: Date;
  };
};
const q = (db: Executor) => db.withTables<IdempotencyTables>();

/** Answers are kept this long; a queue older than this is replayed as a new request. */
export const IDEMPOTENCY_RETENTION_DAYS = 7;

/** One request as the key protects it: what it does, to what, with which content. */
export interface IdempotentRequest {
  key: string;
  /** Method, route and target, e.g. `POST /api/v1/appointments/:id/status 3f…`. */
  operation: string;
  body: unknown;
}

const hashOf = (body: unknown) =>
  createHash("sha256")
    .update(JSON.stringify(body ?? null))
    .digest("hex");

/**
 * Runs `change` once per (account, key) within `tx`: the first time it runs and its answer is
 * stored with the transaction; afterwards the stored answer comes back with `replayed: true`.
 * The same key on a different request is refused (422 on the header), never replayed.
 */
export async function once<T>(
  tx: Executor,
  actor: Actor,
  request: IdempotentRequest | undefined,
  change: () => Promise<T>,
): Promise<{ value: T; replayed: boolean }> {
  if (!request) return { value: await change(), replayed: false };
  const hash = hashOf(request.body);
  const claimed = await q(tx)
    .insertInto("idempotency_keys")
    .values({
      user_id: actor.userId,
      key: request.key,
      operation: request.operation,
      request_hash: hash,
      response: null,
      created_at: sql<Date>`now()`,
    })
    .onConflict((oc) => oc.columns(["user_id", "key"]).doNothing())
    .returning("key")
    .executeTakeFirst();
  if (!claimed) {
    const first = await q(tx)
      .selectFrom("idempotency_keys")
      .select(["operation", "request_hash", "response"])
      .where("user_id", "=", actor.userId)
      .where("key", "=", request.key)
      .executeTakeFirstOrThrow();
    if (first.operation !== request.operation || first.request_hash !== hash)
      throw problems.invalid(
        "headers.idempotency-key",
        "this key was already used for a different request",
        "idempotency_key_reused",
      );
    const stored = typeof first.response === "string" ? JSON.parse(first.response) : first.response;
    return { value: stored as T, replayed: true };
  }
  const value = await change();
  await q(tx)
    .updateTable("idempotency_keys")
    .set({ response: sql`${JSON.stringify(value)}::jsonb` })
    .where("user_id", "=", actor.userId)
    .where("key", "=", request.key)
    .execute();
  // an account's old answers go as it makes new ones: the table stays bounded without a sweeper
  await q(tx)
    .deleteFrom("idempotency_keys")
    .where("user_id", "=", actor.userId)
    .where("created_at", "<", sql<Date>`now() - make_interval(days => ${IDEMPOTENCY_RETENTION_DAYS})`)
    .execute();
  return { value, replayed: false };
}

/** The version an `If-Match` header names (`"7"`, `W/"7"` or `7`); undefined when absent. */
export function versionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!m) throw problems.badRequest("headers.if-match", 'must be a version the API handed out, e.g. "3"');
  return Number(m[1]);
}

/** The ETag of a version, as `versionFromIfMatch` reads it back. */
export const etagOf = (version: number): string => `"${version}"`;
