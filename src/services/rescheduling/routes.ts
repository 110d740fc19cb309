import type { z } from "zod";
import type { Role } from "../../platform/access.js";
import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { type Guard, rolesFor } from "../../platform/policy.js";
import { errorResponses, pageOf, problemSchema } from "../../platform/schemas.js";
import type { Offers } from "./offers.js";
import {
  acceptInput,
  applyInput,
  handover,
  handoverQuery,
  locationOutcome,
  offerListQuery,
  outcomeQuery,
  outOfServiceInput,
  planInput,
  planListQuery,
  planParams,
  planSummary,
  rescheduleOffer,
  reschedulePlan,
  unavailableTodayInput,
} from "./schema.js";
import type { Rescheduling } from "./service.js";

const tags = ["rescheduling"];
/** Administrators and the physician's department heads, as for the schedule change itself. */
const managers = rolesFor("physician", "manage_schedule");
/**
 * A plan is read and applied by whoever may make it: the managers for a schedule change, also the
 * physician and the staff where they work today for "unavailable today" (the service decides per plan).
 */
const declarers = rolesFor("physician", "declare_unavailable");
const gone = { 410: problemSchema } as const;
/** A room or an item is taken out of service by whoever runs it: its location's staff and administrators. */
const keepers = rolesFor("location", "manage_resources");

