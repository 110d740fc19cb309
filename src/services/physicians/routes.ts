import { z } from "zod";
import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses, pageOf } from "../../platform/schemas.js";
import {
  assignmentOverride,
  assignmentsQuery,
  assignmentTemplate,
  overrideInput,
  overrideParams,
  overrideQuery,
  physician,
  physicianInput,
  physicianParams,
  physicianPatch,
  physicianQuery,
  plannedAssignments,
  specialty,
  specialtyInput,
  specialtyQuery,
  templateInput,
  templateParams,
  templateQuery,
  timeOff,
  timeOffInput,
  timeOffParams,
  timeOffQuery,
} from "./schema.js";
import type { Physicians } from "./service.js";

const tags = ["physicians"];
const admin = ["admin"] as const;
/** Templates, rotations and profile: administrators and the physician's department heads. */
const managers = rolesFor("physician", "manage_schedule");
/** Time off: also the physician for their own. */
const ownTimeOff = rolesFor("physician", "manage_time_off");
const noContent = { 204: z.null(), ...errorResponses };

export function physicianRoutes(app: App, svc: Physicians): void {
  app.get(
    "/api/v1/specialties",
    {
      config: { allow: "public" },
      schema: {
        tags,
        summary: "List specialties",
        querystring: specialtyQuery,
        response: { 200: pageOf(specialty), ...errorResponses },
      },
    },
    (req) => svc.specialties(req.query),
  );
  app.post(
    "/api/v1/specialties",
    {
      config: { allow: admin },
      schema: {
        tags,
        summary: "Add a specialty",
        body: specialtyInput,
        response: { 201: specialty, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.createSpecialty(req.body)),
  );

  app.get(
    "/api/v1/physicians",
    {
      config: { allow: "public", guards: { "query.locationId": "reference" } },
      schema: {
        tags,
        summary: "List physicians",
        querystring: physicianQuery,
        response: { 200: pageOf(physician), ...errorResponses },
      },
    },
    (req) => svc.list(req.query),
  );
  app.post(
    "/api/v1/physicians",
    {
      config: { allow: admin, guards: { "body.homeDepartmentId": "reference" } },
      schema: {
        tags,
        summary: "Add a physician",
        body: physicianInput,
        response: { 201: physician, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.create(req.body)),
  );
  app.get(
    "/api/v1/physicians/:id",
    {
      config: { allow: "public", guards: { "params.id": "reference" } },
      schema: {
        tags,
        summary: "Get a physician",
        params: physicianParams,
        response: { 200: physician, ...errorResponses },
      },
    },
    (req) => svc.get(req.params.id),
  );
  app.patch(
    "/api/v1/physicians/:id",
    {
      config: {
        allow: managers,
        guards: { "params.id": ["physician", "manage_profile"], "body.homeDepartmentId": "reference" },
      },
      schema: {
        tags,
        summary: "Update a physician",
        params: physicianParams,
        body: physicianPatch,
        response: { 200: physician, ...errorResponses },
      },
    },
    (req) => svc.update(actorOf(req), req.params.id, req.body),
  );

  app.get(
    "/api/v1/physicians/:id/templates",
    {
      config: {
        allow: "authenticated",
        guards: { "params.id": "reference", "query.locationId": "reference" },
      },
      schema: {
        tags,
        summary: "Weekly template blocks of a physician",
        params: physicianParams,
        querystring: templateQuery,
        response: { 200: pageOf(assignmentTemplate), ...errorResponses },
      },
    },
    (req) => svc.templates(req.params.id, req.query),
  );
  app.post(
    "/api/v1/physicians/:id/templates",
    {
      config: {
        allow: managers,
        guards: {
          "params.id": ["physician", "manage_schedule"],
          "body.locationId": "reference",
          "body.appointmentTypeIds": "reference",
        },
      },
      schema: {
        tags,
        summary: "Add a weekly template block at a location",
        params: physicianParams,
        body: templateInput,
        response: { 201: assignmentTemplate, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await svc.createTemplate(actorOf(req), req.params.id, req.body)),
  );
  app.delete(
    "/api/v1/physicians/:id/templates/:templateId",
    {
      config: {
        allow: managers,
        guards: { "params.id": ["physician", "manage_schedule"], "params.templateId": "reference" },
      },
      schema: {
        tags,
        summary: "Remove a weekly template block",
        params: templateParams,
        response: noContent,
      },
    },
    async (req, reply) => {
      await svc.deleteTemplate(actorOf(req), req.params.id, req.params.templateId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/api/v1/physicians/:id/overrides",
    {
      config: {
        allow: "authenticated",
        guards: { "params.id": "reference", "query.locationId": "reference" },
      },
      schema: {
        tags,
        summary: "Temporary assignments and rotations of a physician",
        params: physicianParams,
        querystring: overrideQuery,
        response: { 200: pageOf(assignmentOverride), ...errorResponses },
      },
    },
    (req) => svc.overrides(req.params.id, req.query),
  );
  app.post(
    "/api/v1/physicians/:id/overrides",
    {
      config: {
        allow: managers,
        guards: {
          "params.id": ["physician", "manage_schedule"],
          "body.locationId": "reference",
          "body.appointmentTypeIds": "reference",
        },
      },
      schema: {
        tags,
        summary: "Add a temporary assignment or rotation (replaces templates on its days)",
        params: physicianParams,
        body: overrideInput,
        response: { 201: assignmentOverride, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await svc.createOverride(actorOf(req), req.params.id, req.body)),
  );
  app.delete(
    "/api/v1/physicians/:id/overrides/:overrideId",
    {
      config: {
        allow: managers,
        guards: { "params.id": ["physician", "manage_schedule"], "params.overrideId": "reference" },
      },
      schema: {
        tags,
        summary: "Remove a temporary assignment or rotation",
        params: overrideParams,
        response: noContent,
      },
    },
    async (req, reply) => {
      await svc.deleteOverride(actorOf(req), req.params.id, req.params.overrideId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/api/v1/physicians/:id/time-off",
    {
      config: { allow: ownTimeOff, guards: { "params.id": ["physician", "manage_time_off"] } },
      schema: {
        tags,
        summary: "Time off of a physician",
        params: physicianParams,
        querystring: timeOffQuery,
        response: { 200: pageOf(timeOff), ...errorResponses },
      },
    },
    (req) => svc.timeOff(actorOf(req), req.params.id, req.query),
  );
  app.post(
    "/api/v1/physicians/:id/time-off",
    {
      config: { allow: ownTimeOff, guards: { "params.id": ["physician", "manage_time_off"] } },
      schema: {
        tags,
        summary: "Record time off",
        params: physicianParams,
        body: timeOffInput,
        response: { 201: timeOff, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await svc.createTimeOff(actorOf(req), req.params.id, req.body)),
  );
  app.delete(
    "/api/v1/physicians/:id/time-off/:timeOffId",
    {
      config: {
        allow: ownTimeOff,
        guards: { "params.id": ["physician", "manage_time_off"], "params.timeOffId": "reference" },
      },
      schema: { tags, summary: "Remove time off", params: timeOffParams, response: noContent },
    },
    async (req, reply) => {
      await svc.deleteTimeOff(actorOf(req), req.params.id, req.params.timeOffId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/api/v1/physicians/:id/assignments",
    {
      config: {
        allow: "authenticated",
        guards: { "params.id": "reference", "query.locationId": "reference" },
      },
      schema: {
        tags,
        summary: "Planned working blocks in a date range, with approved time off cut out",
        params: physicianParams,
        querystring: assignmentsQuery,
        response: { 200: plannedAssignments, ...errorResponses },
      },
    },
    (req) => svc.assignments(actorOf(req), req.params.id, req.query),
  );
}
