/**
 * What is in the caller's scope: the free Slots the availability search computes, Appointments and
 * Patients, each through the service operation that authorizes and audits it.
 */
import type { Resource } from "@medplum/fhirtypes";
import type { FastifyInstance } from "fastify";
import type { Actor } from "../../platform/access.js";
import { problems } from "../../platform/errors.js";
import { actorOf } from "../../platform/identity/index.js";
import { AccessRefused, rolesFor } from "../../platform/policy.js";
import {
  pageBundle as bundle,
  type FhirDeps,
  hidden,
  orNone,
  type Req,
  requireUuid,
  send,
} from "./context.js";
import { all, dateBounds, dateRange, includes, one, paging, tokenCode, uuidReference } from "./params.js";
import {
  roundsStatuses,
  SYSTEM,
  toFhirAppointment,
  toFhirLocation,
  toFhirPatient,
  toPractitioner,
} from "./resources.js";

const appointmentReaders = rolesFor("appointment", "read");
const patientReaders = rolesFor("patient", "read");

export function careRoutes(fhir: FastifyInstance, deps: FhirDeps): void {
  const { patients, scheduling } = deps;
  const typeName = async (id: string) => (await orNone(scheduling.catalog.get(id)))?.name;

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
          throw problems.badRequest("status", "is not an appointment status (proposed, pending, booked…)");
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

  fhir.get("/Patient", { config: { allow: patientReaders }, schema: hidden }, async (req: Req, reply) => {
    const q = req.query;
    const page = paging(q, 100);
    const identifier = one(q, "identifier");
    const name = one(q, "name");
    const birthdate = one(q, "birthdate");
    const mrn = identifier ? tokenCode(identifier, SYSTEM.mrn, "identifier").toUpperCase() : undefined;
    if (mrn !== undefined && !/^[A-Z0-9-]{4,20}$/.test(mrn))
      throw problems.badRequest("identifier", "is not a medical record number of this server");
    if (name !== undefined && name.trim().length > 100)
      throw problems.badRequest("name", "must be at most 100 characters");
    let birthDate: string | undefined;
    if (birthdate !== undefined) {
      const day = /^(?:eq)?(\d{4}-\d{2}-\d{2})$/.exec(birthdate)?.[1];
      if (!day) throw problems.badRequest("birthdate", "give the whole date: YYYY-MM-DD");
      dateRange(day, "birthdate");
      birthDate = day;
    }
    const found = await patients.search(actorOf(req), {
      limit: page.count,
      offset: page.offset,
      ...(mrn ? { mrn } : {}),
      ...(name?.trim() ? { q: name.trim() } : {}),
      ...(birthDate ? { birthDate } : {}),
    });
    return send(
      reply,
      bundle(req, page, found.items.map(toFhirPatient), {
        total: found.total,
        more: page.offset + page.count < found.total,
      }),
    );
  });

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
 * (audited); one the caller does not reach is left out, and its refusal audited.
 */
async function appointmentIncludes(
  { patients, physicians, locations, auditRefusal }: FhirDeps,
  actor: Actor,
  include: Set<string>,
  items: Array<{ patientId: string; physicianId: string; locationId: string }>,
): Promise<Resource[]> {
  const out: Resource[] = [];
  const distinct = (pick: (a: (typeof items)[number]) => string) => [...new Set(items.map(pick))];
  if (include.has("Appointment:patient"))
    for (const id of distinct((a) => a.patientId)) {
      try {
        out.push(toFhirPatient(await patients.get(actor, id)));
      } catch (err) {
        // left out of the Bundle, but a refusal all the same: the trail records it
        if (!(err instanceof AccessRefused)) throw err;
        await auditRefusal(actor, { ...err.attempt, field: "_include" }, "/fhir/R4/Appointment");
      }
    }
  if (include.has("Appointment:practitioner"))
    for (const id of distinct((a) => a.physicianId)) out.push(toPractitioner(await physicians.get(id)));
  if (include.has("Appointment:location"))
    for (const id of distinct((a) => a.locationId)) out.push(toFhirLocation(await locations.get(id)));
  return out;
}
