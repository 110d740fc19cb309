import { randomInt } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../src/platform/access.js";
import { loadConfig } from "../src/platform/config.js";
import { createRounds, type Rounds } from "../src/server.js";
import { type Client, clientFor, type Scope } from "./support/auth.js";
import { freshDatabase } from "./support/databases.js";
import { createLocation } from "./support/fixtures.js";
import { startRounds, unique } from "./support/rounds.js";

let rounds: Rounds;
let admin: Client;
beforeAll(async () => {
  rounds = await startRounds();
  admin = await clientFor(rounds);
});
afterAll(() => rounds?.close());

const PASSWORD = "a long enough passphrase";
/** Failed sign-ins are throttled per address too: each test fails from its own address. */
const someAddress = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
const fieldsOf = (res: { json(): unknown }) =>
  (res.json() as { errors: Array<{ field: string }> }).errors.map((e) => e.field);

interface User {
  id: string;
  email: string;
  role: string;
  active: boolean;
  patientId: string | null;
  physicianId: string | null;
  locationIds: string[];
  departmentIds: string[];
}
interface AuditEvent {
  seq: number;
  userId: string | null;
  role: string | null;
  action: string;
  resourceId: string | null;
  patientId: string | null;
  outcome: string;
  flagged: boolean;
  clientAddress: string | null;
  detail: Record<string, unknown>;
}

const email = (who = "user") => `${who}.${unique(10).toLowerCase()}@hospital.test`;

async function createUser(body: Record<string, unknown>): Promise<User> {
  const res = await admin.inject({
    method: "POST",
    url: "/api/v1/users",
    payload: { email: email(), displayName: "Pat Example", password: PASSWORD, ...body },
  });
  if (res.statusCode !== 201) throw new Error(`createUser: ${res.statusCode} ${res.body}`);
  return res.json() as User;
}

function login(app: Rounds["app"], who: string, password = PASSWORD, remoteAddress = someAddress()) {
  return app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    remoteAddress,
    payload: { email: who, password },
  });
}

async function tokenOf(who: string): Promise<string> {
  const res = await login(rounds.app, who);
  if (res.statusCode !== 200) throw new Error(`login: ${res.statusCode} ${res.body}`);
  return (res.json() as { token: string }).token;
}

const me = (token: string) =>
  rounds.app.inject({ url: "/api/v1/auth/me", headers: { authorization: `Bearer ${token}` } });

async function events(query: string): Promise<AuditEvent[]> {
  const res = await admin.inject({ url: `/api/v1/audit-events?limit=200&${query}` });
  expect(res.statusCode).toBe(200);
  return (res.json() as { items: AuditEvent[] }).items;
}

async function createPatient(): Promise<{ id: string }> {
  const res = await admin.inject({
    method: "POST",
    url: "/api/v1/patients",
    payload: {
      mrn: `MRN-${unique(10)}`,
      givenName: "Grace",
      familyName: `Hopper${unique(6)}`,
      birthDate: "1976-12-09",
      sex: "female",
    },
  });
  if (res.statusCode !== 201) throw new Error(`createPatient: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string };
}

async function createSpecialty(): Promise<string> {
  const code = `t_${unique(10).toLowerCase()}`;
  const res = await admin.inject({
    method: "POST",
    url: "/api/v1/specialties",
    payload: { code, name: `Specialty ${unique(8)}` },
  });
  if (res.statusCode !== 201) throw new Error(`createSpecialty: ${res.statusCode} ${res.body}`);
  return code;
}

async function createPhysician(): Promise<{ id: string }> {
  const res = await admin.inject({
    method: "POST",
    url: "/api/v1/physicians",
    payload: {
      npi: String(randomInt(1_000_000_000, 9_999_999_999)),
      givenName: "Ana",
      familyName: `Okafor${unique(6)}`,
      primarySpecialty: await createSpecialty(),
    },
  });
  if (res.statusCode !== 201) throw new Error(`createPhysician: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string };
}

