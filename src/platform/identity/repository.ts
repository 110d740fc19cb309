import { type Generated, type Selectable, sql } from "kysely";
import type { Executor } from "../db.js";
import { pageOf } from "../paging.js";

export type IdentityTables = {
  users: {
    id: Generated<string>;
    email: string;
    display_name: string;
    role: string;
    password_hash: string | null;
    active: Generated<boolean>;
    patient_id: string | null;
    physician_id: string | null;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
    locked_at: Date | null;
    locked_reason: string | null;
  };
  user_locations: { user_id: string; location_id: string };
  user_departments: { user_id: string; department_id: string };
  sessions: {
    id: Generated<string>;
    token_hash: string;
    user_id: string;
    created_at: Generated<Date>;
    expires_at: Date;
    revoked_at: Date | null;
    client_address: string | null;
    user_agent: string | null;
  };
  login_throttle: {
    key: string;
    failures: number;
    window_started_at: Date;
    locked_until: Date | null;
  };
  break_glass_grants: {
    id: Generated<string>;
    user_id: string;
    patient_id: string;
    reason: string;
    granted_at: Generated<Date>;
    expires_at: Date;
    reviewed_at: Date | null;
    reviewed_by: string | null;
    review_note: string | null;
  };
};
export type UserRow = Selectable<IdentityTables["users"]>;
export type BreakGlassRow = Selectable<IdentityTables["break_glass_grants"]>;

const q = (db: Executor) => db.withTables<IdentityTables>();

export interface UserFilter {
  role?: string | undefined;
  locationId?: string | undefined;
  q?: string | undefined;
  limit: number;
  offset: number;
}

