import { z } from "zod";
import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses, idParams, pageOf, problemSchema } from "../../platform/schemas.js";
import { appointmentSchema as appointment } from "../scheduling/index.js";
import {
  entry,
  entryInput,
  entryPatch,
  entryQuery,
  offer,
  offerLink,
  offerQuery,
  stats,
  statsQuery,
  tokenParams,
} from "./schema.js";
import type { WaitlistService } from "./service.js";

const tags = ["waitlist"];
const gone = { 410: problemSchema } as const;
const accepted = z.object({ offer, appointment });
/** Everyone who may keep a waitlist entry: a patient for themselves, staff for a patient in scope. */
const joiners = rolesFor("patient", "book");

export function waitlistRoutes(app: App, svc: WaitlistService): void {
  app.post(
    "/api/v1/waitlist/entries",
    {
      config: {
        allow: joiners,
        guards: {
          "body.patientId": ["patient", "book"],
          "body.appointmentTypeId": "reference",
          "body.physicianId": "reference",
          "body.locationIds": "reference",
        },
      },
      schema: {
        tags,
        summary: "Join the waitlist for a need (urgency: staff only)",
        body: entryInput,
        response: { 201: entry, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.join(actorOf(req), req.body)),
  );
  app.get(
    "/api/v1/waitlist/entries",
    {
      // a location named here is authorized by the service (manage_waitlist): 404 outside the caller's
      config: { allow: joiners, guards: { "query.locationId": "scope" } },
      schema: {
        tags,
        summary: "Waitlist entries: a location's (staff), or those of the patients you reach",
        querystring: entryQuery,
        response: { 200: pageOf(entry), ...errorResponses },
      },
    },
    (req) => svc.list(actorOf(req), req.query),
  );
  app.patch(
    "/api/v1/waitlist/entries/:id",
    {
      config: {
        allow: rolesFor("patient", "triage_waitlist"),
        guards: { "params.id": ["patient", "triage_waitlist", { via: "waitlist entry" }] },
      },
      schema: {
        tags,
        summary: "Set an entry's urgency",
        params: idParams,
        body: entryPatch,
        response: { 200: entry, ...errorResponses },
      },
    },
    (req) => svc.setUrgency(actorOf(req), req.params.id, req.body.urgency),
  );
  app.delete(
    "/api/v1/waitlist/entries/:id",
    {
      config: { allow: joiners, guards: { "params.id": ["patient", "book", { via: "waitlist entry" }] } },
      schema: {
        tags,
        summary: "Leave the waitlist (an open offer is given up)",
        params: idParams,
        response: { 200: entry, ...errorResponses },
      },
    },
    (req) => svc.withdraw(actorOf(req), req.params.id),
  );
  app.get(
    "/api/v1/waitlist/offers",
    {
      // a location named here is authorized by the service (manage_waitlist): 404 outside the caller's
      config: { allow: joiners, guards: { "query.locationId": "scope" } },
      schema: {
        tags,
        summary: "Offers made to the patients you reach, or (staff) at one of your locations",
        querystring: offerQuery,
        response: { 200: pageOf(offer), ...errorResponses },
      },
    },
    (req) => svc.offers(actorOf(req), req.query),
  );
  for (const answer of ["accept", "decline"] as const) {
    app.post(
      `/api/v1/waitlist/offers/:id/${answer}`,
      {
        config: { allow: joiners, guards: { "params.id": ["patient", "book", { via: "waitlist offer" }] } },
        schema: {
          tags,
          summary:
            answer === "accept"
              ? "Accept an offer: the held slot is booked (409 once answered, 410 once expired)"
              : "Decline an offer: the slot goes to the next patient; the entry keeps waiting",
          params: idParams,
          response: { 200: answer === "accept" ? accepted : offer, ...errorResponses, ...gone },
        },
      },
      async (req) => {
        const ref = { actor: actorOf(req), id: req.params.id };
        if (answer === "decline") return (await svc.decline(ref)).offer;
        const { offer, appointment } = await svc.accept(ref);
        return { offer, appointment };
      },
    );
    app.post(
      `/api/v1/waitlist/links/:token/${answer}`,
      {
        config: { allow: "public" },
        schema: {
          tags,
          summary: `${answer === "accept" ? "Accept" : "Decline"} an offer through the link its message carried (409 once answered, 410 once expired); answers what the link shows`,
          params: tokenParams,
          response: { 200: offerLink, ...errorResponses, ...gone },
        },
      },
      async (req) =>
        (answer === "accept" ? await svc.accept(req.params) : await svc.decline(req.params)).link,
    );
  }
  app.get(
    "/api/v1/waitlist/links/:token",
    {
      config: { allow: "public" },
      schema: {
        tags,
        summary:
          "What a message's link shows: the slot (time in the location's zone, place, physician, type) and the offer's state; no patient, entry or appointment ids",
        params: tokenParams,
        response: { 200: offerLink, ...errorResponses },
      },
    },
    (req) => svc.byToken(req.params.token),
  );
  app.get(
    "/api/v1/waitlist/stats",
    {
      config: {
        allow: rolesFor("location", "manage_waitlist"),
        guards: { "query.locationId": ["location", "manage_waitlist"] },
      },
      schema: {
        tags,
        summary: "Offers sent, accepted, declined, expired and the median time to fill a freed slot",
        querystring: statsQuery,
        response: { 200: stats, ...errorResponses },
      },
    },
    (req) => svc.stats(actorOf(req), req.query),
  );
}
