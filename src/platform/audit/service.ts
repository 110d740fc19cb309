import { randomUUID } from "node:crypto";
import type { Actor } from "../access.js";
import type { Executor } from "../db.js";
import type { ServiceDeps } from "../module.js";
import { patient } from "../policy.js";
import { type ChainHead, type Checkpoint, readCheckpoint } from "./checkpoints.js";
import { GENESIS, KEYED_ALG, keyedEventHash, LEGACY_ALG, legacyHashMatches, storedEvent } from "./hashing.js";
import { type AuditFilter, auditRepository as repo } from "./repository.js";
import { type AuditEvent, type AuditQuery, toEvent } from "./schema.js";
import { boundTrail } from "./trail.js";

/** Number of independent hash chains; appenders on different chains never wait for each other. */
export const AUDIT_CHAINS = 16;

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

export const auditService = {
  /**
   * Appends one event inside the caller's transaction, so the event commits or rolls back with
   * the change it records. Call it last in the transaction: the chain lock is held until commit.
   */
  async record(tx: Executor, ctx: AuditContext, input: AuditEventInput): Promise<void> {
    // the chain lock lasts as long as a transaction: outside one, two appenders could fork a chain
    if (!tx.isTransaction) return tx.transaction().execute((t) => auditService.record(t, ctx, input));
    const trail = boundTrail(tx);
    // the chain's lock and its last hash in one statement; the event itself in a second
    const head = await repo.lockChainHead(tx, AUDIT_CHAINS);
    const chain = head.chain;
    const prev = head.prevHash ?? GENESIS;
    // hash exactly what the row will hold: canonical ids, storable text, detail as jsonb returns it
    const row = storedEvent({
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
      detail: input.detail ?? {},
      flagged: input.flagged ?? false,
      prev_hash: prev,
    });
    await repo.insert(tx, { ...row, hash_alg: KEYED_ALG, hash: keyedEventHash(trail.key, row) });
    trail.recorded();
  },

  list(db: Executor, filter: AuditFilter) {
    return repo.list(db, filter);
  },

  /**
   * Walks every chain, checking each event's hash and link, then holds the chains against the
   * newest signed checkpoint of each: a chain that ends before its checkpointed head (the newest
   * events removed), that is gone (the whole chain deleted), or whose checkpointed event no longer
   * has the signed hash (rewritten and re-hashed) is broken. Returns the first problem found.
   */
  async verify(db: Executor): Promise<VerifyResult> {
    const trail = boundTrail(db);
    const newest = new Map<number, ChainHead & { checkpoint: Checkpoint; source: string }>();
    let checkpoints = 0;
    for (const line of await trail.store.lines(trail.database)) {
      const checkpoint = readCheckpoint(trail.key, line.text);
      if (!checkpoint || checkpoint.database !== trail.database) {
        return broken(0, null, {
          reason: `checkpoint ${line.source}:${line.line} is not signed with the audit key: it was edited or forged`,
        });
      }
      checkpoints++;
      for (const head of checkpoint.heads) {
        const known = newest.get(head.chain);
        if (!known || head.seq > known.seq)
          newest.set(head.chain, { ...head, checkpoint, source: line.source });
      }
    }
    const signed = (h: { checkpoint: Checkpoint; source: string }) =>
      `the signed checkpoint of ${h.checkpoint.writtenAt} (${h.source})`;

    let checked = 0;
    const chains = [...new Set([...(await repo.chains(db)), ...newest.keys()])].sort((a, b) => a - b);
    for (const chain of chains) {
      const head = newest.get(chain);
      let prev = GENESIS;
      let after = 0;
      let keyed = false;
      let headSeen = false;
      for (;;) {
        const page = await repo.chainPage(db, chain, after, 5000);
        if (page.length === 0) break;
        for (const e of page) {
          checked++;
          const at = { seq: e.seq, id: e.id, chain };
          if (e.prev_hash !== prev) {
            return broken(checked, at, {
              reason: "previous hash does not match: an event was removed or reordered",
            });
          }
          if (e.hash_alg === KEYED_ALG) {
            keyed = true;
            if (keyedEventHash(trail.key, e) !== e.hash)
              return broken(checked, at, {
                reason: "content does not match its hash: the event was altered",
              });
          } else if (e.hash_alg === LEGACY_ALG) {
            if (keyed)
              return broken(checked, at, {
                reason:
                  "an unkeyed event after keyed ones: forged without the audit key, or written by an older replica",
              });
            if (!legacyHashMatches(e, e.hash))
              return broken(checked, at, {
                reason: "content does not match its hash: the event was altered",
              });
          } else {
            return broken(checked, at, { reason: `unknown hash algorithm ${JSON.stringify(e.hash_alg)}` });
          }
          if (head && e.seq === head.seq) {
            headSeen = true;
            if (e.hash !== head.hash)
              return broken(checked, at, {
                reason: `the event differs from ${signed(head)}: the chain was rewritten and re-hashed`,
              });
          }
          prev = e.hash;
          after = e.seq;
        }
      }
      if (head && !headSeen) {
        const at = { seq: head.seq, id: null, chain };
        if (after === 0)
          return broken(checked, at, {
            reason: `chain ${chain} was deleted: ${signed(head)} recorded its head at seq ${head.seq}`,
          });
        if (after < head.seq)
          return broken(checked, at, {
            reason: `the newest events of chain ${chain} were removed: ${signed(head)} recorded its head at seq ${head.seq}, the chain now ends at seq ${after}`,
          });
        return broken(checked, at, {
          reason: `event seq ${head.seq} of chain ${chain}, recorded by ${signed(head)}, was removed`,
        });
      }
    }
    const latest = [...newest.values()]
      .map((h) => h.checkpoint.writtenAt)
      .sort()
      .at(-1);
    return {
      ok: true,
      checked,
      checkpoints: { count: checkpoints, newest: latest ?? null, location: trail.store.location },
    };
  },
};

