import type { Actor } from "../../platform/access.js";
import type { Executor } from "../../platform/db.js";
import { problems, registerConstraint } from "../../platform/errors.js";
import { locationTarget } from "../../platform/policy.js";
import type { Page } from "../../platform/schemas.js";
import { toIso } from "../../platform/schemas.js";
import {
  createUpkeep,
  type Facility,
  type LocationDeps,
  type OutOfServiceSpan,
  toEquipment,
  toRoom,
} from "./facilities.js";
import { type DepartmentRow, type LocationRow, locationRepository as repo } from "./repository.js";
import type {
  Department,
  DepartmentInput,
  EquipmentInput,
  EquipmentItem,
  Location,
  LocationInput,
  LocationPatch,
  LocationQuery,
  Room,
  RoomInput,
  RoomPatch,
  RoomQuery,
  TravelTime,
  TravelTimeInput,
} from "./schema.js";
import { estimateTravelMinutes } from "./travel.js";

export type { Facility, LocationDeps, OutOfServiceSpan } from "./facilities.js";

registerConstraint("locations_code_key", "body.code", "a location with this code already exists");
registerConstraint(
  "departments_location_specialty_key",
  "body.specialty",
  "this location already has a department of that specialty",
);
registerConstraint("departments_specialty_fk", "body.specialty", "no such specialty");
registerConstraint("rooms_location_code_key", "body.code", "this location already has a room with this code");
registerConstraint("rooms_department_fk", "body.departmentId", "no such department at this location");
registerConstraint("equipment_room_fk", "body.roomId", "no such room at this location");
registerConstraint("equipment_asset_tag_key", "body.assetTag", "an item with this asset tag already exists");
registerConstraint("equipment_travels_mobile", "body.travels", "only mobile equipment can travel");
registerConstraint("rooms_out_of_service_window", "body.until", "must be after the start of the period");
registerConstraint("equipment_out_of_service_window", "body.until", "must be after the start of the period");
registerConstraint(
  "locations_coordinates_required",
  "body.latitude",
  "a physical location needs latitude and longitude",
);

interface OpeningHoursEntry {
  weekday: number;
  opens: string;
  closes: string;
}

export function toLocation(r: LocationRow): Location {
  const hours = (
    typeof r.opening_hours === "string" ? JSON.parse(r.opening_hours) : r.opening_hours
  ) as OpeningHoursEntry[];
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    kind: r.kind as Location["kind"],
    addressLine: r.address_line,
    city: r.city,
    region: r.region,
    postalCode: r.postal_code,
    country: r.country,
    latitude: r.latitude,
    longitude: r.longitude,
    timeZone: r.time_zone,
    phone: r.phone,
    openingHours: hours,
    parking: {
      spaces: r.parking_spaces,
      accessibleSpaces: r.parking_accessible_spaces,
      costCentsPerHour: r.parking_cost_cents_per_hour,
      notes: r.parking_notes,
    },
    accessibilityFeatures: r.accessibility_features,
    amenities: r.amenities,
    publicTransport: r.public_transport,
    services: r.services,
    dataResidency: r.data_residency,
    active: r.active,
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
  };
}

function locationColumns(l: Partial<LocationInput>) {
  const row: Record<string, unknown> = {
    code: l.code,
    name: l.name,
    kind: l.kind,
    address_line: l.addressLine,
    city: l.city,
    region: l.region,
    postal_code: l.postalCode,
    country: l.country,
    latitude: l.latitude,
    longitude: l.longitude,
    time_zone: l.timeZone,
    phone: l.phone,
    opening_hours: l.openingHours === undefined ? undefined : JSON.stringify(l.openingHours),
    parking_spaces: l.parking?.spaces,
    parking_accessible_spaces: l.parking?.accessibleSpaces,
    parking_cost_cents_per_hour: l.parking?.costCentsPerHour,
    parking_notes: l.parking?.notes,
    accessibility_features: l.accessibilityFeatures,
    amenities: l.amenities,
    public_transport: l.publicTransport,
    services: l.services,
    data_residency: l.dataResidency,
    active: l.active,
  };
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined));
}

