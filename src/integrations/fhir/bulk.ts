/**
 * SMART Scheduling Links (`$bulk-publish`): a manifest naming three NDJSON files — every Location,
 * every Schedule (a physician at a location), and the free Slots of the coming days for each active
 * appointment type — each Slot carrying a booking deep link into the web app's search, filled in
 * with its specialty, type, physician and day. The Slots are the availability search's, asked as
 * the caller (a booker or a system client with `system/Slot.read`), so they are what it may book.
 */
import type { Resource, Slot } from "@medplum/fhirtypes";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { problems } from "../../platform/errors.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { baseUrl, type FhirDeps, hidden, networkReader, slotId } from "./context.js";
import { one, type Query } from "./params.js";
import { toFhirLocation, toSchedule, toSlot } from "./resources.js";

const bookers = rolesFor("patient", "book");
export const BOOKING_DEEP_LINK =
  "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-deep-link";
const FILES = ["Location", "Schedule", "Slot"] as const;
/** Free Slots per appointment type in one file: the availability search's own page limit. */
const SLOTS_PER_TYPE = 200;
const NDJSON = "application/fhir+ndjson; charset=utf-8";

type Req = FastifyRequest<{ Params: { file: string }; Querystring: Query }>;

/** How many days ahead the Slot file covers (`days`, 1 to 14, a week by default). */
function daysOf(q: Query): number {
  const days = one(q, "days");
  if (days === undefined) return 7;
  if (!/^([1-9]|1[0-4])$/.test(days))
    throw problems.badRequest("days", "must be a whole number from 1 to 14");
  return Number(days);
}

function ndjson(reply: FastifyReply, resources: Resource[]): FastifyReply {
  return reply
    .type(NDJSON)
    .send(resources.map((r) => JSON.stringify(r)).join("\n") + (resources.length ? "\n" : ""));
}

export function bulkPublishRoutes(fhir: FastifyInstance, deps: FhirDeps): void {
  const { scheduling, clock, publicUrl } = deps;
  const network = networkReader(deps);

  fhir.get("/$bulk-publish", { config: { allow: bookers }, schema: hidden }, (req: Req, reply) => {
    const days = daysOf(req.query);
    const base = baseUrl(req);
    return reply.type("application/json").send({
      transactionTime: clock.now().toISOString(),
      request: `${base}/$bulk-publish${days === 7 ? "" : `?days=${days}`}`,
      output: FILES.map((type) => ({
        type,
        url: `${base}/$bulk-publish/${type}.ndjson${type === "Slot" && days !== 7 ? `?days=${days}` : ""}`,
      })),
      error: [],
    });
  });

  fhir.get(
    "/$bulk-publish/:file",
    { config: { allow: bookers }, schema: hidden },
    async (req: Req, reply) => {
      const type = /^(Location|Schedule|Slot)\.ndjson$/.exec(req.params.file)?.[1];
      if (!type) throw problems.notFound("$bulk-publish file");
      const days = daysOf(req.query);
      if (type === "Location") return ndjson(reply, (await network.allLocations()).map(toFhirLocation));
      if (type === "Schedule")
        return ndjson(
          reply,
          (await network.roles({})).map(({ physician, locationId }) => toSchedule(physician, locationId)),
        );
      const from = clock.now();
      const to = new Date(from.getTime() + days * 86_400_000);
      const types = await scheduling.catalog.list({ active: true, limit: 500, offset: 0 });
      const slots: Slot[] = [];
      const actor = actorOf(req);
      for (const t of types.items) {
        const { options } = await scheduling.appointments.searchAvailability(actor, {
          appointmentTypeId: t.id,
          from: from.toISOString(),
          to: to.toISOString(),
          telehealth: false,
          limit: SLOTS_PER_TYPE,
        });
        for (const o of options) {
          const link = new URL(`${publicUrl}/patient`);
          link.search = new URLSearchParams({
            specialty: t.specialty,
            type: t.id,
            physician: o.physicianId,
            from: o.local.date,
          }).toString();
          slots.push({
            ...toSlot(o, slotId(o), t.name),
            extension: [{ url: BOOKING_DEEP_LINK, valueUrl: link.toString() }],
          });
        }
      }
      return ndjson(reply, slots);
    },
  );
}
