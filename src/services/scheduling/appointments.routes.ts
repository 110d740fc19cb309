import { z } from "zod";
import { auditService } from "../../platform/audit/index.js";
import type { App } from "../../platform/http.js";
import { actorOf, auditContextOf } from "../../platform/identity/index.js";
import type { ModuleDeps } from "../../platform/module.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses, idParams, pageOf } from "../../platform/schemas.js";
import {
  appointment,
  appointmentQuery,
  availabilityQuery,
  availabilityResult,
  bookInput,
  cancelInput,
  holdInput,
  rescheduleInput,
  transitionInput,
} from "./appointments.schema.js";
import { appointmentService, requireAppointment, toAppointment } from "./appointments.service.js";
import type { OptionIds } from "./availability/option-id.js";
import { needFromQuery, searchOptions, toOptionDto } from "./availability.service.js";
import { booking, requireBookingFor } from "./booking.service.js";

const tags = ["scheduling"];
const bookers = rolesFor("patient", "book");
const conflict = {
  409: z.looseObject({
    code: z.string(),
    reason: z.string().optional(),
    alternatives: z.array(z.unknown()).optional(),
  }),
};

export function appointmentRoutes(app: App, { db, booking: rules }: ModuleDeps, optionIds: OptionIds): void {
  const deps = { rules, optionIds };
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
    async (req) => {
      const actor = actorOf(req);
      const need = needFromQuery(actor, req.query);
      if (need.patientId) {
        // the patient's history and commitments shape the answer: that is a read of patient data
        await db.transaction().execute(async (tx) => {
          await requireBookingFor(tx, actor, need.patientId!, "search_for", "query.patientId");
          await auditService.record(tx, auditContextOf(actor), {
            action: "availability.search",
            resourceType: "patient",
            resourceId: need.patientId!,
            patientId: need.patientId!,
            detail: req.query.overrideReason ? { continuityOverride: req.query.overrideReason } : {},
          });
        });
      }
      const result = await searchOptions(db, rules, need);
      return {
        options: result.options.map((o) => toOptionDto(o, result, optionIds)),
        searched: {
          physicians: result.physicians.length,
          from: new Date(need.from).toISOString(),
          to: new Date(need.to).toISOString(),
          followUpRestrictedTo: result.followUpRestrictedTo,
        },
      };
    },
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
    async (req, reply) => {
      const row = await booking.hold(db, deps, actorOf(req), req.body.optionId, req.body.patientId);
      return reply.code(201).send(await toAppointment(db, row));
    },
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
      await appointmentService.releaseHold(db, actorOf(req), req.params.id);
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
      const { row, replayed } = await booking.book(
        db,
        deps,
        actorOf(req),
        req.body,
        req.headers["idempotency-key"],
      );
      if (replayed) void reply.header("idempotent-replayed", "true");
      return reply.code(replayed ? 200 : 201).send(await toAppointment(db, row));
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
    (req) => appointmentService.list(db, actorOf(req), req.query),
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
    (req) => appointmentService.get(db, actorOf(req), req.params.id),
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
        summary: "Cancel an appointment",
        params: idParams,
        body: cancelInput,
        response: { 200: appointment, ...errorResponses },
      },
    },
    (req) => appointmentService.cancel(db, actorOf(req), req.params.id, req.body.reason),
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
    async (req, reply) => {
      const actor = actorOf(req);
      const current = await requireAppointment(db, actor, req.params.id, false, "reschedule");
      const row = await booking.reschedule(db, deps, actor, current, req.body.optionId, req.body.reason);
      return reply.code(201).send(await toAppointment(db, row));
    },
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
        summary: "Check in, start, complete or mark a no-show",
        params: idParams,
        body: transitionInput,
        response: { 200: appointment, ...errorResponses },
      },
    },
    (req) => appointmentService.transition(db, actorOf(req), req.params.id, req.body.status),
  );
}