async function createDepartment(): Promise<{ id: string; specialty: string }> {
  const location = await createLocation(rounds);
  const res = await admin.inject({
    method: "POST",
    url: `/api/v1/locations/${location.id}/departments`,
    payload: { specialty: await createSpecialty(), name: "Cardiology" },
  });
  if (res.statusCode !== 201) throw new Error(`createDepartment: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; specialty: string };
}

describe("signing in", () => {
  it("signing in returns a token and the user, and sets an httpOnly SameSite session cookie", async () => {
    const location = await createLocation(rounds);
    const u = await createUser({ role: "location_staff", locationIds: [location.id] });
    const res = await login(rounds.app, u.email.toUpperCase());
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.token).toMatch(/^[\w-]{32,}$/);
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
    expect(body.user).toMatchObject({ id: u.id, role: "location_staff", locationIds: [location.id] });
    expect(body.user).not.toHaveProperty("passwordHash");
    const cookie = res.cookies.find((c) => c.name === "rounds_session");
    expect(cookie).toMatchObject({ value: body.token, httpOnly: true, path: "/" });
    expect(String(cookie?.sameSite).toLowerCase()).toBe("strict");
  });

  it("the session cookie alone tells the server who is calling", async () => {
    const u = await createUser({ role: "compliance" });
    const token = await tokenOf(u.email);
    const res = await rounds.app.inject({ url: "/api/v1/auth/me", cookies: { rounds_session: token } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: u.id, email: u.email, role: "compliance" });
    const anonymous = await rounds.app.inject({ url: "/api/v1/auth/me" });
    expect(anonymous.statusCode).toBe(401);
  });

  it("the bearer scheme is accepted whatever its case, as HTTP says it must be", async () => {
    const u = await createUser({ role: "compliance" });
    const token = await tokenOf(u.email);
    const res = await rounds.app.inject({
      url: "/api/v1/auth/me",
      headers: { authorization: `bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
  });

  it("a wrong password is refused with 401 and the failed sign-in is in the audit trail", async () => {
    const u = await createUser({ role: "compliance" });
    const address = someAddress();
    const res = await login(rounds.app, u.email, "not the password at all", address);
    expect(res.statusCode).toBe(401);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json()).toMatchObject({ status: 401, code: "unauthenticated" });
    expect(res.json()).not.toHaveProperty("token");
    const failed = await events(`userId=${u.id}&action=auth.login&outcome=failure`);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ clientAddress: address, detail: { reason: "wrong password" } });
  });

  it("an unknown email is refused exactly like a wrong password", async () => {
    const res = await login(rounds.app, email("nobody"));
    expect(res.statusCode).toBe(401);
    expect(res.json().detail).toBe("Sign in to continue");
  });

  it("after five wrong passwords the account is locked for a while, even for the right password", async () => {
    const u = await createUser({ role: "compliance" });
    for (let i = 0; i < 5; i++) {
      expect((await login(rounds.app, u.email, `wrong guess ${i}`)).statusCode).toBe(401);
    }
    const locked = await login(rounds.app, u.email.toUpperCase());
    expect(locked.statusCode).toBe(429);
    expect(locked.headers["content-type"]).toContain("application/problem+json");
    expect(locked.json().retryAfterSeconds).toBeGreaterThan(60);
    expect(locked.json().retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
    const denied = await events(`action=auth.login&outcome=denied&flagged=true`);
    expect(denied.some((e) => e.detail.email === u.email.toUpperCase())).toBe(true);
  });

  it("guesses fired all at once cannot slip past the lock", async () => {
    const u = await createUser({ role: "compliance" });
    const results = await Promise.all(
      Array.from({ length: 15 }, (_, i) => login(rounds.app, u.email, `parallel guess ${i}`)),
    );
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401).length).toBeLessThanOrEqual(5);
    expect(codes.filter((c) => c !== 401 && c !== 429)).toEqual([]);
    expect((await login(rounds.app, u.email)).statusCode).toBe(429);
  });

  it("an address guessing at many accounts is throttled, while successful sign-ins never count against it", async () => {
    const address = someAddress();
    const u = await createUser({ role: "compliance" });
    for (let i = 0; i < 25; i++)
      expect((await login(rounds.app, u.email, PASSWORD, address)).statusCode).toBe(200);
    for (let i = 0; i < 20; i++) {
      expect((await login(rounds.app, email("guess"), "wrong password", address)).statusCode).toBe(401);
    }
    expect((await login(rounds.app, u.email, PASSWORD, address)).statusCode).toBe(429);
    expect((await login(rounds.app, u.email, PASSWORD, someAddress())).statusCode).toBe(200);
  });

  it("a whole front desk signing in at once behind one hospital address is never refused", async () => {
    const address = someAddress();
    const staff = await Promise.all(Array.from({ length: 30 }, () => createUser({ role: "compliance" })));
    const results = await Promise.all(staff.map((u) => login(rounds.app, u.email, PASSWORD, address)));
    expect(results.map((r) => r.statusCode)).toEqual(staff.map(() => 200));
  });

  it("a correct sign-in clears earlier failures of the account", async () => {
    const u = await createUser({ role: "compliance" });
    for (let i = 0; i < 4; i++) await login(rounds.app, u.email, `wrong guess ${i}`);
    expect((await login(rounds.app, u.email)).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) await login(rounds.app, u.email, `wrong again ${i}`);
    expect((await login(rounds.app, u.email)).statusCode).toBe(200);
  });

  it("signing out ends the session: the token no longer works", async () => {
    const u = await createUser({ role: "compliance" });
    const token = await tokenOf(u.email);
    expect((await me(token)).statusCode).toBe(200);
    const out = await rounds.app.inject({
      method: "POST",
      url: "/api/v1/auth/logout",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(out.statusCode).toBe(204);
    const cleared = out.cookies.find((c) => c.name === "rounds_session");
    expect(cleared?.value ?? "").toBe("");
    expect((await me(token)).statusCode).toBe(401);
    const logouts = await events(`userId=${u.id}&action=auth.logout`);
    expect(logouts).toHaveLength(1);
  });

  it("an expired or made-up token is refused with 401", async () => {
    const u = await createUser({ role: "compliance" });
    const token = await tokenOf(u.email);
    await sql`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = ${u.id}`.execute(
      rounds.database.db,
    );
    const expired = await me(token);
    expect(expired.statusCode).toBe(401);
    expect(expired.headers["content-type"]).toContain("application/problem+json");
    expect((await me("made-up-token")).statusCode).toBe(401);
    expect((await me("")).statusCode).toBe(401);
  });

  it("a deactivated user can use neither an open session nor a new sign-in", async () => {
    const u = await createUser({ role: "compliance" });
    const token = await tokenOf(u.email);
    const off = await admin.inject({
      method: "PATCH",
      url: `/api/v1/users/${u.id}`,
      payload: { active: false },
    });
    expect(off.statusCode).toBe(200);
    expect(off.json().active).toBe(false);
    expect((await me(token)).statusCode).toBe(401);
    expect((await login(rounds.app, u.email)).statusCode).toBe(401);
    const failed = await events(`userId=${u.id}&action=auth.login&outcome=failure`);
    expect(failed[0]?.detail.reason).toBe("deactivated");
  });

  it("an administrator cannot deactivate themselves", async () => {
    const res = await admin.inject({
      method: "PATCH",
      url: `/api/v1/users/${admin.user.userId}`,
      payload: { active: false },
    });
    expect(res.statusCode).toBe(422);
    expect(fieldsOf(res)).toEqual(["body.active"]);
  });

  it("a changed password ends the user's open sessions", async () => {
    const u = await createUser({ role: "compliance" });
    const token = await tokenOf(u.email);
    const res = await admin.inject({
      method: "PATCH",
      url: `/api/v1/users/${u.id}`,
      payload: { password: "a brand new passphrase" },
    });
    expect(res.statusCode).toBe(200);
    expect((await me(token)).statusCode).toBe(401);
    expect((await login(rounds.app, u.email, "a brand new passphrase")).statusCode).toBe(200);
  });
});

