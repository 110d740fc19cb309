import { z } from "zod";
import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses, idParams, pageOf, uuid } from "../../platform/schemas.js";
import {
  department,
  departmentInput,
  equipmentInput,
  equipmentItem,
  equipmentPatch,
  equipmentQuery,
  location,
  locationInput,
  locationPatch,
  locationQuery,
  room,
  roomInput,
  roomPatch,
  roomQuery,
  travelMatrix,
  travelTime,
  travelTimeInput,
} from "./schema.js";
import type { Locations } from "./service.js";

const tags = ["locations"];
const admin = ["admin"] as const;
/** Rooms and equipment: administrators, and staff of that location only (checked in the service). */
const siteStaff = rolesFor("location", "read_resources");

export function locationRoutes(app: App, svc: Locations): void {
  app.get(
    "/api/v1/locations",
    {
      config: { allow: "public" },
      schema: {
        tags,
        summary: "List locations",
        querystring: locationQuery,
        response: { 200: pageOf(location), ...errorResponses },
      },
    },
    (req) => svc.list(req.query),
  );
  app.post(
    "/api/v1/locations",
    {
      config: { allow: admin },
      schema: {
        tags,
        summary: "Create a location",
        body: locationInput,
        response: { 201: location, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.create(req.body)),
  );
  app.get(
    "/api/v1/locations/:id",
    {
      config: { allow: "public", guards: { "params.id": "reference" } },
      schema: {
        tags,
        summary: "Get a location",
        params: idParams,
        response: { 200: location, ...errorResponses },
      },
    },
    (req) => svc.get(req.params.id),
  );
  app.patch(
    "/api/v1/locations/:id",
    {
      config: { allow: admin, guards: { "params.id": "reference" } },
      schema: {
        tags,
        summary: "Update a location",
        params: idParams,
        body: locationPatch,
        response: { 200: location, ...errorResponses },
      },
    },
    (req) => svc.update(req.params.id, req.body),
  );

  app.get(
    "/api/v1/locations/:id/departments",
    {
      config: { allow: "public", guards: { "params.id": "reference" } },
      schema: {
        tags,
        summary: "Departments at a location",
        params: idParams,
        response: { 200: z.object({ items: z.array(department) }), ...errorResponses },
      },
    },
    async (req) => ({ items: await svc.departments(req.params.id) }),
  );
  app.post(
    "/api/v1/locations/:id/departments",
    {
      config: { allow: admin, guards: { "params.id": "reference" } },
      schema: {
        tags,
        summary: "Add a department",
        params: idParams,
        body: departmentInput,
        response: { 201: department, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.createDepartment(req.params.id, req.body)),
  );

  app.get(
    "/api/v1/locations/:id/rooms",
    {
      config: { allow: siteStaff, guards: { "params.id": ["location", "read_resources"] } },
      schema: {
        tags,
        summary: "Rooms at a location",
        params: idParams,
        querystring: roomQuery,
        response: { 200: pageOf(room), ...errorResponses },
      },
    },
    (req) => svc.rooms(actorOf(req), req.params.id, req.query),
  );
  app.post(
    "/api/v1/locations/:id/rooms",
    {
      config: { allow: admin, guards: { "params.id": "reference", "body.departmentId": "reference" } },
      schema: {
        tags,
        summary: "Add a room",
        params: idParams,
        body: roomInput,
        response: { 201: room, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.createRoom(req.params.id, req.body)),
  );
  app.get(
    "/api/v1/rooms/:id",
    {
      config: { allow: siteStaff, guards: { "params.id": ["location", "read_resources", { via: "room" }] } },
      schema: { tags, summary: "Get a room", params: idParams, response: { 200: room, ...errorResponses } },
    },
    (req) => svc.getRoom(actorOf(req), req.params.id),
  );
  app.patch(
    "/api/v1/rooms/:id",
    {
      config: {
        allow: siteStaff,
        guards: {
          "params.id": ["location", "manage_resources", { via: "room" }],
          "body.departmentId": "reference",
        },
      },
      schema: {
        tags,
        summary: "Update a room",
        params: idParams,
        body: roomPatch,
        response: { 200: room, ...errorResponses },
      },
    },
    (req) => svc.updateRoom(actorOf(req), req.params.id, req.body),
  );

  app.get(
    "/api/v1/locations/:id/equipment",
    {
      config: { allow: siteStaff, guards: { "params.id": ["location", "read_resources"] } },
      schema: {
        tags,
        summary: "Equipment at a location",
        params: idParams,
        querystring: equipmentQuery,
        response: { 200: pageOf(equipmentItem), ...errorResponses },
      },
    },
    (req) => svc.equipment(actorOf(req), req.params.id, req.query),
  );
  app.post(
    "/api/v1/locations/:id/equipment",
    {
      config: { allow: admin, guards: { "params.id": "reference", "body.roomId": "reference" } },
      schema: {
        tags,
        summary: "Add equipment",
        params: idParams,
        body: equipmentInput,
        response: { 201: equipmentItem, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.createEquipment(req.params.id, req.body)),
  );

  app.get(
    "/api/v1/equipment/:id",
    {
      config: {
        allow: siteStaff,
        guards: { "params.id": ["location", "read_resources", { via: "equipment" }] },
      },
      schema: {
        tags,
        summary: "Get an item of equipment, with its period out of service if any",
        params: idParams,
        response: { 200: equipmentItem, ...errorResponses },
      },
    },
    (req) => svc.getEquipment(actorOf(req), req.params.id),
  );
  app.patch(
    "/api/v1/equipment/:id",
    {
      config: {
        allow: siteStaff,
        guards: {
          "params.id": ["location", "manage_resources", { via: "equipment" }],
          "body.locationId": ["location", "manage_resources"],
          "body.roomId": "reference",
        },
      },
      schema: {
        tags,
        summary:
          "Update an item of equipment: name and asset tag; where it stands (home location, room, mobile, travels) only while it has no bookings to serve (409 otherwise)",
        params: idParams,
        body: equipmentPatch,
        response: { 200: equipmentItem, ...errorResponses },
      },
    },
    (req) => svc.updateEquipment(actorOf(req), req.params.id, req.body),
  );
  for (const kind of ["room", "equipment"] as const) {
    app.post(
      kind === "room" ? "/api/v1/rooms/:id/back-in-service" : "/api/v1/equipment/:id/back-in-service",
      {
        config: {
          allow: siteStaff,
          guards: { "params.id": ["location", "manage_resources", { via: kind }] },
        },
        schema: {
          tags,
          summary: `Put the ${kind} back in service now, ending its period out of service (409 when it is in service)`,
          params: idParams,
          response: { 200: kind === "room" ? room : equipmentItem, ...errorResponses },
        },
      },
      (req) => svc.backInService(actorOf(req), { kind, id: req.params.id }),
    );
  }

  app.get(
    "/api/v1/travel-times",
    {
      config: { allow: "authenticated" },
      schema: {
        tags,
        summary: "Travel-time matrix (configured or estimated)",
        response: { 200: travelMatrix },
      },
    },
    () => svc.travelMatrix(),
  );
  app.put(
    "/api/v1/travel-times",
    {
      config: {
        allow: admin,
        guards: { "body.fromLocationId": "reference", "body.toLocationId": "reference" },
      },
      schema: {
        tags,
        summary: "Configure travel minutes between two locations",
        body: travelTimeInput,
        response: { 200: z.object({ items: z.array(travelTime) }), ...errorResponses },
      },
    },
    async (req) => ({
      items: await svc.setTravelTime(req.body),
    }),
  );
  app.delete(
    "/api/v1/travel-times",
    {
      config: { allow: admin },
      schema: {
        tags,
        summary: "Remove a configured travel time (the estimate applies again)",
        querystring: z.object({ from: uuid, to: uuid }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await svc.clearTravelTime(req.query.from, req.query.to);
      return reply.code(204).send(null);
    },
  );
}
