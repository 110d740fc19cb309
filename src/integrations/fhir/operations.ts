/**
 * The scheduling operations of the IHE ITI Scheduling profile (ITI-115..118) over the booking
 * path: `$find` proposes what the availability search offers, each proposal carrying its signed
 * option id as an identifier; `$hold` and `$book` send that id back to the same hold and booking
 * operations the JSON API calls (the server opens the signature and re-checks the option: no time a
 * client sends is trusted); `$cancel`, PATCH and PUT cancel through the cancellation operation.
 */
import type { Appointment as FhirAppointment } from "@medplum/fhirtypes";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { problems } from "../../platform/errors.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { resultBundle } from "./bundle.js";
import { baseUrl, type FhirDeps, hidden, orNone, send } from "./context.js";
import { isUuid } from "./ids.js";
import {
  dateRange,
  type OperationInput,
  operationInput,
  type Query,
  referenceId,
  tokenCode,
  uuidReference,
} from "./params.js";
import { SYSTEM, toFhirAppointment, toProposedAppointment } from "./resources.js";
import { slotReader } from "./slots.js";

const bookers = rolesFor("patient", "book");
const cancellers = rolesFor("appointment", "cancel");

/** $find's service errors, in its parameters' names. */
const FIND_FIELDS = {
  "query.appointmentTypeId": "visit-type",
  "query.from": "start",
  "query.to": "end",
  "query.physicianId": "practitioner",
  "query.locationIds": "location",
  "query.patientId": "patient",
  "query.specialty": "specialty",
};
/** $hold's and $book's. */
const BOOK_FIELDS = {
  "body.optionId": "appointment-resource",
  "body.patientId": "patient-reference",
  "body.holdId": "appointment-reference",
  "body.reason": "appointment-resource.description",
  "params.id": "appointment-reference",
};

type Req = FastifyRequest<{ Params: { id: string }; Querystring: Query; Body: unknown }>;

/** The patient of a proposed or held appointment: the `patient-reference` parameter, else its Patient participant. */
function patientOf(
  input: OperationInput,
  appointment: Record<string, unknown> | undefined,
): string | undefined {
  const given = input.value("patient-reference") ?? input.value("patient");
  if (given) return uuidReference(given, "Patient", "patient-reference");
  const participants = (appointment?.participant ?? []) as FhirAppointment["participant"];
  const ref = participants?.map((p) => p.actor?.reference).find((r) => r?.startsWith("Patient/"));
  return ref ? uuidReference(ref, "Patient", "appointment-resource.participant") : undefined;
}

/** The signed option id a proposed appointment carries. */
function optionIdOf(appointment: Record<string, unknown>): string | undefined {
  const ids = (appointment.identifier ?? []) as NonNullable<FhirAppointment["identifier"]>;
  return Array.isArray(ids) ? ids.find((i) => i?.system === SYSTEM.option)?.value : undefined;
}

/** The Slot a proposed appointment names (`slot: [{ reference: "Slot/{id}" }]`), when it names one. */
function slotIdOf(appointment: Record<string, unknown>): string | undefined {
  const slots = appointment.slot;
  if (slots === undefined) return undefined;
  if (!Array.isArray(slots) || slots.length !== 1 || typeof slots[0]?.reference !== "string")
    throw problems.badRequest("appointment-resource.slot", "name one Slot: [{ reference: Slot/{id} }]");
  return referenceId(slots[0].reference, "Slot", "appointment-resource.slot");
}

function appointmentResource(input: OperationInput): Record<string, unknown> | undefined {
  const r = input.resource("appointment-resource");
  if (r && r.resourceType !== "Appointment")
    throw problems.badRequest("appointment-resource", "must be an Appointment");
  return r;
}

function cancelReason(text: unknown, field: string): string {
  if (text === undefined) return "Cancelled through the FHIR API";
  if (typeof text !== "string" || text.trim().length < 2 || text.length > 1000)
    throw problems.badRequest(field, "must be a reason of 2 to 1000 characters");
  return text.trim();
}

