/**
 * Satisfaction surveys: after a completed visit the notification worker asks for a link for each
 * message (email, in-app); the first such request creates the visit's survey. The link needs no
 * sign-in and reveals only the survey's state, its expiry and the visit's date; it answers once.
 * Results per location and physician go to administrators, department heads (their departments'
 * physicians) and staff (their locations), through the policy table.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Actor } from "../../../platform/access.js";
import { type AuditContext, auditService } from "../../../platform/audit/index.js";
import type { Executor } from "../../../platform/db.js";
import { ProblemError, problems } from "../../../platform/errors.js";
import { auditContextOf } from "../../../platform/identity/index.js";
import type { ServiceDeps } from "../../../platform/module.js";
import { locationTarget, physicianTarget } from "../../../platform/policy.js";
import { toIso } from "../../../platform/schemas.js";
import { qualityRepository as repo, type SurveyRow, type Visit } from "./repository.js";
import { summarize, summarizeBy } from "./rules.js";
import type { ResultsQuery, SurveyAnswer, SurveyLink, SurveyResults } from "./schema.js";

/** A survey can be answered for this many days after its first message. */
export const SURVEY_DAYS = 14;
/** At most this many answers feed one results request (a year of a busy location). */
const RESULTS_LIMIT = 20_000;
/** The comments shown with the results: the newest. */
const COMMENTS_SHOWN = 100;

export const surveyTokenHash = (token: string): Buffer => createHash("sha256").update(token).digest();

/** The trail records a link's answer as the patient acting through the link (no session). */
const LINK_CONTEXT: AuditContext = {
  userId: null,
  role: "survey_link",
  requestId: null,
  clientAddress: null,
};

export interface SurveyDeps extends ServiceDeps {
  /** A physician's specialties (department heads see the physicians of their departments). */
  specialtiesOf: (db: Executor, physicianId: string) => Promise<string[]>;
  surveyDays?: number;
}

const stateOf = (row: SurveyRow, now: Date): SurveyLink["state"] =>
  row.answered_at ? "answered" : row.expires_at.getTime() <= now.getTime() ? "expired" : "open";

const toLink = (row: SurveyRow, now: Date): SurveyLink => ({
  state: stateOf(row, now),
  expiresAt: toIso(row.expires_at),
  visitDate: toIso(row.visit_start).slice(0, 10),
});

const answeredAlready = () =>
  new ProblemError(409, "survey_answered", "This survey has already been answered; thank you", [
    { field: "params.token", message: "already answered" },
  ]);
const surveyExpired = () =>
  new ProblemError(410, "survey_expired", "This survey has closed; answers are no longer taken", [
    { field: "params.token", message: "the survey has closed" },
  ]);

export function createSurveys(deps: SurveyDeps) {
  const { db, clock, policies, specialtiesOf } = deps;
  const days = deps.surveyDays ?? SURVEY_DAYS;
  return {
    /**
     * A new link for one message about a completed visit; undefined once the survey is answered or
     * closed, or when the visit was not completed. The token leaves here only into the message.
     */
    async issueLink(
      visit: Visit & { status: string },
      channel: string,
    ): Promise<{ token: string; expiresAt: Date } | undefined> {
      if (visit.status !== "completed") return undefined;
      return db.transaction().execute(async (tx) => {
        const now = clock.now();
        const survey = await repo.surveyFor(tx, visit, now, new Date(now.getTime() + days * 86_400_000));
        if (stateOf(survey, now) !== "open") return undefined;
        const token = randomBytes(32).toString("base64url");
        await repo.insertLink(tx, { token_hash: surveyTokenHash(token), survey_id: survey.id, channel });
        return { token, expiresAt: survey.expires_at };
      });
    },

    /** What a link shows: open, answered or closed, until when, and the visit's date. */
    async byToken(token: string): Promise<SurveyLink> {
      const row = await repo.byToken(db, surveyTokenHash(token));
      if (!row) throw problems.notFound("survey", "params.token");
      return toLink(row, clock.now());
    },

    /** Answers the survey once; a second answer (409) or a late one (410) changes nothing. */
    async answer(token: string, body: SurveyAnswer): Promise<SurveyLink> {
      return db.transaction().execute(async (tx) => {
        const now = clock.now();
        const row = await repo.byToken(tx, surveyTokenHash(token), true);
        if (!row) throw problems.notFound("survey", "params.token");
        if (row.answered_at) throw answeredAlready();
        if (row.expires_at.getTime() <= now.getTime()) throw surveyExpired();
        const comment = body.comment ? body.comment : null;
        const answered = await repo.answer(tx, row.id, { rating: body.rating, comment, at: now });
        if (!answered) throw answeredAlready();
        await auditService.record(tx, LINK_CONTEXT, {
          action: "survey.answer",
          resourceType: "satisfaction_survey",
          resourceId: row.id,
          patientId: row.patient_id,
          locationId: row.location_id,
          detail: { appointmentId: row.appointment_id, rating: body.rating, commented: comment !== null },
        });
        return toLink(answered, now);
      });
    },

    /** Average, count, distribution and comments of a location's or a physician's visits. */
    async results(actor: Actor, q: ResultsQuery): Promise<SurveyResults> {
      return db.transaction().execute(async (tx) => {
        if (q.locationId)
          await policies.authorize(
            tx,
            actor,
            "read_surveys",
            locationTarget(q.locationId, "query.locationId"),
          );
        if (q.physicianId) {
          const id = q.physicianId;
          await policies.authorize(
            tx,
            actor,
            "read_surveys",
            physicianTarget(id, () => specialtiesOf(tx, id), "query.physicianId"),
          );
        }
        const rows = await repo.answered(tx, {
          locationId: q.locationId,
          physicianId: q.physicianId,
          from: new Date(q.from),
          to: new Date(q.to),
          limit: RESULTS_LIMIT,
        });
        const rating = (r: (typeof rows)[number]) => r.rating!;
        const result: SurveyResults = {
          from: q.from,
          to: q.to,
          overall: summarize(rows.map(rating)),
          byLocation: summarizeBy(rows, (r) => r.location_id, rating).map(({ key, ...s }) => ({
            locationId: key,
            ...s,
          })),
          byPhysician: summarizeBy(rows, (r) => r.physician_id, rating).map(({ key, ...s }) => ({
            physicianId: key,
            ...s,
          })),
          comments: rows
            .filter((r) => r.comment)
            .slice(0, COMMENTS_SHOWN)
            .map((r) => ({
              rating: r.rating!,
              comment: r.comment!,
              answeredAt: toIso(r.answered_at!),
              locationId: r.location_id,
              physicianId: r.physician_id,
            })),
        };
        await auditService.record(tx, auditContextOf(actor), {
          action: "survey.results",
          resourceType: q.locationId ? "location" : "physician",
          resourceId: q.locationId ?? q.physicianId,
          locationId: q.locationId ?? null,
          detail: { physicianId: q.physicianId ?? null, from: q.from, to: q.to, count: rows.length },
        });
        return result;
      });
    },
  };
}

export type Surveys = ReturnType<typeof createSurveys>;