export const identityRepository = {
  userByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
    return q(db)
      .selectFrom("users")
      .selectAll()
      .where(sql`lower(email)`, "=", email.toLowerCase())
      .executeTakeFirst();
  },
  userById(db: Executor, id: string): Promise<UserRow | undefined> {
    return q(db).selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  },
  async listUsers(db: Executor, f: UserFilter): Promise<{ rows: UserRow[]; total: number }> {
    let query = q(db).selectFrom("users");
    if (f.role) query = query.where("role", "=", f.role);
    if (f.locationId) {
      const loc = f.locationId;
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom("user_locations")
            .select("user_locations.user_id")
            .whereRef("user_locations.user_id", "=", "users.id")
            .where("user_locations.location_id", "=", loc),
        ),
      );
    }
    if (f.q) {
      const like = `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      query = query.where((eb) => eb.or([eb("email", "ilike", like), eb("display_name", "ilike", like)]));
    }
    return pageOf(query, query.selectAll().orderBy("display_name").orderBy("id"), f);
  },
  insertUser(
    db: Executor,
    row: Pick<UserRow, "email" | "display_name" | "role" | "password_hash" | "patient_id" | "physician_id">,
  ): Promise<UserRow> {
    return q(db).insertInto("users").values(row).returningAll().executeTakeFirstOrThrow();
  },
  updateUser(
    db: Executor,
    id: string,
    row: Partial<Pick<UserRow, "display_name" | "active" | "password_hash">>,
  ): Promise<UserRow | undefined> {
    return q(db)
      .updateTable("users")
      .set({ ...row, updated_at: sql<Date>`now()` })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
  },
  async anyActiveAdmin(db: Executor): Promise<boolean> {
    const row = await q(db)
      .selectFrom("users")
      .select("id")
      .where("role", "=", "admin")
      .where("active", "=", true)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  },
  async locationsOf(db: Executor, userId: string): Promise<string[]> {
    const rows = await q(db)
      .selectFrom("user_locations")
      .select("location_id")
      .where("user_id", "=", userId)
      .execute();
    return rows.map((r) => r.location_id).sort();
  },
  async departmentsOf(db: Executor, userId: string): Promise<string[]> {
    const rows = await q(db)
      .selectFrom("user_departments")
      .select("department_id")
      .where("user_id", "=", userId)
      .execute();
    return rows.map((r) => r.department_id).sort();
  },
  async setLocations(db: Executor, userId: string, locationIds: string[]): Promise<void> {
    await q(db).deleteFrom("user_locations").where("user_id", "=", userId).execute();
    // a location named twice is one location, not a duplicate-key error
    if (locationIds.length)
      await q(db)
        .insertInto("user_locations")
        .values([...new Set(locationIds)].map((location_id) => ({ user_id: userId, location_id })))
        .execute();
  },
  async setDepartments(db: Executor, userId: string, departmentIds: string[]): Promise<void> {
    await q(db).deleteFrom("user_departments").where("user_id", "=", userId).execute();
    if (departmentIds.length)
      await q(db)
        .insertInto("user_departments")
        .values([...new Set(departmentIds)].map((department_id) => ({ user_id: userId, department_id })))
        .execute();
  },

  async insertSession(
    db: Executor,
    row: {
      token_hash: string;
      user_id: string;
      expires_at: Date;
      client_address: string;
      user_agent: string | null;
    },
  ): Promise<string> {
    const r = await q(db).insertInto("sessions").values(row).returning("id").executeTakeFirstOrThrow();
    return r.id;
  },
  sessionByTokenHash(db: Executor, tokenHash: string) {
    return q(db)
      .selectFrom("sessions")
      .innerJoin("users", "users.id", "sessions.user_id")
      .select([
        "sessions.id as session_id",
        "sessions.expires_at",
        "sessions.revoked_at",
        "users.id",
        "users.email",
        "users.display_name",
        "users.role",
        "users.active",
        "users.locked_at",
        "users.patient_id",
        "users.physician_id",
      ])
      .where("sessions.token_hash", "=", tokenHash)
      .executeTakeFirst();
  },
  async revokeSession(db: Executor, sessionId: string): Promise<void> {
    await q(db)
      .updateTable("sessions")
      .set({ revoked_at: sql<Date>`now()` })
      .where("id", "=", sessionId)
      .execute();
  },
  /** Locks an unlocked account; true when this call locked it. */
  async lockUser(db: Executor, id: string, reason: string): Promise<boolean> {
    const r = await q(db)
      .updateTable("users")
      .set({ locked_at: sql<Date>`now()`, locked_reason: reason, updated_at: sql<Date>`now()` })
      .where("id", "=", id)
      .where("locked_at", "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
  /** Unlocks a locked account; true when this call unlocked it. */
  async unlockUser(db: Executor, id: string): Promise<boolean> {
    const r = await q(db)
      .updateTable("users")
      .set({ locked_at: null, locked_reason: null, updated_at: sql<Date>`now()` })
      .where("id", "=", id)
      .where("locked_at", "is not", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
  async revokeSessionsOf(db: Executor, userId: string): Promise<void> {
    await q(db)
      .updateTable("sessions")
      .set({ revoked_at: sql<Date>`now()` })
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .execute();
  },

  /**
   * Counts a sign-in attempt before its password is checked, so guesses fired together cannot all
   * pass an empty counter; the count restarts after a 15-minute window. Returns the count so far.
   */
  async claimAttempt(db: Executor, key: string): Promise<{ attempts: number; lockedUntil: Date | null }> {
    const { rows } = await sql<{ failures: number; locked_until: Date | null }>`
      INSERT INTO login_throttle AS t (key, failures, window_started_at)
      VALUES (${key}, 1, now())
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t.window_started_at < now() - interval '15 minutes' THEN 1 ELSE t.failures + 1 END,
        window_started_at = CASE WHEN t.window_started_at < now() - interval '15 minutes' THEN now() ELSE t.window_started_at END
      RETURNING failures, locked_until`.execute(db);
    const r = rows[0]!;
    return { attempts: Number(r.failures), lockedUntil: r.locked_until ? new Date(r.locked_until) : null };
  },
  /** The key's counter as it stands, without counting anything. */
  async peekAttempts(db: Executor, key: string): Promise<{ attempts: number; lockedUntil: Date | null }> {
    const { rows } = await sql<{ failures: number; locked_until: Date | null }>`
      SELECT CASE WHEN window_started_at < now() - interval '15 minutes' THEN 0 ELSE failures END AS failures,
             locked_until
      FROM login_throttle WHERE key = ${key}`.execute(db);
    const r = rows[0];
    if (!r) return { attempts: 0, lockedUntil: null };
    return { attempts: Number(r.failures), lockedUntil: r.locked_until ? new Date(r.locked_until) : null };
  },
  /** Takes back a claimed attempt that turned out not to be a failure; an empty counter goes away. */
  async releaseAttempt(db: Executor, key: string): Promise<void> {
    await sql`UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE key = ${key}`.execute(db);
    await sql`
      DELETE FROM login_throttle
      WHERE key = ${key} AND failures = 0 AND (locked_until IS NULL OR locked_until <= now())`.execute(db);
  },
  /** Locks the key for `lockMinutes` once its counted failures reach `limit`. */
  async lockIfReached(db: Executor, key: string, limit: number, lockMinutes: number): Promise<void> {
    await sql`
      UPDATE login_throttle SET locked_until = now() + make_interval(mins => ${lockMinutes})
      WHERE key = ${key} AND failures >= ${limit} AND (locked_until IS NULL OR locked_until <= now())`.execute(
      db,
    );
  },
  async clearFailures(db: Executor, key: string): Promise<void> {
    await q(db).deleteFrom("login_throttle").where("key", "=", key).execute();
  },

  insertBreakGlass(
    db: Executor,
    row: { user_id: string; patient_id: string; reason: string; expires_at: Date },
  ) {
    return q(db).insertInto("break_glass_grants").values(row).returningAll().executeTakeFirstOrThrow();
  },
  async activeBreakGlass(db: Executor, userId: string, patientId: string): Promise<boolean> {
    const r = await q(db)
      .selectFrom("break_glass_grants")
      .select("id")
      .where("user_id", "=", userId)
      .where("patient_id", "=", patientId)
      .where("expires_at", ">", sql<Date>`now()`)
      .limit(1)
      .executeTakeFirst();
    return r !== undefined;
  },
  async listBreakGlass(
    db: Executor,
    reviewed: boolean | undefined,
    limit: number,
    offset: number,
  ): Promise<{ rows: BreakGlassRow[]; total: number }> {
    let query = q(db).selectFrom("break_glass_grants");
    if (reviewed !== undefined) query = query.where("reviewed_at", reviewed ? "is not" : "is", null);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy("granted_at", "desc").orderBy("id").limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },
  reviewBreakGlass(db: Executor, id: string, reviewer: string, note: string) {
    return q(db)
      .updateTable("break_glass_grants")
      .set({ reviewed_at: sql<Date>`now()`, reviewed_by: reviewer, review_note: note })
      .where("id", "=", id)
      .where("reviewed_at", "is", null)
      .returningAll()
      .executeTakeFirst();
  },
};
