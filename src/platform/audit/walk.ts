/**
 * Incremental verification: checks only the events after a cursor per chain (the last event
 * checked and its hash), so a monitor that looks every few minutes pays for the new events, not
 * the whole trail. Every walk also re-reads, per chain, the cursor's own event and the event the
 * newest signed checkpoint names (one read for all chains), so rewriting or cutting what was verified
 * before still shows. `verify` (service.ts) remains the full walk, on demand.
 */
import type { Executor } from "../db.js";
import { type ChainHead, readCheckpoint } from "./checkpoints.js";
import { GENESIS, KEYED_ALG, keyedEventHash, LEGACY_ALG, legacyHashMatches } from "./hashing.js";
import { type AuditRow, auditRepository as repo } from "./repository.js";
import { boundTrail } from "./trail.js";

/** Where a chain's verification stands: its last checked event, and whether keyed events began. */
export interface ChainCursor {
  chain: number;
  seq: number;
  hash: string;
  keyed: boolean;
}

/** What a walked event tells a monitor (no patient, no detail). */
export interface WalkedEvent {
  chain: number;
  seq: number;
  occurredAt: Date;
  userId: string | null;
  locationId: string | null;
  action: string;
  outcome: string;
}

/** A problem found: at an event that is there (its location known), or where one is missing. */
export interface ChainBreak {
  chain: number | null;
  seq: number | null;
  id: string | null;
  locationId: string | null;
  reason: string;
}

export interface WalkResult {
  cursors: ChainCursor[];
  events: WalkedEvent[];
  breaks: ChainBreak[];
  /** False when the budget ran out first: the rest is walked next time. */
  complete: boolean;
}

const PAGE = 2000;

/** Why an event fails its link or its hash, or null when it holds. */
function problemOf(key: Buffer, e: AuditRow, prev: string, keyed: boolean): string | null {
  if (e.prev_hash !== prev) return "previous hash does not match: an event was removed or reordered";
  if (e.hash_alg === KEYED_ALG)
    return keyedEventHash(key, e) === e.hash
      ? null
      : "content does not match its hash: the event was altered";
  if (e.hash_alg === LEGACY_ALG) {
    if (keyed)
      return "an unkeyed event after keyed ones: forged without the audit key, or written by an older replica";
    return legacyHashMatches(e, e.hash) ? null : "content does not match its hash: the event was altered";
  }
  return `unknown hash algorithm ${JSON.stringify(e.hash_alg)}`;
}

const at = (e: AuditRow, reason: string): ChainBreak => ({
  chain: e.chain,
  seq: e.seq,
  id: e.id,
  locationId: e.location_id,
  reason,
});
const missing = (chain: number, seq: number | null, reason: string): ChainBreak => ({
  chain,
  seq,
  id: null,
  locationId: null,
  reason,
});

/**
 * Verifies the events after each cursor, at most `budget` of them, and returns the moved cursors,
 * the events walked (in chain order) and every problem found. A walk continues past a problem,
 * linking to the stored hash, so one altered event does not hide the rest.
 */
