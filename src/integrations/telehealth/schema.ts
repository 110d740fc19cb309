import { z } from "zod";

export const visitTokenParams = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{22,200}$/, "not a video visit link"),
});

/** When the room opens before the visit starts, and how long after its end the page still says so. */
export const ROOM_OPENS_MINUTES = 15;
export const ROOM_CLOSES_MINUTES = 30;

export const visitStates = ["waiting", "open", "ended", "cancelled"] as const;

/** What a visit's page shows: which visit it is and when the room opens; no patient details. */
export const visitPage = z.object({
  state: z.enum(visitStates).describe("waiting: the room opens at opensAt; cancelled: the link was revoked"),
  appointmentType: z.string(),
  physicianName: z.string(),
  start: z.string(),
  end: z.string(),
  opensAt: z.string(),
  timeZone: z.string().describe("the zone the visit was booked in, for showing its time"),
});
export type VisitPage = z.infer<typeof visitPage>;
