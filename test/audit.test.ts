import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyedEventHash } from "../src/platform/audit/hashing.js";
import { type AuditContext, auditService } from "../src/platform/audit/index.js";
import { boundTrail } from "../src/platform/audit/trail.js";
import { loadConfig } from "../src/platform/config.js";
import type { Database, Db } from "../src/platform/db.js";
import { createRounds, type Rounds } from "../src/server.js";
import { type Client, clientFor, clientOf, signIn } from "./support/auth.js";
import { freshDatabase } from "./support/databases.js";
import { createLocation } from "./support/fixtures.js";
import { startRounds, unique } from "./support/rounds.js";
import { behindTheBack, longestChain, middleOfAChain, REFUSED } from "./support/tampering.js";

let rounds: Rounds;
let admin: Client;
let compliance: Client;
beforeAll(async () => {
  rounds = await startRounds();
  admin = await clientFor(rounds);
  compliance = await clientFor(rounds, "compliance");
});
afterAll(() => rounds?.close());

interface AuditEvent {
  id: string;
  seq: number;
  occurredAt: string;
  userId: string | null;
  role: string | null;
  actingFor: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  patientId: string | null;
  locationId: string | null;
  outcome: string;
  requestId: string | null;
  clientAddress: string | null;
  detail: Record<string, unknown>;
  flagged: boolean;
}
interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

async function createPatient(api: Client = admin): Promise<{ id: string }> {
  const res = await api.inject({
    method: "POST",
    url: "/api/v1/patients",
    payload: {
      mrn: `MRN-${unique(10)}`,
      givenName: "Ida",
      familyName: `Tarbell${unique(6)}`,
      birthDate: "1990-11-05",
      sex: "female",
    },
  });
  if (res.statusCode !== 201) throw new Error(`createPatient: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string };
}

async function search(api: Client, query: string): Promise<Page<AuditEvent>> {
  const res = await api.inject({ url: `/api/v1/audit-events?${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Page<AuditEvent>;
}

describe("what the audit trail records", () => {
  it("opening a patient record leaves an event naming who, in which role, which patient, the request and the address", async () => {
    const patient = await createPatient();
    const res = await admin.inject({ url: `/api/v1/patients/${patient.id}`, remoteAddress: "10.20.30.40" });
    expect(res.statusCode).toBe(200);
    const requestId = res.headers["x-request-id"];
    expect(typeof requestId).toBe("string");

    const { items } = await search(compliance, `patientId=${patient.id}&action=patient.read`);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      action: "patient.read",
      userId: admin.user.userId,
      role: "admin",
      patientId: patient.id,
      resourceType: "patient",
      resourceId: patient.id,
      outcome: "success",
      requestId,
      clientAddress: "10.20.30.40",
      flagged: false,
    });
    expect(Date.now() - Date.parse(items[0]!.occurredAt)).toBeLessThan(60_000);
  });

  it("a request id given by the caller is the one recorded, so a request can be traced end to end", async () => {
    const patient = await createPatient();
    const requestId = `trace-${unique(12)}`;
    const res = await admin.inject({
      url: `/api/v1/patients/${patient.id}`,
      headers: { "x-request-id": requestId },
    });
    expect(res.headers["x-request-id"]).toBe(requestId);
    const { items } = await search(compliance, `patientId=${patient.id}&action=patient.read`);
    expect(items.map((e) => e.requestId)).toEqual([requestId]);
  });

  it("registering a patient is recorded as a write of that patient's data", async () => {
    const patient = await createPatient();
    const { items } = await search(compliance, `patientId=${patient.id}`);
    expect(items.map((e) => e.action)).toEqual(["patient.create"]);
  });

  it("an odd character in a request does not stop its audit event from being written", async () => {
    const tx = rounds.database.db;
    const marker = unique(12);
    await auditService.record(
      tx,
      { userId: null, role: "system", requestId: null, clientAddress: null },
      {
        action: "test.odd_characters",
        resourceType: "test",
        resourceId: marker,
        detail: { note: "nul\u0000 and a lone \ud800 surrogate", "key\u0000": 1 },
      },
    );
    const { items } = await search(compliance, "action=test.odd_characters&limit=200");
    const event = items.find((e) => e.resourceId === marker);
    expect(event?.detail).toEqual({ note: "nul\ufffd and a lone \ufffd surrogate", "key\ufffd": 1 });
  });
});

