import { type Generated, type Insertable, type Selectable, sql } from "kysely";
import type { Executor } from "../../platform/db.js";
import { pageOf } from "../../platform/paging.js";

// A type alias (not an interface) so Kysely can index it.
export type LocationTables = {
  locations: {
    id: Generated<string>;
    code: string;
    name: string;
    kind: string;
    address_line: string | null;
    city: string | null;
    region: string | null;
    postal_code: string | null;
    country: Generated<string>;
    latitude: number | null;
    longitude: number | null;
    time_zone: string;
    phone: string | null;
    opening_hours: Generated<string>;
    parking_spaces: Generated<number>;
    parking_accessible_spaces: Generated<number>;
    parking_cost_cents_per_hour: Generated<number>;
    parking_notes: string | null;
    accessibility_features: Generated<string[]>;
    amenities: Generated<string[]>;
    public_transport: string | null;
    services: Generated<string[]>;
    data_residency: Generated<string>;
    active: Generated<boolean>;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  departments: {
    id: Generated<string>;
    location_id: string;
    specialty: string;
    name: string;
    phone: string | null;
    created_at: Generated<Date>;
  };
  rooms: {
    id: Generated<string>;
    location_id: string;
    department_id: string | null;
    code: string;
    name: string;
    kind: string;
    floor: Generated<number>;
    step_free: Generated<boolean>;
    capacity: Generated<number>;
    active: Generated<boolean>;
    created_at: Generated<Date>;
    out_of_service_from: Date | null;
    out_of_service_until: Date | null;
    out_of_service_reason: string | null;
  };
  equipment: {
    id: Generated<string>;
    location_id: string;
    room_id: string | null;
    kind: string;
    name: string;
    asset_tag: string;
    mobile: Generated<boolean>;
    /** A mobile item that may be booked at other locations of the network (its home is location_id). */
    travels: Generated<boolean>;
    active: Generated<boolean>;
    created_at: Generated<Date>;
    out_of_service_from: Date | null;
    out_of_service_until: Date | null;
    out_of_service_reason: string | null;
  };
  travel_times: {
    from_location_id: string;
    to_location_id: string;
    minutes: number;
    updated_at: Generated<Date>;
  };
};

export type LocationRow = Selectable<LocationTables["locations"]>;
export type NewLocationRow = Insertable<LocationTables["locations"]>;
export type DepartmentRow = Selectable<LocationTables["departments"]>;
export type RoomRow = Selectable<LocationTables["rooms"]>;
export type EquipmentRow = Selectable<LocationTables["equipment"]>;
export type TravelTimeRow = Selectable<LocationTables["travel_times"]>;

const q = (db: Executor) => db.withTables<LocationTables>();

export interface LocationFilter {
  kind?: string | undefined;
  specialty?: string | undefined;
  q?: string | undefined;
  active?: boolean | undefined;
  ids?: string[] | undefined;
  limit: number;
  offset: number;
}

export const locationRepository = {
  async list(db: Executor, f: LocationFilter): Promise<{ rows: LocationRow[]; total: number }> {
    let query = q(db).selectFrom("locations");
    if (f.kind) query = query.where("kind", "=", f.kind);
    if (f.active !== undefined) query = query.where("active", "=", f.active);
    if (f.ids)
      query = query.where("id", "in", f.ids.length ? f.ids : ["00000000-0000-0000-0000-000000000000"]);
    if (f.q) {
      const like = `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      query = query.where((eb) =>
        eb.or([eb("name", "ilike", like), eb("city", "ilike", like), eb("code", "ilike", like)]),
      );
    }
    if (f.specialty) {
      const specialty = f.specialty;
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom("departments")
            .select("departments.id")
            .whereRef("departments.location_id", "=", "locations.id")
            .where("departments.specialty", "=", specialty),
        ),
      );
    }
    return pageOf(query, query.selectAll().orderBy("name").orderBy("id"), f);
  },
  get(db: Executor, id: string, forUpdate = false): Promise<LocationRow | undefined> {
    let query = q(db).selectFrom("locations").selectAll().where("id", "=", id);
    if (forUpdate) query = query.forUpdate();
    return query.executeTakeFirst();
  },
  timeZones(db: Executor, ids: string[]): Promise<Array<{ id: string; time_zone: string }>> {
    return q(db).selectFrom("locations").select(["id", "time_zone"]).where("id", "in", ids).execute();
  },
  /** The ids of the locations whose data resides in the region. */
  async inResidency(db: Executor, region: string): Promise<string[]> {
    const rows = await q(db)
      .selectFrom("locations")
      .select("id")
      .where("data_residency", "=", region)
      .execute();
    return rows.map((r) => r.id);
  },
  all(db: Executor): Promise<LocationRow[]> {
    return q(db).selectFrom("locations").selectAll().orderBy("name").orderBy("id").execute();
  },
  insert(db: Executor, row: NewLocationRow): Promise<LocationRow> {
    return q(db).insertInto("locations").values(row).returningAll().executeTakeFirstOrThrow();
  },
  update(db: Executor, id: string, row: Partial<NewLocationRow>): Promise<LocationRow | undefined> {
    return q(db)
      .updateTable("locations")
      .set({ ...row, updated_at: sql<Date>`now()` })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
  },

  departments(db: Executor, locationId: string): Promise<DepartmentRow[]> {
    return q(db)
      .selectFrom("departments")
      .selectAll()
      .where("location_id", "=", locationId)
      .orderBy("name")
      .orderBy("id")
      .execute();
  },
  departmentsByIds(db: Executor, ids: string[]): Promise<DepartmentRow[]> {
    return q(db).selectFrom("departments").selectAll().where("id", "in", ids).execute();
  },
  getDepartment(db: Executor, id: string): Promise<DepartmentRow | undefined> {
    return q(db).selectFrom("departments").selectAll().where("id", "=", id).executeTakeFirst();
  },
  insertDepartment(db: Executor, row: Insertable<LocationTables["departments"]>): Promise<DepartmentRow> {
    return q(db).insertInto("departments").values(row).returningAll().executeTakeFirstOrThrow();
  },

  async rooms(
    db: Executor,
    f: {
      locationId: string;
      kind?: string | undefined;
      stepFree?: boolean | undefined;
      limit: number;
      offset: number;
    },
  ): Promise<{ rows: RoomRow[]; total: number }> {
    let query = q(db).selectFrom("rooms").where("location_id", "=", f.locationId);
    if (f.kind) query = query.where("kind", "=", f.kind);
    if (f.stepFree !== undefined) query = query.where("step_free", "=", f.stepFree);
    return pageOf(query, query.selectAll().orderBy("code").orderBy("id"), f);
  },
  getRoom(db: Executor, id: string): Promise<RoomRow | undefined> {
    return q(db).selectFrom("rooms").selectAll().where("id", "=", id).executeTakeFirst();
  },
  insertRoom(db: Executor, row: Insertable<LocationTables["rooms"]>): Promise<RoomRow> {
    return q(db).insertInto("rooms").values(row).returningAll().executeTakeFirstOrThrow();
  },
  updateRoom(
    db: Executor,
    id: string,
    row: Partial<Insertable<LocationTables["rooms"]>>,
  ): Promise<RoomRow | undefined> {
    return q(db).updateTable("rooms").set(row).where("id", "=", id).returningAll().executeTakeFirst();
  },

  async equipment(
    db: Executor,
    f: { locationId: string; kind?: string | undefined; limit: number; offset: number },
  ): Promise<{ rows: EquipmentRow[]; total: number }> {
    let query = q(db).selectFrom("equipment").where("location_id", "=", f.locationId);
    if (f.kind) query = query.where("kind", "=", f.kind);
    return pageOf(query, query.selectAll().orderBy("kind").orderBy("asset_tag"), f);
  },
  getEquipment(db: Executor, id: string, forUpdate = false): Promise<EquipmentRow | undefined> {
    let query = q(db).selectFrom("equipment").selectAll().where("id", "=", id);
    if (forUpdate) query = query.forUpdate();
    return query.executeTakeFirst();
  },
  updateEquipment(
    db: Executor,
    id: string,
    row: Partial<Insertable<LocationTables["equipment"]>>,
  ): Promise<EquipmentRow | undefined> {
    return q(db).updateTable("equipment").set(row).where("id", "=", id).returningAll().executeTakeFirst();
  },
  insertEquipment(db: Executor, row: Insertable<LocationTables["equipment"]>): Promise<EquipmentRow> {
    return q(db).insertInto("equipment").values(row).returningAll().executeTakeFirstOrThrow();
  },

  activeRooms(db: Executor): Promise<RoomRow[]> {
    return q(db).selectFrom("rooms").selectAll().where("active", "=", true).orderBy("id").execute();
  },
  activeEquipment(db: Executor): Promise<EquipmentRow[]> {
    return q(db).selectFrom("equipment").selectAll().where("active", "=", true).orderBy("id").execute();
  },
  travelTimes(db: Executor): Promise<TravelTimeRow[]> {
    return q(db).selectFrom("travel_times").selectAll().execute();
  },
  async upsertTravelTime(db: Executor, from: string, to: string, minutes: number): Promise<void> {
    await q(db)
      .insertInto("travel_times")
      .values({ from_location_id: from, to_location_id: to, minutes })
      .onConflict((oc) =>
        oc
          .columns(["from_location_id", "to_location_id"])
          .doUpdateSet({ minutes, updated_at: sql<Date>`now()` }),
      )
      .execute();
  },
  async deleteTravelTime(db: Executor, from: string, to: string): Promise<number> {
    const r = await q(db)
      .deleteFrom("travel_times")
      .where("from_location_id", "=", from)
      .where("to_location_id", "=", to)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  },
};
