/**
 * The FHIR R4 endpoint (`/fhir/R4`): reads and searches of the network, the computed Slots,
 * Appointments and Patients, each a call to a service operation (which authorizes and audits as
 * for the JSON API), mapped to FHIR resources. Refusals answer as OperationOutcome naming the FHIR
 * parameter at fault. The scheduling operations are in `operations.ts`.
 */
import type { Resource } from "@medplum/fhirtypes";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Actor } from "../../platform/access.js";
import { ProblemError, problemFromDatabase, problems } from "../../platform/errors.js";
import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { operationOutcome, searchBundle } from "./bundle.js";
import { capabilityStatement } from "./capability.js";
import {
  baseUrl,
  FHIR_BASE,
  type FhirDeps,
  networkReader,
  orNone,
  pageOfList,
  searchUrl,
  send,
  slotId,
} from "./context.js";
import { isUuid, parsePhysicianAtLocationId, parseServiceId } from "./ids.js";
import { schedulingOperations } from "./operations.js";
import {
  all,
  dateBounds,
  includes,
  one,
  paging,
  type Query,
  referenceId,
  tokenCode,
  uuidReference,
} from "./params.js";
import {
  NETWORK_ID,
  networkOrganization,
  roundsStatuses,
  SYSTEM,
  toFhirAppointment,
  toFhirLocation,
  toFhirPatient,
  toHealthcareService,
  toPractitioner,
  toPractitionerRole,
  toSchedule,
  toSlot,
} from "./resources.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** FHIR routes: the FHIR parameter each service field stands for (`query.to` → `start`). */
    fhirFields?: Readonly<Record<string, string>>;
  }
}

/** The FHIR parameter a field of the JSON API's services stands for, unless the route says otherwise. */
const FIELD_NAMES: Readonly<Record<string, string>> = {
  "params.id": "id",
  "query.patientId": "patient",
  "query.physicianId": "practitioner",
  "query.locationId": "location",
  "query.locationIds": "location",
  "query.appointmentTypeId": "service-type",
  "query.from": "start",
  "query.to": "start",
  "headers.content-type": "Content-Type",
};

function fieldName(req: FastifyRequest, field: string): string {
  return (
    req.routeOptions.config?.fhirFields?.[field] ??
    FIELD_NAMES[field] ??
    field.replace(/^(query|body|params)\./, "")
  );
}

function toProblem(error: FastifyError, req: FastifyRequest): ProblemError {
  if (error instanceof ProblemError) return error;
  const fromDb = problemFromDatabase(error, "request");
  if (fromDb) return fromDb;
  if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" || error.code === "FST_ERR_CTP_INVALID_TYPE")
    return new ProblemError(415, "unsupported_media_type", "send application/fhir+json", [
      { field: "headers.content-type", message: "send application/fhir+json" },
    ]);
  if (error instanceof SyntaxError || error.code === "FST_ERR_CTP_INVALID_JSON_BODY")
    return problems.badRequest("body", "is not valid JSON");
  if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500)
    return new ProblemError(error.statusCode, "bad_request", "The request could not be read", [
      { field: "request", message: "could not be read" },
    ]);
  req.log.error({ err: error }, "FHIR request failed");
  return new ProblemError(500, "internal", "Something went wrong on our side; the request was not applied");
}

function answerProblem(req: FastifyRequest, reply: FastifyReply, problem: ProblemError): FastifyReply {
  return send(
    reply,
    operationOutcome(problem, (f) => fieldName(req, f)),
    problem.status,
  );
}

/** A read by id: an id that cannot be ours is simply not found. */
function requireUuid(id: string, type: string): string {
  const lower = id.toLowerCase();
  if (!isUuid(lower)) throw problems.notFound(type);
  return lower;
}

const hidden = { hide: true } as const;

