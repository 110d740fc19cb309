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
import { all, one, paging, tokenCode, uuidReference } from "./params.js";
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

export function networkRoutes(fhir: FastifyInstance, deps: FhirDeps): void {
  const { locations, physicians } = deps;
  const network = networkReader(deps);

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

  fhir.get("/Location", { config: pub, schema: hidden }, async (req: Req, reply) => {
    const page = paging(req.query, 200);
    const name = one(req.query, "name");
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
  });
  fhir.get("/Location/:id", { config: pub, schema: hidden }, async (req: Req, reply) =>
    send(reply, toFhirLocation(await locations.get(requireUuid(req.params.id, "Location")))),
  );

  fhir.get("/Practitioner", { config: pub, schema: hidden }, async (req: Req, reply) => {
    const page = paging(req.query, 200);
    const name = one(req.query, "name");
    const found = await physicians.list({
      limit: page.count,
      offset: page.offset,
      ...(name ? { q: name.slice(0, 100) } : {}),
    });
    return send(
      reply,
      bundle(req, page, found.items.map(toPractitioner), {
        total: found.total,
        more: page.offset + page.count < found.total,
      }),
    );
  });
  fhir.get("/Practitioner/:id", { config: pub, schema: hidden }, async (req: Req, reply) =>
    send(reply, toPractitioner(await physicians.get(requireUuid(req.params.id, "Practitioner")))),
  );

  /** PractitionerRole and Schedule: one per physician per location they work at. */
  const rolesSearch = async (
    req: Req,
    filter: { physicianId?: string; locationId?: string; specialty?: string },
  ) => {
    const page = paging(req.query, 200);
    const roles = (await network.roles(filter)).filter(
      (r) => !filter.specialty || r.physician.specialties.includes(filter.specialty),
    );
    return { page, roles, ...pageOfList(roles, page.count, page.offset) };
  };
  const roleById = async (id: string, type: string) => {
    const pair = parsePhysicianAtLocationId(id);
    if (!pair) throw problems.notFound(type);
    const [role] = await network.roles(pair);
    if (!role) throw problems.notFound(type);
    return role;
  };

  fhir.get("/PractitionerRole", { config: pub, schema: hidden }, async (req: Req, reply) => {
    const practitioner = one(req.query, "practitioner");
    const location = one(req.query, "location");
    const specialty = one(req.query, "specialty");
    const { page, roles, items, more } = await rolesSearch(req, {
      ...(practitioner ? { physicianId: uuidReference(practitioner, "Practitioner", "practitioner") } : {}),
      ...(location ? { locationId: uuidReference(location, "Location", "location") } : {}),
      ...(specialty ? { specialty: tokenCode(specialty, SYSTEM.specialty, "specialty") } : {}),
    });
    return send(
      reply,
      bundle(
        req,
        page,
        items.map((r) => toPractitionerRole(r.physician, r.locationId)),
        { total: roles.length, more },
      ),
    );
  });
  fhir.get("/PractitionerRole/:id", { config: pub, schema: hidden }, async (req: Req, reply) => {
    const role = await roleById(req.params.id, "PractitionerRole");
    return send(reply, toPractitionerRole(role.physician, role.locationId));
  });

  fhir.get("/Schedule", { config: pub, schema: hidden }, async (req: Req, reply) => {
    const filter: { physicianId?: string; locationId?: string } = {};
    for (const actor of all(req.query, "actor")) {
      if (actor.includes("Location/")) filter.locationId = uuidReference(actor, "Location", "actor");
      else filter.physicianId = uuidReference(actor, "Practitioner", "actor");
    }
    const { page, roles, items, more } = await rolesSearch(req, filter);
    return send(
      reply,
      bundle(
        req,
        page,
        items.map((r) => toSchedule(r.physician, r.locationId)),
        { total: roles.length, more },
      ),
    );
  });
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
