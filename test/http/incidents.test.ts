/**
 * Incident response against a real server: a scripted attack (password spraying across accounts
 * from one address, a burst of refused reads of another location's patients by a staff account, a
 * mass read) raises incidents of the right kinds, the security contacts are told by email (a real
 * SMTP sink) and in the app, the account is locked and cannot sign in until an administrator
 * unlocks it; two replicas evaluating the same window raise one incident; others get 403.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/platform/clock.js";
import { loadConfig } from "../../src/platform/config.js";
import { accountLocks } from "../../src/platform/identity/index.js";
import { createRounds, type Rounds } from "../../src/server.js";
import { createIncidents, type Incidents } from "../../src/services/analytics/incidents/index.js";
import { staffMessages } from "../../src/services/notifications/index.js";
import { type Client, clientFor, TEST_PASSWORD } from "../support/auth.js";
import { type Mailbox, startMailbox, until } from "../support/messaging.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient } from "../support/network.js";
import { testDatabase } from "../support/rounds.js";

const PUBLIC_URL = "https://rounds.example.test";
const CONTACT = "soc@security.example.test";
const ATTACKER = "203.0.113.77";
let rounds: Rounds;
let replica: Incidents;
let base: string;
let net: ClinicNetwork;
let officer: Client;
let admin: Client;
let mailbox: Mailbox;

const env = (mailUrl: string) => ({
  ...process.env,
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
  ROUNDS_SEED_DEMO: "false",
  SMTP_URL: mailUrl,
  ROUNDS_PUBLIC_URL: PUBLIC_URL,
  TRUST_PROXY: "true",
  ROUNDS_INCIDENT_REFUSALS: "5",
  ROUNDS_INCIDENT_SPRAY_ACCOUNTS: "5",
  ROUNDS_INCIDENT_MASS_READ_PATIENTS: "8",
  ROUNDS_INCIDENT_CONTACTS: CONTACT,
  // the suite turns locking off for every other file (vitest.config.ts)
  ROUNDS_INCIDENT_LOCK_SEVERITY: "high",
  // the test runs the worker's round itself
  ROUNDS_INCIDENT_CHECK_SECONDS: "86400",
});

type Incident = {
  id: string;
  kind: string;
  severity: string;
  subjectKind: string;
  subject: string;
  status: string;
  account: { id: string; locked: boolean } | null;
};
type Detail = Incident & {
  timeline: Array<{ kind: string; actorId: string | null; detail: Record<string, unknown> }>;
};

const http = async (method: string, path: string, token?: string, body?: unknown, from?: string) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(from ? { "x-forwarded-for": from } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json().catch(() => null)) as unknown };
};
const signIn = (email: string, password: string, from?: string) =>
  http("POST", "/api/v1/auth/login", undefined, { email, password }, from);
const incidentsOf = async (query: string): Promise<Incident[]> => {
  const res = await http("GET", `/api/v1/incidents?limit=500&${query}`, officer.user.token);
  expect(res.status).toBe(200);
  return (res.json as { items: Incident[] }).items;
};
const detail = async (id: string): Promise<Detail> => {
  const res = await http("GET", `/api/v1/incidents/${id}`, officer.user.token);
  expect(res.status).toBe(200);
  return res.json as Detail;
};

/** Test setup, not the attack: the patients are the main campus's (as its front desk would register them). */
const registerAtMain = async (ids: string[]) => {
  for (const id of ids)
    await sql`INSERT INTO patient_registrations (patient_id, location_id, registered_by)
      VALUES (${id}, ${net.main.id}, ${admin.user.userId})`.execute(rounds.database.db);
};

beforeAll(async () => {
  mailbox = await startMailbox();
  const database = await testDatabase();
  rounds = await createRounds(loadConfig(env(mailbox.url)), { database });
  // a second replica's incident service on the same database, for the idempotency case
  replica = createIncidents({
    db: database.db,
    clock: systemClock,
    config: rounds.config.incidents,
    locks: accountLocks,
    staffAccounts: async () => [],
    messageStaff: (ex, m, now) => staffMessages.enqueue(ex, { kind: "security_incident", ...m }, now),
  });
  base = await rounds.app.listen({ port: 0, host: "127.0.0.1" });
  net = await buildClinicNetwork(rounds);
  officer = await clientFor(rounds, "compliance");
  admin = await clientFor(rounds, "admin");
});
afterAll(async () => {
  await rounds?.close();
  await mailbox?.close();
});