describe("user administration", () => {
  it("an administrator creates a user of every role with the scope that role needs", async () => {
    const [locA, locB, department, patient, physician] = await Promise.all([
      createLocation(rounds),
      createLocation(rounds),
      createDepartment(),
      createPatient(),
      createPhysician(),
    ]);
    const cases: Array<[string, Record<string, unknown>, Partial<User>]> = [
      ["location_staff", { locationIds: [locA.id, locB.id] }, { locationIds: [locA.id, locB.id].sort() }],
      ["department_head", { departmentIds: [department.id] }, { departmentIds: [department.id] }],
      ["patient", { patientId: patient.id }, { patientId: patient.id }],
      ["physician", { physicianId: physician.id }, { physicianId: physician.id }],
      ["admin", {}, {}],
      ["compliance", {}, {}],
    ];
    for (const [role, scope, expected] of cases) {
      const u = await createUser({ role, ...scope });
      expect(u).toMatchObject({ role, active: true, ...expected });
      const got = await admin.inject({ url: `/api/v1/users/${u.id}` });
      expect(got.json()).toEqual(u);
      const signedIn = await me(await tokenOf(u.email));
      expect(signedIn.json()).toMatchObject({ id: u.id, role, ...expected });
      if (role === "patient") expect(signedIn.json().patientIds).toEqual([patient.id]);
      if (role === "department_head") expect(signedIn.json().specialties).toEqual([department.specialty]);
    }
    const staff = await admin.inject({ url: `/api/v1/users?role=location_staff&locationId=${locB.id}` });
    expect(staff.json().items.map((u: User) => u.role)).toEqual(["location_staff"]);
  });

  it("a scope that does not fit the role is refused, naming the field", async () => {
    const [location, department, patient, physician] = await Promise.all([
      createLocation(rounds),
      createDepartment(),
      createPatient(),
      createPhysician(),
    ]);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ role: "location_staff" }, "body.locationIds"],
      [{ role: "location_staff", locationIds: [] }, "body.locationIds"],
      [{ role: "department_head" }, "body.departmentIds"],
      [{ role: "patient" }, "body.patientId"],
      [{ role: "physician" }, "body.physicianId"],
      [{ role: "physician", physicianId: physician.id, locationIds: [location.id] }, "body.locationIds"],
      [{ role: "admin", patientId: patient.id }, "body.patientId"],
      [{ role: "compliance", departmentIds: [department.id] }, "body.departmentIds"],
      [{ role: "patient", patientId: "not-a-uuid" }, "body.patientId"],
      [{ role: "superuser" }, "body.role"],
      [{ role: "compliance", password: "short" }, "body.password"],
    ];
    for (const [body, field] of cases) {
      const res = await admin.inject({
        method: "POST",
        url: "/api/v1/users",
        payload: { email: email(), displayName: "Bad Scope", password: PASSWORD, ...body },
      });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(fieldsOf(res), JSON.stringify(body)).toContain(field);
    }
  });

  it("a scope naming a location, department, patient or physician that does not exist is refused", async () => {
    const missing = "00000000-0000-4000-8000-000000000000";
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ role: "location_staff", locationIds: [missing] }, "body.locationIds"],
      [{ role: "department_head", departmentIds: [missing] }, "body.departmentIds"],
      [{ role: "patient", patientId: missing }, "body.patientId"],
      [{ role: "physician", physicianId: missing }, "body.physicianId"],
    ];
    for (const [body, field] of cases) {
      const address = email();
      const res = await admin.inject({
        method: "POST",
        url: "/api/v1/users",
        payload: { email: address, displayName: "Ghost Scope", password: PASSWORD, ...body },
      });
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
      expect(fieldsOf(res)).toEqual([field]);
      const listed = await admin.inject({ url: `/api/v1/users?q=${encodeURIComponent(address)}` });
      expect(listed.json().total).toBe(0);
    }
  });

  it("a location listed twice in a staff member's scope is kept once", async () => {
    const location = await createLocation(rounds);
    const u = await createUser({ role: "location_staff", locationIds: [location.id, location.id] });
    expect(u.locationIds).toEqual([location.id]);
    const patched = await admin.inject({
      method: "PATCH",
      url: `/api/v1/users/${u.id}`,
      payload: { locationIds: [location.id, location.id] },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().locationIds).toEqual([location.id]);
  });

  it("a scope change that does not fit the role is refused and changes nothing", async () => {
    const [location, department] = await Promise.all([createLocation(rounds), createDepartment()]);
    const u = await createUser({ role: "location_staff", locationIds: [location.id] });
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ departmentIds: [department.id] }, 422, "body.departmentIds"],
      [{ locationIds: [] }, 422, "body.locationIds"],
      [{ displayName: "Renamed", role: "admin" }, 400, "body"],
    ];
    for (const [payload, status, field] of cases) {
      const res = await admin.inject({ method: "PATCH", url: `/api/v1/users/${u.id}`, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(fieldsOf(res).some((f) => f.startsWith(field))).toBe(true);
    }
    const after = await admin.inject({ url: `/api/v1/users/${u.id}` });
    expect(after.json()).toEqual(u);
  });

  it("only an administrator may create or change users", async () => {
    const location = await createLocation(rounds);
    const payload = { email: email(), displayName: "Sneaky", role: "admin", password: PASSWORD };
    const callers: Array<[Role, Scope]> = [
      ["location_staff", { locationIds: [location.id] }],
      ["compliance", {}],
      ["physician", { physicianId: (await createPhysician()).id }],
      ["patient", { patientId: (await createPatient()).id }],
    ];
    for (const [role, scope] of callers) {
      const caller = await clientFor(rounds, role, scope);
      const res = await caller.inject({ method: "POST", url: "/api/v1/users", payload });
      expect(res.statusCode, role).toBe(403);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      const patch = await caller.inject({
        method: "PATCH",
        url: `/api/v1/users/${caller.user.userId}`,
        payload: { displayName: "Promoted" },
      });
      expect(patch.statusCode, role).toBe(403);
    }
    const anonymous = await rounds.app.inject({ method: "POST", url: "/api/v1/users", payload });
    expect(anonymous.statusCode).toBe(401);
    const listed = await admin.inject({ url: `/api/v1/users?q=${encodeURIComponent(payload.email)}` });
    expect(listed.json().total).toBe(0);
  });

  it("an email address belongs to one user only, whatever its case", async () => {
    const u = await createUser({ role: "compliance" });
    const res = await admin.inject({
      method: "POST",
      url: "/api/v1/users",
      payload: { email: u.email.toUpperCase(), displayName: "Twin", role: "compliance", password: PASSWORD },
    });
    expect(res.statusCode).toBe(409);
    expect(fieldsOf(res)).toEqual(["body.email"]);
  });

  it("creating a user and changing their permissions both leave audit events", async () => {
    const [locA, locB] = await Promise.all([createLocation(rounds), createLocation(rounds)]);
    const u = await createUser({ role: "location_staff", locationIds: [locA.id] });
    const created = await events(`action=user.create&userId=${admin.user.userId}`);
    expect(created.find((e) => e.resourceId === u.id)).toMatchObject({
      role: "admin",
      outcome: "success",
      detail: { role: "location_staff", locationIds: [locA.id] },
    });
    const res = await admin.inject({
      method: "PATCH",
      url: `/api/v1/users/${u.id}`,
      payload: { locationIds: [locB.id] },
    });
    expect(res.json().locationIds).toEqual([locB.id]);
    const updated = (await events(`action=user.update&userId=${admin.user.userId}`)).filter(
      (e) => e.resourceId === u.id,
    );
    expect(updated).toHaveLength(1);
    expect(updated[0]?.detail).toMatchObject({
      fields: ["locationIds"],
      locationIds: [locB.id],
      previousLocationIds: [locA.id],
    });
  });

  it("a password is never stored or shown in the audit trail", async () => {
    const u = await createUser({ role: "compliance" });
    await admin.inject({
      method: "PATCH",
      url: `/api/v1/users/${u.id}`,
      payload: { password: "another long passphrase" },
    });
    const trail = JSON.stringify(await events(`action=user.update&userId=${admin.user.userId}`));
    expect(trail).not.toContain("another long passphrase");
    expect(trail).toContain("passwordChanged");
  });
});

