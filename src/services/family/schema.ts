import { z } from "zod";
import { instant, uuid } from "../../platform/schemas.js";
import { appointmentSchema, slotOption } from "../scheduling/index.js";

/** A family trip has two to six members (a guardian, their dependents). */
export const MAX_MEMBERS = 6;
/** The longest window a family search covers (each member's search reads it whole). */
export const MAX_WINDOW_DAYS = 14;

/** Each member once: a second mention of a patient names its own field. */
const distinctPatients = <T>(members: ReadonlyArray<{ patientId: string }>, ctx: z.RefinementCtx<T>) => {
  members.forEach((m, i) => {
    if (members.findIndex((o) => o.patientId === m.patientId) < i)
      ctx.addIssue({
        code: "custom",
        path: ["members", i, "patientId"],
        message: "this family member is listed twice",
      });
  });
};

const optionId = z.string().min(10).max(2000);

export const memberNeed = z
  .object({
    patientId: uuid.describe("yourself or one of your dependents"),
    appointmentTypeId: uuid,
    specialty: z.string().max(41).optional(),
    physicianId: uuid.optional().describe("only this physician"),
    stepFree: z.boolean().optional(),
    language: z.string().min(2).max(20).optional(),
  })
  .strict();

export const familySearchInput = z
  .object({
    members: z.array(memberNeed).min(2).max(MAX_MEMBERS),
    from: instant.optional().describe("default: now"),
    to: instant.optional().describe(`default: from + 7 days; at most ${MAX_WINDOW_DAYS} days after from`),
    locationIds: z.array(uuid).max(50).optional().describe("only these locations (default: any)"),
    maxGapMinutes: z
      .number()
      .int()
      .min(0)
      .max(120)
      .default(15)
      .describe("the longest wait between one member's visit ending and the next one's starting"),
    limit: z.number().int().min(1).max(50).default(10),
  })
  .strict()
  .superRefine((b, ctx) => distinctPatients(b.members, ctx));
export type FamilySearchInput = z.infer<typeof familySearchInput>;

export const familyTrip = z.object({
  id: z
    .string()
    .describe(
      "the trip's signature over its members' options: send it back with them to hold or book the trip",
    ),
  locationId: uuid,
  locationName: z.string(),
  start: z.string().describe("the first visit's start"),
  end: z.string().describe("the last visit's end"),
  local: z.object({ date: z.string(), time: z.string(), timeZone: z.string() }),
  minutesAtLocation: z.number().int(),
  distanceKm: z.number().nullable().describe("from the farthest member's home"),
  members: z.array(z.object({ patientId: uuid, option: slotOption })),
});
export type FamilyTrip = z.infer<typeof familyTrip>;

export const familySearchResult = z.object({
  trips: z.array(familyTrip),
  searched: z.object({
    from: z.string(),
    to: z.string(),
    maxGapMinutes: z.number().int(),
    members: z.array(z.object({ patientId: uuid, options: z.number().int() })),
  }),
});
export type FamilySearchResult = z.infer<typeof familySearchResult>;

const tripMember = z.object({ patientId: uuid, optionId }).strict();

export const familyHoldInput = z
  .object({
    tripId: z.string().min(10).max(300),
    members: z.array(tripMember).min(2).max(MAX_MEMBERS),
  })
  .strict()
  .superRefine((b, ctx) => distinctPatients(b.members, ctx));
export type FamilyHoldInput = z.infer<typeof familyHoldInput>;

export const familyBookInput = z
  .object({
    tripId: z.string().min(10).max(300).optional().describe("with the members' option ids"),
    members: z
      .array(
        z
          .object({
            patientId: uuid,
            optionId: optionId.optional().describe("an option of the trip"),
            holdId: uuid.optional().describe("or the member's hold, from holding the trip"),
          })
          .strict(),
      )
      .min(2)
      .max(MAX_MEMBERS),
    reason: z.string().max(1000).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    distinctPatients(b.members, ctx);
    const byHold = b.members[0]?.holdId !== undefined;
    b.members.forEach((m, i) => {
      if ((m.optionId === undefined) === (m.holdId === undefined))
        ctx.addIssue({
          code: "custom",
          path: ["members", i, "optionId"],
          message: "give an optionId or a holdId",
        });
      else if ((m.holdId !== undefined) !== byHold)
        ctx.addIssue({
          code: "custom",
          path: ["members", i, m.holdId !== undefined ? "holdId" : "optionId"],
          message: "every member gives the same kind: all option ids, or all hold ids",
        });
    });
    if (!byHold && b.tripId === undefined)
      ctx.addIssue({ code: "custom", path: ["tripId"], message: "the trip's id is needed with option ids" });
  });
export type FamilyBookInput = z.infer<typeof familyBookInput>;

export const familyAppointments = z.object({ appointments: z.array(appointmentSchema) });
export type FamilyAppointments = z.infer<typeof familyAppointments>;