describe("searching the audit trail", () => {
  it("compliance finds events by patient, by user, by action and by time, a page at a time", async () => {
    const [p1, p2] = await Promise.all([createPatient(), createPatient()]);
    const reader = clientOf(rounds, await signIn(rounds, "admin"));
    const other = clientOf(rounds, await signIn(rounds, "admin"));
    const since = new Date().toISOString();
    for (let i = 0; i < 3; i++) await reader.inject({ url: `/api/v1/patients/${p1.id}` });
    await other.inject({ url: `/api/v1/patients/${p1.id}` });
    await reader.inject({ url: `/api/v1/patients/${p2.id}` });

    const byPatient = await search(compliance, `patientId=${p1.id}&action=patient.read`);
    expect(byPatient.total).toBe(4);
    expect(byPatient.items.every((e) => e.patientId === p1.id)).toBe(true);
    const seqs = byPatient.items.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));

    const byUser = await search(compliance, `userId=${other.user.userId}&action=patient.read`);
    expect(byUser.items.map((e) => e.patientId)).toEqual([p1.id]);

    const both = await search(compliance, `patientId=${p2.id}&userId=${reader.user.userId}`);
    expect(both.items.map((e) => e.action)).toEqual(["patient.read"]);

    const paged = await search(compliance, `patientId=${p1.id}&action=patient.read&limit=2&offset=2`);
    expect(paged).toMatchObject({ total: 4, limit: 2, offset: 2 });
    expect(paged.items.map((e) => e.seq)).toEqual(seqs.slice(2, 4));

    const window = await search(
      compliance,
      `patientId=${p1.id}&action=patient.read&from=${encodeURIComponent(since)}`,
    );
    expect(window.total).toBe(4);
    const before = await search(compliance, `patientId=${p1.id}&to=${encodeURIComponent(since)}`);
    expect(before.items.map((e) => e.action)).toEqual(["patient.create"]);
  });

  it("searching the trail is itself recorded", async () => {
    const patient = await createPatient();
    await search(compliance, `patientId=${patient.id}`);
    const { items } = await search(
      admin,
      `userId=${compliance.user.userId}&action=audit.search&patientId=${patient.id}`,
    );
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ role: "compliance", detail: { filter: { patientId: patient.id } } });
  });

  it("a malformed filter is refused naming the field", async () => {
    for (const [query, field] of [
      ["patientId=42", "query.patientId"],
      ["from=yesterday", "query.from"],
      ["outcome=maybe", "query.outcome"],
      ["limit=0", "query.limit"],
    ]) {
      const res = await compliance.inject({ url: `/api/v1/audit-events?${query}` });
      expect(res.statusCode, query).toBe(400);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });

  it("staff, physicians, department heads and patients may not search the audit trail", async () => {
    const [location, patient] = await Promise.all([createLocation(rounds), createPatient()]);
    const physician = await physicianId();
    const department = await departmentId(location.id);
    const callers = [
      await clientFor(rounds, "location_staff", { locationIds: [location.id] }),
      await clientFor(rounds, "physician", { physicianId: physician }),
      await clientFor(rounds, "department_head", { departmentIds: [department] }),
      await clientFor(rounds, "patient", { patientId: patient.id }),
    ];
    for (const caller of callers) {
      const res = await caller.inject({ url: `/api/v1/audit-events?patientId=${patient.id}` });
      expect(res.statusCode).toBe(403);
      expect(res.headers["content-type"]).toContain("application/problem+json");
    }
    expect((await rounds.app.inject({ url: "/api/v1/audit-events" })).statusCode).toBe(401);
  });

  it("compliance reads the audit trail but cannot change anything", async () => {
    const patient = await createPatient();
    const location = await createLocation(rounds);
    const writes = [
      { method: "POST", url: "/api/v1/patients", payload: { mrn: `MRN-${unique(10)}` } },
      { method: "PATCH", url: `/api/v1/patients/${patient.id}`, payload: { givenName: "Changed" } },
      { method: "POST", url: "/api/v1/users", payload: { email: "x@hospital.test", role: "admin" } },
      { method: "PATCH", url: `/api/v1/users/${compliance.user.userId}`, payload: { displayName: "Me" } },
      { method: "POST", url: "/api/v1/locations", payload: { code: "NOPE" } },
      { method: "PATCH", url: `/api/v1/locations/${location.id}`, payload: { name: "Renamed" } },
      {
        method: "POST",
        url: "/api/v1/break-glass",
        payload: { patientId: patient.id, reason: "just curious, really" },
      },
    ] as const;
    for (const w of writes) {
      const res = await compliance.inject({ method: w.method, url: w.url, payload: w.payload });
      expect(res.statusCode, `${w.method} ${w.url}`).toBe(403);
    }
    const after = await admin.inject({ url: `/api/v1/patients/${patient.id}` });
    expect(after.json().givenName).toBe("Ida");
  });
});