function broken(
  checked: number,
  at: { seq: number; id: string; chain: number } | { seq: number; id: null; chain: number } | null,
  problem: { reason: string },
): VerifyResult {
  return {
    ok: false,
    checked,
    brokenAt: { seq: at?.seq ?? null, id: at?.id ?? null, chain: at?.chain ?? null, reason: problem.reason },
  };
}

export type VerifyResult =
  | {
      ok: true;
      checked: number;
      /** The checkpoints the chains were held against (none yet on a young trail). */
      checkpoints: { count: number; newest: string | null; location: string };
    }
  | {
      ok: false;
      checked: number;
      brokenAt: { seq: number | null; id: string | null; chain: number | null; reason: string };
    };

const contextOf = (a: Actor): AuditContext => ({
  userId: a.userId,
  role: a.role,
  requestId: a.requestId,
  clientAddress: a.clientAddress,
});

/** One page of the trail as the API answers it. */
export interface AuditPage {
  items: AuditEvent[];
  total: number;
  limit: number;
  offset: number;
}

/**
 * Reading the trail: itself an access to patient data, so each read is audited in its own
 * transaction. Writing goes through `auditService.record` inside the transaction of the change.
 */
export function createAudit({ db, policies }: Omit<ServiceDeps, "clock">) {
  return {
    /** Administrators and compliance officers search the whole trail (route admission). */
    search: (actor: Actor, query: AuditQuery): Promise<AuditPage> =>
      db.transaction().execute(async (tx) => {
        const { rows, total } = await repo.list(tx, query);
        await auditService.record(tx, contextOf(actor), {
          action: "audit.search",
          resourceType: "audit_event",
          patientId: query.patientId ?? null,
          detail: { filter: { ...query } },
        });
        return { items: rows.map(toEvent), total, limit: query.limit, offset: query.offset };
      }),

    /** Who opened or changed a patient's record; patients do not see the hospital's addresses. */
    accessLog: (
      actor: Actor,
      patientId: string,
      page: { limit: number; offset: number },
    ): Promise<AuditPage> =>
      db.transaction().execute(async (tx) => {
        const ground = await policies.authorize(tx, actor, "read_access_log", patient(patientId));
        const { rows, total } = await repo.list(tx, { patientId, ...page });
        await auditService.record(tx, contextOf(actor), {
          action: "patient.access_log.read",
          resourceType: "patient",
          resourceId: patientId,
          patientId,
          actingFor: ground === "guardian" ? patientId : null,
        });
        const items = rows
          .map(toEvent)
          .map((e) =>
            ground === "own" || ground === "guardian" ? { ...e, clientAddress: null, requestId: null } : e,
          );
        return { items, total, limit: page.limit, offset: page.offset };
      }),

    /** Appends one event inside the caller's transaction (see `auditService.record`). */
    record: auditService.record,
    /** Walks every chain and holds it against its newest checkpoint. */
    verify: (): Promise<VerifyResult> => auditService.verify(db),
  };
}

/** The audit service as the composition root wires it. */
export type Audit = ReturnType<typeof createAudit>;
