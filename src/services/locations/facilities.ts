/**
 * Rooms and equipment in and out of service, and equipment edited after creation: the mapping of
 * their rows (with the period out of service), "back in service" and `PATCH /equipment/{id}`. Taking
 * one out of service is rescheduling's (its appointments move first), written here through
 * `lookup.takeOutOfServiceIn`.
 */
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Executor } from "../../platform/db.js";
import { problems } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { locationTarget } from "../../platform/policy.js";
import { toIso } from "../../platform/schemas.js";
import {
  type EquipmentRow,
  type LocationRow,
  type RoomRow,
  locationRepository as repo,
} from "./repository.js";
import type { EquipmentItem, EquipmentPatch, OutOfServicePeriod, Room } from "./schema.js";

/**
 * The period out of service as stored; with `now`, only while it lasts or is still to come (one
 * whose end has passed is over: the resource is back in service by itself).
 */
export function periodOf(r: RoomRow | EquipmentRow, now?: number): OutOfServicePeriod {
  if (!r.out_of_service_from) return null;
  if (now !== undefined && r.out_of_service_until && r.out_of_service_until.getTime() <= now) return null;
  return {
    from: toIso(r.out_of_service_from),
    until: r.out_of_service_until ? toIso(r.out_of_service_until) : null,
    reason: r.out_of_service_reason,
  };
}

export function toRoom(r: RoomRow, now?: number): Room {
  return {
    id: r.id,
    locationId: r.location_id,
    departmentId: r.department_id,
    code: r.code,
    name: r.name,
    kind: r.kind as Room["kind"],
    floor: r.floor,
    stepFree: r.step_free,
    capacity: r.capacity,
    active: r.active,
    outOfService: periodOf(r, now),
  };
}

export function toEquipment(r: EquipmentRow, now?: number): EquipmentItem {
  return {
    id: r.id,
    locationId: r.location_id,
    roomId: r.room_id,
    kind: r.kind,
    name: r.name,
    assetTag: r.asset_tag,
    mobile: r.mobile,
    travels: r.travels,
    active: r.active,
    outOfService: periodOf(r, now),
  };
}

/** A room or an item of equipment, as out of service and back in service name them. */
export type Facility = { kind: "room" | "equipment"; id: string };
/** A period out of service as it is written: no end means until put back (and inactive meanwhile). */
export interface OutOfServiceSpan {
  from: Date;
  until: Date | null;
  reason: string | null;
}

export interface LocationDeps extends ServiceDeps {
  /**
   * How many bookings an item of equipment still has to serve (scheduling's, wired by the
   * composition root): where an item stands changes only while it has none.
   */
  upcomingReservations?: (tx: Executor, equipmentId: string, now: Date) => Promise<number>;
}