describe("a patient's access log", () => {
  it("a patient sees who opened their own record, but not another patient's log", async () => {
    const [mine, theirs] = await Promise.all([createPatient(), createPatient()]);
    const me = await clientFor(rounds, "patient", { patientId: mine.id });
    await admin.inject({ url: `/api/v1/patients/${mine.id}`, remoteAddress: "10.9.8.7" });

    const log = await me.inject({ url: `/api/v1/patients/${mine.id}/access-log` });
    expect(log.statusCode).toBe(200);
    const items = (log.json() as Page<AuditEvent>).items;
    const read = items.find((e) => e.action === "patient.read");
    expect(read).toMatchObject({ userId: admin.user.userId, role: "admin", patientId: mine.id });
    // who and when, not the hospital's internal addresses
    expect(read?.clientAddress).toBeNull();
    expect(items.every((e) => e.patientId === mine.id)).toBe(true);

    const other = await me.inject({ url: `/api/v1/patients/${theirs.id}/access-log` });
    expect(other.statusCode).toBe(404);
    const nobody = await me.inject({
      url: "/api/v1/patients/00000000-0000-4000-8000-000000000000/access-log",
    });
    expect(nobody.statusCode).toBe(404);
  });

  it("a parent sees who opened their child's record, and the read is recorded as acting for the child", async () => {
    const [parent, child] = await Promise.all([createPatient(), createPatient()]);
    const linked = await admin.inject({
      method: "POST",
      url: `/api/v1/patients/${parent.id}/dependents`,
      payload: { dependentId: child.id, relationship: "parent" },
    });
    expect(linked.statusCode).toBe(201);
    const guardian = await clientFor(rounds, "patient", { patientId: parent.id });
    await admin.inject({ url: `/api/v1/patients/${child.id}` });
    const log = await guardian.inject({ url: `/api/v1/patients/${child.id}/access-log` });
    expect(log.statusCode).toBe(200);
    expect((log.json() as Page<AuditEvent>).items.map((e) => e.action)).toContain("patient.read");
    const { items } = await search(
      compliance,
      `userId=${guardian.user.userId}&action=patient.access_log.read`,
    );
    expect(items[0]).toMatchObject({ patientId: child.id, actingFor: child.id });
  });

  it("staff may not read a patient's access log", async () => {
    const [location, patient] = await Promise.all([createLocation(rounds), createPatient()]);
    const staff = await clientFor(rounds, "location_staff", { locationIds: [location.id] });
    expect((await staff.inject({ url: `/api/v1/patients/${patient.id}/access-log` })).statusCode).toBe(403);
  });
});