export async function verifyAfter(
  db: Executor,
  cursors: readonly ChainCursor[],
  budget: number,
): Promise<WalkResult> {
  const trail = boundTrail(db);
  const breaks: ChainBreak[] = [];
  const newest = new Map<number, ChainHead & { writtenAt: string }>();
  for (const line of await trail.store.lines(trail.database)) {
    const checkpoint = readCheckpoint(trail.key, line.text);
    if (!checkpoint || checkpoint.database !== trail.database) {
      breaks.push({
        chain: null,
        seq: null,
        id: null,
        locationId: null,
        reason: `checkpoint ${line.source}:${line.line} is not signed with the audit key: it was edited or forged`,
      });
      continue;
    }
    for (const head of checkpoint.heads) {
      const known = newest.get(head.chain);
      if (!known || head.seq > known.seq)
        newest.set(head.chain, { ...head, writtenAt: checkpoint.writtenAt });
    }
  }
  const byChain = new Map(cursors.map((c) => [c.chain, c]));
  const heads = await repo.heads(db);
  const chains = [...new Set([...heads.map((h) => h.chain), ...byChain.keys(), ...newest.keys()])].sort(
    (a, b) => a - b,
  );
  const headOf = new Map(heads.map((h) => [h.chain, h]));
  // the cursors' own events and the checkpointed ones behind them, in one read
  const wanted = new Set<number>();
  for (const chain of chains) {
    const from = byChain.get(chain);
    const signed = newest.get(chain);
    if (from && from.seq > 0) wanted.add(from.seq);
    if (signed && from && signed.seq < from.seq) wanted.add(signed.seq);
  }
  const bySeq = new Map((await repo.eventsAt(db, [...wanted])).map((e) => [Number(e.seq), e]));
  const eventAt = (chain: number, seq: number) => {
    const e = bySeq.get(seq);
    return e && e.chain === chain ? e : undefined;
  };
  const events: WalkedEvent[] = [];
  const moved: ChainCursor[] = [];
  let left = budget;
  let complete = true;
  for (const chain of chains) {
    const from = byChain.get(chain) ?? { chain, seq: 0, hash: GENESIS, keyed: false };
    // what was verified before is still there, as it was
    if (from.seq > 0) {
      const e = eventAt(chain, from.seq);
      if (!e)
        breaks.push(
          missing(chain, from.seq, `event seq ${from.seq} of chain ${chain}, verified before, was removed`),
        );
      else if (e.hash !== from.hash)
        breaks.push(at(e, "the event changed after it was verified: the chain was rewritten and re-hashed"));
    }
    const signed = newest.get(chain);
    const signedText = signed ? `the signed checkpoint of ${signed.writtenAt}` : "";
    if (signed && signed.seq <= from.seq) {
      const e = signed.seq === from.seq ? undefined : eventAt(chain, signed.seq);
      if (signed.seq < from.seq && !e)
        breaks.push(
          missing(
            chain,
            signed.seq,
            `event seq ${signed.seq} of chain ${chain}, recorded by ${signedText}, was removed`,
          ),
        );
      else if (e && e.hash !== signed.hash)
        breaks.push(at(e, `the event differs from ${signedText}: the chain was rewritten and re-hashed`));
    }
    let cursor = from;
    let signedSeen = !signed || signed.seq <= from.seq;
    // nothing after the cursor when the chain's newest event is the cursor's (or the chain is empty)
    const head = headOf.get(chain);
    const fresh = head !== undefined && head.seq > cursor.seq;
    while (fresh && left > 0) {
      const page = await repo.chainPage(db, chain, cursor.seq, Math.min(PAGE, left));
      for (const e of page) {
        const problem = problemOf(trail.key, e, cursor.hash, cursor.keyed);
        if (problem) breaks.push(at(e, problem));
        if (signed && e.seq === signed.seq) {
          signedSeen = true;
          if (e.hash !== signed.hash)
            breaks.push(at(e, `the event differs from ${signedText}: the chain was rewritten and re-hashed`));
        }
        events.push({
          chain,
          seq: e.seq,
          occurredAt: new Date(e.occurred_at),
          userId: e.user_id,
          locationId: e.location_id,
          action: e.action,
          outcome: e.outcome,
        });
        cursor = { chain, seq: e.seq, hash: e.hash, keyed: cursor.keyed || e.hash_alg === KEYED_ALG };
      }
      left -= page.length;
      if (page.length < PAGE) break;
    }
    if (left <= 0) complete = false;
    if (signed && !signedSeen && complete) {
      // the walk reached the chain's end without meeting the event the checkpoint names
      breaks.push(
        missing(
          chain,
          signed.seq,
          cursor.seq === 0
            ? `chain ${chain} was deleted: ${signedText} recorded its head at seq ${signed.seq}`
            : `the newest events of chain ${chain} were removed: ${signedText} recorded its head at seq ${signed.seq}, the chain now ends at seq ${cursor.seq}`,
        ),
      );
    }
    moved.push(cursor);
    if (!complete) break;
  }
  return { cursors: moved, events, breaks, complete };
}