export function schedulingOperations(fhir: FastifyInstance, deps: FhirDeps): void {
  const { appointments, catalog } = deps.scheduling;
  const slots = slotReader(deps);
  /** The signed option an appointment carries, or a fresh one for the Slot it names (checked as it is now). */
  const optionOf = async (req: Req, appointment: Record<string, unknown> | undefined) => {
    if (!appointment) return undefined;
    const signed = optionIdOf(appointment);
    if (signed) return signed;
    const slotId = slotIdOf(appointment);
    return slotId ? slots.optionFor(actorOf(req), slotId, "appointment-resource.slot") : undefined;
  };
  const typeName = async (id: string) => (await orNone(catalog.get(id)))?.name;
  const selfOf = (req: FastifyRequest) => new URL(req.url, `${req.protocol}://${req.host}`).toString();
  const inBundle = async (req: FastifyRequest, a: Awaited<ReturnType<typeof appointments.get>>) =>
    resultBundle(baseUrl(req), selfOf(req), [toFhirAppointment(a, await typeName(a.appointmentTypeId))]);

  const find = async (req: Req) => {
    const input = operationInput(req.method === "GET" ? undefined : req.body, req.query);
    const start = input.value("start");
    if (!start) throw problems.badRequest("start", "required: the earliest start to look at");
    const from = dateRange(start, "start").start;
    const end = input.value("end");
    const to = end
      ? end.includes("T")
        ? dateRange(end, "end").start
        : dateRange(end, "end").end
      : undefined;
    const visitType = input.value("visit-type");
    if (!visitType)
      throw problems.badRequest("visit-type", "required: the appointment type to find times for");
    const appointmentTypeId = tokenCode(visitType, SYSTEM.appointmentType, "visit-type").toLowerCase();
    if (!isUuid(appointmentTypeId))
      throw problems.badRequest("visit-type", "is not an appointment type of this server");
    const specialty = input.value("specialty");
    const practitioner = input.value("practitioner");
    const locations = [...input.values("location"), ...input.values("location-reference")].map((l) =>
      uuidReference(l, "Location", "location"),
    );
    const patient = input.value("patient");
    const countText = input.value("_count");
    if (countText !== undefined && !/^([1-9]|[1-9]\d|1\d\d|200)$/.test(countText))
      throw problems.badRequest("_count", "must be a whole number from 1 to 200");
    const patientId = patient ? uuidReference(patient, "Patient", "patient") : undefined;
    const found = await appointments.searchAvailability(actorOf(req), {
      appointmentTypeId,
      ...(specialty ? { specialty: tokenCode(specialty, SYSTEM.specialty, "specialty") } : {}),
      ...(practitioner ? { physicianId: uuidReference(practitioner, "Practitioner", "practitioner") } : {}),
      ...(locations.length ? { locationIds: locations } : {}),
      ...(patientId ? { patientId } : {}),
      from: new Date(from).toISOString(),
      ...(to !== undefined ? { to: new Date(to).toISOString() } : {}),
      telehealth: false,
      limit: countText ? Number(countText) : 20,
    });
    const name = await typeName(appointmentTypeId);
    return resultBundle(
      baseUrl(req),
      selfOf(req),
      found.options.map((o) => toProposedAppointment(o, patientId, name)),
    );
  };
  const findConfig = { allow: bookers, fhirFields: FIND_FIELDS };
  fhir.get("/Appointment/$find", { config: findConfig, schema: hidden }, async (req: Req, reply) =>
    send(reply, await find(req)),
  );
  fhir.post("/Appointment/$find", { config: findConfig, schema: hidden }, async (req: Req, reply) =>
    send(reply, await find(req)),
  );

  fhir.post(
    "/Appointment/$hold",
    { config: { allow: bookers, fhirFields: BOOK_FIELDS }, schema: hidden },
    async (req: Req, reply) => {
      const input = operationInput(req.body ?? {}, {});
      const proposed = appointmentResource(input);
      const patientId = patientOf(input, proposed);
      const optionId = await optionOf(req, proposed);
      if (!optionId)
        throw problems.badRequest(
          "appointment-resource",
          "send a proposed Appointment from $find (with its option identifier) or naming a free Slot",
        );
      if (!patientId)
        throw problems.badRequest("patient-reference", "name the patient the appointment is for");
      const held = await appointments.hold(actorOf(req), optionId, patientId);
      return send(reply, await inBundle(req, held));
    },
  );

  fhir.post(
    "/Appointment/$book",
    { config: { allow: bookers, fhirFields: BOOK_FIELDS }, schema: hidden },
    async (req: Req, reply) => {
      const input = operationInput(req.body ?? {}, {});
      const given = appointmentResource(input);
      const reference = input.value("appointment-reference");
      if (!given && !reference)
        throw problems.badRequest(
          "appointment-resource",
          "send the proposed Appointment, or reference the held one",
        );
      const optionId = await optionOf(req, given);
      const holdId = optionId
        ? undefined
        : reference
          ? uuidReference(reference, "Appointment", "appointment-reference")
          : typeof given?.id === "string"
            ? uuidReference(given.id, "Appointment", "appointment-resource")
            : undefined;
      if (!optionId && !holdId)
        throw problems.badRequest(
          "appointment-resource",
          "carries neither an option identifier nor the id of a hold",
        );
      const actor = actorOf(req);
      // a held appointment names its own patient: reading it is within the caller's scope (they hold it)
      const patientId =
        patientOf(input, given) ?? (holdId ? (await appointments.get(actor, holdId)).patientId : undefined);
      if (!patientId)
        throw problems.badRequest("patient-reference", "name the patient the appointment is for");
      const description = given?.description;
      if (description !== undefined && (typeof description !== "string" || description.length > 1000))
        throw problems.badRequest(
          "appointment-resource.description",
          "must be text of at most 1000 characters",
        );
      const key = req.headers["idempotency-key"];
      if (key !== undefined && (typeof key !== "string" || key.length < 8 || key.length > 200))
        throw problems.badRequest("Idempotency-Key", "must be 8 to 200 characters");
      const { appointment, replayed } = await appointments.book(
        actor,
        {
          ...(optionId ? { optionId } : { holdId: holdId! }),
          patientId,
          ...(typeof description === "string" ? { reason: description } : {}),
        },
        key,
      );
      if (replayed) void reply.header("idempotent-replayed", "true");
      return send(reply, await inBundle(req, appointment));
    },
  );

  const cancelConfig = { allow: cancellers, fhirFields: { "params.id": "id" } };
  const cancelled = async (req: Req, reason: string) => {
    const id = req.params.id.toLowerCase();
    if (!isUuid(id)) throw problems.notFound("Appointment");
    const a = await appointments.cancel(actorOf(req), id, reason);
    return toFhirAppointment(a, await typeName(a.appointmentTypeId));
  };

  fhir.post("/Appointment/:id/$cancel", { config: cancelConfig, schema: hidden }, async (req: Req, reply) => {
    const input = operationInput(req.body ?? { resourceType: "Parameters" }, {});
    return send(reply, await cancelled(req, cancelReason(input.value("reason"), "reason")));
  });

  // a status update to cancelled is a cancellation; nothing else about an appointment is changed here
  fhir.patch("/Appointment/:id", { config: cancelConfig, schema: hidden }, async (req: Req, reply) => {
    const ops = req.body;
    if (!Array.isArray(ops) || ops.length === 0) throw problems.badRequest("body", "send a JSON Patch array");
    let status: unknown;
    let reason: unknown;
    for (const op of ops as Array<{ op?: unknown; path?: unknown; value?: unknown }>) {
      if (
        (op?.op !== "replace" && op?.op !== "add") ||
        (op.path !== "/status" && op.path !== "/cancelationReason")
      )
        throw problems.invalid(
          String(op?.path ?? "body"),
          "only a cancellation is supported: replace /status with cancelled",
        );
      if (op.path === "/status") status = op.value;
      else reason = (op.value as { text?: unknown } | undefined)?.text;
    }
    if (status !== "cancelled")
      throw problems.invalid("status", "only a cancellation is supported: status cancelled");
    return send(reply, await cancelled(req, cancelReason(reason, "cancelationReason")));
  });
  fhir.put("/Appointment/:id", { config: cancelConfig, schema: hidden }, async (req: Req, reply) => {
    const body = req.body as FhirAppointment | undefined;
    if (body?.resourceType !== "Appointment")
      throw problems.badRequest("resourceType", "send an Appointment");
    if (body.id !== undefined && body.id.toLowerCase() !== req.params.id.toLowerCase())
      throw problems.badRequest("id", "must be the id in the URL");
    if (body.status !== "cancelled")
      throw problems.invalid("status", "only a cancellation is supported: status cancelled");
    return send(reply, await cancelled(req, cancelReason(body.cancelationReason?.text, "cancelationReason")));
  });
}