describe("an append-only, hash-chained trail", () => {
  it("the application itself may not change or delete an audit event", async () => {
    const patient = await createPatient();
    const { items } = await search(compliance, `patientId=${patient.id}&action=patient.create`);
    const seq = items[0]!.seq;
    const db = rounds.database.db;
    // the suite works as the application's role: rounds_app, or a login of it on a server
    const { rows } = await sql<{ role: string }>`SELECT current_user AS role`.execute(db);
    expect(rows[0]!.role).toMatch(/^rounds_(test_)?app$/);
    await expect(
      sql`UPDATE audit_events SET action = 'nothing.happened' WHERE seq = ${seq}`.execute(db),
    ).rejects.toThrow(REFUSED);
    await expect(sql`DELETE FROM audit_events WHERE seq = ${seq}`.execute(db)).rejects.toThrow(REFUSED);
    await expect(sql`TRUNCATE audit_events`.execute(db)).rejects.toThrow(REFUSED);
    const again = await search(compliance, `patientId=${patient.id}&action=patient.create`);
    expect(again.items[0]).toMatchObject({ seq, action: "patient.create" });
  });

  it("verification passes on a trail nobody has tampered with", async () => {
    const result = await auditService.verify(rounds.database.db);
    expect(result).toMatchObject({ ok: true });
    expect(result.checked).toBeGreaterThan(0);
  });

  it("events written at the same moment, one or several per transaction, keep every chain intact", async () => {
    const db = rounds.database.db;
    const marker = unique(12);
    const ctx: AuditContext = { userId: null, role: "system", requestId: null, clientAddress: null };
    const event = (n: string) => ({
      action: "test.concurrent",
      resourceType: "test",
      resourceId: `${marker}-${n}`,
    });
    await Promise.all([
      ...Array.from({ length: 24 }, (_, i) =>
        db.transaction().execute(async (tx) => {
          await auditService.record(tx, ctx, event(`${i}a`));
          await new Promise((r) => setTimeout(r, 5));
          await auditService.record(tx, ctx, event(`${i}b`));
        }),
      ),
      // outside a transaction too
      ...Array.from({ length: 24 }, (_, i) => auditService.record(db, ctx, event(`${i}c`))),
    ]);
    const { items } = await search(compliance, "action=test.concurrent&limit=200");
    expect(items.filter((e) => e.resourceId?.startsWith(marker))).toHaveLength(72);
    expect(await auditService.verify(db)).toMatchObject({ ok: true });
  });
});