export function toDepartment(r: DepartmentRow): Department {
  return { id: r.id, locationId: r.location_id, specialty: r.specialty, name: r.name, phone: r.phone };
}

async function requireLocation(
  db: Executor,
  id: string,
  field = "params.id",
  forUpdate = false,
): Promise<LocationRow> {
  const row = await repo.get(db, id, forUpdate);
  if (!row) throw problems.notFound("location", field);
  return row;
}

/** Reads other modules make inside their own transactions (they take the db or transaction first). */
export const locationService = {
  /** Which of these ids name a location. */
  async existing(db: Executor, ids: readonly string[]): Promise<string[]> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return wanted;
    const { rows } = await repo.list(db, { ids: wanted, limit: wanted.length, offset: 0 });
    return rows.map((l) => l.id);
  },
  async get(db: Executor, id: string): Promise<Location> {
    return toLocation(await requireLocation(db, id));
  },
  /** The locations whose data resides in the region (exports filtered by region). */
  inResidency: (db: Executor, region: string): Promise<string[]> => repo.inResidency(db, region),
  /** Each location's IANA time zone, in one small query. */
  async timeZones(db: Executor, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    return new Map((await repo.timeZones(db, ids)).map((r) => [r.id, r.time_zone]));
  },
  /** Every room of one location, active or not, by code (an indoor map places them). */
  async roomsAt(db: Executor, locationId: string): Promise<Room[]> {
    const { rows } = await repo.rooms(db, { locationId, limit: 100_000, offset: 0 });
    return rows.map(toRoom);
  },
  /** One room, active or not, or undefined. */
  async room(db: Executor, id: string): Promise<Room | undefined> {
    const row = await repo.getRoom(db, id);
    return row ? toRoom(row) : undefined;
  },
  /** One item of equipment, active or not, or undefined. */
  async equipmentItem(db: Executor, id: string): Promise<EquipmentItem | undefined> {
    const row = await repo.getEquipment(db, id);
    return row ? toEquipment(row) : undefined;
  },
  /**
   * Takes a room or an item out of service for the span in the caller's transaction (rescheduling,
   * which authorized it and settles the appointments using it in the same transaction). Without an
   * end it is also made inactive until put back.
   */
  async takeOutOfServiceIn(db: Executor, facility: Facility, span: OutOfServiceSpan): Promise<void> {
    const columns = {
      out_of_service_from: span.from,
      out_of_service_until: span.until,
      out_of_service_reason: span.reason,
      ...(span.until ? {} : { active: false }),
    };
    if (facility.kind === "room") await repo.updateRoom(db, facility.id, columns);
    else await repo.updateEquipment(db, facility.id, columns);
  },
  /** The specialties of these departments (a department head's scope). */
  async specialtiesOfDepartments(db: Executor, departmentIds: string[]): Promise<string[]> {
    if (!departmentIds.length) return [];
    return [...new Set((await repo.departmentsByIds(db, departmentIds)).map((d) => d.specialty))].sort();
  },
};

/**
 * The network's facilities. Each operation runs in its own transaction; rooms and equipment are
 * authorized through the policy (location staff reach their own locations only), the rest is
 * network reference data that anyone may read and only administrators (route admission) change.
 */
