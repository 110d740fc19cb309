import type { FastifyReply } from "fastify";
import { z } from "zod";
import type { App } from "../../platform/http.js";
import { etagOf, versionFromIfMatch } from "../../platform/idempotency.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses, idParams, pageOf } from "../../platform/schemas.js";
import type { Changed } from "./appointments.lifecycle.js";
import {
  appointment,
  appointmentQuery,
  availabilityQuery,
  availabilityResult,
  bookInput,
  cancelInput,
  changeHeaders,
  holdInput,
  notesInput,
  rescheduleInput,
  transitionInput,
} from "./appointments.schema.js";
import type { Appointments } from "./appointments.service.js";

const tags = ["scheduling"];
const bookers = rolesFor("patient", "book");
/** A stale If-Match: the answer carries the appointment as it is now, for the user to decide. */
const stale = { 409: z.looseObject({ code: z.string(), current: appointment.optional() }) };
const changeNote =
  " (If-Match: the version you saw, refused with the current state when stale; Idempotency-Key: a replay answers the first answer)";

/** What a versioned, idempotent change sends: its key (per method, route and target) and base version. */
function changeOf(req: {
  method: string;
  routeOptions: { url?: string | undefined };
  params: { id: string };
  headers: z.infer<typeof changeHeaders>;
  body: unknown;
}) {
  const key = req.headers["idempotency-key"];
  return {
    expectedVersion: versionFromIfMatch(req.headers["if-match"]),
    idempotency: key
      ? { key, operation: `${req.method} ${req.routeOptions.url} ${req.params.id}`, body: req.body }
      : undefined,
  };
}
function sendChanged(reply: FastifyReply, { appointment, replayed }: Changed) {
  void reply.header("etag", etagOf(appointment.version));
  if (replayed) void reply.header("idempotent-replayed", "true");
  return appointment;
}

const conflict = {
  409: z.looseObject({
    code: z.string(),
    reason: z.string().optional(),
    alternatives: z.array(z.unknown()).optional(),
  }),
};

export function appointmentRoutes(app: App, svc: Appointments): void {
  app.get(
    "/api/v1/availability",
    {
      config: {
        allow: bookers,
        guards: {
          "query.appointmentTypeId": "reference",
          "query.physicianId": "reference",
          "query.locationIds": "reference",
          "query.patientId": ["patient", "search_for"],
        },
      },
      schema: {
        tags,
        summary: "Bookable options across the network for a need, ranked, each with its reasons",
        querystring: availabilityQuery,
        response: { 200: availabilityResult, ...errorResponses },
      },
    },
    (req) => svc.searchAvailability(actorOf(req), req.query),
  );

  app.post(
    "/api/v1/holds",
    {
      config: {
        allow: bookers,
        guards: { "body.optionId": "signed", "body.patientId": ["patient", "book"] },
      },
      schema: {
        tags,
        summary: "Hold an option for a few minutes while the patient decides",
        body: holdInput,
        response: { 201: appointment, ...errorResponses, ...conflict },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await svc.hold(actorOf(req), req.body.optionId, req.body.patientId)),
  );
  app.delete(
    "/api/v1/holds/:id",
    {
      config: {
        allow: rolesFor("appointment", "release_hold"),
        guards: { "params.id": ["appointment", "release_hold"] },
      },
      schema: {
        tags,
        summary: "Release a hold",
        params: idParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await svc.releaseHold(actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/api/v1/appointments",
    {
      config: {
        allow: bookers,
        guards: { "body.optionId": "signed", "body.holdId": "scope", "body.patientId": ["patient", "book"] },
      },
      schema: {
        tags,
        summary: "Book an option or a hold (send an Idempotency-Key header to make retries safe)",
        body: bookInput,
        headers: z.looseObject({ "idempotency-key": z.string().min(8).max(200).optional() }),
        response: { 200: appointment, 201: appointment, ...errorResponses, ...conflict },
      },
    },
    async (req, reply) => {
      const { appointment, replayed } = await svc.book(
        actorOf(req),
        req.body,
        req.headers["idempotency-key"],
      );
      if (replayed) void reply.header("idempotent-replayed", "true");
      return reply.code(replayed ? 200 : 201).send(appointment);
    },
  );
  app.get(
    "/api/v1/appointments",
    {
      config: {
        allow: rolesFor("appointment", "read"),
        guards: {
          "query.locationId": "scope",
          "query.physicianId": "scope",
          "query.patientId": ["patient", "read"],
        },
      },
      schema: {
        tags,
        summary: "Appointments within your scope",
        querystring: appointmentQuery,
        response: { 200: pageOf(appointment), ...errorResponses },
      },
    },
    (req) => svc.list(actorOf(req), req.query),
  );
  app.get(
    "/api/v1/appointments/:id",
    {
      config: { allow: rolesFor("appointment", "read"), guards: { "params.id": ["appointment", "read"] } },
      schema: {
        tags,
        summary: "One appointment",
        params: idParams,
        response: { 200: appointment, ...errorResponses },
      },
    },
    (req) => svc.get(actorOf(req), req.params.id),
  );
  app.post(
    "/api/v1/appointments/:id/cancel",
    {
      config: {
        allow: rolesFor("appointment", "cancel"),
        guards: { "params.id": ["appointment", "cancel"] },
      },
      schema: {
        tags,
        summary: `Cancel an appointment${changeNote}`,
        params: idParams,
        body: cancelInput,
        headers: changeHeaders,
        response: { 200: appointment, ...errorResponses, ...stale },
      },
    },
    async (req, reply) =>
      sendChanged(reply, await svc.cancelOnce(actorOf(req), req.params.id, req.body.reason, changeOf(req))),
  );
  app.put(
    "/api/v1/appointments/:id/notes",
    {
      config: {
        allow: rolesFor("appointment", "annotate"),
        guards: { "params.id": ["appointment", "annotate"] },
      },
      schema: {
        tags,
        summary: `Write the care team's notes on a visit${changeNote}`,
        params: idParams,
        body: notesInput,
        headers: changeHeaders,
        response: { 200: appointment, ...errorResponses, ...stale },
      },
    },
    async (req, reply) =>
      sendChanged(reply, await svc.setNotes(actorOf(req), req.params.id, req.body.notes, changeOf(req))),
  );
  app.post(
    "/api/v1/appointments/:id/reschedule",
    {
      config: {
        allow: rolesFor("appointment", "reschedule"),
        guards: { "params.id": ["appointment", "reschedule"], "body.optionId": "signed" },
      },
      schema: {
        tags,
        summary:
          "Move an appointment to another option atomically (the old time is kept if the new one fails)",
        params: idParams,
        body: rescheduleInput,
        response: { 201: appointment, ...errorResponses, ...conflict },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await svc.reschedule(actorOf(req), req.params.id, req.body.optionId, req.body.reason)),
  );
  app.post(
    "/api/v1/appointments/:id/status",
    {
      config: {
        allow: rolesFor("appointment", "change_status"),
        guards: { "params.id": ["appointment", "change_status"] },
      },
      schema: {
        tags,
        summary: `Check in, start, complete or mark a no-show${changeNote}`,
        params: idParams,
        body: transitionInput,
        headers: changeHeaders,
        response: { 200: appointment, ...errorResponses, ...stale },
      },
    },
    async (req, reply) =>
      sendChanged(
        reply,
        await svc.transitionOnce(actorOf(req), req.params.id, req.body.status, changeOf(req)),
      ),
  );
}
