import type { App } from "../../platform/http.js";
import { errorResponses, idParams, pageOf } from "../../platform/schemas.js";
import {
  appointmentType,
  appointmentTypeInput,
  appointmentTypePatch,
  appointmentTypeQuery,
} from "./catalog.schema.js";
import type { Catalog } from "./catalog.service.js";

const tags = ["appointment-types"];

export function catalogRoutes(app: App, svc: Catalog): void {
  app.get(
    "/api/v1/appointment-types",
    {
      config: { allow: "public" },
      schema: {
        tags,
        summary: "List appointment types",
        querystring: appointmentTypeQuery,
        response: { 200: pageOf(appointmentType), ...errorResponses },
      },
    },
    (req) => svc.list(req.query),
  );
  app.post(
    "/api/v1/appointment-types",
    {
      config: { allow: ["admin"] },
      schema: {
        tags,
        summary: "Add an appointment type",
        body: appointmentTypeInput,
        response: { 201: appointmentType, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.create(req.body)),
  );
  app.get(
    "/api/v1/appointment-types/:id",
    {
      config: { allow: "public", guards: { "params.id": "reference" } },
      schema: {
        tags,
        summary: "Get an appointment type",
        params: idParams,
        response: { 200: appointmentType, ...errorResponses },
      },
    },
    (req) => svc.get(req.params.id),
  );
  app.patch(
    "/api/v1/appointment-types/:id",
    {
      config: { allow: ["admin"], guards: { "params.id": "reference" } },
      schema: {
        tags,
        summary: "Update an appointment type",
        params: idParams,
        body: appointmentTypePatch,
        response: { 200: appointmentType, ...errorResponses },
      },
    },
    (req) => svc.update(req.params.id, req.body),
  );
}
