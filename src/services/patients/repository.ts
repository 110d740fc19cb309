import { type Generated, type Insertable, type Selectable, sql } from "kysely";
import type { Executor } from "../../platform/db.js";
import { pageOf } from "../../platform/paging.js";

// A type alias (not an interface) so Kysely can index it.
export type PatientTables = {
  patients: {
    id: Generated<string>;
    mrn: string;
    given_name: string;
    family_name: string;
    birth_date: string;
    sex: string;
    email: string | null;
    phone: string | null;
    address_line: string | null;
    city: string | null;
    region: string | null;
    postal_code: string | null;
    latitude: number | null;
    longitude: number | null;
    preferred_location_ids: Generated<string[]>;
    preferred_language: Generated<string>;
    accessibility_needs: Generated<string[]>;
    insurance_payer: string | null;
    insurance_member_id: string | null;
    active: Generated<boolean>;
    /** Set by a merge: the record this one was merged into (it is then inactive). */
    merged_into: string | null;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  patient_registrations: {
    patient_id: string;
    location_id: string;
    registered_by: string | null;
    registered_at: Generated<Date>;
  };
  family_links: {
    guardian_id: string;
    dependent_id: string;
    relationship: string;
    created_at: Generated<Date>;
  };
};

export type PatientRow = Selectable<PatientTables["patients"]>;
export type NewPatientRow = Insertable<PatientTables["patients"]>;
export type FamilyLinkRow = Selectable<PatientTables["family_links"]>;
/** A family link joined with the other person's identifying details. */
export type RelativeRow = Pick<PatientRow, "id" | "mrn" | "given_name" | "family_name" | "birth_date"> & {
  relationship: string;
};

const q = (db: Executor) => db.withTables<PatientTables>();

const escapeLike = (s: string) => `%${s.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

export interface PatientFilter {
  q?: string | undefined;
  mrn?: string | undefined;
  birthDate?: string | undefined;
  /** The caller's scope, when it is narrower than the whole network. */
  ids?: string[] | undefined;
  limit: number;
  offset: number;
}

export const patientRepository = {
  async list(db: Executor, f: PatientFilter): Promise<{ rows: PatientRow[]; total: number }> {
    let query = q(db).selectFrom("patients");
    if (f.ids) query = query.where("id", "=", (eb) => eb.fn.any(eb.val(f.ids ?? []).$castTo<string[]>()));
    if (f.mrn) query = query.where("mrn", "=", f.mrn);
    if (f.birthDate) query = query.where("birth_date", "=", f.birthDate);
    if (f.q) {
      // every word must appear in the given or family name, so "ada love" finds Ada Lovelace
      const words = f.q.split(/\s+/).filter(Boolean);
      const mrn = f.q.toUpperCase();
      query = query.where((eb) =>
        eb.or([
          eb("mrn", "=", mrn),
          eb.and(
            words.map((w) =>
              eb.or([eb("given_name", "ilike", escapeLike(w)), eb("family_name", "ilike", escapeLike(w))]),
            ),
          ),
        ]),
      );
    }
    return pageOf(query, query.selectAll().orderBy("family_name").orderBy("given_name").orderBy("id"), f);
  },
  get(db: Executor, id: string, forUpdate = false): Promise<PatientRow | undefined> {
    let query = q(db).selectFrom("patients").selectAll().where("id", "=", id);
    if (forUpdate) query = query.forUpdate();
    return query.executeTakeFirst();
  },
  insert(db: Executor, row: NewPatientRow): Promise<PatientRow> {
    return q(db).insertInto("patients").values(row).returningAll().executeTakeFirstOrThrow();
  },
  update(db: Executor, id: string, row: Partial<NewPatientRow>): Promise<PatientRow | undefined> {
    return q(db)
      .updateTable("patients")
      .set({ ...row, updated_at: sql<Date>`now()` })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
  },
  home(db: Executor, id: string): Promise<Pick<PatientRow, "latitude" | "longitude"> | undefined> {
    return q(db)
      .selectFrom("patients")
      .select(["latitude", "longitude"])
      .where("id", "=", id)
      .executeTakeFirst();
  },

  /** Links in either direction between two patients. */
  linksBetween(db: Executor, a: string, b: string): Promise<FamilyLinkRow[]> {
    return q(db)
      .selectFrom("family_links")
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([eb("guardian_id", "=", a), eb("dependent_id", "=", b)]),
          eb.and([eb("guardian_id", "=", b), eb("dependent_id", "=", a)]),
        ]),
      )
      .execute();
  },
  insertLink(
    db: Executor,
    row: { guardian_id: string; dependent_id: string; relationship: string },
  ): Promise<FamilyLinkRow> {
    return q(db).insertInto("family_links").values(row).returningAll().executeTakeFirstOrThrow();
  },
  async deleteLink(db: Executor, guardianId: string, dependentId: string): Promise<number> {
    const r = await q(db)
      .deleteFrom("family_links")
      .where("guardian_id", "=", guardianId)
      .where("dependent_id", "=", dependentId)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  },
  dependents(db: Executor, guardianId: string): Promise<RelativeRow[]> {
    return q(db)
      .selectFrom("family_links as l")
      .innerJoin("patients as p", "p.id", "l.dependent_id")
      .select(["p.id", "p.mrn", "p.given_name", "p.family_name", "p.birth_date", "l.relationship"])
      .where("l.guardian_id", "=", guardianId)
      .orderBy("p.family_name")
      .orderBy("p.given_name")
      .orderBy("p.id")
      .execute();
  },
  guardians(db: Executor, dependentId: string): Promise<RelativeRow[]> {
    return q(db)
      .selectFrom("family_links as l")
      .innerJoin("patients as p", "p.id", "l.guardian_id")
      .select(["p.id", "p.mrn", "p.given_name", "p.family_name", "p.birth_date", "l.relationship"])
      .where("l.dependent_id", "=", dependentId)
      .orderBy("p.family_name")
      .orderBy("p.given_name")
      .orderBy("p.id")
      .execute();
  },
  async dependentIds(db: Executor, guardianId: string): Promise<string[]> {
    const rows = await q(db)
      .selectFrom("family_links")
      .select("dependent_id")
      .where("guardian_id", "=", guardianId)
      .orderBy("dependent_id")
      .execute();
    return rows.map((r) => r.dependent_id);
  },

  /** Records that the patient registered (or verified their identity) at these locations. */
  /** Retires `mergedId` into `survivorId`: inactive, pointing to it, its registrations carried over. */
  async merge(db: Executor, mergedId: string, survivorId: string, now: Date): Promise<void> {
    await q(db)
      .updateTable("patients")
      .set({ active: false, merged_into: survivorId, updated_at: now })
      .where("id", "=", mergedId)
      .execute();
    await sql`
      INSERT INTO patient_registrations (patient_id, location_id, registered_by)
      SELECT ${survivorId}::uuid, location_id, registered_by FROM patient_registrations WHERE patient_id = ${mergedId}
      ON CONFLICT (patient_id, location_id) DO NOTHING`.execute(db);
  },
  async register(db: Executor, patientId: string, locationIds: readonly string[], by: string): Promise<void> {
    if (!locationIds.length) return;
    await q(db)
      .insertInto("patient_registrations")
      .values(locationIds.map((location_id) => ({ patient_id: patientId, location_id, registered_by: by })))
      .onConflict((oc) => oc.columns(["patient_id", "location_id"]).doNothing())
      .execute();
  },
  async registeredAt(db: Executor, locationIds: readonly string[], patientId: string): Promise<boolean> {
    if (!locationIds.length) return false;
    const r = await q(db)
      .selectFrom("patient_registrations")
      .select("patient_id")
      .where("patient_id", "=", patientId)
      .where("location_id", "in", [...locationIds])
      .limit(1)
      .executeTakeFirst();
    return r !== undefined;
  },
  async registeredIds(db: Executor, locationIds: readonly string[]): Promise<string[]> {
    if (!locationIds.length) return [];
    const rows = await q(db)
      .selectFrom("patient_registrations")
      .select("patient_id")
      .distinct()
      .where("location_id", "in", [...locationIds])
      .execute();
    return rows.map((r) => r.patient_id);
  },

  /** Each patient's home city (their home area in the reports), for many patients at once. */
  async cities(db: Executor, ids: readonly string[]): Promise<Array<{ id: string; city: string | null }>> {
    if (ids.length === 0) return [];
    return q(db)
      .selectFrom("patients")
      .select(["id", "city"])
      .where("id", "in", [...ids])
      .execute();
  },
};