describe("the first administrator", () => {
  it("the first start creates the administrator named in the environment, and a restart adds no other", async () => {
    const fresh = await freshDatabase();
    try {
      const env = {
        ...process.env,
        ROUNDS_ADMIN_EMAIL: "Chief.Admin@Hospital.test",
        ROUNDS_ADMIN_PASSWORD: "bootstrap passphrase",
        ROUNDS_SEED_DEMO: "false",
        LOG_LEVEL: "silent",
      };
      const first = await createRounds(loadConfig(env), { database: fresh.database });
      const signedIn = await login(first.app, "chief.admin@hospital.test", "bootstrap passphrase");
      expect(signedIn.statusCode).toBe(200);
      expect(signedIn.json().user.role).toBe("admin");
      await first.close();

      const second = await createRounds(
        loadConfig({ ...env, ROUNDS_ADMIN_PASSWORD: "a different passphrase" }),
        {
          database: fresh.database,
        },
      );
      const token = (await login(second.app, "chief.admin@hospital.test", "bootstrap passphrase")).json()
        .token;
      const users = await second.app.inject({
        url: "/api/v1/users?role=admin",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(users.json().total).toBe(1);
      expect(
        (await login(second.app, "chief.admin@hospital.test", "a different passphrase")).statusCode,
      ).toBe(401);
      await second.close();
    } finally {
      await fresh.drop();
    }
  });

  it("a deactivated bootstrap administrator does not stop the server from starting", async () => {
    const fresh = await freshDatabase();
    try {
      const env = {
        ...process.env,
        ROUNDS_ADMIN_EMAIL: "first.admin@hospital.test",
        ROUNDS_ADMIN_PASSWORD: "bootstrap passphrase",
        ROUNDS_SEED_DEMO: "false",
        LOG_LEVEL: "silent",
      };
      const first = await createRounds(loadConfig(env), { database: fresh.database });
      await sql`UPDATE users SET active = false`.execute(fresh.database.db);
      await first.close();
      const second = await createRounds(loadConfig(env), { database: fresh.database });
      expect((await login(second.app, "first.admin@hospital.test", "bootstrap passphrase")).statusCode).toBe(
        401,
      );
      await second.close();
    } finally {
      await fresh.drop();
    }
  });
});

describe("break-the-glass", () => {
  it("staff cannot open the record of a patient who has no appointment at their location", async () => {
    const [location, patient] = await Promise.all([createLocation(rounds), createPatient()]);
    const staff = await clientFor(rounds, "location_staff", { locationIds: [location.id] });
    const res = await staff.inject({ url: `/api/v1/patients/${patient.id}` });
    expect(res.statusCode).toBe(404);
  });

  it("after breaking the glass with a reason, staff open the record and compliance sees it flagged for review", async () => {
    const [location, patient] = await Promise.all([createLocation(rounds), createPatient()]);
    const staff = await clientFor(rounds, "location_staff", { locationIds: [location.id] });
    const colleague = await clientFor(rounds, "location_staff", { locationIds: [location.id] });
    const reason = "Patient collapsed in our lobby; need allergies";
    const granted = await staff.inject({
      method: "POST",
      url: "/api/v1/break-glass",
      payload: { patientId: patient.id, reason },
    });
    expect(granted.statusCode).toBe(201);
    const grant = granted.json();
    expect(grant).toMatchObject({
      userId: staff.user.userId,
      patientId: patient.id,
      reason,
      reviewedAt: null,
    });
    const minutes = (Date.parse(grant.expiresAt) - Date.parse(grant.grantedAt)) / 60_000;
    expect(minutes).toBeCloseTo(60, 0);

    expect((await staff.inject({ url: `/api/v1/patients/${patient.id}` })).statusCode).toBe(200);
    // the grant is personal: a colleague at the same desk still sees nothing
    expect((await colleague.inject({ url: `/api/v1/patients/${patient.id}` })).statusCode).toBe(404);

    const trail = await events(`patientId=${patient.id}&userId=${staff.user.userId}`);
    expect(trail.find((e) => e.action === "patient.break_glass")).toMatchObject({
      flagged: true,
      role: "location_staff",
      detail: { reason },
    });
    expect(trail.find((e) => e.action === "patient.read")).toMatchObject({
      flagged: true,
      detail: { access: "break_glass" },
    });

    const compliance = await clientFor(rounds, "compliance");
    const open = await compliance.inject({ url: "/api/v1/break-glass?reviewed=false&limit=200" });
    expect(open.statusCode).toBe(200);
    expect(open.json().items.map((g: { id: string }) => g.id)).toContain(grant.id);
    expect(open.json()).toMatchObject({ limit: 200, offset: 0 });
    expect(open.json().total).toBeGreaterThanOrEqual(1);
    // the grants name patients and reasons: reading them is audited too
    const listed = await events(`userId=${compliance.user.userId}&action=break_glass.list`);
    expect(listed[0]?.detail.found).toContain(grant.id);
    const reviewed = await compliance.inject({
      method: "POST",
      url: `/api/v1/break-glass/${grant.id}/review`,
      payload: { note: "Confirmed with the ER lead" },
    });
    expect(reviewed.statusCode).toBe(200);
    expect(reviewed.json()).toMatchObject({
      reviewedBy: compliance.user.userId,
      reviewNote: "Confirmed with the ER lead",
    });
    const stillOpen = await compliance.inject({ url: "/api/v1/break-glass?reviewed=false&limit=200" });
    expect(stillOpen.json().items.map((g: { id: string }) => g.id)).not.toContain(grant.id);
    const again = await compliance.inject({
      method: "POST",
      url: `/api/v1/break-glass/${grant.id}/review`,
      payload: { note: "twice" },
    });
    expect(again.statusCode).toBe(404);
  });

  it("breaking the glass without a real reason is refused, naming the reason", async () => {
    const [location, patient] = await Promise.all([createLocation(rounds), createPatient()]);
    const staff = await clientFor(rounds, "location_staff", { locationIds: [location.id] });
    for (const reason of ["urgent", "   because   ", ""]) {
      const res = await staff.inject({
        method: "POST",
        url: "/api/v1/break-glass",
        payload: { patientId: patient.id, reason },
      });
      expect(res.statusCode).toBe(400);
      expect(fieldsOf(res)).toEqual(["body.reason"]);
    }
    expect((await staff.inject({ url: `/api/v1/patients/${patient.id}` })).statusCode).toBe(404);
  });

  it("patients, department heads and compliance cannot break the glass", async () => {
    const [mine, other, department] = await Promise.all([
      createPatient(),
      createPatient(),
      createDepartment(),
    ]);
    const callers = [
      await clientFor(rounds, "patient", { patientId: mine.id }),
      await clientFor(rounds, "department_head", { departmentIds: [department.id] }),
      await clientFor(rounds, "compliance"),
    ];
    for (const caller of callers) {
      const res = await caller.inject({
        method: "POST",
        url: "/api/v1/break-glass",
        payload: { patientId: other.id, reason: "I would like to see this record" },
      });
      expect(res.statusCode).toBe(403);
    }
    expect((await callers[0]!.inject({ url: `/api/v1/patients/${other.id}` })).statusCode).toBe(404);
  });

  it("staff cannot list or review break-the-glass grants", async () => {
    const location = await createLocation(rounds);
    const staff = await clientFor(rounds, "location_staff", { locationIds: [location.id] });
    expect((await staff.inject({ url: "/api/v1/break-glass" })).statusCode).toBe(403);
  });
});
