import { createHash, randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import type { Actor, Role } from "../access.js";
import { type AuditContext, auditService } from "../audit/service.js";
import type { Executor } from "../db.js";
import { ProblemError, problemFromDatabase, problems, registerConstraint } from "../errors.js";
import type { ServiceDeps } from "../module.js";
import { patient } from "../policy.js";
import type { Page } from "../schemas.js";
import { toIso } from "../schemas.js";
import { type BreakGlassRow, identityRepository as repo, type UserRow } from "./repository.js";
import type { User, UserInput, UserPatch } from "./schema.js";
import { createLoginThrottle } from "./throttle.js";

registerConstraint("users_email_key", "body.email", "a user with this email already exists");
registerConstraint("users_patient_key", "body.patientId", "this patient already has a user");
registerConstraint("users_physician_key", "body.physicianId", "this physician already has a user");
registerConstraint("users_patient_fk", "body.patientId", "no such patient");
registerConstraint("users_physician_fk", "body.physicianId", "no such physician");
registerConstraint("user_locations_location_fk", "body.locationIds", "no such location");
registerConstraint("user_departments_department_fk", "body.departmentIds", "no such department");
registerConstraint("break_glass_patient_fk", "body.patientId", "no such patient");

const BREAK_GLASS_MINUTES = 60;

/** What identity needs from the modules that own family links and departments. */
export interface ScopeSources {
  dependentsOf(db: Executor, patientId: string): Promise<string[]>;
  specialtiesOfDepartments(db: Executor, departmentIds: string[]): Promise<string[]>;
}

/** What identity knows about patient scope: the unexpired break-the-glass grants. */
export const identityScopeFacts = {
  breakGlass: (ex: Executor, userId: string, patientId: string): Promise<boolean> =>
    repo.activeBreakGlass(ex, userId, patientId),
};

export interface RequestInfo {
  clientAddress: string;
  userAgent: string | null;
  requestId: string;
}

const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");
// Verified against when the email is unknown, so a miss costs as long as a wrong password.
const decoyHash = hash("decoy password that never matches");

export const auditContextOf = (a: Actor): AuditContext => ({
  userId: a.userId,
  // a system client's calls are recorded as the client's (its id is the user id)
  role: a.client ? "system_client" : a.role,
  requestId: a.requestId,
  clientAddress: a.clientAddress,
});

/** Identity's settings from the configuration. */
export interface IdentitySettings {
  /** How long a sign-in lasts (ROUNDS_SESSION_HOURS). */
  sessionHours: number;
}

/** What the identity service needs: the platform's, and the facts other modules own about scope. */
export interface IdentityDeps extends ServiceDeps {
  scopes: ScopeSources;
  settings?: IdentitySettings;
  /** Told of each failed sign-in after it is recorded (incident detection's cheap hot path). */
  onSignInFailure?: (attempt: { clientAddress: string; email: string }) => void;
}

/**
 * Sign-in, sessions, users and their scopes, break-the-glass. Operations take the acting user
 * first, authorize through the policy, run in their own transaction and audit there.
 */
export function createIdentity({
  db,
  clock,
  policies,
  scopes,
  settings = { sessionHours: 12 },
  onSignInFailure,
}: IdentityDeps) {
  const { sessionHours } = settings;
  const throttle = createLoginThrottle();
  async function toUser(ex: Executor, r: UserRow): Promise<User> {
    return {
      id: r.id,
      email: r.email,
      displayName: r.display_name,
      role: r.role as Role,
      active: r.active,
      patientId: r.patient_id,
      physicianId: r.physician_id,
      locationIds: r.role === "location_staff" ? await repo.locationsOf(ex, r.id) : [],
      departmentIds: r.role === "department_head" ? await repo.departmentsOf(ex, r.id) : [],
    };
  }

  async function actorFor(
    ex: Executor,
    u: Pick<UserRow, "id" | "email" | "display_name" | "role" | "patient_id" | "physician_id">,
    sessionId: string,
    info: RequestInfo,
  ): Promise<Actor> {
    const role = u.role as Role;
    const [locationIds, departmentIds, dependents] = await Promise.all([
      role === "location_staff" ? repo.locationsOf(ex, u.id) : Promise.resolve([]),
      role === "department_head" ? repo.departmentsOf(ex, u.id) : Promise.resolve([]),
      role === "patient" && u.patient_id ? scopes.dependentsOf(ex, u.patient_id) : Promise.resolve([]),
    ]);
    const specialties = departmentIds.length ? await scopes.specialtiesOfDepartments(ex, departmentIds) : [];
    return {
      userId: u.id,
      role,
      email: u.email,
      displayName: u.display_name,
      sessionId,
      patientId: u.patient_id,
      patientIds: u.patient_id ? [u.patient_id, ...dependents] : [],
      physicianId: u.physician_id,
      locationIds,
      departmentIds,
      specialties,
      clientAddress: info.clientAddress,
      requestId: info.requestId,
    };
  }

  return {
    /** How long a sign-in lasts, in hours. */
    sessionHours,

    async login(email: string, password: string, info: RequestInfo) {
      const keys = throttle.keysFor(email, info.clientAddress);
      const anon: AuditContext = {
        userId: null,
        role: null,
        requestId: info.requestId,
        clientAddress: info.clientAddress,
      };
      const retryAt = await throttle.claim(db, keys);
      if (retryAt) {
        await db.transaction().execute((tx) =>
          auditService.record(tx, anon, {
            action: "auth.login",
            resourceType: "session",
            outcome: "denied",
            detail: { email, reason: "throttled" },
            flagged: true,
          }),
        );
        throw new ProblemError(429, "too_many_attempts", "Too many failed sign-ins; try again later", [], {
          retryAfterSeconds: Math.max(1, Math.ceil((retryAt.getTime() - Date.now()) / 1000)),
        });
      }
      const user = await repo.userByEmail(db, email);
      let ok = false;
      if (user?.password_hash) ok = await verify(user.password_hash, password);
      else await verify(await decoyHash, password);
      // a locked account is refused like a wrong password: the answer tells a guesser nothing
      if (!user || !ok || !user.active || user.locked_at) {
        await db.transaction().execute(async (tx) => {
          await throttle.failed(tx, keys);
          await auditService.record(
            tx,
            { ...anon, userId: user?.id ?? null, role: user?.role ?? null },
            {
              action: "auth.login",
              resourceType: "session",
              outcome: "failure",
              detail: {
                email,
                reason: !user
                  ? "unknown email"
                  : !ok
                    ? "wrong password"
                    : user.active
                      ? "locked"
                      : "deactivated",
              },
            },
          );
        });
        onSignInFailure?.({ clientAddress: info.clientAddress, email });
        throw problems.unauthenticated();
      }
      const token = randomBytes(32).toString("base64url");
      const expiresAt = new Date(clock.now().getTime() + sessionHours * 3_600_000);
      return db.transaction().execute(async (tx) => {
        await throttle.succeeded(tx, keys);
        const sessionId = await repo.insertSession(tx, {
          token_hash: tokenHash(token),
          user_id: user.id,
          expires_at: expiresAt,
          client_address: info.clientAddress,
          user_agent: info.userAgent,
        });
        const actor = await actorFor(tx, user, sessionId, info);
        await auditService.record(tx, auditContextOf(actor), {
          action: "auth.login",
          resourceType: "session",
          resourceId: sessionId,
        });
        return {
          token,
          expiresAt: expiresAt.toISOString(),
          user: { ...(await toUser(tx, user)), patientIds: actor.patientIds, specialties: actor.specialties },
        };
      });
    },

    /** The actor behind a bearer token or session cookie, or undefined when it is not valid. */
    async authenticate(token: string, info: RequestInfo): Promise<Actor | undefined> {
      const s = await repo.sessionByTokenHash(db, tokenHash(token));
      if (!s || s.revoked_at || !s.active || s.locked_at || s.expires_at.getTime() <= clock.now().getTime())
        return undefined;
      return actorFor(db, s, s.session_id, info);
    },

    async logout(actor: Actor): Promise<void> {
      await db.transaction().execute(async (tx) => {
        await repo.revokeSession(tx, actor.sessionId);
        await auditService.record(tx, auditContextOf(actor), {
          action: "auth.logout",
          resourceType: "session",
          resourceId: actor.sessionId,
        });
      });
    },

    async me(actor: Actor) {
      const u = await repo.userById(db, actor.userId);
      if (!u) throw problems.unauthenticated();
      return { ...(await toUser(db, u)), patientIds: actor.patientIds, specialties: actor.specialties };
    },

    async listUsers(filter: Parameters<typeof repo.listUsers>[1]): Promise<Page<User>> {
      const { rows, total } = await repo.listUsers(db, filter);
      const items = await Promise.all(rows.map((r) => toUser(db, r)));
      return { items, total, limit: filter.limit, offset: filter.offset };
    },

    async getUser(id: string): Promise<User> {
      const u = await repo.userById(db, id);
      if (!u) throw problems.notFound("user");
      return toUser(db, u);
    },

    async createUser(actor: Actor, input: UserInput): Promise<User> {
      const passwordHash = input.password ? await hash(input.password) : null;
      return db.transaction().execute(async (tx) => {
        const row = await repo.insertUser(tx, {
          email: input.email,
          display_name: input.displayName,
          role: input.role,
          password_hash: passwordHash,
          patient_id: input.patientId,
          physician_id: input.physicianId,
        });
        await repo.setLocations(tx, row.id, input.locationIds);
        await repo.setDepartments(tx, row.id, input.departmentIds);
        await auditService.record(tx, auditContextOf(actor), {
          action: "user.create",
          resourceType: "user",
          resourceId: row.id,
          patientId: input.patientId,
          detail: { role: input.role, locationIds: input.locationIds, departmentIds: input.departmentIds },
        });
        return toUser(tx, row);
      });
    },

    async updateUser(actor: Actor, id: string, patch: UserPatch): Promise<User> {
      const passwordHash = patch.password ? await hash(patch.password) : undefined;
      return db.transaction().execute(async (tx) => {
        const current = await repo.userById(tx, id);
        if (!current) throw problems.notFound("user");
        // the audit event records what a permission change replaced, not only the new value
        const before = await toUser(tx, current);
        if (patch.locationIds !== undefined) {
          if (current.role !== "location_staff")
            throw problems.invalid("body.locationIds", "only location staff have locations");
          if (patch.locationIds.length === 0)
            throw problems.invalid("body.locationIds", "location staff need at least one location");
          await repo.setLocations(tx, id, patch.locationIds);
        }
        if (patch.departmentIds !== undefined) {
          if (current.role !== "department_head")
            throw problems.invalid("body.departmentIds", "only department heads have departments");
          if (patch.departmentIds.length === 0)
            throw problems.invalid("body.departmentIds", "a department head needs at least one department");
          await repo.setDepartments(tx, id, patch.departmentIds);
        }
        if (id === actor.userId && patch.active === false)
          throw problems.invalid("body.active", "you cannot deactivate yourself");
        const row = await repo.updateUser(tx, id, {
          display_name: patch.displayName,
          active: patch.active,
          password_hash: passwordHash,
        });
        // a deactivated user or a changed password ends every open session
        if (patch.active === false || passwordHash) await repo.revokeSessionsOf(tx, id);
        await auditService.record(tx, auditContextOf(actor), {
          action: "user.update",
          resourceType: "user",
          resourceId: id,
          detail: {
            fields: Object.keys(patch).filter((k) => k !== "password"),
            ...(patch.password ? { passwordChanged: true } : {}),
            ...(patch.locationIds
              ? {
                  locationIds: [...new Set(patch.locationIds)].sort(),
                  previousLocationIds: before.locationIds,
                }
              : {}),
            ...(patch.departmentIds
              ? {
                  departmentIds: [...new Set(patch.departmentIds)].sort(),
                  previousDepartmentIds: before.departmentIds,
                }
              : {}),
            ...(patch.active !== undefined ? { active: patch.active, previousActive: before.active } : {}),
          },
        });
        return toUser(tx, row!);
      });
    },

    /** Creates the first administrator when the database has none (deployments and tests). */
    async ensureAdministrator(email: string, password: string): Promise<boolean> {
      if (await repo.anyActiveAdmin(db)) return false;
      // a deactivated account with that email stays deactivated; restarting must not crash on it
      if (await repo.userByEmail(db, email)) return false;
      const passwordHash = await hash(password);
      try {
        await db.transaction().execute(async (tx) => {
          const row = await repo.insertUser(tx, {
            email,
            display_name: "Administrator",
            role: "admin",
            password_hash: passwordHash,
            patient_id: null,
            physician_id: null,
          });
          await auditService.record(
            tx,
            { userId: null, role: "system", requestId: null, clientAddress: null },
            {
              action: "user.create",
              resourceType: "user",
              resourceId: row.id,
              detail: { role: "admin", bootstrap: true },
            },
          );
        });
      } catch (err) {
        // another replica starting at the same moment created it first
        if (problemFromDatabase(err)?.code === "duplicate") return false;
        throw err;
      }
      return true;
    },

    async breakGlass(actor: Actor, patientId: string, reason: string) {
      return db.transaction().execute(async (tx) => {
        await policies.authorize(tx, actor, "break_glass", patient(patientId, "body.patientId"));
        const row = await repo.insertBreakGlass(tx, {
          user_id: actor.userId,
          patient_id: patientId,
          reason,
          expires_at: new Date(clock.now().getTime() + BREAK_GLASS_MINUTES * 60_000),
        });
        await auditService.record(tx, auditContextOf(actor), {
          action: "patient.break_glass",
          resourceType: "patient",
          resourceId: patientId,
          patientId,
          detail: { reason, expiresAt: row.expires_at.toISOString() },
          flagged: true,
        });
        return toGrant(row);
      });
    },

    activeBreakGlass: (ex: Executor, userId: string, patientId: string) =>
      repo.activeBreakGlass(ex, userId, patientId),

    /** Grants nobody has reviewed yet, oldest first (compliance monitoring reads them; callers audit). */
    async unreviewedBreakGlass(ex: Executor) {
      const { rows } = await repo.listBreakGlass(ex, false, 1000, 0);
      return rows
        .map((r) => ({ id: r.id, userId: r.user_id, patientId: r.patient_id, grantedAt: r.granted_at }))
        .reverse();
    },

    /** The active accounts of these roles (compliance alerts go to officers and opted-in administrators). */
    async staffAccounts(ex: Executor, roles: readonly string[]) {
      const out: Array<{ id: string; email: string; role: string }> = [];
      for (const role of roles) {
        const { rows } = await repo.listUsers(ex, { role, limit: 1000, offset: 0 });
        for (const r of rows) if (r.active) out.push({ id: r.id, email: r.email, role: r.role });
      }
      return out;
    },

    /** Grants name patients and the reasons given, so reading them is audited like any patient data. */
    async listBreakGlass(actor: Actor, reviewed: boolean | undefined, limit: number, offset: number) {
      return db.transaction().execute(async (tx) => {
        const { rows, total } = await repo.listBreakGlass(tx, reviewed, limit, offset);
        await auditService.record(tx, auditContextOf(actor), {
          action: "break_glass.list",
          resourceType: "break_glass_grant",
          detail: { reviewed: reviewed ?? null, limit, offset, found: rows.map((r) => r.id) },
        });
        return { items: rows.map(toGrant), total, limit, offset };
      });
    },

    async reviewBreakGlass(actor: Actor, id: string, note: string) {
      return db.transaction().execute(async (tx) => {
        const row = await repo.reviewBreakGlass(tx, id, actor.userId, note);
        if (!row) throw problems.notFound("unreviewed break-the-glass grant");
        await auditService.record(tx, auditContextOf(actor), {
          action: "break_glass.review",
          resourceType: "break_glass_grant",
          resourceId: id,
          patientId: row.patient_id,
          detail: { note },
        });
        return toGrant(row);
      });
    },
  };
}

export type IdentityService = ReturnType<typeof createIdentity>;

function toGrant(r: BreakGlassRow) {
  return {
    id: r.id,
    userId: r.user_id,
    patientId: r.patient_id,
    reason: r.reason,
    grantedAt: toIso(r.granted_at),
    expiresAt: toIso(r.expires_at),
    reviewedAt: r.reviewed_at ? toIso(r.reviewed_at) : null,
    reviewedBy: r.reviewed_by,
    reviewNote: r.review_note,
  };
}
