import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses, idParams } from "../../platform/schemas.js";
import type { ExtraSeats } from "./extra-seat.service.js";
import {
  extraSeatBooking,
  extraSeatInput,
  openSeats,
  openSeatsQuery,
  overbookingRule,
  overbookingRuleInput,
} from "./overbooking.schema.js";
import type { Overbooking } from "./overbooking.service.js";

export function overbookingRoutes(app: App, svc: Overbooking, seats: ExtraSeats): void {
  const config = {
    allow: rolesFor("location", "manage_overbooking"),
    guards: { "params.id": ["location", "manage_overbooking"] },
  } as const;
  app.get(
    "/api/v1/locations/:id/overbooking-rule",
    {
      config,
      schema: {
        tags: ["scheduling"],
        summary: "The location's overbooking rule (off unless turned on) and what it does",
        params: idParams,
        response: { 200: overbookingRule, ...errorResponses },
      },
    },
    (req) => svc.get(actorOf(req), req.params.id),
  );
  app.put(
    "/api/v1/locations/:id/overbooking-rule",
    {
      config,
      schema: {
        tags: ["scheduling"],
        summary: "Turns the location's overbooking rule on or off, or sets its threshold (audited)",
        params: idParams,
        body: overbookingRuleInput,
        response: { 200: overbookingRule, ...errorResponses },
      },
    },
    (req) => svc.put(actorOf(req), req.params.id, req.body),
  );
  app.get(
    "/api/v1/locations/:id/extra-seats",
    {
      config,
      schema: {
        tags: ["scheduling"],
        summary:
          "The extra seats the location's overbooking rule opens now in a window (a desk's day view), each by the appointment it doubles",
        params: idParams,
        querystring: openSeatsQuery,
        response: { 200: openSeats, ...errorResponses },
      },
    },
    (req) => seats.open(actorOf(req), req.params.id, req.query),
  );
  app.post(
    "/api/v1/appointments/:id/extra-seat",
    {
      config: {
        allow: rolesFor("location", "manage_overbooking"),
        guards: {
          "params.id": ["location", "manage_overbooking", { via: "appointment" }],
          "body.patientId": ["patient", "book_extra_seat"],
        },
      },
      schema: {
        tags: ["scheduling"],
        summary:
          "Books a second patient into this appointment's slot: the extra seat the location's overbooking rule offers (409 when it does not)",
        params: idParams,
        body: extraSeatInput,
        response: { 201: extraSeatBooking, ...errorResponses },
      },
    },
    async (req, reply) => {
      const booked = await seats.book(actorOf(req), req.params.id, req.body.patientId);
      return reply.code(201).send(booked);
    },
  );
}
