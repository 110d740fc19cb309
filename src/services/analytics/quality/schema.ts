import { z } from "zod";
import { instant, uuid, wholeNumber } from "../../../platform/schemas.js";

/** The longest period one results request covers. */
export const RESULTS_WINDOW_DAYS = 366;

export const surveyTokenParams = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "not a survey link"),
});

export const surveyLink = z.object({
  state: z.enum(["open", "answered", "expired"]),
  expiresAt: z.string(),
  /** The visit's date (UTC day), so the patient knows which visit is meant; nothing else. */
  visitDate: z.string(),
});
export type SurveyLink = z.infer<typeof surveyLink>;

export const surveyAnswer = z
  .object({
    rating: wholeNumber(1, 5).describe("1 (poor) to 5 (excellent)"),
    comment: z.string().trim().max(2000, "at most 2000 characters").optional(),
  })
  .strict();
export type SurveyAnswer = z.infer<typeof surveyAnswer>;

export const resultsQuery = z
  .object({
    locationId: uuid.optional().describe("a location's surveys (its staff, administrators)"),
    physicianId: uuid.optional().describe("a physician's surveys (their department's heads, administrators)"),
    from: instant,
    to: instant,
  })
  .strict()
  .refine((q) => q.locationId !== undefined || q.physicianId !== undefined, {
    error: "name a location or a physician",
    path: ["locationId"],
  })
  .refine((q) => Date.parse(q.to) > Date.parse(q.from), { error: "must be after from", path: ["to"] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= RESULTS_WINDOW_DAYS * 86_400_000, {
    error: `at most ${RESULTS_WINDOW_DAYS} days after from`,
    path: ["to"],
  });
export type ResultsQuery = z.infer<typeof resultsQuery>;

const summary = {
  count: z.number().int(),
  average: z.number().nullable().describe("mean rating, two decimals; null without answers"),
  distribution: z.array(z.number().int()).length(5).describe("answers giving 1, 2, 3, 4 and 5"),
};

export const surveyResults = z.object({
  from: z.string(),
  to: z.string(),
  overall: z.object(summary),
  byLocation: z.array(z.object({ locationId: uuid, ...summary })),
  byPhysician: z.array(z.object({ physicianId: uuid, ...summary })),
  comments: z.array(
    z.object({
      rating: z.number().int(),
      comment: z.string(),
      answeredAt: z.string(),
      locationId: uuid,
      physicianId: uuid,
    }),
  ),
});
export type SurveyResults = z.infer<typeof surveyResults>;

export const thresholds = z.object({
  breakGlassReviewHours: wholeNumber(1, 720).describe(
    "a break-the-glass access not reviewed within this many hours raises an alert",
  ),
  refusalsPerAccount: wholeNumber(1, 10_000).describe(
    "this many refused accesses by one account within the window raise an alert",
  ),
  refusalWindowHours: wholeNumber(1, 720),
});
export const thresholdsBody = thresholds.strict();
export type ThresholdsDto = z.infer<typeof thresholds>;

export const complianceAlert = z.object({
  id: uuid,
  kind: z.enum(["break_glass_unreviewed", "refusals", "audit_chain_broken"]),
  subject: z.string(),
  detail: z.record(z.string(), z.unknown()),
  raisedAt: z.string(),
  status: z.enum(["open", "acknowledged", "resolved"]),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: uuid.nullable(),
  acknowledgeNote: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  resolvedBy: uuid.nullable(),
  resolutionNote: z.string().nullable(),
});
export type ComplianceAlert = z.infer<typeof complianceAlert>;

const note = z.string().trim().min(1, "write a note").max(2000, "at most 2000 characters");
export const acknowledgeBody = z
  .object({ note: note.optional().describe("what is being done about it (optional)") })
  .strict()
  .nullish();
export type AcknowledgeBody = z.infer<typeof acknowledgeBody>;
export const resolveBody = z.object({ note: note.describe("how the alert was resolved") }).strict();
export type ResolveBody = z.infer<typeof resolveBody>;

/** Whether the caller receives alert messages, and in which language (officers always do). */
export const subscription = z.object({
  subscribed: z.boolean(),
  language: z.enum(["en", "es"]),
  required: z.boolean().describe("compliance officers always receive alert messages"),
});
export const subscriptionBody = z
  .object({ subscribed: z.boolean(), language: z.enum(["en", "es"], { error: "en or es" }) })
  .strict();
export type SubscriptionBody = z.infer<typeof subscriptionBody>;

const chainBreak = z.object({
  chain: z.number().int().nullable(),
  seq: z.number().int().nullable(),
  reason: z.string(),
  foundAt: z.string(),
});

export const complianceOverview = z.object({
  thresholds,
  breakGlassOverdue: z
    .array(
      z.object({ id: uuid, userId: uuid, patientId: uuid, grantedAt: z.string(), reviewDue: z.string() }),
    )
    .describe("break-the-glass accesses not reviewed in time"),
  refusalsByAccount: z
    .array(z.object({ userId: uuid, count: z.number().int(), last: z.string() }))
    .describe("refused accesses per account in the current window, most first"),
  refusalWindowStart: z.string(),
  auditChain: z.object({
    ok: z.boolean(),
    checked: z.number().int().describe("events verified so far, each once"),
    lastVerifiedAt: z.string().nullable(),
    upToDate: z.boolean().describe("false while a large backlog of new events is still being verified"),
    brokenAt: z
      .object({ chain: z.number().int().nullable(), seq: z.number().int().nullable(), reason: z.string() })
      .nullable()
      .describe("the first break found no location can be named for, else the first of any location"),
  }),
  locations: z
    .array(
      z.object({
        locationId: uuid,
        events: z.number().int().describe("verified events recorded at this location"),
        lastEventAt: z.string().nullable(),
        lastVerifiedAt: z.string().nullable(),
        status: z.enum(["intact", "broken"]),
        firstBreak: chainBreak
          .extend({ scope: z.enum(["location", "trail"]) })
          .nullable()
          .describe(
            "location: in one of its own events; trail: a removed event or checkpoint, location unknown",
          ),
      }),
    )
    .describe("the audit chain status per location, from the events that record the location"),
  scopeChanges: z
    .array(
      z.object({
        userId: uuid.nullable().describe("the account whose scope changed"),
        changedBy: uuid.nullable(),
        at: z.string(),
        locationIds: z.array(z.string()).nullable(),
        previousLocationIds: z.array(z.string()).nullable(),
        departmentIds: z.array(z.string()).nullable(),
        previousDepartmentIds: z.array(z.string()).nullable(),
      }),
    )
    .describe("staff and department heads whose locations or departments changed (last 30 days)"),
  alerts: z.array(complianceAlert).describe("alerts not yet resolved (open or acknowledged), newest first"),
  resolvedAlerts: z.array(complianceAlert).describe("the 50 most recently resolved alerts"),
  subscription,
});
export type ComplianceOverview = z.infer<typeof complianceOverview>;
