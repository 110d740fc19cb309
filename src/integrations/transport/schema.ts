/** Requests and answers of the transport adapter's routes. */
import { z } from "zod";
import { isoDate, uuid } from "../../platform/schemas.js";

export const rideStatus = z
  .enum(["not_sent", "requested", "scheduled", "completed", "cancelled", "withheld"])
  .describe(
    "not_sent: the transport service has not taken it yet (Rounds retries); then as it reports it; withheld: the service is limited to other regions (ROUNDS_TRANSPORT_REGIONS), never sent (lastError says why)",
  );
export type RideStatus = z.infer<typeof rideStatus>;

export const rideRequest = z
  .object({
    origin: z
      .enum(["home", "location"])
      .describe("home: from the patient's address; location: from an earlier visit"),
    fromAppointmentId: uuid
      .optional()
      .describe(
        "with origin location: the patient's earlier appointment the same day at another network location",
      ),
  })
  .refine((r) => (r.origin === "location") === (r.fromAppointmentId !== undefined), {
    error: "give fromAppointmentId with origin location (and only then)",
    path: ["fromAppointmentId"],
  });
export type RideRequest = z.infer<typeof rideRequest>;

export const ride = z.object({
  id: uuid,
  appointmentId: uuid,
  patientId: uuid,
  patientName: z.string(),
  locationId: uuid,
  locationName: z.string(),
  origin: z.enum(["home", "location"]),
  fromLocationId: uuid.nullable(),
  fromLocationName: z.string().nullable(),
  pickupAt: z.string(),
  pickupLocal: z.string().describe("the pickup's wall time at the pickup place, YYYY-MM-DDTHH:MM"),
  appointmentStart: z.string(),
  travelMinutes: z.int(),
  status: rideStatus,
  lastError: z.string().nullable().describe("why the last attempt to reach the transport service failed"),
  nextAttemptAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type Ride = z.infer<typeof ride>;

export const transportNeedInput = z.object({
  needed: z.boolean(),
  note: z.string().trim().max(500).nullable().default(null),
});
export const transportNeed = z.object({
  needed: z.boolean(),
  source: z.enum(["patient", "staff"]).nullable().describe("who said so last (null: nobody yet)"),
  note: z.string().nullable(),
});
export type TransportNeed = z.infer<typeof transportNeed>;

export const patientRides = z.object({ need: transportNeed, rides: z.array(ride) });
export const locationRidesQuery = z.object({
  date: isoDate.describe("the local day at the location (YYYY-MM-DD)"),
});
