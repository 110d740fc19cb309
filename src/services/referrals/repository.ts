import { type Generated, type Insertable, type Selectable, sql } from "kysely";
import type { Executor } from "../../platform/db.js";
import { pageOf } from "../../platform/paging.js";

// A type alias (not an interface) so Kysely can index it.
export type ReferralTables = {
  referrals: {
    id: Generated<string>;
    patient_id: string;
    referred_by: string;
    from_physician_id: string | null;
    from_location_id: string | null;
    to_location_id: string;
    to_specialty: string;
    to_physician_id: string | null;
    reason: string;
    urgency: string;
    attachments: Generated<string[]>;
    status: Generated<string>;
    status_note: string | null;
    answered_by: string | null;
    appointment_id: string | null;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
};

export type ReferralRow = Selectable<ReferralTables["referrals"]>;
export type NewReferralRow = Insertable<ReferralTables["referrals"]>;

/** Still waiting for an appointment: the receiving staff reach the patient through it. */
export const OPEN_STATUSES = ["sent", "accepted"] as const;

/** Which referrals a list may show: any one of these holds (undefined: every referral). */
export interface ReferralReach {
  patientIds?: readonly string[];
  toLocationIds?: readonly string[];
  toPhysicianId?: string;
  referredBy?: string;
}

export interface ReferralFilter {
  reach: ReferralReach | undefined;
  direction?: "incoming" | "sent" | undefined;
  /** The caller's own user id (for `sent`) and what counts as incoming for them. */
  incoming?: ReferralReach | undefined;
  referredBy?: string | undefined;
  statuses?: readonly string[] | undefined;
  patientId?: string | undefined;
  toLocationId?: string | undefined;
  limit: number;
  offset: number;
}

const q = (db: Executor) => db.withTables<ReferralTables>();
const anyOf = (ids: readonly string[]) => sql<string>`any(${sql.val([...ids])}::uuid[])`;

export const referralRepository = {
  insert(db: Executor, row: NewReferralRow): Promise<ReferralRow> {
    return q(db).insertInto("referrals").values(row).returningAll().executeTakeFirstOrThrow();
  },
  get(db: Executor, id: string, forUpdate = false): Promise<ReferralRow | undefined> {
    let query = q(db).selectFrom("referrals").selectAll().where("id", "=", id);
    if (forUpdate) query = query.forUpdate();
    return query.executeTakeFirst();
  },
  update(db: Executor, id: string, set: Partial<NewReferralRow>): Promise<ReferralRow> {
    return q(db)
      .updateTable("referrals")
      .set({ ...set, updated_at: sql<Date>`now()` })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
  },
  async list(db: Executor, f: ReferralFilter): Promise<{ rows: ReferralRow[]; total: number }> {
    const reachOf = (r: ReferralReach) =>
      q(db)
        .selectFrom("referrals")
        .where((eb) => {
          const any = [];
          if (r.patientIds) any.push(eb("patient_id", "=", anyOf(r.patientIds)));
          if (r.toLocationIds) any.push(eb("to_location_id", "=", anyOf(r.toLocationIds)));
          if (r.toPhysicianId) any.push(eb("to_physician_id", "=", r.toPhysicianId));
          if (r.referredBy) any.push(eb("referred_by", "=", r.referredBy));
          return any.length ? eb.or(any) : sql<boolean>`false`;
        })
        .select("id");
    let query = q(db).selectFrom("referrals");
    if (f.reach) {
      const reach = reachOf(f.reach);
      query = query.where("id", "in", reach);
    }
    if (f.direction === "incoming") query = query.where("id", "in", reachOf(f.incoming ?? {}));
    if (f.direction === "sent") query = query.where("referred_by", "=", f.referredBy ?? null);
    if (f.statuses?.length) query = query.where("status", "in", [...f.statuses]);
    if (f.patientId) query = query.where("patient_id", "=", f.patientId);
    if (f.toLocationId) query = query.where("to_location_id", "=", f.toLocationId);
    // the queue's order: most urgent first, then oldest first
    const ordered = query
      .selectAll()
      .orderBy(sql`case urgency when 'urgent' then 0 when 'soon' then 1 else 2 end`)
      .orderBy("created_at")
      .orderBy("id");
    return pageOf(query, ordered, f);
  },

  /** An open referral of this patient to one of these locations (the policy's scope fact). */
  async openTo(db: Executor, locationIds: readonly string[], patientId: string): Promise<boolean> {
    if (!locationIds.length) return false;
    const r = await q(db)
      .selectFrom("referrals")
      .select("id")
      .where("patient_id", "=", patientId)
      .where("to_location_id", "in", [...locationIds])
      .where("status", "in", [...OPEN_STATUSES])
      .limit(1)
      .executeTakeFirst();
    return r !== undefined;
  },
  /** The referring location of each booked referral's appointment (reports' patient flow). */
  async originsOf(db: Executor, appointmentIds: readonly string[]): Promise<Map<string, string>> {
    if (!appointmentIds.length) return new Map();
    const rows = await q(db)
      .selectFrom("referrals")
      .select(["appointment_id", "from_location_id"])
      .where("appointment_id", "in", [...appointmentIds])
      .where("from_location_id", "is not", null)
      .execute();
    return new Map(rows.map((r) => [r.appointment_id!, r.from_location_id!] as const));
  },
  /** Patients with an open referral to one of these locations (lists of the staff's scope). */
  async openPatientIds(db: Executor, locationIds: readonly string[]): Promise<string[]> {
    if (!locationIds.length) return [];
    const rows = await q(db)
      .selectFrom("referrals")
      .select("patient_id")
      .distinct()
      .where("to_location_id", "in", [...locationIds])
      .where("status", "in", [...OPEN_STATUSES])
      .execute();
    return rows.map((r) => r.patient_id);
  },
};
