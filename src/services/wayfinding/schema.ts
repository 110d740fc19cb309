import { z } from "zod";
import { latitude, longitude, uuid, wholeNumber } from "../../platform/schemas.js";
import { nodeKinds } from "./route.js";

/** A position as GeoJSON writes it (RFC 7946): longitude, latitude and an altitude we ignore. */
const position = z.tuple([longitude, latitude]).rest(z.number());

const point = z.object({ type: z.literal("Point"), coordinates: position });
const lineString = z.object({
  type: z.literal("LineString"),
  coordinates: z.array(position).min(2).max(1000),
});

const featureKey = z.union([z.string().trim().min(1).max(120), z.number().int().min(0).max(1e12)]);

/**
 * The properties a map's features may carry. Points are places (`kind`, `floor`, `name`, and
 * `roomCode` for a room); LineStrings are walkable links between two places (`from`, `to` name
 * the places' feature ids; `stepFree`, `oneWay`, `distance` in metres when the drawn line does
 * not say it, as for a lift between floors). Which are required is checked per geometry.
 */
const featureProperties = z.looseObject({
  kind: z.enum(nodeKinds).optional(),
  floor: wholeNumber(-20, 200).optional(),
  name: z.string().trim().min(1).max(120).nullish(),
  roomCode: z.string().trim().min(1).max(40).nullish(),
  from: featureKey.optional(),
  to: featureKey.optional(),
  stepFree: z.boolean().optional(),
  oneWay: z.boolean().optional(),
  distance: z.number().positive().max(10_000).optional(),
});

export const mapFeature = z.object({
  type: z.literal("Feature"),
  id: featureKey.optional(),
  geometry: z.discriminatedUnion("type", [point, lineString]),
  properties: featureProperties,
});

/** A location's map as a GeoJSON FeatureCollection of places (Points) and links (LineStrings). */
export const mapCollection = z.looseObject({
  type: z.literal("FeatureCollection"),
  features: z.array(mapFeature).min(1).max(20_000),
});
export type MapCollection = z.infer<typeof mapCollection>;
export type MapFeature = z.infer<typeof mapFeature>;

export const floorSummary = z.object({
  floor: z.number().int(),
  places: z.number().int(),
  rooms: z.number().int(),
});

export const mapSummary = z.object({
  locationId: uuid,
  places: z.number().int(),
  links: z.number().int(),
  floors: z.array(floorSummary),
  /** Active rooms of the location with no place on the map. */
  roomsMissing: z.array(z.string()),
  /** Rooms on the map that no entrance or car park reaches. */
  roomsUnreachable: z.array(z.string()),
  /** Rooms on the map that no entrance or car park reaches without steps. */
  roomsWithoutStepFreeRoute: z.array(z.string()),
});
export type MapSummary = z.infer<typeof mapSummary>;

export const routeQuery = z.object({
  from: uuid.optional().describe("the entrance or car park to start from (a place of the appointment's map)"),
  stepFree: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional()
    .describe("avoid stairs and escalators; by default, whether the patient's accessibility needs say so"),
});
export type RouteQuery = z.infer<typeof routeQuery>;

const xy = z.tuple([z.number(), z.number()]);

export const startingPoint = z.object({
  id: uuid,
  kind: z.enum(nodeKinds),
  name: z.string().nullable(),
  floor: z.number().int(),
});

export const routeStep = z.object({
  kind: z.enum(["start", "walk", "lift", "stairs", "escalator", "arrive"]),
  text: z.string(),
  floor: z.number().int(),
  metres: z.number(),
});

export const floorPlan = z.object({
  floor: z.number().int(),
  /** Every link on this floor, as [x1, y1, x2, y2] in metres east and north. */
  links: z.array(z.tuple([z.number(), z.number(), z.number(), z.number()])),
  /** The route on this floor, one polyline per visit. */
  route: z.array(z.array(xy)),
  start: xy.nullable(),
  end: xy.nullable(),
});

export const routeReasons = [
  "telehealth",
  "no_map",
  "no_room",
  "room_not_on_map",
  "no_entrance",
  "no_step_free_route",
  "unreachable",
] as const;

export const appointmentRoute = z.object({
  appointmentId: uuid,
  locationId: uuid,
  stepFree: z.boolean(),
  from: startingPoint.nullable(),
  startingPoints: z.array(startingPoint),
  /** Why there is no route (`null` when there is one), with a sentence for people. */
  unavailable: z.object({ reason: z.enum(routeReasons), message: z.string() }).nullable(),
  metres: z.number().nullable(),
  minutes: z.number().nullable(),
  steps: z.array(routeStep),
  floors: z.array(floorPlan),
});
export type AppointmentRoute = z.infer<typeof appointmentRoute>;