describe("tampering behind the application's back", () => {
  let fresh: { database: Database; drop(): Promise<void> };
  let app: Rounds;
  let db: Db;
  beforeAll(async () => {
    fresh = await freshDatabase({ migrated: true });
    db = fresh.database.db;
    app = await createRounds(loadConfig({ ...process.env, ROUNDS_SEED_DEMO: "false", LOG_LEVEL: "silent" }), {
      database: fresh.database,
    });
    const api = await clientFor(app);
    const patients = [await createPatient(api), await createPatient(api)];
    // enough events that some chain holds at least three
    for (let round = 0; (await longestChain(db)) < 3; round++) {
      if (round > 20) throw new Error("could not build a chain of three events");
      for (const p of patients) await api.inject({ url: `/api/v1/patients/${p.id}` });
    }
  });
  afterAll(async () => {
    await app?.close();
    await fresh?.drop();
  });

  it("verification passes before anyone touches the trail", async () => {
    const result = await auditService.verify(db);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events`.execute(db);
    expect(result).toMatchObject({ ok: true, checked: rows[0]!.n });
  });

  it("an event edited behind the application's back is caught, naming its seq", async () => {
    const target = await middleOfAChain(db);
    const { rows } = await sql<{ detail: string; action: string }>`
      SELECT detail::text AS detail, action FROM audit_events WHERE seq = ${target.seq}`.execute(db);
    const original = rows[0]!;
    await behindTheBack(
      db,
      sql`UPDATE audit_events SET detail = '{"access":"admin","note":"nothing to see"}' WHERE seq = ${target.seq}`,
    );
    const result = await auditService.verify(db);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.brokenAt).toMatchObject({ seq: target.seq, chain: target.chain });
    expect(result.brokenAt.reason).toMatch(/altered/);

    await behindTheBack(db, sql`UPDATE audit_events SET action = 'patient.search' WHERE seq = ${target.seq}`);
    expect(await auditService.verify(db)).toMatchObject({ ok: false, brokenAt: { seq: target.seq } });

    // putting the original content back makes the trail verify again: the hash covers exactly it
    await behindTheBack(
      db,
      sql`UPDATE audit_events SET detail = ${original.detail}::jsonb, action = ${original.action} WHERE seq = ${target.seq}`,
    );
    expect(await auditService.verify(db)).toMatchObject({ ok: true });
  });

  it("an event rewritten together with its own hash is caught at the next event of its chain", async () => {
    const target = await middleOfAChain(db);
    const { rows } = await sql<Parameters<typeof keyedEventHash>[1] & { seq: number; hash: string }>`
      SELECT * FROM audit_events WHERE seq = ${target.seq}`.execute(db);
    const row = rows[0]!;
    // even with the audit key in hand
    const forged = keyedEventHash(boundTrail(db).key, { ...row, user_id: null, role: "system" });
    await behindTheBack(
      db,
      sql`UPDATE audit_events SET user_id = NULL, role = 'system', hash = ${forged} WHERE seq = ${target.seq}`,
    );
    const result = await auditService.verify(db);
    expect(result).toMatchObject({ ok: false, brokenAt: { seq: target.nextSeq, chain: target.chain } });
    await behindTheBack(
      db,
      sql`UPDATE audit_events SET user_id = ${row.user_id}, role = ${row.role}, hash = ${row.hash} WHERE seq = ${target.seq}`,
    );
    expect(await auditService.verify(db)).toMatchObject({ ok: true });
  });

  it("an event deleted from the middle of a chain is caught at the event that followed it", async () => {
    const target = await middleOfAChain(db);
    await behindTheBack(db, sql`DELETE FROM audit_events WHERE seq = ${target.seq}`);
    const result = await auditService.verify(db);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.brokenAt).toMatchObject({ seq: target.nextSeq, chain: target.chain });
    expect(result.brokenAt.reason).toMatch(/removed/);
  });
});

async function physicianId(): Promise<string> {
  const specialty = await specialtyCode();
  const res = await admin.inject({
    method: "POST",
    url: "/api/v1/physicians",
    payload: {
      npi: String(1_000_000_000 + Math.floor(Math.random() * 8_999_999_999)),
      givenName: "Lena",
      familyName: `Frank${unique(6)}`,
      primarySpecialty: specialty,
    },
  });
  if (res.statusCode !== 201) throw new Error(`physician: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

async function specialtyCode(): Promise<string> {
  const code = `t_${unique(10).toLowerCase()}`;
  const res = await admin.inject({
    method: "POST",
    url: "/api/v1/specialties",
    payload: { code, name: `Specialty ${unique(8)}` },
  });
  if (res.statusCode !== 201) throw new Error(`specialty: ${res.statusCode} ${res.body}`);
  return code;
}

async function departmentId(locationId: string): Promise<string> {
  const res = await admin.inject({
    method: "POST",
    url: `/api/v1/locations/${locationId}/departments`,
    payload: { specialty: await specialtyCode(), name: "Oncology" },
  });
  if (res.statusCode !== 201) throw new Error(`department: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

describe("every accepted spelling of an input keeps the trail verifiable", () => {
  it("patient ids written in capitals in a path, a query or a body are recorded as the lowercase id, and the trail verifies", async () => {
    const [parent, child] = await Promise.all([createPatient(), createPatient()]);
    const P = parent.id.toUpperCase();
    const C = child.id.toUpperCase();
    const guardian = await clientFor(rounds, "patient", { patientId: parent.id });
    const calls = [
      await admin.inject({ url: `/api/v1/patients/${P}` }),
      await admin.inject({ url: `/api/v1/patients/${P}/access-log` }),
      await guardian.inject({ url: `/api/v1/notifications?patientId=${P}` }),
      await compliance.inject({
        url: `/api/v1/audit-events?patientId=${P}&userId=${admin.user.userId.toUpperCase()}`,
      }),
      await admin.inject({
        method: "POST",
        url: `/api/v1/patients/${P}/dependents`,
        payload: { dependentId: C, relationship: "parent" },
      }),
      await guardian.inject({ url: `/api/v1/patients/${C}/access-log` }),
    ];
    for (const res of calls) expect(res.statusCode, res.body).toBeLessThan(300);
    expect(calls[0]!.json().id).toBe(parent.id);

    const { items } = await search(compliance, `patientId=${P}&limit=100`);
    expect(new Set(items.map((e) => e.action))).toEqual(
      new Set([
        "patient.create",
        "patient.read",
        "patient.access_log.read",
        "notification.list",
        "audit.search",
        "patient.family.link",
      ]),
    );
    expect(items.every((e) => e.patientId === parent.id)).toBe(true);
    const linked = items.find((e) => e.action === "patient.family.link");
    expect(linked?.detail).toMatchObject({ dependentId: child.id });
    const { items: childLog } = await search(
      compliance,
      `patientId=${child.id}&action=patient.access_log.read`,
    );
    expect(childLog[0]).toMatchObject({ patientId: child.id, actingFor: child.id });

    expect(await auditService.verify(rounds.database.db)).toMatchObject({ ok: true });
  });

  it("odd details — keys in any order, unicode, numbers such as 1.0 or 1e3, dates, ids in braces or capitals — verify as written", async () => {
    const fresh = await freshDatabase({ migrated: true });
    const app = await createRounds(
      loadConfig({ ...process.env, ROUNDS_SEED_DEMO: "false", LOG_LEVEL: "silent" }),
      {
        database: fresh.database,
      },
    );
    try {
      const db = app.database.db;
      const id = "5f2b8c1e-9a3d-4e7f-b6c5-0d1e2f3a4b5c";
      const spellings = fc.constantFrom(
        id,
        id.toUpperCase(),
        `{${id}}`,
        id.replaceAll("-", ""),
        "5F2b8C1e-9a3d-4E7f-b6c5-0d1e2f3a4B5c",
      );
      class Stamp {
        constructor(readonly at: string) {}
        toJSON() {
          return { stampedAt: this.at };
        }
      }
      const leaf = fc.oneof(
        fc.string({ unit: "binary" }),
        fc.constantFrom(
          1.0,
          1e3,
          -0,
          0.1 + 0.2,
          1e21,
          5e-324,
          Number.MAX_SAFE_INTEGER + 2,
          1.7976931348623157e308,
        ),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
        fc.date({
          min: new Date("0001-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59Z"),
          noInvalidDate: true,
        }),
        fc.string().map((s) => new Stamp(s)),
      );
      const detail = fc.dictionary(
        fc.string({ unit: "binary", maxLength: 8 }),
        fc.oneof(
          leaf,
          fc.array(leaf, { maxLength: 4 }),
          fc.dictionary(fc.string({ unit: "grapheme", maxLength: 6 }), leaf, { maxKeys: 4 }),
        ),
        { maxKeys: 6 },
      );
      const system = { userId: null, role: "system", requestId: null, clientAddress: null };
      await fc.assert(
        fc.asyncProperty(
          detail,
          spellings,
          spellings,
          fc.string({ unit: "binary", maxLength: 20 }),
          async (d, patient, location, resource) => {
            await auditService.record(db, system, {
              action: "test.odd_input",
              resourceType: "test",
              resourceId: resource,
              patientId: patient,
              locationId: location,
              actingFor: patient,
              detail: d,
            });
          },
        ),
        { numRuns: 60 },
      );
      const result = await auditService.verify(db);
      expect(result).toMatchObject({ ok: true, checked: expect.any(Number) });
      const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM audit_events WHERE action = 'test.odd_input' AND patient_id = ${id}`.execute(
        db,
      );
      expect(rows[0]!.n).toBe(60);
    } finally {
      await app.close();
      await fresh.drop();
    }
  });
});
