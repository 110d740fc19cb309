import { z } from "zod";
import type { App } from "../../../platform/http.js";
import { actorOf } from "../../../platform/identity/index.js";
import { rolesFor } from "../../../platform/policy.js";
import { errorResponses, idParams, pageOf } from "../../../platform/schemas.js";
import {
  appointmentParams,
  appointmentPrice,
  assistance,
  assistanceInput,
  capInput,
  patientParams,
  planParams,
  priceCap,
  pricingRule,
  quote,
  quoteQuery,
  ruleInput,
  rulePatch,
  ruleQuery,
} from "./schema.js";
import type { PricingService } from "./service.js";

const tags = ["pricing"];
const managers = rolesFor("location", "manage_pricing");

export function pricingRoutes(app: App, svc: PricingService): void {
  app.get(
    "/api/v1/pricing-rules",
    {
      config: { allow: managers, guards: { "query.locationId": ["location", "manage_pricing"] } },
      schema: {
        tags,
        summary: "Copay rules (off-peak discounts, high-demand surcharges), optionally of one location",
        querystring: ruleQuery,
        response: { 200: pageOf(pricingRule), ...errorResponses },
      },
    },
    (req) => svc.rules(actorOf(req), req.query),
  );
  app.post(
    "/api/v1/pricing-rules",
    {
      config: {
        allow: managers,
        guards: { "body.locationId": ["location", "manage_pricing"], "body.appointmentTypeId": "reference" },
      },
      schema: {
        tags,
        summary: "Add a copay rule for a location, an appointment type (or all) and a local time band",
        body: ruleInput,
        response: { 201: pricingRule, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.createRule(actorOf(req), req.body)),
  );
  app.patch(
    "/api/v1/pricing-rules/:id",
    {
      config: {
        allow: managers,
        guards: { "params.id": ["location", "manage_pricing", { via: "pricing rule" }] },
      },
      schema: {
        tags,
        summary: "Switch a copay rule on or off",
        params: idParams,
        body: rulePatch,
        response: { 200: pricingRule, ...errorResponses },
      },
    },
    (req) => svc.setRuleActive(actorOf(req), req.params.id, req.body.active),
  );
  app.get(
    "/api/v1/pricing-rules/caps",
    {
      config: { allow: managers },
      schema: {
        tags,
        summary: "The caps per insurance plan that bound every copay adjustment",
        response: { 200: z.object({ items: z.array(priceCap) }), ...errorResponses },
      },
    },
    async () => ({ items: await svc.caps() }),
  );
  app.put(
    "/api/v1/pricing-rules/caps/:plan",
    {
      config: { allow: managers },
      schema: {
        tags,
        summary: "Set the most a plan's copays may rise or fall",
        params: planParams,
        body: capInput,
        response: { 200: priceCap, ...errorResponses },
      },
    },
    (req) => svc.putCap(actorOf(req), req.params.plan, req.body),
  );
  app.put(
    "/api/v1/pricing-rules/financial-assistance/:patientId",
    {
      config: {
        allow: rolesFor("patient", "flag_financial_assistance"),
        guards: { "params.patientId": ["patient", "flag_financial_assistance"] },
      },
      schema: {
        tags,
        summary: "Flag a patient for financial assistance (their copays are never adjusted)",
        params: patientParams,
        body: assistanceInput,
        response: { 200: assistance, ...errorResponses },
      },
    },
    (req) => svc.setAssistance(actorOf(req), req.params.patientId, req.body.flagged),
  );
  app.get(
    "/api/v1/pricing-rules/quote",
    {
      config: {
        allow: rolesFor("patient", "book"),
        guards: { "query.optionId": "signed", "query.patientId": ["patient", "book"] },
      },
      schema: {
        tags,
        summary: "The copay of an option a search offered, for a patient, before booking",
        querystring: quoteQuery,
        response: { 200: quote, ...errorResponses },
      },
    },
    (req) => svc.quote(actorOf(req), req.query),
  );
  app.get(
    "/api/v1/pricing-rules/appointments/:appointmentId",
    {
      config: {
        allow: rolesFor("appointment", "read"),
        guards: { "params.appointmentId": ["appointment", "read"] },
      },
      schema: {
        tags,
        summary: "The copay kept with a booked appointment (computed by the server when it was booked)",
        params: appointmentParams,
        response: { 200: appointmentPrice, ...errorResponses },
      },
    },
    (req) => svc.priceOfAppointment(actorOf(req), req.params.appointmentId),
  );
}
