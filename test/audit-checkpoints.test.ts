/**
 * What the hash chains alone cannot reveal, the signed checkpoints outside the database do:
 * removing a chain's newest events, deleting a whole chain, re-hashing a chain after an edit.
 * Each attack runs on a database of its own, as someone with the tables owner's rights.
 */
import { sql } from "kysely";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  GENESIS,
  type HashedEvent,
  keyedEventHash,
  LEGACY_ALG,
  legacyEventHash,
} from "../src/platform/audit/hashing.js";
import { auditService } from "../src/platform/audit/index.js";
import { boundTrail } from "../src/platform/audit/trail.js";
import { loadConfig } from "../src/platform/config.js";
import type { Db } from "../src/platform/db.js";
import { migrate, readMigrations } from "../src/platform/migrations.js";
import { createRounds, type Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import { type FreshDatabase, freshDatabase } from "./support/databases.js";
import { unique } from "./support/rounds.js";
import { behindTheBack, longestChain } from "./support/tampering.js";

const config = () => loadConfig({ ...process.env, ROUNDS_SEED_DEMO: "false", LOG_LEVEL: "silent" });

let opened: Array<{ rounds?: Rounds; fresh: FreshDatabase }> = [];
afterEach(async () => {
  for (const o of opened) {
    await o.rounds?.close();
    await o.fresh.drop();
  }
  opened = [];
});

/** A server on a database of its own, with a day's reads spread over the chains, checkpointed. */
async function checkpointedTrail(): Promise<{ rounds: Rounds; db: Db; api: Client }> {
  const fresh = await freshDatabase({ migrated: true });
  const rounds = await createRounds(config(), { database: fresh.database });
  opened.push({ rounds, fresh });
  const api = await clientFor(rounds);
  const created = await api.inject({
    method: "POST",
    url: "/api/v1/patients",
    payload: {
      mrn: `MRN-${unique(10)}`,
      givenName: "Mary",
      familyName: "Seacole",
      birthDate: "1955-11-23",
      sex: "female",
    },
  });
  expect(created.statusCode).toBe(201);
  const db = rounds.database.db;
  await api.inject({ url: `/api/v1/patients/${created.json().id}` });
  const system = { userId: null, role: "system", requestId: null, clientAddress: null };
  for (let round = 0; (await longestChain(db)) < 4; round++) {
    if (round > 40) throw new Error("could not build a chain of four events");
    for (let i = 0; i < 8; i++)
      await auditService.record(db, system, { action: "test.reminder.sent", resourceType: "test" });
  }
  expect(await rounds.audit.checkpoint()).toBeDefined();
  expect(await auditService.verify(db)).toMatchObject({ ok: true, checkpoints: { count: 1 } });
  return { rounds, db, api };
}

async function chainOfAtLeast(db: Db, n: number): Promise<{ chain: number; seqs: number[] }> {
  const { rows } = await sql<{ chain: number; seqs: number[] }>`
    SELECT chain, array_agg(seq::int ORDER BY seq) AS seqs FROM audit_events
    GROUP BY chain HAVING count(*) >= ${n} ORDER BY chain LIMIT 1`.execute(db);
  return rows[0]!;
}

async function rows(db: Db, chain: number): Promise<Array<HashedEvent & { seq: number; hash: string }>> {
  const { rows } = await sql<HashedEvent & { seq: number; hash: string }>`
    SELECT * FROM audit_events WHERE chain = ${chain} ORDER BY seq`.execute(db);
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

describe("tampering that only the signed checkpoints reveal", () => {
  it("removing the newest events of a chain is caught, naming the chain and the checkpointed head", async () => {
    const { db } = await checkpointedTrail();
    const { chain, seqs } = await chainOfAtLeast(db, 4);
    const head = seqs.at(-1)!;
    await behindTheBack(db, sql`DELETE FROM audit_events WHERE chain = ${chain} AND seq >= ${seqs.at(-2)!}`);

    const result = await auditService.verify(db);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.brokenAt).toMatchObject({ chain, seq: head });
    expect(result.brokenAt.reason).toMatch(/newest events of chain \d+ were removed/);
    expect(result.brokenAt.reason).toContain(`now ends at seq ${seqs.at(-3)!}`);
  });

  it("deleting a whole chain is caught", async () => {
    const { db } = await checkpointedTrail();
    const { chain, seqs } = await chainOfAtLeast(db, 1);
    await behindTheBack(db, sql`DELETE FROM audit_events WHERE chain = ${chain}`);

    const result = await auditService.verify(db);
    expect(result).toMatchObject({ ok: false, brokenAt: { chain, seq: seqs.at(-1)! } });
    if (result.ok) return;
    expect(result.brokenAt.reason).toMatch(/chain \d+ was deleted/);
  });

  it("an event edited and every hash after it recomputed is caught, even by someone holding the audit key", async () => {
    const { db } = await checkpointedTrail();
    const { chain, seqs } = await chainOfAtLeast(db, 4);
    const key = boundTrail(db).key;
    const events = await rows(db, chain);
    const updates = [];
    let prev = events[0]!.prev_hash;
    for (const [i, e] of events.entries()) {
      const edited = { ...e, prev_hash: prev, action: i === 1 ? "nothing.happened" : e.action };
      const hash = keyedEventHash(key, edited);
      updates.push(
        sql`UPDATE audit_events SET action = ${edited.action}, prev_hash = ${edited.prev_hash}, hash = ${hash}
            WHERE seq = ${e.seq}`,
      );
      prev = hash;
    }
    await behindTheBack(db, ...updates);
    const { rows: edited } = await sql<{ action: string }>`
      SELECT action FROM audit_events WHERE seq = ${seqs[1]!}`.execute(db);
    expect(edited[0]!.action).toBe("nothing.happened");

    const result = await auditService.verify(db);
    expect(result).toMatchObject({ ok: false, brokenAt: { chain, seq: seqs.at(-1)! } });
    if (result.ok) return;
    expect(result.brokenAt.reason).toMatch(/differs from the signed checkpoint.*rewritten and re-hashed/);
  });

  it("a chain re-hashed without the key, passed off as written before the chain was keyed, is caught", async () => {
    const { db } = await checkpointedTrail();
    const { chain } = await chainOfAtLeast(db, 4);
    const events = await rows(db, chain);
    const updates = [];
    let prev = GENESIS;
    for (const [i, e] of events.entries()) {
      const edited = { ...e, prev_hash: prev, action: i === 1 ? "patient.search" : e.action };
      const hash = legacyEventHash(edited);
      updates.push(
        sql`UPDATE audit_events SET action = ${edited.action}, prev_hash = ${prev}, hash = ${hash},
            hash_alg = ${LEGACY_ALG} WHERE seq = ${e.seq}`,
      );
      prev = hash;
    }
    await behindTheBack(db, ...updates);

    const result = await auditService.verify(db);
    expect(result).toMatchObject({ ok: false, brokenAt: { chain } });
    if (result.ok) return;
    expect(result.brokenAt.reason).toMatch(/rewritten and re-hashed/);
  });

  it("a trail that grew after its checkpoint, untouched, verifies; a server that stops pins its newest events", async () => {
    const { rounds, db, api } = await checkpointedTrail();
    await api.inject({ url: "/api/v1/patients?limit=5" });
    expect(await auditService.verify(db)).toMatchObject({ ok: true });
    const before = (await sql<{ n: number }>`SELECT max(seq)::int AS n FROM audit_events`.execute(db))
      .rows[0]!.n;
    await rounds.audit.close();
    const { chain } = (
      await sql<{ chain: number }>`SELECT chain FROM audit_events WHERE seq = ${before}`.execute(db)
    ).rows[0]!;
    await behindTheBack(db, sql`DELETE FROM audit_events WHERE seq = ${before}`);
    expect(await auditService.verify(db)).toMatchObject({ ok: false, brokenAt: { chain, seq: before } });
  });
});

describe("a trail written before the chain was keyed", () => {
  it("a database upgraded with unkeyed events, one of them hashed with a capitalised patient id, still verifies", async () => {
    const fresh = await freshDatabase();
    opened.push({ fresh });
    const before = readMigrations().filter((m) => m.version <= "0013");
    await migrate(fresh.database, before);
    const db = fresh.database.db;
    // events as the previous version wrote them: plain SHA-256, ids hashed as sent, stored lowercase
    const patient = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    let prev = GENESIS;
    for (const [i, hashedAs] of [patient, patient.toUpperCase(), patient].entries()) {
      const e: HashedEvent = {
        id: `00000000-0000-4000-8000-00000000000${i}`,
        chain: 3,
        occurred_at: new Date(Date.UTC(2026, 0, 5, 9, i)),
        user_id: null,
        role: "admin",
        acting_for: null,
        action: "patient.read",
        resource_type: "patient",
        resource_id: patient,
        patient_id: hashedAs,
        location_id: null,
        outcome: "success",
        request_id: null,
        client_address: null,
        detail: { filter: { b: 1, a: [1.5, "x"] } },
        flagged: false,
        prev_hash: prev,
      };
      const hash = legacyEventHash(e);
      await sql`INSERT INTO audit_events (id, chain, occurred_at, role, action, resource_type, resource_id,
          patient_id, outcome, detail, prev_hash, hash)
        VALUES (${e.id}, 3, ${e.occurred_at}, 'admin', 'patient.read', 'patient', ${patient}, ${hashedAs},
          'success', ${JSON.stringify(e.detail)}::jsonb, ${prev}, ${hash})`.execute(db);
      prev = hash;
    }

    const rounds = await createRounds(config(), { database: fresh.database });
    opened[0]!.rounds = rounds;
    const api = await clientFor(rounds);
    for (let i = 0; i < 20; i++) await api.inject({ url: "/api/v1/patients?limit=1" });
    const result = await auditService.verify(db);
    expect(result).toMatchObject({ ok: true });
    expect(result.checked).toBeGreaterThan(20);

    // an unkeyed event slipped in after keyed ones is not accepted as old
    const { rows: last } = await sql<{ chain: number; hash: string }>`
      SELECT chain, hash FROM audit_events WHERE hash_alg = 'hmac-sha256' ORDER BY seq DESC LIMIT 1`.execute(
      db,
    );
    const forged: HashedEvent = {
      id: "00000000-0000-4000-8000-0000000000ff",
      chain: last[0]!.chain,
      occurred_at: new Date(),
      user_id: null,
      role: "system",
      acting_for: null,
      action: "nothing.happened",
      resource_type: "patient",
      resource_id: null,
      patient_id: null,
      location_id: null,
      outcome: "success",
      request_id: null,
      client_address: null,
      detail: {},
      flagged: false,
      prev_hash: last[0]!.hash,
    };
    await sql`RESET ROLE`.execute(db);
    await sql`INSERT INTO audit_events (id, chain, occurred_at, role, action, resource_type, outcome, prev_hash, hash)
      VALUES (${forged.id}, ${forged.chain}, ${forged.occurred_at}, 'system', 'nothing.happened', 'patient', 'success',
        ${forged.prev_hash}, ${legacyEventHash(forged)})`.execute(db);
    const after = await auditService.verify(db);
    expect(after.ok).toBe(false);
    if (after.ok) return;
    expect(after.brokenAt.reason).toMatch(/unkeyed event after keyed ones/);
  });
});

describe("when checkpoints are written and which key signs them", () => {
  it("a replica writes a checkpoint by itself after every so many events", async () => {
    const fresh = await freshDatabase({ migrated: true });
    const rounds = await createRounds(
      loadConfig({
        ...process.env,
        ROUNDS_SEED_DEMO: "false",
        LOG_LEVEL: "silent",
        ROUNDS_AUDIT_CHECKPOINT_EVENTS: "5",
      }),
      { database: fresh.database },
    );
    opened.push({ rounds, fresh });
    const db = rounds.database.db;
    const system = { userId: null, role: "system", requestId: null, clientAddress: null };
    const checkpoints = async () => {
      const result = await auditService.verify(db);
      expect(result.ok).toBe(true);
      return result.ok ? result.checkpoints.count : 0;
    };
    expect(await checkpoints()).toBe(0);
    for (let batch = 1; batch <= 2; batch++) {
      for (let i = 0; i < 5; i++)
        await auditService.record(db, system, { action: "test.many", resourceType: "test" });
      // written in the background once the fifth event of the batch is recorded
      await vi.waitFor(async () => expect(await checkpoints()).toBe(batch), {
        timeout: 30_000,
        interval: 50,
      });
    }
  });

  it.skipIf(!process.env.DATABASE_URL)(
    "a server on a PostgreSQL server without ROUNDS_AUDIT_KEY refuses to start, naming the variable",
    async () => {
      const url = process.env.DATABASE_URL!;
      const fresh = await freshDatabase();
      opened.push({ fresh });
      const env = {
        ...process.env,
        DATABASE_URL: url,
        ROUNDS_AUDIT_KEY: "",
        LOG_LEVEL: "silent",
        ROUNDS_SEED_DEMO: "false",
      };
      await expect(createRounds(loadConfig(env), { database: fresh.database })).rejects.toThrow(
        /ROUNDS_AUDIT_KEY must be set with DATABASE_URL/,
      );
    },
  );

  it("an audit key shorter than 32 characters is refused at start, naming the variable", () => {
    expect(() => loadConfig({ ROUNDS_AUDIT_KEY: "short" })).toThrow(
      /ROUNDS_AUDIT_KEY must be at least 32 characters/,
    );
    expect(() => loadConfig({ ROUNDS_AUDIT_CHECKPOINT_EVENTS: "0" })).toThrow(
      /ROUNDS_AUDIT_CHECKPOINT_EVENTS/,
    );
    expect(() => loadConfig({ DATABASE_OWNER_URL: "postgres://owner@db/rounds" })).toThrow(
      /DATABASE_OWNER_URL needs DATABASE_URL/,
    );
  });
});