export function createLocations(deps: LocationDeps) {
  const { db, clock, policies } = deps;
  const now = () => clock.now().getTime();
  const inTransaction = <T>(work: (tx: Executor) => Promise<T>): Promise<T> => db.transaction().execute(work);
  return {
    /** Reads for other services, inside their own transactions. */
    lookup: locationService,
    async list(query: LocationQuery & { ids?: string[] }): Promise<Page<Location>> {
      const { rows, total } = await repo.list(db, query);
      return { items: rows.map(toLocation), total, limit: query.limit, offset: query.offset };
    },
    get: (id: string): Promise<Location> => locationService.get(db, id),
    create: (input: LocationInput): Promise<Location> =>
      inTransaction(async (tx) =>
        toLocation(await repo.insert(tx, locationColumns(input) as Parameters<typeof repo.insert>[1])),
      ),
    update: (id: string, patch: LocationPatch): Promise<Location> =>
      inTransaction(async (tx) => {
        const current = toLocation(await requireLocation(tx, id, "params.id", true));
        const merged = { ...current, ...patch, parking: { ...current.parking, ...(patch.parking ?? {}) } };
        if (merged.parking.accessibleSpaces > merged.parking.spaces) {
          throw problems.invalid("body.parking.accessibleSpaces", "cannot exceed spaces");
        }
        if (merged.kind !== "virtual" && (merged.latitude === null || merged.longitude === null)) {
          throw problems.invalid("body.latitude", "a physical location needs latitude and longitude");
        }
        const row = await repo.update(
          tx,
          id,
          locationColumns({ ...patch, parking: patch.parking ? merged.parking : undefined }),
        );
        return toLocation(row!);
      }),

    async departments(locationId: string): Promise<Department[]> {
      await requireLocation(db, locationId);
      return (await repo.departments(db, locationId)).map(toDepartment);
    },
    specialtiesOfDepartments: (departmentIds: string[]): Promise<string[]> =>
      locationService.specialtiesOfDepartments(db, departmentIds),
    createDepartment: (locationId: string, input: DepartmentInput): Promise<Department> =>
      inTransaction(async (tx) => {
        await requireLocation(tx, locationId);
        return toDepartment(await repo.insertDepartment(tx, { location_id: locationId, ...input }));
      }),

    async rooms(actor: Actor, locationId: string, query: RoomQuery): Promise<Page<Room>> {
      await policies.authorize(db, actor, "read_resources", locationTarget(locationId));
      await requireLocation(db, locationId);
      const { rows, total } = await repo.rooms(db, { locationId, ...query });
      return { items: rows.map((r) => toRoom(r, now())), total, limit: query.limit, offset: query.offset };
    },
    async getRoom(actor: Actor, id: string): Promise<Room> {
      const row = await repo.getRoom(db, id);
      if (!row) throw problems.notFound("room");
      await policies.authorize(db, actor, "read_resources", {
        ...locationTarget(row.location_id),
        noun: "room",
      });
      return toRoom(row, now());
    },
    createRoom: (locationId: string, input: RoomInput): Promise<Room> =>
      inTransaction(async (tx) => {
        await requireLocation(tx, locationId);
        const row = await repo.insertRoom(tx, {
          location_id: locationId,
          department_id: input.departmentId,
          code: input.code,
          name: input.name,
          kind: input.kind,
          floor: input.floor,
          step_free: input.stepFree,
          capacity: input.capacity,
          active: input.active,
        });
        return toRoom(row);
      }),
    updateRoom: (actor: Actor, id: string, patch: RoomPatch): Promise<Room> =>
      inTransaction(async (tx) => {
        const current = await repo.getRoom(tx, id);
        if (!current) throw problems.notFound("room");
        await policies.authorize(tx, actor, "manage_resources", {
          ...locationTarget(current.location_id),
          noun: "room",
        });
        const row = await repo.updateRoom(tx, id, {
          department_id: patch.departmentId,
          code: patch.code,
          name: patch.name,
          kind: patch.kind,
          floor: patch.floor,
          step_free: patch.stepFree,
          capacity: patch.capacity,
          active: patch.active,
        });
        if (!row) throw problems.notFound("room");
        return toRoom(row, now());
      }),

    async equipment(
      actor: Actor,
      locationId: string,
      query: { kind?: string | undefined; limit: number; offset: number },
    ): Promise<Page<EquipmentItem>> {
      await policies.authorize(db, actor, "read_resources", locationTarget(locationId));
      await requireLocation(db, locationId);
      const { rows, total } = await repo.equipment(db, { locationId, ...query });
      return {
        items: rows.map((e) => toEquipment(e, now())),
        total,
        limit: query.limit,
        offset: query.offset,
      };
    },
    ...createUpkeep(deps, requireLocation),
    createEquipment: (locationId: string, input: EquipmentInput): Promise<EquipmentItem> =>
      inTransaction(async (tx) => {
        await requireLocation(tx, locationId);
        const row = await repo.insertEquipment(tx, {
          location_id: locationId,
          room_id: input.roomId,
          kind: input.kind,
          name: input.name,
          asset_tag: input.assetTag,
          mobile: input.mobile,
          travels: input.travels,
          active: input.active,
        });
        return toEquipment(row);
      }),

    /** The full matrix: configured minutes where set, otherwise estimated from coordinates. */
    async travelMatrix(): Promise<{ locationIds: string[]; entries: TravelTime[] }> {
      const [locations, configured] = await Promise.all([repo.all(db), repo.travelTimes(db)]);
      return { locationIds: locations.map((l) => l.id), entries: buildTravelMatrix(locations, configured) };
    },
    setTravelTime: (input: TravelTimeInput): Promise<TravelTime[]> =>
      inTransaction(async (tx) => {
        if (input.fromLocationId === input.toLocationId) {
          throw problems.invalid("body.toLocationId", "travel time needs two different locations");
        }
        await requireLocation(tx, input.fromLocationId, "body.fromLocationId");
        await requireLocation(tx, input.toLocationId, "body.toLocationId");
        await repo.upsertTravelTime(tx, input.fromLocationId, input.toLocationId, input.minutes);
        const out: TravelTime[] = [
          {
            fromLocationId: input.fromLocationId,
            toLocationId: input.toLocationId,
            minutes: input.minutes,
            estimated: false,
          },
        ];
        if (input.symmetric) {
          await repo.upsertTravelTime(tx, input.toLocationId, input.fromLocationId, input.minutes);
          out.push({
            fromLocationId: input.toLocationId,
            toLocationId: input.fromLocationId,
            minutes: input.minutes,
            estimated: false,
          });
        }
        return out;
      }),
    clearTravelTime: (from: string, to: string): Promise<void> =>
      inTransaction(async (tx) => {
        const n = await repo.deleteTravelTime(tx, from, to);
        if (n === 0) throw problems.notFound("configured travel time", "query.to");
      }),
  };
}

