import type { Generated, Insertable, Selectable } from "kysely";
import type { Executor } from "../../platform/db.js";
import { pageOf } from "../../platform/paging.js";

// A type alias (not an interface) so Kysely can index it.
export type CatalogTables = {
  appointment_types: {
    id: Generated<string>;
    code: string;
    name: string;
    specialty: string;
    duration_minutes: number;
    slot_interval_minutes: Generated<number>;
    room_kind: string | null;
    equipment_kinds: Generated<string[]>;
    telehealth_allowed: Generated<boolean>;
    visit_kind: string;
    base_price_cents: Generated<number>;
    billing_code: string | null;
    active: Generated<boolean>;
    reminder_hours: Generated<number[] | null>;
    created_at: Generated<Date>;
  };
};

export type AppointmentTypeRow = Selectable<CatalogTables["appointment_types"]>;
export type NewAppointmentTypeRow = Insertable<CatalogTables["appointment_types"]>;

const q = (db: Executor) => db.withTables<CatalogTables>();

export interface AppointmentTypeFilter {
  specialty?: string | undefined;
  visitKind?: string | undefined;
  telehealth?: boolean | undefined;
  active?: boolean | undefined;
  limit: number;
  offset: number;
}

export const catalogRepository = {
  async list(db: Executor, f: AppointmentTypeFilter): Promise<{ rows: AppointmentTypeRow[]; total: number }> {
    let query = q(db).selectFrom("appointment_types");
    if (f.specialty) query = query.where("specialty", "=", f.specialty);
    if (f.visitKind) query = query.where("visit_kind", "=", f.visitKind);
    if (f.telehealth !== undefined) query = query.where("telehealth_allowed", "=", f.telehealth);
    if (f.active !== undefined) query = query.where("active", "=", f.active);
    return pageOf(query, query.selectAll().orderBy("specialty").orderBy("code"), f);
  },
  get(db: Executor, id: string, forUpdate = false): Promise<AppointmentTypeRow | undefined> {
    let query = q(db).selectFrom("appointment_types").selectAll().where("id", "=", id);
    if (forUpdate) query = query.forUpdate();
    return query.executeTakeFirst();
  },
  byIds(db: Executor, ids: readonly string[]): Promise<AppointmentTypeRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return q(db).selectFrom("appointment_types").selectAll().where("id", "in", ids).orderBy("code").execute();
  },
  insert(db: Executor, row: NewAppointmentTypeRow): Promise<AppointmentTypeRow> {
    return q(db).insertInto("appointment_types").values(row).returningAll().executeTakeFirstOrThrow();
  },
  update(
    db: Executor,
    id: string,
    row: Partial<NewAppointmentTypeRow>,
  ): Promise<AppointmentTypeRow | undefined> {
    return q(db)
      .updateTable("appointment_types")
      .set(row)
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
  },
};
