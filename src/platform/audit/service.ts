import { createHash, randomUUID } from "node:crypto";
import type { Executor } from "../db.js";
import { type AuditFilter, type AuditRow, auditRepository as repo } from "./repository.js";

/** Number of independent hash chains; appenders on different chains never wait for each other. */
export const AUDIT_CHAINS = 16;
const GENESIS = "0".repeat(64);

/** Who did it and from where: an actor, or an anonymous caller (a failed sign-in, say). */
export interface AuditContext {
  userId: string | null;
  role: string | null;
  requestId: string | null;
  clientAddress: string | null;
}

export interface AuditEventInput {
  action: string;
  resourceType: string;
  resourceId?: string | null;
  patientId?: string | null;
  locationId?: string | null;
  actingFor?: string | null;
  outcome?: "success" | "denied" | "failure";
  detail?: Record<string, unknown>;
  /** Marks the event for compliance review (break-the-glass, suspicious access). */
  flagged?: boolean;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * PostgreSQL's jsonb refuses NUL characters and unpaired surrogates; an odd string in a request
 * must not make its audit event (and so the request) fail, so such characters are replaced.
 */
function storable(value: unknown): unknown {
  if (typeof value === "string")
    return value
      .replaceAll("\0", "\ufffd")
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
  if (Array.isArray(value)) return value.map(storable);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k) as string, storable(v)]));
  }
  return value;
}

/** The hash covers every field a reader relies on, plus the previous hash of the chain. */
export function eventHash(e: Omit<AuditRow, "seq" | "hash">): string {
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
    canonical(typeof e.detail === "string" ? JSON.parse(e.detail) : (e.detail ?? {})),
    e.flagged,
    e.prev_hash,
  ]);
  return createHash("sha256").update(material).digest("hex");
}

export const auditService = {
  /**
   * Appends one event inside the caller's transaction, so the event commits or rolls back with
   * the change it records. Call it last in the transaction: the chain lock is held until commit.
   */
  async record(tx: Executor, ctx: AuditContext, input: AuditEventInput): Promise<void> {
    // the chain lock lasts as long as a transaction: outside one, two appenders could fork a chain
    if (!tx.isTransaction) return tx.transaction().execute((t) => auditService.record(t, ctx, input));
    const chain = await repo.lockChain(tx, AUDIT_CHAINS);
    const prev = (await repo.lastHash(tx, chain)) ?? GENESIS;
    const row = {
      id: randomUUID(),
      chain,
      occurred_at: new Date(),
      user_id: ctx.userId,
      role: ctx.role,
      acting_for: input.actingFor ?? null,
      action: input.action,
      resource_type: input.resourceType,
      resource_id: input.resourceId ?? null,
      patient_id: input.patientId ?? null,
      location_id: input.locationId ?? null,
      outcome: input.outcome ?? "success",
      request_id: ctx.requestId,
      client_address: ctx.clientAddress,
      detail: storable(input.detail ?? {}) as Record<string, unknown>,
      flagged: input.flagged ?? false,
      prev_hash: prev,
    };
    await repo.insert(tx, { ...row, hash: eventHash(row) });
  },

  list(db: Executor, filter: AuditFilter) {
    return repo.list(db, filter);
  },

  /** Walks every chain; returns the first broken link found, or ok with the number checked. */
  async verify(db: Executor): Promise<VerifyResult> {
    let checked = 0;
    for (const chain of await repo.chains(db)) {
      let prev = GENESIS;
      let after = 0;
      for (;;) {
        const page = await repo.chainPage(db, chain, after, 5000);
        if (page.length === 0) break;
        for (const e of page) {
          checked++;
          if (e.prev_hash !== prev) {
            return {
              ok: false,
              checked,
              brokenAt: {
                seq: e.seq,
                id: e.id,
                chain,
                reason: "previous hash does not match: an event was removed or reordered",
              },
            };
          }
          if (eventHash(e) !== e.hash) {
            return {
              ok: false,
              checked,
              brokenAt: {
                seq: e.seq,
                id: e.id,
                chain,
                reason: "content does not match its hash: the event was altered",
              },
            };
          }
          prev = e.hash;
          after = e.seq;
        }
      }
    }
    return { ok: true, checked };
  },
};

export type VerifyResult =
  | { ok: true; checked: number }
  | { ok: false; checked: number; brokenAt: { seq: number; id: string; chain: number; reason: string } };
