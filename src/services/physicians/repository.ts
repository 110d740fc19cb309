import {
  type ColumnType,
  type Generated,
  type Insertable,
  type Selectable,
  sql,
  type Updateable,
} from "kysely";
import type { Executor } from "../../platform/db.js";
import { pageOf } from "../../platform/paging.js";

// A type alias (not an interface) so Kysely can index it.
export type PhysicianTables = {
  specialties: {
    code: string;
    name: string;
  };
  physicians: {
    id: Generated<string>;
    npi: string;
    given_name: string;
    family_name: string;
    title: Generated<string>;
    primary_specialty: string;
    home_department_id: string | null;
    languages: Generated<string[]>;
    accepts_new_patients: Generated<boolean>;
    offers_telehealth: Generated<boolean>;
    active: Generated<boolean>;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
    /** Renewed by triggers whenever the physician's plan inputs change (migration 0013). */
    plan_stamp: Generated<string>;
  };
  physician_specialties: {
    physician_id: string;
    specialty: string;
  };
  assignment_templates: {
    id: Generated<string>;
    physician_id: string;
    location_id: string;
    weekday: number;
    start_time: string;
    end_time: string;
    effective_from: string;
    effective_to: string | null;
    appointment_type_ids: Generated<string[]>;
    notes: string | null;
    /** The physician stays at the location for the whole block (migration 0015). */
    on_site: Generated<boolean>;
    created_at: Generated<Date>;
  };
  assignment_overrides: {
    id: Generated<string>;
    physician_id: string;
    location_id: string;
    kind: string;
    rotation_name: string | null;
    start_date: string;
    end_date: string;
    weekdays: Generated<number[]>;
    start_time: string;
    end_time: string;
    appointment_type_ids: Generated<string[]>;
    reason: string | null;
    /** The physician stays at the location for the whole block (migration 0015). */
    on_site: Generated<boolean>;
    created_at: Generated<Date>;
  };
  time_off: {
    id: Generated<string>;
    physician_id: string;
    starts_at: ColumnType<Date, Date | string, Date | string>;
    ends_at: ColumnType<Date, Date | string, Date | string>;
    reason: string | null;
    status: Generated<string>;
    created_at: Generated<Date>;
  };
};

export type SpecialtyRow = Selectable<PhysicianTables["specialties"]>;
export type PhysicianRow = Selectable<PhysicianTables["physicians"]>;
export type NewPhysicianRow = Insertable<PhysicianTables["physicians"]>;
export type TemplateRow = Selectable<PhysicianTables["assignment_templates"]>;
export type OverrideRow = Selectable<PhysicianTables["assignment_overrides"]>;
export type TimeOffRow = Selectable<PhysicianTables["time_off"]>;

const q = (db: Executor) => db.withTables<PhysicianTables>();

/** Matches nothing: `IN ()` is not valid SQL. */
const NO_ID = "00000000-0000-0000-0000-000000000000";

