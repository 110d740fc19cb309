import { z } from "zod";
import { isoDate, pageQuery, uuid, wholeNumber } from "../../../platform/schemas.js";

const weekdays = z
  .array(z.number().int().min(1).max(7))
  .min(1)
  .max(7)
  .refine((w) => new Set(w).size === w.length, { error: "each weekday once" })
  .describe("ISO weekdays: 1 = Monday … 7 = Sunday");

export const contractInput = z
  .object({
    homeLocationId: uuid.describe("where the physician starts their day (travel is counted from here)"),
    locationIds: z.array(uuid).min(1).max(50).describe("where the contract lets them work"),
    hoursPerWeek: wholeNumber(1, 80),
    weekdays,
  })
  .strict();
export type ContractInput = z.infer<typeof contractInput>;
export const contract = contractInput.extend({ physicianId: uuid });
export type ContractDto = z.infer<typeof contract>;
export const physicianParams = z.object({ physicianId: uuid });

export const proposalInput = z
  .object({
    specialty: z.string().min(1).max(64),
    startDate: isoDate.describe("the Monday the plan starts"),
    weeks: wholeNumber(1, 8).default(4),
    weekdays: weekdays.default([1, 2, 3, 4, 5]),
    demand: z
      .array(z.object({ locationId: uuid, hoursPerWeek: z.number().min(0).max(10_000) }).strict())
      .max(500)
      .optional()
      .describe(
        "demanded hours per week per location, instead of the estimate from history and bookings; the waiting list is added to either",
      ),
  })
  .strict()
  .refine((p) => new Date(`${p.startDate}T00:00:00Z`).getUTCDay() === 1, {
    error: "must be a Monday",
    path: ["startDate"],
  });
export type ProposalInput = z.infer<typeof proposalInput>;

const assignment = z.object({ physicianId: uuid, locationId: uuid, weekday: z.number().int() });
const locationFigures = z.object({
  locationId: uuid,
  demandHours: z.number(),
  plannedHours: z.number(),
  coverage: z.number(),
  shortHours: z.number(),
  idleHours: z.number(),
  waitlistHours: z.number().describe("demanded hours per week that are the waiting list's"),
  waitlistShortHours: z.number().describe("of those, hours the plan leaves uncovered"),
  expectedWaitDays: z.number(),
});
const figures = z.object({
  locations: z.array(locationFigures),
  coverage: z.number().describe("share of demanded hours planned"),
  shortHours: z.number(),
  idleHours: z.number(),
  waitlistHours: z.number().describe("demanded hours per week from patients on the waiting list"),
  waitlistShortHours: z.number().describe("of those, hours the plan leaves uncovered"),
  travelMinutes: z.number().describe("round trips from home locations, per week"),
  objective: z.number(),
});
export const capacityPlan = z.object({
  id: uuid,
  specialty: z.string(),
  startDate: z.string(),
  weeks: z.number().int(),
  status: z.enum(["proposed", "applied"]),
  solveMs: z.number().int(),
  createdAt: z.string(),
  appliedAt: z.string().nullable(),
  proposed: z.object({ assignments: z.array(assignment), figures }),
  today: z.object({ assignments: z.array(assignment), figures }),
  /** Rescheduling plans the apply made, one per physician whose week changed. */
  reschedulePlanIds: z.array(uuid),
});
export type CapacityPlanDto = z.infer<typeof capacityPlan>;
export const planQuery = pageQuery.extend({ specialty: z.string().min(1).max(64) }).strict();
export type PlanQuery = z.infer<typeof planQuery>;
export const applyInput = z
  .object({
    policy: z
      .enum(["auto_move", "offer", "staff"])
      .default("offer")
      .describe(
        "what happens to appointments the new assignments displace (the rescheduling service's policies)",
      ),
  })
  .strict();
