import { hash } from "@node-rs/argon2";
import type { InjectOptions, LightMyRequestResponse as InjectResponse } from "fastify";
import type { Role } from "../../src/platform/access.js";
import { identityRepository } from "../../src/platform/identity/repository.js";
import type { Rounds } from "../../src/server.js";
import { unique } from "./rounds.js";

export const TEST_PASSWORD = "correct-horse-battery-staple";
const shared = globalThis as { __roundsTestHash?: Promise<string> };

export interface SignedIn {
  userId: string;
  token: string;
  headers: { authorization: string };
  email: string;
}

export interface Scope {
  patientId?: string;
  physicianId?: string;
  locationIds?: string[];
  departmentIds?: string[];
}

/**
 * Creates a user of `role` with `scope` straight in the database and signs in through the API.
 * The stored hash is a real argon2id hash that the server verifies as it verifies any, made with
 * the smallest cost argon2 allows: at the server's own cost every sign-in would spend ~20 ms of CPU,
 * and the suite signs in thousands of times. Users made through the API get the server's cost.
 */
export async function signIn(rounds: Rounds, role: Role, scope: Scope = {}): Promise<SignedIn> {
  shared.__roundsTestHash ??= hash(TEST_PASSWORD, { memoryCost: 1024, timeCost: 1 });
  const email = `${role}.${unique(10).toLowerCase()}@test.rounds.invalid`;
  const db = rounds.database.db;
  const user = await identityRepository.insertUser(db, {
    email,
    display_name: `Test ${role}`,
    role,
    password_hash: await shared.__roundsTestHash,
    patient_id: scope.patientId ?? null,
    physician_id: scope.physicianId ?? null,
  });
  if (scope.locationIds) await identityRepository.setLocations(db, user.id, scope.locationIds);
  if (scope.departmentIds) await identityRepository.setDepartments(db, user.id, scope.departmentIds);
  const res = await rounds.app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    payload: { email, password: TEST_PASSWORD },
  });
  if (res.statusCode !== 200) throw new Error(`signIn(${role}): ${res.statusCode} ${res.body}`);
  const token = (res.json() as { token: string }).token;
  return { userId: user.id, token, headers: { authorization: `Bearer ${token}` }, email };
}

const admins = new WeakMap<Rounds, Promise<SignedIn>>();
/** One administrator per app instance, reused by a test file's requests. */
export function asAdmin(rounds: Rounds): Promise<SignedIn> {
  let a = admins.get(rounds);
  if (!a) {
    a = signIn(rounds, "admin");
    admins.set(rounds, a);
  }
  return a;
}

/** Sends requests as one signed-in user. */
export interface Client {
  user: SignedIn;
  inject(opts: InjectOptions): Promise<InjectResponse>;
}

export function clientOf(rounds: Rounds, user: SignedIn): Client {
  return {
    user,
    inject: (opts) => rounds.app.inject({ ...opts, headers: { ...(opts.headers ?? {}), ...user.headers } }),
  };
}

export async function clientFor(rounds: Rounds, role: Role = "admin", scope: Scope = {}): Promise<Client> {
  return clientOf(
    rounds,
    role === "admin" && !Object.keys(scope).length
      ? await asAdmin(rounds)
      : await signIn(rounds, role, scope),
  );
}