export function reschedulingRoutes(app: App, svc: Rescheduling, offers: Offers): void {
  app.post(
    "/api/v1/reschedule-plans",
    {
      config: { allow: managers, guards: { "body.physicianId": ["physician", "manage_schedule"] } },
      schema: {
        tags,
        summary:
          "What if: the appointments a proposed schedule change would make impossible, each with up to 3 alternatives (nothing is changed)",
        body: planInput,
        response: { 201: reschedulePlan, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.propose(actorOf(req), req.body)),
  );

  /** A "what if" asked at a subject's own path (`params.id`): the physician, the room, the item. */
  const whatIfAt = <B extends z.ZodType>(
    path: string,
    allow: Role[],
    guard: Guard,
    summary: string,
    body: B,
    toInput: (id: string, body: z.infer<B>) => Parameters<Rescheduling["propose"]>[1],
  ) =>
    app.post(
      path,
      {
        config: { allow, guards: { "params.id": guard } },
        schema: {
          tags,
          summary,
          params: planParams,
          body,
          response: { 201: reschedulePlan, ...errorResponses },
        },
      },
      async (req, reply) =>
        reply
          .code(201)
          .send(
            await svc.propose(
              actorOf(req),
              toInput((req.params as { id: string }).id, req.body as z.infer<B>),
              "params.id",
            ),
          ),
    );

  whatIfAt(
    "/api/v1/physicians/:id/unavailable-today",
    declarers,
    ["physician", "declare_unavailable"],
    "What if the physician is unavailable from now to the end of today's working time: the appointments affected, each with same-day alternatives (nothing is changed until the plan is applied)",
    unavailableTodayInput,
    (physicianId, body) => ({ change: "unavailable_today", physicianId, reason: body.reason }),
  );
  whatIfAt(
    "/api/v1/rooms/:id/out-of-service",
    keepers,
    ["location", "manage_resources", { via: "room" }],
    "What if the room is out of service from now (or `from`) until `until` (or for good): the appointments booked in it then, each with up to 3 alternatives, the same time in another room first (nothing is changed until the plan is applied)",
    outOfServiceInput,
    (roomId, body) => ({ change: "room_out_of_service", roomId, ...body }),
  );
  whatIfAt(
    "/api/v1/equipment/:id/out-of-service",
    keepers,
    ["location", "manage_resources", { via: "equipment" }],
    "What if the item of equipment is out of service from now (or `from`) until `until` (or for good): the appointments that booked it then, at any location, each with up to 3 alternatives, the same time with another unit of the kind (here or brought from nearby) first (nothing is changed until the plan is applied)",
    outOfServiceInput,
    (equipmentId, body) => ({ change: "equipment_out_of_service", equipmentId, ...body }),
  );
  app.get(
    "/api/v1/reschedule-plans",
    {
      config: { allow: managers, guards: { "query.physicianId": ["physician", "manage_schedule"] } },
      schema: {
        tags,
        summary: "A physician's plans, newest first, with how their appointments ended",
        querystring: planListQuery,
        response: { 200: pageOf(planSummary), ...errorResponses },
      },
    },
    (req) => svc.plans(actorOf(req), req.query),
  );
  app.get(
    "/api/v1/reschedule-plans/:id",
    {
      config: {
        allow: declarers,
        guards: { "params.id": ["physician", "declare_unavailable", { via: "reschedule plan" }] },
      },
      schema: {
        tags,
        summary: "A plan, and once applied its report: every affected appointment with its final state",
        params: planParams,
        response: { 200: reschedulePlan, ...errorResponses },
      },
    },
    (req) => svc.get(actorOf(req), req.params.id),
  );
  app.post(
    "/api/v1/reschedule-plans/:id/apply",
    {
      config: {
        allow: declarers,
        guards: { "params.id": ["physician", "declare_unavailable", { via: "reschedule plan" }] },
      },
      schema: {
        tags,
        summary:
          "Make the change and move (auto_move), offer the best alternative to the patient (offer) or hand to the location's staff (staff) every affected appointment; 409 if applied before, expired or the facts changed",
        params: planParams,
        body: applyInput,
        response: { 200: reschedulePlan, ...errorResponses },
      },
    },
    (req) => svc.apply(actorOf(req), req.params.id, req.body),
  );
  app.get(
    "/api/v1/reschedule-handovers",
    {
      config: {
        allow: rolesFor("location", "handle_handovers"),
        guards: { "query.locationId": ["location", "handle_handovers"] },
      },
      schema: {
        tags,
        summary: "Appointments a schedule change handed to this location's staff to rebook",
        querystring: handoverQuery,
        response: { 200: pageOf(handover), ...errorResponses },
      },
    },
    (req) => svc.handovers(actorOf(req), req.query),
  );
  app.get(
    "/api/v1/reschedule-outcomes",
    {
      config: {
        allow: rolesFor("location", "handle_handovers"),
        guards: { "query.locationId": ["location", "handle_handovers"] },
      },
      schema: {
        tags,
        summary:
          "The report at a location: every appointment a schedule change affected there and where it ended (moved, offered, accepted, handed to staff)",
        querystring: outcomeQuery,
        response: { 200: pageOf(locationOutcome), ...errorResponses },
      },
    },
    (req) => svc.outcomes(actorOf(req), req.query),
  );

  const patientRoles = rolesFor("patient", "book");
  app.get(
    "/api/v1/reschedule-offers",
    {
      config: { allow: rolesFor("patient", "read") },
      schema: {
        tags,
        summary: "Offers of a new time made to the patients you reach, open ones first",
        querystring: offerListQuery,
        response: { 200: pageOf(rescheduleOffer), ...errorResponses },
      },
    },
    (req) => offers.list(actorOf(req), req.query),
  );
  app.get(
    "/api/v1/reschedule-offers/:id",
    {
      config: {
        allow: rolesFor("patient", "read"),
        guards: { "params.id": ["patient", "read", { via: "reschedule offer" }] },
      },
      schema: {
        tags,
        summary: "An offer: the appointment that must move and the time held for the patient",
        params: planParams,
        response: { 200: rescheduleOffer, ...errorResponses },
      },
    },
    (req) => offers.get(actorOf(req), req.params.id),
  );
  app.post(
    "/api/v1/reschedule-offers/:id/accept",
    {
      config: {
        allow: patientRoles,
        guards: { "params.id": ["patient", "book", { via: "reschedule offer" }], "body.optionId": "signed" },
      },
      schema: {
        tags,
        summary:
          "Accept the held time, or another option of the same type: the appointment moves (409 once answered, 410 once expired; nothing changes then)",
        params: planParams,
        body: acceptInput,
        response: { 200: rescheduleOffer, ...errorResponses, ...gone },
      },
    },
    (req) => offers.accept(actorOf(req), req.params.id, req.body),
  );
  app.post(
    "/api/v1/reschedule-offers/:id/decline",
    {
      config: {
        allow: patientRoles,
        guards: { "params.id": ["patient", "book", { via: "reschedule offer" }] },
      },
      schema: {
        tags,
        summary:
          "Decline the offer: the held time goes back and the location's staff rebook the appointment (409 once answered, 410 once expired)",
        params: planParams,
        response: { 200: rescheduleOffer, ...errorResponses, ...gone },
      },
    },
    (req) => offers.decline(actorOf(req), req.params.id),
  );
}