const escapeLike = (s: string) => `%${s.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

export interface PhysicianFilter {
  specialty?: string | undefined;
  locationId?: string | undefined;
  language?: string | undefined;
  acceptsNewPatients?: boolean | undefined;
  telehealth?: boolean | undefined;
  active?: boolean | undefined;
  q?: string | undefined;
  limit: number;
  offset: number;
}

type Paged<T> = Promise<{ rows: T[]; total: number }>;

export const physicianRepository = {
  /** The current plan stamp of each physician. */
  async planStamps(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await q(db)
      .selectFrom("physicians")
      .select(["id", "plan_stamp"])
      .where("id", "in", [...ids])
      .execute();
    return new Map(rows.map((r) => [r.id, r.plan_stamp]));
  },
  async specialties(
    db: Executor,
    page: { q?: string | undefined; limit: number; offset: number },
  ): Paged<SpecialtyRow> {
    let query = q(db).selectFrom("specialties");
    if (page.q) {
      const like = escapeLike(page.q);
      query = query.where((eb) => eb.or([eb("name", "ilike", like), eb("code", "ilike", like)]));
    }
    return pageOf(query, query.selectAll().orderBy("name").orderBy("code"), page);
  },
  insertSpecialty(db: Executor, row: SpecialtyRow): Promise<SpecialtyRow> {
    return q(db).insertInto("specialties").values(row).returningAll().executeTakeFirstOrThrow();
  },
  async existingSpecialties(db: Executor, codes: string[]): Promise<string[]> {
    if (codes.length === 0) return [];
    const rows = await q(db).selectFrom("specialties").select("code").where("code", "in", codes).execute();
    return rows.map((r) => r.code);
  },

  async list(db: Executor, f: PhysicianFilter): Paged<PhysicianRow> {
    let query = q(db).selectFrom("physicians");
    if (f.active !== undefined) query = query.where("active", "=", f.active);
    if (f.acceptsNewPatients !== undefined)
      query = query.where("accepts_new_patients", "=", f.acceptsNewPatients);
    if (f.telehealth !== undefined) query = query.where("offers_telehealth", "=", f.telehealth);
    if (f.language) query = query.where(sql<boolean>`languages @> ARRAY[${f.language}]::text[]`);
    if (f.q) {
      const like = escapeLike(f.q);
      query = query.where((eb) =>
        eb.or([
          eb(sql<string>`given_name || ' ' || family_name`, "ilike", like),
          eb("family_name", "ilike", like),
          eb("npi", "=", f.q!),
        ]),
      );
    }
    if (f.specialty) {
      const specialty = f.specialty;
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom("physician_specialties as ps")
            .select("ps.physician_id")
            .whereRef("ps.physician_id", "=", "physicians.id")
            .where("ps.specialty", "=", specialty),
        ),
      );
    }
    if (f.locationId) {
      const locationId = f.locationId;
      query = query.where((eb) =>
        eb.or([
          eb.exists(
            eb
              .selectFrom("assignment_templates as t")
              .select("t.id")
              .whereRef("t.physician_id", "=", "physicians.id")
              .where("t.location_id", "=", locationId)
              .where((w) =>
                w.or([w("t.effective_to", "is", null), w("t.effective_to", ">=", sql<string>`current_date`)]),
              ),
          ),
          eb.exists(
            eb
              .selectFrom("assignment_overrides as o")
              .select("o.id")
              .whereRef("o.physician_id", "=", "physicians.id")
              .where("o.location_id", "=", locationId)
              .where("o.end_date", ">=", sql<string>`current_date`),
          ),
        ]),
      );
    }
    return pageOf(query, query.selectAll().orderBy("family_name").orderBy("given_name").orderBy("id"), f);
  },
  /** The active physicians with this among their specialties. */
  activeInSpecialty(db: Executor, specialty: string): Promise<PhysicianRow[]> {
    return q(db)
      .selectFrom("physicians")
      .selectAll()
      .where("active", "=", true)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom("physician_specialties as ps")
            .select("ps.physician_id")
            .whereRef("ps.physician_id", "=", "physicians.id")
            .where("ps.specialty", "=", specialty),
        ),
      )
      .execute();
  },
  byIds(db: Executor, ids: readonly string[]): Promise<PhysicianRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return q(db)
      .selectFrom("physicians")
      .selectAll()
      .where("id", "in", [...ids])
      .execute();
  },
  get(db: Executor, id: string, forUpdate = false): Promise<PhysicianRow | undefined> {
    let query = q(db).selectFrom("physicians").selectAll().where("id", "=", id);
    if (forUpdate) query = query.forUpdate();
    return query.executeTakeFirst();
  },
  insert(db: Executor, row: NewPhysicianRow): Promise<PhysicianRow> {
    return q(db).insertInto("physicians").values(row).returningAll().executeTakeFirstOrThrow();
  },
  update(
    db: Executor,
    id: string,
    row: Updateable<PhysicianTables["physicians"]>,
  ): Promise<PhysicianRow | undefined> {
    return q(db)
      .updateTable("physicians")
      .set({ ...row, updated_at: sql<Date>`now()` })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
  },

  /** Specialty codes per physician, for a page of physicians at once. */
  async specialtiesOf(db: Executor, physicianIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(physicianIds.map((id) => [id, []]));
    if (physicianIds.length === 0) return out;
    const rows = await q(db)
      .selectFrom("physician_specialties")
      .selectAll()
      .where("physician_id", "in", physicianIds)
      .orderBy("specialty")
      .execute();
    for (const r of rows) out.get(r.physician_id)?.push(r.specialty);
    return out;
  },
  async replaceSpecialties(db: Executor, physicianId: string, codes: string[]): Promise<void> {
    await q(db)
      .deleteFrom("physician_specialties")
      .where("physician_id", "=", physicianId)
      .where("specialty", "not in", codes)
      .execute();
    await q(db)
      .insertInto("physician_specialties")
      .values(codes.map((specialty) => ({ physician_id: physicianId, specialty })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  },

  async templates(
    db: Executor,
    f: {
      physicianId: string;
      locationId?: string | undefined;
      weekday?: number | undefined;
      limit: number;
      offset: number;
    },
  ): Paged<TemplateRow> {
    let query = q(db).selectFrom("assignment_templates").where("physician_id", "=", f.physicianId);
    if (f.locationId) query = query.where("location_id", "=", f.locationId);
    if (f.weekday) query = query.where("weekday", "=", f.weekday);
    return pageOf(
      query,
      query.selectAll().orderBy("weekday").orderBy("start_time").orderBy("effective_from").orderBy("id"),
      f,
    );
  },
  /** Templates in effect on some day of [from, to]. */
  templatesBetween(db: Executor, physicianIds: string[], from: string, to: string): Promise<TemplateRow[]> {
    return q(db)
      .selectFrom("assignment_templates")
      .selectAll()
      .where("physician_id", "in", physicianIds.length ? physicianIds : [NO_ID])
      .where("effective_from", "<=", to)
      .where((eb) => eb.or([eb("effective_to", "is", null), eb("effective_to", ">=", from)]))
      .orderBy("id")
      .execute();
  },
  insertTemplate(
    db: Executor,
    row: Insertable<PhysicianTables["assignment_templates"]>,
  ): Promise<TemplateRow> {
    return q(db).insertInto("assignment_templates").values(row).returningAll().executeTakeFirstOrThrow();
  },
  async deleteTemplate(db: Executor, physicianId: string, id: string): Promise<number> {
    const r = await q(db)
      .deleteFrom("assignment_templates")
      .where("id", "=", id)
      .where("physician_id", "=", physicianId)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  },

  async overrides(
    db: Executor,
    f: {
      physicianId: string;
      locationId?: string | undefined;
      kind?: string | undefined;
      limit: number;
      offset: number;
    },
  ): Paged<OverrideRow> {
    let query = q(db).selectFrom("assignment_overrides").where("physician_id", "=", f.physicianId);
    if (f.locationId) query = query.where("location_id", "=", f.locationId);
    if (f.kind) query = query.where("kind", "=", f.kind);
    return pageOf(query, query.selectAll().orderBy("start_date").orderBy("start_time").orderBy("id"), f);
  },
  /** Overrides whose date range meets [from, to]. */
  overridesBetween(db: Executor, physicianIds: string[], from: string, to: string): Promise<OverrideRow[]> {
    return q(db)
      .selectFrom("assignment_overrides")
      .selectAll()
      .where("physician_id", "in", physicianIds.length ? physicianIds : [NO_ID])
      .where("start_date", "<=", to)
      .where("end_date", ">=", from)
      .orderBy("id")
      .execute();
  },
  insertOverride(
    db: Executor,
    row: Insertable<PhysicianTables["assignment_overrides"]>,
  ): Promise<OverrideRow> {
    return q(db).insertInto("assignment_overrides").values(row).returningAll().executeTakeFirstOrThrow();
  },
  async deleteOverride(db: Executor, physicianId: string, id: string): Promise<number> {
    const r = await q(db)
      .deleteFrom("assignment_overrides")
      .where("id", "=", id)
      .where("physician_id", "=", physicianId)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  },

  async timeOff(
    db: Executor,
    f: { physicianId: string; status?: string | undefined; limit: number; offset: number },
  ): Paged<TimeOffRow> {
    let query = q(db).selectFrom("time_off").where("physician_id", "=", f.physicianId);
    if (f.status) query = query.where("status", "=", f.status);
    return pageOf(query, query.selectAll().orderBy("starts_at").orderBy("id"), f);
  },
  /** Time off that was not declined and overlaps [start, end). */
  timeOffBetween(db: Executor, physicianIds: string[], start: Date, end: Date): Promise<TimeOffRow[]> {
    return q(db)
      .selectFrom("time_off")
      .selectAll()
      .where("physician_id", "in", physicianIds.length ? physicianIds : [NO_ID])
      .where("status", "<>", "declined")
      .where("starts_at", "<", end)
      .where("ends_at", ">", start)
      .orderBy("starts_at")
      .orderBy("id")
      .execute();
  },
  insertTimeOff(db: Executor, row: Insertable<PhysicianTables["time_off"]>): Promise<TimeOffRow> {
    return q(db).insertInto("time_off").values(row).returningAll().executeTakeFirstOrThrow();
  },
  /** The removed time off's span; undefined when the physician had no such time off. */
  deleteTimeOff(
    db: Executor,
    physicianId: string,
    id: string,
  ): Promise<{ starts_at: Date; ends_at: Date } | undefined> {
    return q(db)
      .deleteFrom("time_off")
      .where("id", "=", id)
      .where("physician_id", "=", physicianId)
      .returning(["starts_at", "ends_at"])
      .executeTakeFirst();
  },
};
