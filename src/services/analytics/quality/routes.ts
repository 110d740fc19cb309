import type { App } from "../../../platform/http.js";
import { actorOf } from "../../../platform/identity/index.js";
import { rolesFor } from "../../../platform/policy.js";
import { errorResponses, idParams } from "../../../platform/schemas.js";
import type { Compliance } from "./compliance.js";
import {
  acknowledgeBody,
  complianceAlert,
  complianceOverview,
  resolveBody,
  resultsQuery,
  subscription,
  subscriptionBody,
  surveyAnswer,
  surveyLink,
  surveyResults,
  surveyTokenParams,
  thresholds,
  thresholdsBody,
} from "./schema.js";
import type { Surveys } from "./surveys.js";

/** Whoever some rule lets read survey results: staff (their locations), department heads, administrators. */
const surveyReaders = [
  ...new Set([...rolesFor("location", "read_surveys"), ...rolesFor("physician", "read_surveys")]),
];
/** Compliance monitoring: compliance officers and administrators only. */
const complianceReaders = ["compliance", "admin"] as const;

export function qualityRoutes(app: App, surveys: Surveys, compliance: Compliance): void {
  app.get(
    "/api/v1/surveys/links/:token",
    {
      config: { allow: "public" },
      schema: {
        tags: ["surveys"],
        summary:
          "What a survey message's link shows: open, answered or closed, until when, and the visit's date (nothing else)",
        params: surveyTokenParams,
        response: { 200: surveyLink, ...errorResponses },
      },
    },
    (req) => surveys.byToken(req.params.token),
  );
  app.post(
    "/api/v1/surveys/links/:token/answer",
    {
      config: { allow: "public" },
      schema: {
        tags: ["surveys"],
        summary:
          "Answer the satisfaction survey through its link: a rating 1-5 and an optional comment, once (409 once answered, 410 once closed)",
        params: surveyTokenParams,
        body: surveyAnswer,
        response: { 200: surveyLink, ...errorResponses },
      },
    },
    (req) => surveys.answer(req.params.token, req.body),
  );
  app.get(
    "/api/v1/surveys/results",
    {
      // the location or physician named is authorized by the service (read_surveys): 404 outside the caller's
      config: { allow: surveyReaders, guards: { "query.locationId": "scope", "query.physicianId": "scope" } },
      schema: {
        tags: ["surveys"],
        summary:
          "Satisfaction survey results of a location's or a physician's visits: average, count, distribution, comments",
        querystring: resultsQuery,
        response: { 200: surveyResults, ...errorResponses },
      },
    },
    (req) => surveys.results(actorOf(req), req.query),
  );

  app.get(
    "/api/v1/analytics/compliance",
    {
      config: { allow: complianceReaders },
      schema: {
        tags: ["analytics"],
        summary:
          "Compliance monitoring: overdue break-the-glass reviews, refusals per account, audit chain status, scope changes and open alerts",
        response: { 200: complianceOverview, ...errorResponses },
      },
    },
    (req) => compliance.overview(actorOf(req)),
  );
  app.put(
    "/api/v1/analytics/compliance/thresholds",
    {
      config: { allow: complianceReaders },
      schema: {
        tags: ["analytics"],
        summary: "Set the thresholds that raise compliance alerts",
        body: thresholdsBody,
        response: { 200: thresholds, ...errorResponses },
      },
    },
    (req) => compliance.setThresholds(actorOf(req), req.body),
  );
  app.post(
    "/api/v1/analytics/compliance/alerts/:id/acknowledge",
    {
      // alerts name no location: every compliance officer handles every one
      config: { allow: complianceReaders, guards: { "params.id": "reference" } },
      schema: {
        tags: ["analytics"],
        summary:
          "Acknowledge an open compliance alert, with an optional note (it stays listed until resolved)",
        params: idParams,
        body: acknowledgeBody,
        response: { 200: complianceAlert, ...errorResponses },
      },
    },
    (req) => compliance.acknowledge(actorOf(req), req.params.id, req.body),
  );
  app.post(
    "/api/v1/analytics/compliance/alerts/:id/resolve",
    {
      config: { allow: complianceReaders, guards: { "params.id": "reference" } },
      schema: {
        tags: ["analytics"],
        summary: "Resolve a compliance alert with a note saying how (404 once resolved)",
        params: idParams,
        body: resolveBody,
        response: { 200: complianceAlert, ...errorResponses },
      },
    },
    (req) => compliance.resolve(actorOf(req), req.params.id, req.body),
  );
  app.put(
    "/api/v1/analytics/compliance/subscription",
    {
      config: { allow: complianceReaders },
      schema: {
        tags: ["analytics"],
        summary:
          "Receive alert messages (administrators opt in; compliance officers always do) and in which language",
        body: subscriptionBody,
        response: { 200: subscription, ...errorResponses },
      },
    },
    (req) => compliance.setSubscription(actorOf(req), req.body),
  );
}