export function fhirRoutes(app: App, deps: FhirDeps): void {
  void app.register(
    async (fhir: FastifyInstance) => {
      fhir.addContentTypeParser(
        ["application/fhir+json", "application/json-patch+json"],
        { parseAs: "string" },
        (_req, body, done) => {
          try {
            done(null, JSON.parse(body as string));
          } catch {
            done(problems.badRequest("body", "is not valid JSON"), undefined);
          }
        },
      );
      fhir.setErrorHandler((error: FastifyError, req, reply) =>
        answerProblem(req, reply, toProblem(error, req)),
      );
      readRoutes(fhir, deps);
      schedulingOperations(fhir, deps);
      // anything else under the FHIR base (and the base itself): an unknown type or interaction, in FHIR's words
      const unknown = (req: FastifyRequest, reply: FastifyReply) =>
        answerProblem(
          req,
          reply,
          new ProblemError(
            404,
            "route_not_found",
            `No FHIR interaction ${req.method} ${req.url.split("?")[0]}`,
            [{ field: "url", message: "not a resource type or interaction this server supports" }],
          ),
        );
      fhir.all("/", { config: { allow: "public" }, schema: hidden }, unknown);
      fhir.all("/*", { config: { allow: "public" }, schema: hidden }, unknown);
    },
    { prefix: FHIR_BASE },
  );
}

const pub = { allow: "public" } as const;
const bookers = rolesFor("patient", "book");
const appointmentReaders = rolesFor("appointment", "read");
const patientReaders = rolesFor("patient", "read");

type Req = FastifyRequest<{ Params: { id: string }; Querystring: Query }>;

function readRoutes(fhir: FastifyInstance, deps: FhirDeps): void {
  const { locations, physicians, patients, scheduling } = deps;
  const network = networkReader(deps);
  const typeName = async (id: string) => (await orNone(scheduling.catalog.get(id)))?.name;
  const bundle = (
    req: FastifyRequest,
    page: { count: number; offset: number },
    matches: Resource[],
    opts: Parameters<typeof searchBundle>[3],
  ) => searchBundle(baseUrl(req), { url: searchUrl(req), ...page }, matches, opts);

  fhir.get("/metadata", { config: pub, schema: hidden }, (req, reply) =>
    send(reply, capabilityStatement(deps.version, baseUrl(req))),
  );

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

  fhir.get(
    "/Slot",
    { config: { allow: bookers, fhirFields: { "query.physicianId": "schedule" } }, schema: hidden },
    async (req: Req, reply) => {
      const q = req.query;
      const page = paging(q, 200);
      const include = includes(q, ["Slot:schedule"]);
      const serviceType = one(q, "service-type");
      if (!serviceType)
        throw problems.badRequest("service-type", "required: the appointment type to find free times of");
      const appointmentTypeId = tokenCode(serviceType, SYSTEM.appointmentType, "service-type").toLowerCase();
      if (!isUuid(appointmentTypeId))
        throw problems.badRequest("service-type", "is not an appointment type of this server");
      const status = one(q, "status");
      if (status !== undefined && tokenCode(status, "http://hl7.org/fhir/slotstatus", "status") !== "free")
        throw problems.badRequest("status", "only free slots are computed: status=free");
      let physicianId: string | undefined;
      let locationId: string | undefined;
      const schedule = one(q, "schedule");
      if (schedule) {
        const pair = parsePhysicianAtLocationId(referenceId(schedule, "Schedule", "schedule"));
        if (!pair) throw problems.badRequest("schedule", "is not a Schedule of this server");
        ({ physicianId, locationId } = pair);
      }
      let disjoint = false;
      const actor = one(q, "schedule.actor");
      if (actor) {
        const isLocation = actor.includes("Location/");
        const id = uuidReference(actor, isLocation ? "Location" : "Practitioner", "schedule.actor");
        const current = isLocation ? locationId : physicianId;
        if (current && current !== id) disjoint = true;
        if (isLocation) locationId = id;
        else physicianId = id;
      }
      const { from, to } = dateBounds(all(q, "start"), "start");
      const wanted = page.offset + page.count;
      const options =
        disjoint || wanted >= 200 + 1
          ? []
          : (
              await scheduling.appointments.searchAvailability(actorOf(req), {
                appointmentTypeId,
                ...(physicianId ? { physicianId } : {}),
                ...(locationId ? { locationIds: [locationId] } : {}),
                ...(from !== undefined ? { from: new Date(from).toISOString() } : {}),
                ...(to !== undefined ? { to: new Date(to).toISOString() } : {}),
                telehealth: false,
                limit: Math.min(200, wanted + 1),
              })
            ).options;
      const { items, more } = pageOfList(options, page.count, page.offset);
      const name = await typeName(appointmentTypeId);
      const slots = items.map((o) => toSlot(o, slotId(o), name));
      const included: Resource[] = [];
      if (include.has("Slot:schedule")) {
        const pairs = new Map(items.map((o) => [`${o.physicianId}|${o.locationId}`, o]));
        for (const o of pairs.values())
          included.push(toSchedule(await physicians.get(o.physicianId), o.locationId));
      }
      return send(reply, bundle(req, page, slots, { more: more && wanted < 200, included }));
    },
  );

  fhir.get(
    "/Appointment",
    { config: { allow: appointmentReaders }, schema: hidden },
    async (req: Req, reply) => {
      const q = req.query;
      const page = paging(q, 200);
      const include = includes(q, [
        "Appointment:patient",
        "Appointment:practitioner",
        "Appointment:location",
      ]);
      const patient = one(q, "patient");
      const practitioner = one(q, "practitioner");
      const location = one(q, "location");
      const { from, to } = dateBounds(all(q, "date"), "date");
      const codes = all(q, "status").flatMap((v) => v.split(","));
      const statuses = codes.flatMap((c) => {
        const code = tokenCode(c, "http://hl7.org/fhir/appointmentstatus", "status");
        if (!APPOINTMENT_STATUSES.includes(code))
          throw problems.badRequest("status", `${code} is not an appointment status`);
        return roundsStatuses(code);
      });
      const actor = actorOf(req);
      const found =
        codes.length && !statuses.length
          ? { items: [], total: 0 }
          : await scheduling.appointments.list(actor, {
              limit: page.count,
              offset: page.offset,
              ...(patient ? { patientId: uuidReference(patient, "Patient", "patient") } : {}),
              ...(practitioner
                ? { physicianId: uuidReference(practitioner, "Practitioner", "practitioner") }
                : {}),
              ...(location ? { locationId: uuidReference(location, "Location", "location") } : {}),
              ...(statuses.length ? { status: [...new Set(statuses)] } : {}),
              ...(from !== undefined ? { from: new Date(from).toISOString() } : {}),
              ...(to !== undefined ? { to: new Date(to).toISOString() } : {}),
            });
      const names = new Map<string, string | undefined>();
      for (const a of found.items)
        if (!names.has(a.appointmentTypeId))
          names.set(a.appointmentTypeId, await typeName(a.appointmentTypeId));
      const matches = found.items.map((a) => toFhirAppointment(a, names.get(a.appointmentTypeId)));
      const included = await appointmentIncludes(deps, actor, include, found.items);
      return send(
        reply,
        bundle(req, page, matches, {
          total: found.total,
          more: page.offset + page.count < found.total,
          included,
        }),
      );
    },
  );
  fhir.get(
    "/Appointment/:id",
    { config: { allow: appointmentReaders }, schema: hidden },
    async (req: Req, reply) => {
      const a = await scheduling.appointments.get(actorOf(req), requireUuid(req.params.id, "Appointment"));
      return send(reply, toFhirAppointment(a, await typeName(a.appointmentTypeId)));
    },
  );

  fhir.get("/Patient/:id", { config: { allow: patientReaders }, schema: hidden }, async (req: Req, reply) =>
    send(reply, toFhirPatient(await patients.get(actorOf(req), requireUuid(req.params.id, "Patient")))),
  );
}