/** The upkeep operations of `createLocations`, each authorizing, auditing and owning its transaction. */
export function createUpkeep(
  { db, clock, policies, upcomingReservations }: LocationDeps,
  requireLocation: (db: Executor, id: string, field?: string) => Promise<LocationRow>,
) {
  const now = () => clock.now().getTime();
  const inTransaction = <T>(work: (tx: Executor) => Promise<T>): Promise<T> => db.transaction().execute(work);
  /** A room or item as the policy sees it; unknown, or at a location out of scope: a 404. */
  const facilityRow = async (tx: Executor, actor: Actor, f: Facility) => {
    const row = f.kind === "room" ? await repo.getRoom(tx, f.id) : await repo.getEquipment(tx, f.id);
    if (!row) throw problems.notFound(f.kind);
    await policies.authorize(tx, actor, "manage_resources", {
      ...locationTarget(row.location_id),
      noun: f.kind,
    });
    return row;
  };
  return {
    async getEquipment(actor: Actor, id: string): Promise<EquipmentItem> {
      const row = await repo.getEquipment(db, id);
      if (!row) throw problems.notFound("equipment");
      await policies.authorize(db, actor, "read_resources", {
        ...locationTarget(row.location_id),
        noun: "equipment",
      });
      return toEquipment(row, now());
    },
    /**
     * Renames an item, or (while it has no bookings to serve) changes where it stands, keeping the
     * rules of its creation: fixed equipment has a room at its location; only mobile items travel.
     */
    updateEquipment: (actor: Actor, id: string, patch: EquipmentPatch): Promise<EquipmentItem> =>
      inTransaction(async (tx) => {
        const current = await repo.getEquipment(tx, id, true);
        if (!current) throw problems.notFound("equipment");
        await policies.authorize(tx, actor, "manage_resources", {
          ...locationTarget(current.location_id),
          noun: "equipment",
        });
        const locationId = patch.locationId ?? current.location_id;
        if (locationId !== current.location_id) {
          await requireLocation(tx, locationId, "body.locationId");
          await policies.authorize(
            tx,
            actor,
            "manage_resources",
            locationTarget(locationId, "body.locationId"),
          );
        }
        const mobile = patch.mobile ?? current.mobile;
        // a fixed item keeps its room unless told otherwise; a move elsewhere leaves the old room behind
        const roomId =
          patch.roomId !== undefined
            ? patch.roomId
            : locationId === current.location_id
              ? current.room_id
              : null;
        const travels = patch.travels ?? (mobile ? current.travels : false);
        if (!mobile && roomId === null) throw problems.invalid("body.roomId", "fixed equipment needs a room");
        if (travels && !mobile) throw problems.invalid("body.travels", "only mobile equipment can travel");
        if (roomId !== null && roomId !== current.room_id) {
          const room = await repo.getRoom(tx, roomId);
          if (!room || room.location_id !== locationId)
            throw problems.invalid("body.roomId", "no such room at this location");
        }
        const placed = (
          [
            ["body.locationId", locationId !== current.location_id],
            ["body.roomId", roomId !== current.room_id],
            ["body.mobile", mobile !== current.mobile],
            ["body.travels", travels !== current.travels],
          ] as const
        ).find(([, changed]) => changed);
        if (placed && upcomingReservations && (await upcomingReservations(tx, id, clock.now())) > 0)
          throw problems.conflict(
            "equipment_booked",
            "The item still has bookings to serve: take it out of service first (which moves them), then change where it stands",
            placed[0],
          );
        const row = await repo.updateEquipment(tx, id, {
          name: patch.name,
          asset_tag: patch.assetTag,
          location_id: locationId,
          room_id: roomId,
          mobile,
          travels,
        });
        await auditService.record(tx, auditContextOf(actor), {
          action: "equipment.update",
          resourceType: "equipment",
          resourceId: id,
          locationId,
          detail: {
            changed: Object.keys(patch),
            ...(locationId !== current.location_id ? { from: current.location_id } : {}),
          },
        });
        return toEquipment(row!, now());
      }),
    /**
     * Puts a room or an item out of service back in service now (active, no period): a 409 when it
     * is in service and none is planned.
     */
    backInService: (actor: Actor, facility: Facility): Promise<Room | EquipmentItem> =>
      inTransaction(async (tx) => {
        const current = await facilityRow(tx, actor, facility);
        if (current.active && !periodOf(current, now()))
          throw problems.conflict("in_service", `The ${facility.kind} is in service`, "params.id");
        const columns = {
          active: true,
          out_of_service_from: null,
          out_of_service_until: null,
          out_of_service_reason: null,
        };
        const row =
          facility.kind === "room"
            ? toRoom((await repo.updateRoom(tx, facility.id, columns))!, now())
            : toEquipment((await repo.updateEquipment(tx, facility.id, columns))!, now());
        await auditService.record(tx, auditContextOf(actor), {
          action: `${facility.kind}.back_in_service`,
          resourceType: facility.kind,
          resourceId: facility.id,
          locationId: current.location_id,
          detail: { wasOutOfService: periodOf(current), wasActive: current.active },
        });
        return row;
      }),
  };
}
