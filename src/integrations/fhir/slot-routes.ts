/**
 * `GET /Slot` and `GET /Slot/{id}`: free Slots of an appointment type (the availability search),
 * busy Slots of a practitioner's schedule, and one Slot by its signed id as it is now.
 */
import type { Resource, Slot } from "@medplum/fhirtypes";
import type { FastifyInstance } from "fastify";
import { problems } from "../../platform/errors.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { pageBundle as bundle, type FhirDeps, hidden, orNone, type Req, send } from "./context.js";
import { isUuid, parsePhysicianAtLocationId } from "./ids.js";
import { all, dateBounds, includes, one, paging, referenceId, tokenCode, uuidReference } from "./params.js";
import { SYSTEM, toSchedule } from "./resources.js";
import { slotReader } from "./slots.js";

const bookers = rolesFor("patient", "book");
/** The free Slots one search reaches (the availability search's own page limit). */
const FREE_LIMIT = 200;
const DAY = 86_400_000;
const MAX_BUSY_DAYS = 62;

/** The statuses asked for: free (the default), busy, or both. */
function statusesOf(q: Req["query"]): Set<"free" | "busy"> {
  const codes = all(q, "status").flatMap((v) => v.split(","));
  if (!codes.length) return new Set(["free"]);
  const out = new Set<"free" | "busy">();
  for (const c of codes) {
    const code = tokenCode(c, "http://hl7.org/fhir/slotstatus", "status");
    if (code !== "free" && code !== "busy")
      throw problems.badRequest("status", "free and busy are the statuses computed");
    out.add(code);
  }
  return out;
}

export function slotRoutes(fhir: FastifyInstance, deps: FhirDeps): void {
  const { physicians, scheduling } = deps;
  const slots = slotReader(deps);
  const typeName = async (id: string) => (await orNone(scheduling.catalog.get(id)))?.name;

  fhir.get(
    "/Slot",
    { config: { allow: bookers, fhirFields: { "query.physicianId": "schedule" } }, schema: hidden },
    async (req: Req, reply) => {
      const q = req.query;
      const page = paging(q, 200);
      const include = includes(q, ["Slot:schedule"]);
      const statuses = statusesOf(q);
      const serviceType = one(q, "service-type");
      if (!serviceType && statuses.has("free"))
        throw problems.badRequest("service-type", "required: the appointment type to find free times of");
      const appointmentTypeId =
        serviceType && tokenCode(serviceType, SYSTEM.appointmentType, "service-type").toLowerCase();
      if (appointmentTypeId && !isUuid(appointmentTypeId))
        throw problems.badRequest("service-type", "is not an appointment type of this server");
      let physicianId: string | undefined;
      let locationId: string | undefined;
      const schedule = one(q, "schedule");
      if (schedule) {
        const pair = parsePhysicianAtLocationId(referenceId(schedule, "Schedule", "schedule"));
        if (!pair) throw problems.badRequest("schedule", "is not a Schedule of this server");
        ({ physicianId, locationId } = pair);
      }
      let disjoint = false;
      const actorRef = one(q, "schedule.actor");
      if (actorRef) {
        const isLocation = actorRef.includes("Location/");
        const id = uuidReference(actorRef, isLocation ? "Location" : "Practitioner", "schedule.actor");
        const current = isLocation ? locationId : physicianId;
        if (current && current !== id) disjoint = true;
        if (isLocation) locationId = id;
        else physicianId = id;
      }
      const { from, to } = dateBounds(all(q, "start"), "start");
      const actor = actorOf(req);
      const wanted = page.offset + page.count;

      let free: Slot[] = [];
      let freeCut: number | undefined;
      if (statuses.has("free") && appointmentTypeId && !disjoint && wanted <= FREE_LIMIT) {
        const limit = Math.min(FREE_LIMIT, wanted + 1);
        const { options } = await scheduling.appointments.searchAvailability(actor, {
          appointmentTypeId,
          ...(physicianId ? { physicianId } : {}),
          ...(locationId ? { locationIds: [locationId] } : {}),
          ...(from !== undefined ? { from: new Date(from).toISOString() } : {}),
          ...(to !== undefined ? { to: new Date(to).toISOString() } : {}),
          telehealth: false,
          limit,
        });
        const name = await typeName(appointmentTypeId);
        free = options.map((o) => slots.freeSlot(o, name));
        // the search stopped at its limit: nothing after its last option is known to be complete
        if (options.length === limit) freeCut = Date.parse(options.at(-1)!.start);
      }
      let busy: Slot[] = [];
      if (statuses.has("busy") && !disjoint) {
        if (!physicianId)
          throw problems.badRequest(
            "schedule",
            "busy Slots are read per practitioner: give schedule or schedule.actor=Practitioner/{id}",
          );
        const start = from ?? deps.clock.now().getTime();
        const end = to ?? start + 14 * DAY;
        if (end - start > MAX_BUSY_DAYS * DAY)
          throw problems.badRequest("start", `busy Slots cover at most ${MAX_BUSY_DAYS} days at once`);
        busy = (await slots.busy(actor, { physicianId, locationId, from: start, to: end })).map(
          slots.busySlot,
        );
      }
      const merged = [...free, ...busy]
        .filter((s) => freeCut === undefined || Date.parse(s.start) <= freeCut)
        .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
      // free Slots page through the search's first FREE_LIMIT options at most
      const capped = statuses.has("free") && wanted >= FREE_LIMIT;
      const items = statuses.has("free") && wanted > FREE_LIMIT ? [] : merged.slice(page.offset, wanted);
      const more = merged.length > wanted && !capped;
      const included: Resource[] = [];
      if (include.has("Slot:schedule")) {
        const pairs = new Set(items.map((s) => s.schedule.reference!.slice("Schedule/".length)));
        for (const id of pairs) {
          const pair = parsePhysicianAtLocationId(id)!;
          included.push(toSchedule(await physicians.get(pair.physicianId), pair.locationId));
        }
      }
      return send(reply, bundle(req, page, items, { more, included }));
    },
  );

  fhir.get("/Slot/:id", { config: { allow: bookers }, schema: hidden }, async (req: Req, reply) => {
    const slot = await slots.read(actorOf(req), req.params.id);
    if (!slot) throw problems.notFound("Slot");
    return send(reply, slot);
  });
}
