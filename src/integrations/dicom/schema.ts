import { z } from "zod";
import { uuid } from "../../platform/schemas.js";

/** A DICOM AE title as Rounds accepts one: 1 to 16 capital letters, digits, _ or -. */
export const aeTitle = z
  .string()
  .regex(/^[A-Z0-9_-]{1,16}$/, "must be 1 to 16 capital letters, digits, _ or - (a DICOM AE title)");

/**
 * DICOM modality codes (PS3.3 C.7.3.1.1.1) an appointment type or station may name: CT, MR, US,
 * DX / CR (X-ray: "XR" is no DICOM code), MG mammography, BMD bone densitometry, NM, PT, XA, RF, OT.
 */
export const modalities = ["CT", "MR", "US", "DX", "CR", "MG", "BMD", "NM", "PT", "XA", "RF", "OT"] as const;
export const modality = z.enum(modalities, { error: `must be one of ${modalities.join(", ")}` });
export type Modality = z.infer<typeof modality>;

export const locationAeInput = z.object({
  aeTitle: aeTitle.nullable().describe("null: back to the default, ROUNDS_<location code>"),
});

export const stationParams = z.object({ id: uuid, roomId: uuid });
export const stationInput = z.object({
  aeTitle: aeTitle.describe("the scanner's own AE title (ScheduledStationAETitle)"),
  modality,
});

export const station = z.object({
  roomId: uuid,
  roomCode: z.string(),
  roomName: z.string(),
  aeTitle: z.string(),
  modality: z.string(),
});
export type Station = z.infer<typeof station>;

export const typeModalityInput = z.object({
  modality: modality.nullable().describe("null: the type needs no modality and leaves the worklist"),
});
export const typeModality = z.object({ appointmentTypeId: uuid, modality: z.string().nullable() });
export const typeModalityList = z.object({ items: z.array(typeModality) });

export const worklistEntry = z.object({
  appointmentId: uuid,
  accessionNumber: z.string(),
  studyInstanceUid: z.string(),
  modality: z.string(),
  stationAeTitle: z.string().nullable(),
  start: z.string(),
  localDate: z.string().describe("YYYY-MM-DD at the location"),
  localTime: z.string().describe("HH:MM at the location"),
  procedure: z.string(),
  patientId: uuid,
  patientName: z.string(),
  mrn: z.string(),
  status: z.enum(["booked", "checked_in"]),
});
export type WorklistEntryDto = z.infer<typeof worklistEntry>;

export const worklistQuery = z.object({
  at: z.string(),
  callingAeTitle: z.string(),
  calledAeTitle: z.string(),
  peer: z.string(),
  keys: z.record(z.string(), z.string()),
  matches: z.number().int(),
  outcome: z.enum(["answered", "failed"]),
});

export const imagingState = z.object({
  locationId: uuid,
  aeTitle: z.string().describe("the AE title this location's worklist answers to"),
  defaultAeTitle: z.string(),
  networkAeTitle: z.string().describe("ROUNDS_DICOM_AET: the whole network's worklist"),
  port: z.number().int().nullable().describe("the worklist's port; null: off (ROUNDS_DICOM_PORT unset)"),
  stations: z.array(station),
  today: z.array(worklistEntry).describe("today's entries at the location, as the worklist answers them"),
  lastQueries: z.array(worklistQuery),
});
export type ImagingState = z.infer<typeof imagingState>;
