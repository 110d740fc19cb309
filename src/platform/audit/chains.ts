/**
 * The audit trail as a backup and a restore see it (src/platform/backup): the chain heads to
 * record in a manifest, a full walk of every chain that relies on nothing outside the database (a restored database is older than the
 * checkpoints its original wrote, so those cannot be the yardstick), and the check of single
 * events taken out of their chains (a location's events interleave with other locations').
 */
import type { Executor } from "../db.js";
import type { ChainHead } from "./checkpoints.js";
import { GENESIS, KEYED_ALG, keyedEventHash, LEGACY_ALG, legacyHashMatches } from "./hashing.js";
import { type AuditRow, auditRepository } from "./repository.js";
import { boundTrail } from "./trail.js";

/** An audit event as stored, taken out of the database (a location backup carries them). */
export type StoredAuditEvent = AuditRow;

/** The audit key this database's trail is signed with (its trail must be open). */
export function trailKey(db: Executor): Buffer {
  return boundTrail(db).key;
}

export function chainHeads(db: Executor): Promise<ChainHead[]> {
  return auditRepository.heads(db);
}

/** Why one event's own hash fails, or null when its content is what was hashed. */
export function eventProblem(key: Buffer, e: AuditRow): string | null {
  if (e.hash_alg === KEYED_ALG)
    return keyedEventHash(key, e) === e.hash
      ? null
      : "content does not match its hash: the event was altered";
  if (e.hash_alg === LEGACY_ALG)
    return legacyHashMatches(e, e.hash) ? null : "content does not match its hash: the event was altered";
  return `unknown hash algorithm ${JSON.stringify(e.hash_alg)}`;
}

export interface ChainWalk {
  events: number;
  heads: ChainHead[];
  problem: string | null;
}

/** Walks every chain from its start: each event's hash, its link, and no unkeyed event after keyed ones. */
export async function walkChains(db: Executor, key: Buffer): Promise<ChainWalk> {
  let events = 0;
  const heads: ChainHead[] = [];
  for (const chain of await auditRepository.chains(db)) {
    let prev = GENESIS;
    let after = 0;
    let keyed = false;
    for (;;) {
      const page = await auditRepository.chainPage(db, chain, after, 5000);
      if (page.length === 0) break;
      for (const e of page) {
        events++;
        const where = `audit event seq=${e.seq} (chain ${chain})`;
        if (e.prev_hash !== prev)
          return {
            events,
            heads,
            problem: `${where}: previous hash does not match, an event was removed or reordered`,
          };
        if (e.hash_alg === LEGACY_ALG && keyed)
          return { events, heads, problem: `${where}: an unkeyed event after keyed ones` };
        keyed ||= e.hash_alg === KEYED_ALG;
        const problem = eventProblem(key, e);
        if (problem) return { events, heads, problem: `${where}: ${problem}` };
        prev = e.hash;
        after = e.seq;
      }
    }
    if (after > 0) heads.push({ chain, seq: after, hash: prev });
  }
  return { events, heads, problem: null };
}

/** The first manifest head the database does not hold with the same hash, as a sentence; null when all are there. */
export async function headsHeld(db: Executor, heads: readonly ChainHead[]): Promise<string | null> {
  const held = new Map(
    (
      await auditRepository.eventsAt(
        db,
        heads.map((h) => h.seq),
      )
    ).map((e) => [e.seq, e]),
  );
  for (const h of heads) {
    const e = held.get(h.seq);
    if (!e || e.chain !== h.chain || e.hash !== h.hash)
      return `chain ${h.chain} does not hold the event seq=${h.seq} the manifest recorded as its head`;
  }
  return null;
}
