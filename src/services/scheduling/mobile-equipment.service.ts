/**
 * Where the network's equipment that travels is and when it moves: each item's uses (its
 * bookings) and the trips between them as the booking path reserved them
 * (`availability/transport.ts`), for administrators across the network and for a location's
 * staff: their own items, and the others coming to or leaving their location. Only places and
 * times are shown, never whose appointment it is.
 */
import type { Actor } from "../../platform/access.js";
import { problems } from "../../platform/errors.js";
import type { ServiceDeps } from "../../platform/module.js";
import { locationTarget } from "../../platform/policy.js";
import { toIso } from "../../platform/schemas.js";
import { tripsOf, type Use, usesOf, whereabouts } from "./availability/transport.js";
import { facilities } from "./availability.service.js";
import type { SchedulingCaches } from "./caches.js";
import { equipmentTransport } from "./equipment-transport.repository.js";
import type {
  MobileEquipmentItem,
  MobileEquipmentList,
  MobileEquipmentQuery,
} from "./mobile-equipment.schema.js";

const DAY = 86_400_000;
const MAX_DAYS = 31;
/** Uses this far outside the window still decide the trips at its edges and where an item is now. */
const CONTEXT = 2 * DAY;

export interface MobileEquipmentDeps extends ServiceDeps {
  caches: SchedulingCaches;
}

export function createMobileEquipment({ db, clock, policies, caches }: MobileEquipmentDeps) {
  return {
    async list(actor: Actor, q: MobileEquipmentQuery): Promise<MobileEquipmentList> {
      const now = clock.now().getTime();
      const from = q.from ? Date.parse(q.from) : now;
      const to = q.to ? Date.parse(q.to) : from + 7 * DAY;
      if (to <= from) throw problems.invalid("query.to", "must be after from");
      if (to - from > MAX_DAYS * DAY)
        throw problems.invalid("query.to", `at most ${MAX_DAYS} days after from`);
      // one location the caller runs, or every location they run (all of them for administrators)
      const scope = await (async (): Promise<readonly string[] | undefined> => {
        if (q.locationId) {
          await policies.authorize(
            db,
            actor,
            "read_resources",
            locationTarget(q.locationId, "query.locationId"),
          );
          return [q.locationId];
        }
        const reach = policies.appointmentScope(actor);
        if (!reach || reach.patientIds || reach.physicianIds) throw problems.forbidden();
        return reach.locationIds;
      })();
      const snapshot = await facilities(db, { cache: caches.facilities });
      if (q.locationId && !snapshot.locations.some((l) => l.id === q.locationId))
        throw problems.notFound("location", "query.locationId");
      const name = (id: string) => snapshot.locations.find((l) => l.id === id)?.name ?? "";
      const mine = (...ids: string[]) => !scope || ids.some((id) => scope.includes(id));
      const travelling = snapshot.equipment.filter((e) => e.travels);
      const booked = await equipmentTransport.uses(
        db,
        travelling.map((e) => e.id),
        new Date(Math.min(from, now) - CONTEXT),
        new Date(Math.max(to, now) + CONTEXT),
      );
      const items: MobileEquipmentItem[] = [];
      for (const item of travelling) {
        const home = item.locationId;
        const uses = usesOf({ locationId: home, busy: booked.get(item.id) ?? [] });
        const trips = tripsOf(uses, home, snapshot.travelMinutes);
        // another location's item shows only what comes to or leaves the caller's locations
        const own = mine(home);
        const inWindow = (start: number, end: number) => start < to && end > from;
        const timeline: MobileEquipmentItem["timeline"] = [
          ...uses
            .filter((u: Use) => inWindow(u.start, u.end) && (own || mine(u.locationId)))
            .map((u) => ({
              kind: "use" as const,
              locationId: u.locationId,
              locationName: name(u.locationId),
              start: toIso(new Date(u.start)),
              end: toIso(new Date(u.end)),
            })),
          ...trips
            .filter((t) => inWindow(t.departs, t.arrives) && (own || mine(t.fromLocationId, t.toLocationId)))
            .map((t) => ({
              kind: "move" as const,
              fromLocationId: t.fromLocationId,
              fromLocationName: name(t.fromLocationId),
              toLocationId: t.toLocationId,
              toLocationName: name(t.toLocationId),
              start: toIso(new Date(t.departs)),
              end: toIso(new Date(t.arrives)),
            })),
        ].sort((a, b) => a.start.localeCompare(b.start) || a.end.localeCompare(b.end));
        if (!own && timeline.length === 0) continue;
        const where = whereabouts(uses, trips, home, now);
        items.push({
          id: item.id,
          name: item.name,
          kind: item.kind,
          assetTag: item.assetTag,
          home: { locationId: home, locationName: name(home) },
          now:
            where.state === "moving"
              ? {
                  state: "moving",
                  fromLocationId: where.fromLocationId,
                  fromLocationName: name(where.fromLocationId),
                  toLocationId: where.toLocationId,
                  toLocationName: name(where.toLocationId),
                  until: toIso(new Date(where.until)),
                }
              : where.state === "in_use"
                ? {
                    state: "in_use",
                    locationId: where.locationId,
                    locationName: name(where.locationId),
                    until: toIso(new Date(where.until)),
                  }
                : { state: "waiting", locationId: where.locationId, locationName: name(where.locationId) },
          timeline,
        });
      }
      items.sort(
        (a, b) =>
          a.home.locationName.localeCompare(b.home.locationName) ||
          a.name.localeCompare(b.name) ||
          a.assetTag.localeCompare(b.assetTag),
      );
      return { from: toIso(new Date(from)), to: toIso(new Date(to)), items };
    },
  };
}

/** The mobile equipment view as the composition root wires it. */
export type MobileEquipment = ReturnType<typeof createMobileEquipment>;