describe("incident response", () => {
  it("password spraying across accounts from one address raises one incident about that address", async () => {
    const victims = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(() => clientFor(rounds, "location_staff", { locationIds: [net.main.id] })),
    );
    for (const v of victims) expect((await signIn(v.user.email, "Summer2026!", ATTACKER)).status).toBe(401);
    // the check runs right after each failed sign-in (no worker round needed)
    const [spray] = await until(async () => {
      const found = await incidentsOf("kind=sign_in_spraying");
      const mine = found.filter((i) => i.subject === ATTACKER);
      return mine.length ? mine : undefined;
    }, "the spraying incident");
    expect(spray).toMatchObject({ subjectKind: "address", severity: "high", status: "open", account: null });
    const d = await detail(spray!.id);
    expect(d.timeline.map((e) => e.kind)).toEqual(["signal", "alert_sent"]);
    // the victims' own passwords still work: spraying locks nobody out
    expect((await signIn(victims[0]!.user.email, TEST_PASSWORD)).status).toBe(200);
  });

  it("a burst of refused reads of another location's patients locks the staff account until an administrator unlocks it", async () => {
    const patients = await Promise.all([1, 2, 3, 4, 5].map(() => createPatient(net.admin)));
    await registerAtMain(patients);
    const intruder = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
    for (const id of patients)
      expect((await http("GET", `/api/v1/patients/${id}`, intruder.user.token)).status).toBe(404);
    // not yet an incident to anyone but the officers' screens: the worker round finds it
    const raised = await rounds.incidents.evaluate();
    const burst = raised.find((i) => i.kind === "refused_burst" && i.subject === intruder.user.userId);
    expect(burst).toMatchObject({ subjectKind: "account", severity: "high", account: { locked: true } });

    // the session ended and the right password no longer signs in
    expect((await http("GET", "/api/v1/auth/me", intruder.user.token)).status).toBe(401);
    expect((await signIn(intruder.user.email, TEST_PASSWORD)).status).toBe(401);

    // the security contacts were told: officers and administrators by email and in the app, the extra address by email
    const mail = await until(
      () => mailbox.to(CONTACT).find((m) => m.text?.includes(burst!.id)),
      "the contact's email",
    );
    expect(mail.subject).toMatch(/^Security incident on Rounds: refused burst \(high\)/);
    expect(mail.text).toContain(`${PUBLIC_URL}/admin/audit/incidents/${burst!.id}`);
    expect(`${mail.text}${mail.html || ""}`).not.toContain(intruder.user.email);
    await until(
      () => mailbox.to(officer.user.email).find((m) => m.text?.includes(burst!.id)),
      "the officer's email",
    );
    const inbox = await until(async () => {
      const res = await officer.inject({ url: "/api/v1/staff-notifications?limit=500" });
      const items = (res.json() as { items: Array<{ kind: string; link: string }> }).items;
      return items.find((n) => n.kind === "security_incident" && n.link.endsWith(burst!.id));
    }, "the officer's in-app message");
    expect(inbox.link).toBe(`${PUBLIC_URL}/admin/audit/incidents/${burst!.id}`);

    // the officer works it: acknowledge, note; unlocking is the administrator's
    expect(
      (
        await http("POST", `/api/v1/incidents/${burst!.id}/acknowledge`, officer.user.token, {
          note: "looking",
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await http("POST", `/api/v1/incidents/${burst!.id}/notes`, officer.user.token, {
          note: "spoke to the clinic manager",
        })
      ).status,
    ).toBe(200);
    expect((await http("POST", `/api/v1/incidents/${burst!.id}/unlock`, officer.user.token, {})).status).toBe(
      403,
    );
    const unlocked = await http("POST", `/api/v1/incidents/${burst!.id}/unlock`, admin.user.token, {
      note: "retrained",
    });
    expect(unlocked.status).toBe(200);
    expect((await signIn(intruder.user.email, TEST_PASSWORD)).status).toBe(200);
    const resolved = await http("POST", `/api/v1/incidents/${burst!.id}/resolve`, officer.user.token, {
      outcome: "contained",
      note: "curiosity, not an attack; access reviewed",
    });
    expect(resolved.status).toBe(200);
    const d = resolved.json as Detail;
    expect(d.status).toBe("resolved");
    expect(d.timeline.map((e) => e.kind)).toEqual([
      "signal",
      "alert_sent",
      "account_locked",
      "acknowledged",
      "note",
      "account_unlocked",
      "resolved",
    ]);
    expect(d.timeline.find((e) => e.kind === "account_unlocked")?.actorId).toBe(admin.user.userId);
    // once resolved it is closed to changes
    expect(
      (
        await http("POST", `/api/v1/incidents/${burst!.id}/resolve`, officer.user.token, {
          outcome: "benign",
          note: "x",
        })
      ).status,
    ).toBe(409);
  });

  it("a mass read of patient records by one account raises a mass-read incident and locks the account", async () => {
    const reader = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    const patients = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(() => createPatient(net.admin)));
    await registerAtMain(patients);
    for (const id of patients)
      expect((await http("GET", `/api/v1/patients/${id}`, reader.user.token)).status).toBe(200);
    await rounds.incidents.evaluate();
    const [read] = (await incidentsOf("kind=mass_read")).filter((i) => i.subject === reader.user.userId);
    expect(read).toMatchObject({ severity: "high", account: { id: reader.user.userId, locked: true } });
    expect((await http("GET", `/api/v1/patients/${patients[0]}`, reader.user.token)).status).toBe(401);
  });

  it("two replicas evaluating the same window raise one incident, with one signal", async () => {
    const noisy = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
    const patients = await Promise.all([1, 2, 3, 4, 5].map(() => createPatient(net.admin)));
    await registerAtMain(patients);
    for (const id of patients) await noisy.inject({ url: `/api/v1/patients/${id}` });
    await Promise.all([rounds.incidents.evaluate(), replica.evaluate(), replica.evaluate()]);
    const mine = (await incidentsOf("kind=refused_burst&subjectKind=account")).filter(
      (i) => i.subject === noisy.user.userId,
    );
    expect(mine).toHaveLength(1);
    const d = await detail(mine[0]!.id);
    expect(d.timeline.filter((e) => e.kind === "signal")).toHaveLength(1);
    expect(d.timeline.filter((e) => e.kind === "account_locked")).toHaveLength(1);
  });

  it("only compliance officers and administrators see incidents; staff are refused", async () => {
    const staff = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    expect((await http("GET", "/api/v1/incidents", staff.user.token)).status).toBe(403);
    const physician = await clientFor(rounds, "physician", { physicianId: net.physicianId });
    expect((await http("GET", "/api/v1/incidents", physician.user.token)).status).toBe(403);
    expect((await http("GET", "/api/v1/incidents")).status).toBe(401);
    const bad = await http("GET", "/api/v1/incidents?kind=nonsense", officer.user.token);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain("kind");
  });
});