/** The locations service as the composition root wires it. */
export type Locations = ReturnType<typeof createLocations>;

/** Everything the availability engine needs to know about the network's facilities. */
export interface NetworkSnapshot {
  locations: Location[];
  rooms: Room[];
  equipment: EquipmentItem[];
  /** Minutes from one location to another: configured, else estimated; 0 within a location. */
  travelMinutes(fromLocationId: string, toLocationId: string): number;
}

export async function networkSnapshot(db: Executor): Promise<NetworkSnapshot> {
  const [locations, configured, rooms, equipment] = await Promise.all([
    repo.all(db),
    repo.travelTimes(db),
    repo.activeRooms(db),
    repo.activeEquipment(db),
  ]);
  const matrix = new Map(
    buildTravelMatrix(locations, configured).map((e) => [`${e.fromLocationId}|${e.toLocationId}`, e.minutes]),
  );
  return {
    locations: locations.map(toLocation),
    rooms: rooms.map(toRoom),
    equipment: equipment.map(toEquipment),
    travelMinutes: (a, b) => (a === b ? 0 : (matrix.get(`${a}|${b}`) ?? 120)),
  };
}

/** Pure: every ordered pair of distinct locations with minutes and whether they were estimated. */
export function buildTravelMatrix(
  locations: Array<Pick<LocationRow, "id" | "kind" | "latitude" | "longitude">>,
  configured: Array<{ from_location_id: string; to_location_id: string; minutes: number }>,
): TravelTime[] {
  const set = new Map(configured.map((c) => [`${c.from_location_id}|${c.to_location_id}`, c.minutes]));
  const entries: TravelTime[] = [];
  for (const a of locations) {
    for (const b of locations) {
      if (a.id === b.id) continue;
      const minutes = set.get(`${a.id}|${b.id}`);
      if (minutes !== undefined) {
        entries.push({ fromLocationId: a.id, toLocationId: b.id, minutes, estimated: false });
      } else {
        const est = estimateTravelMinutes(a, b);
        // no coordinates and nothing configured: assume the network's longest reasonable trip
        entries.push({ fromLocationId: a.id, toLocationId: b.id, minutes: est ?? 120, estimated: true });
      }
    }
  }
  return entries;
}