const APPOINTMENT_STATUSES = [
  "proposed",
  "pending",
  "booked",
  "arrived",
  "fulfilled",
  "cancelled",
  "noshow",
  "entered-in-error",
  "checked-in",
  "waitlist",
];

/**
 * What `_include` brings along with a page of appointments: practitioners and locations (network
 * data), and patients through the patients service, so each is a read in the caller's scope
 * (audited); one the caller does not reach is left out.
 */
async function appointmentIncludes(
  { patients, physicians, locations }: FhirDeps,
  actor: Actor,
  include: Set<string>,
  items: Array<{ patientId: string; physicianId: string; locationId: string }>,
): Promise<Resource[]> {
  const out: Resource[] = [];
  const distinct = (pick: (a: (typeof items)[number]) => string) => [...new Set(items.map(pick))];
  if (include.has("Appointment:patient"))
    for (const id of distinct((a) => a.patientId)) {
      const p = await orNone(patients.get(actor, id));
      if (p) out.push(toFhirPatient(p));
    }
  if (include.has("Appointment:practitioner"))
    for (const id of distinct((a) => a.physicianId)) out.push(toPractitioner(await physicians.get(id)));
  if (include.has("Appointment:location"))
    for (const id of distinct((a) => a.locationId)) out.push(toFhirLocation(await locations.get(id)));
  return out;
}
