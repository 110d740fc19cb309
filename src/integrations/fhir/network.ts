/**
 * The network as FHIR reference data, public as in the JSON API: the Organization, Locations,
 * Practitioners, their roles and Schedules at each location, and the departments as
 * HealthcareServices.
 */
import type { FastifyInstance } from "fastify";
import { problems } from "../../platform/errors.js";
import {
  pageBundle as bundle,
  type FhirDeps,
  hidden,
  networkReader,
  orNone,
  pageOfList,
  pub,
  type Req,
  requireUuid,
  send,
} from "./context.js";
import { parsePhysicianAtLocationId, parseServiceId } from "./ids.js";
import { all, hasFilters, one, paging, revIncludes, tokenCode, uuidReference } from "./params.js";
import {
  NETWORK_ID,
  networkOrganization,
  SYSTEM,
  toFhirLocation,
  toHealthcareService,
  toPractitioner,
  toPractitionerRole,
  toSchedule,
} from "./resources.js";
import { SEARCH } from "./search.js";
import { PUBLIC_ACTOR, REVINCLUDE_SLOTS_PAGE, slotReader } from "./slots.js";

export function networkRoutes(fhir: FastifyInstance, deps: FhirDeps): void {
  const { locations, physicians } = deps;
  const network = networkReader(deps);
  const slots = slotReader(deps);

  fhir.get("/Organization", { config: pub, schema: hidden }, (req: Req, reply) => {
    const page = paging(req.query, 200);
    const all = [networkOrganization()];
    const { items, more } = pageOfList(all, page.count, page.offset);
    return send(reply, bundle(req, page, items, { total: all.length, more }));
  });
  fhir.get("/Organization/:id", { config: pub, schema: hidden }, (req: Req, reply) => {
    if (req.params.id !== NETWORK_ID) throw problems.notFound("Organization");
    return send(reply, networkOrganization());
  });

  fhir.get(
    "/Location",
    { config: { ...pub, fhirSearch: SEARCH.Location }, schema: hidden },
    async (req: Req, reply) => {
      const page = paging(req.query, 200);
      const name = one(req.query, "name");
      const who = hasFilters(req.query, SEARCH.Location.has).get("PractitionerRole:location:practitioner");
      if (who) {
        // where one practitioner works: their roles' locations, in their roles' order
        const field = "_has:PractitionerRole:location:practitioner";
        const roles = await network.roles({ physicianIds: [uuidReference(who, "Practitioner", field)] });
        const here = [];
        for (const r of roles) {
          const l = await orNone(locations.get(r.locationId));
          if (l && (!name || `${l.name} ${l.city ?? ""}`.toLowerCase().includes(name.toLowerCase())))
            here.push(l);
        }
        const { items, more } = pageOfList(here, page.count, page.offset);
        return send(reply, bundle(req, page, items.map(toFhirLocation), { total: here.length, more }));
      }
      const found = await locations.list({
        limit: page.count,
        offset: page.offset,
        ...(name ? { q: name.slice(0, 100) } : {}),
      });
      return send(
        reply,
        bundle(req, page, found.items.map(toFhirLocation), {
          total: found.total,
          more: page.offset + page.count < found.total,
        }),
      );
    },
  );
  fhir.get("/Location/:id", { config: pub, schema: hidden }, async (req: Req, reply) =>
    send(reply, toFhirLocation(await locations.get(requireUuid(req.params.id, "Location")))),
  );

  fhir.get(
    "/Practitioner",
    { config: { ...pub, fhirSearch: SEARCH.Practitioner }, schema: hidden },
    async (req: Req, reply) => {
      const page = paging(req.query, 200);
      const name = one(req.query, "name");
      const has = hasFilters(req.query, SEARCH.Practitioner.has);
      const at = has.get("PractitionerRole:practitioner:location");
      const specialty = has.get("PractitionerRole:practitioner:specialty");
      const found = await physicians.list({
        limit: page.count,
        offset: page.offset,
        ...(name ? { q: name.slice(0, 100) } : {}),
        ...(at
          ? { locationId: uuidReference(at, "Location", "_has:PractitionerRole:practitioner:location") }
          : {}),
        ...(specialty
          ? {
              specialty: tokenCode(
                specialty,
                SYSTEM.specialty,
                "_has:PractitionerRole:practitioner:specialty",
              ),
            }
          : {}),
      });
      const included = revIncludes(req.query, SEARCH.Practitioner.revinclude).has(
        "PractitionerRole:practitioner",
      )
        ? (await network.roles({ physicianIds: found.items.map((p) => p.id) })).map((r) =>
            toPractitionerRole(r.physician, r.locationId),
          )
        : [];
      return send(
        reply,
        bundle(req, page, found.items.map(toPractitioner), {
          total: found.total,
          more: page.offset + page.count < found.total,
          included,
        }),
      );
    },
  );
  fhir.get("/Practitioner/:id", { config: pub, schema: hidden }, async (req: Req, reply) =>
    send(reply, toPractitioner(await physicians.get(requireUuid(req.params.id, "Practitioner")))),
  );

  /** PractitionerRole and Schedule: one per physician per location they work at, a page in one query. */
  const rolesSearch = async (
    req: Req,
    filter: { physicianIds?: string[]; locationId?: string; specialty?: string },
    maxCount = 200,
  ) => {
    const page = paging(req.query, maxCount);
    const found = await network.placements({ ...filter, limit: page.count, offset: page.offset });
    return { page, ...found, more: page.offset + page.count < found.total };
  };
  const roleById = async (id: string, type: string) => {
    const pair = parsePhysicianAtLocationId(id);
    if (!pair) throw problems.notFound(type);
    const { items } = await network.placements({
      physicianIds: [pair.physicianId],
      locationId: pair.locationId,
      limit: 1,
      offset: 0,
    });
    if (!items[0]) throw problems.notFound(type);
    return items[0];
  };

  fhir.get(
    "/PractitionerRole",
    { config: { ...pub, fhirSearch: SEARCH.PractitionerRole }, schema: hidden },
    async (req: Req, reply) => {
      const practitioner = one(req.query, "practitioner");
      const location = one(req.query, "location");
      const specialty = one(req.query, "specialty");
      const { page, items, total, more } = await rolesSearch(req, {
        ...(practitioner
          ? { physicianIds: [uuidReference(practitioner, "Practitioner", "practitioner")] }
          : {}),
        ...(location ? { locationId: uuidReference(location, "Location", "location") } : {}),
        ...(specialty ? { specialty: tokenCode(specialty, SYSTEM.specialty, "specialty") } : {}),
      });
      return send(
        reply,
        bundle(
          req,
          page,
          items.map((r) => toPractitionerRole(r.physician, r.locationId)),
          { total, more },
        ),
      );
    },
  );
  fhir.get("/PractitionerRole/:id", { config: pub, schema: hidden }, async (req: Req, reply) => {
    const role = await roleById(req.params.id, "PractitionerRole");
    return send(reply, toPractitionerRole(role.physician, role.locationId));
  });

  fhir.get(
    "/Schedule",
    { config: { ...pub, fhirSearch: SEARCH.Schedule }, schema: hidden },
    async (req: Req, reply) => {
      const filter: { physicianIds?: string[]; locationId?: string } = {};
      for (const actor of all(req.query, "actor")) {
        if (actor.includes("Location/")) filter.locationId = uuidReference(actor, "Location", "actor");
        else filter.physicianIds = [uuidReference(actor, "Practitioner", "actor")];
      }
      const withSlots = revIncludes(req.query, SEARCH.Schedule.revinclude).has("Slot:schedule");
      const { page, items, total, more } = await rolesSearch(
        req,
        filter,
        withSlots ? REVINCLUDE_SLOTS_PAGE : 200,
      );
      const included = withSlots ? await slots.freeOfSchedules(req.actor ?? PUBLIC_ACTOR, items) : [];
      return send(
        reply,
        bundle(
          req,
          page,
          items.map((r) => toSchedule(r.physician, r.locationId)),
          { total, more, included },
        ),
      );
    },
  );
  fhir.get("/Schedule/:id", { config: pub, schema: hidden }, async (req: Req, reply) => {
    const role = await roleById(req.params.id, "Schedule");
    return send(reply, toSchedule(role.physician, role.locationId));
  });

  fhir.get("/HealthcareService", { config: pub, schema: hidden }, async (req: Req, reply) => {
    const page = paging(req.query, 200);
    const location = one(req.query, "location");
    const specialty = one(req.query, "specialty");
    const locationId = location ? uuidReference(location, "Location", "location") : undefined;
    const code = specialty ? tokenCode(specialty, SYSTEM.specialty, "specialty") : undefined;
    const here = locationId ? [locationId] : (await network.allLocations()).map((l) => l.id);
    const departments = [];
    for (const id of here) departments.push(...((await orNone(locations.departments(id))) ?? []));
    const matching = departments.filter((d) => !code || d.specialty === code);
    const { items, more } = pageOfList(matching, page.count, page.offset);
    return send(reply, bundle(req, page, items.map(toHealthcareService), { total: matching.length, more }));
  });
  fhir.get("/HealthcareService/:id", { config: pub, schema: hidden }, async (req: Req, reply) => {
    const parts = parseServiceId(req.params.id);
    const department =
      parts &&
      (await orNone(locations.departments(parts.locationId)))?.find((d) => d.specialty === parts.specialty);
    if (!department) throw problems.notFound("HealthcareService");
    return send(reply, toHealthcareService(department));
  });
}
