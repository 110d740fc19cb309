import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses, idParams, pageOf } from "../../platform/schemas.js";
import {
  referral,
  referralAnswer,
  referralBook,
  referralCancel,
  referralInput,
  referralQuery,
} from "./schema.js";
import type { Referrals } from "./service.js";

const tags = ["referrals"];

export function referralRoutes(app: App, svc: Referrals): void {
  app.post(
    "/api/v1/referrals",
    {
      config: {
        allow: rolesFor("patient", "refer"),
        guards: {
          "body.patientId": ["patient", "refer"],
          "body.toLocationId": "reference",
          "body.toPhysicianId": "reference",
          "body.fromLocationId": "reference",
        },
      },
      schema: {
        tags,
        summary: "Refer a patient in your scope to a specialty at another location of the network",
        body: referralInput,
        response: { 201: referral, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.create(actorOf(req), req.body)),
  );
  app.get(
    "/api/v1/referrals",
    {
      config: {
        allow: rolesFor("referral", "read"),
        guards: { "query.patientId": "scope", "query.toLocationId": "scope" },
      },
      schema: {
        tags,
        summary:
          "Referrals you may see: sent to your locations (the queue, most urgent first), made by you, or your own as a patient",
        querystring: referralQuery,
        response: { 200: pageOf(referral), ...errorResponses },
      },
    },
    (req) => svc.list(actorOf(req), req.query),
  );
  app.get(
    "/api/v1/referrals/:id",
    {
      config: { allow: rolesFor("referral", "read"), guards: { "params.id": ["referral", "read"] } },
      schema: {
        tags,
        summary: "Get a referral",
        params: idParams,
        response: { 200: referral, ...errorResponses },
      },
    },
    (req) => svc.get(actorOf(req), req.params.id),
  );
  app.post(
    "/api/v1/referrals/:id/accept",
    {
      config: { allow: rolesFor("referral", "answer"), guards: { "params.id": ["referral", "answer"] } },
      schema: {
        tags,
        summary: "Accept a referral sent to your location",
        params: idParams,
        body: referralAnswer,
        response: { 200: referral, ...errorResponses },
      },
    },
    (req) => svc.accept(actorOf(req), req.params.id, req.body),
  );
  app.post(
    "/api/v1/referrals/:id/decline",
    {
      config: { allow: rolesFor("referral", "answer"), guards: { "params.id": ["referral", "answer"] } },
      schema: {
        tags,
        summary: "Decline a referral sent to your location, with a note for the referrer",
        params: idParams,
        body: referralAnswer,
        response: { 200: referral, ...errorResponses },
      },
    },
    (req) => svc.decline(actorOf(req), req.params.id, req.body),
  );
  app.post(
    "/api/v1/referrals/:id/cancel",
    {
      config: { allow: rolesFor("referral", "cancel"), guards: { "params.id": ["referral", "cancel"] } },
      schema: {
        tags,
        summary: "Withdraw a referral you made",
        params: idParams,
        body: referralCancel,
        response: { 200: referral, ...errorResponses },
      },
    },
    (req) => svc.cancel(actorOf(req), req.params.id, req.body.reason),
  );
  app.post(
    "/api/v1/referrals/:id/book",
    {
      config: {
        allow: rolesFor("referral", "book"),
        guards: { "params.id": ["referral", "book"], "body.optionId": "signed" },
      },
      schema: {
        tags,
        summary:
          "Book an option for the referral's patient (at the receiving location, of the referred specialty) and link it",
        params: idParams,
        body: referralBook,
        response: { 200: referral, ...errorResponses },
      },
    },
    (req) => svc.book(actorOf(req), req.params.id, req.body),
  );
}
