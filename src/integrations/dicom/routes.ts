import { z } from "zod";
import type { App } from "../../platform/http.js";
import { actorOf } from "../../platform/identity/index.js";
import { rolesFor } from "../../platform/policy.js";
import { errorResponses, idParams } from "../../platform/schemas.js";
import {
  imagingState,
  locationAeInput,
  station,
  stationInput,
  stationParams,
  typeModality,
  typeModalityInput,
  typeModalityList,
} from "./schema.js";
import type { DicomService } from "./service.js";

const tags = ["dicom"];
const stationList = z.object({ items: z.array(station) });

export function dicomRoutes(app: App, dicom: DicomService): void {
  app.get(
    "/api/v1/locations/:id/imaging",
    {
      config: {
        allow: rolesFor("location", "read_imaging"),
        guards: { "params.id": ["location", "read_imaging"] },
      },
      schema: {
        tags,
        summary:
          "The location's DICOM worklist: its AE title, the port (or off), its imaging stations, today's entries and the last queries",
        params: idParams,
        response: { 200: imagingState, ...errorResponses },
      },
    },
    (req) => dicom.state(actorOf(req), req.params.id),
  );
  app.put(
    "/api/v1/locations/:id/imaging",
    {
      config: {
        allow: rolesFor("location", "manage_imaging"),
        guards: { "params.id": ["location", "manage_imaging"] },
      },
      schema: {
        tags,
        summary: "Sets the AE title the location's worklist answers to (null: ROUNDS_<code>); audited",
        params: idParams,
        body: locationAeInput,
        response: { 200: imagingState, ...errorResponses },
      },
    },
    (req) => dicom.setLocationAeTitle(actorOf(req), req.params.id, req.body.aeTitle),
  );
  app.put(
    "/api/v1/locations/:id/imaging/stations/:roomId",
    {
      config: {
        allow: rolesFor("location", "manage_imaging"),
        guards: {
          "params.id": ["location", "manage_imaging"],
          "params.roomId": ["location", "manage_imaging", { via: "params.id" }],
        },
      },
      schema: {
        tags,
        summary:
          "Makes a room of the location an imaging station: its scanner's AE title and modality; audited",
        params: stationParams,
        body: stationInput,
        response: { 200: stationList, ...errorResponses },
      },
    },
    async (req) => ({
      items: await dicom.setStation(actorOf(req), req.params.id, req.params.roomId, req.body),
    }),
  );
  app.delete(
    "/api/v1/locations/:id/imaging/stations/:roomId",
    {
      config: {
        allow: rolesFor("location", "manage_imaging"),
        guards: {
          "params.id": ["location", "manage_imaging"],
          "params.roomId": ["location", "manage_imaging", { via: "params.id" }],
        },
      },
      schema: {
        tags,
        summary: "The room is no longer an imaging station; audited",
        params: stationParams,
        response: { 200: stationList, ...errorResponses },
      },
    },
    async (req) => ({ items: await dicom.removeStation(actorOf(req), req.params.id, req.params.roomId) }),
  );
  app.get(
    "/api/v1/imaging/modalities",
    {
      config: { allow: rolesFor("location", "read_imaging") },
      schema: {
        tags,
        summary:
          "The appointment types that need a modality, and which (their appointments are on the worklist)",
        response: { 200: typeModalityList, ...errorResponses },
      },
    },
    () => dicom.typeModalities(),
  );
  app.put(
    "/api/v1/appointment-types/:id/modality",
    {
      config: { allow: ["admin"], guards: { "params.id": "reference" } },
      schema: {
        tags,
        summary: "Sets the modality an appointment type needs (null: none, off the worklist); audited",
        params: idParams,
        body: typeModalityInput,
        response: { 200: typeModality, ...errorResponses },
      },
    },
    (req) => dicom.setTypeModality(actorOf(req), req.params.id, req.body.modality),
  );
}
