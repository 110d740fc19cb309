import type { App } from "../../../platform/http.js";
import { actorOf } from "../../../platform/identity/index.js";
import { rolesFor } from "../../../platform/policy.js";
import { errorResponses } from "../../../platform/schemas.js";
import { toCsv } from "./csv.js";
import {
  efficiencyReport,
  efficiencyRow,
  feeBody,
  feeParams,
  feeQuery,
  feeSchedule,
  fee as feeSchema,
  flowLink,
  flowReport,
  type ReportKind,
  reportQuery,
  revenueReport,
  revenueRow,
  utilisationReport,
  utilisationRow,
} from "./schema.js";
import type { ReportsService } from "./service.js";

const tags = ["analytics"];
/** Whoever some rule lets read reports: administrators, department heads, staff, physicians. */
const reportReaders = [
  ...new Set([...rolesFor("location", "read_reports"), ...rolesFor("physician", "read_reports")]),
];

const reports = {
  utilisation: {
    answer: utilisationReport,
    columns: Object.keys(utilisationRow.shape),
    summary: "Physician utilisation per location: booked, completed, missed and cancelled minutes",
  },
  revenue: {
    answer: revenueReport,
    columns: Object.keys(revenueRow.shape),
    summary:
      "Revenue per location from its fee schedule: booked versus realised, lost to no-shows and cancellations",
  },
  efficiency: {
    answer: efficiencyReport,
    columns: Object.keys(efficiencyRow.shape),
    summary: "Wait times and efficiency: lead time, check-in to start, no-show and late-cancellation rates",
  },
  flow: {
    answer: flowReport,
    columns: Object.keys(flowLink.shape),
    summary: "Patient flow: from home areas and (rescheduled) other locations to each location",
  },
} as const;

export function reportRoutes(app: App, svc: ReportsService): void {
  for (const kind of Object.keys(reports) as ReportKind[]) {
    const r = reports[kind];
    app.get(
      `/api/v1/analytics/reports/${kind}`,
      {
        // a location or physician named is authorized by the service (read_reports): 404 outside the caller's
        config: {
          allow: reportReaders,
          guards: { "query.locationId": "scope", "query.physicianId": "scope" },
        },
        schema: {
          tags,
          summary: `${r.summary} (format=csv for a download)`,
          querystring: reportQuery,
          response: { 200: r.answer, ...errorResponses },
        },
      },
      async (req, reply) => {
        const answer = await svc[kind](actorOf(req), req.query);
        if (req.query.format !== "csv") return answer;
        const body = toCsv(r.columns, answer.rows as unknown as Record<string, unknown>[]);
        return reply
          .type("text/csv; charset=utf-8")
          .header("content-disposition", `attachment; filename="${kind}-${answer.from}-${answer.to}.csv"`)
          .serializer((x: unknown) => x as string)
          .send(body as never);
      },
    );
  }

  app.get(
    "/api/v1/analytics/fee-schedules",
    {
      config: {
        allow: reportReaders.filter((r) => r !== "physician"),
        guards: { "query.locationId": "scope" },
      },
      schema: {
        tags,
        summary: "The fee schedule: fee and billing code per location and appointment type",
        querystring: feeQuery,
        response: { 200: feeSchedule, ...errorResponses },
      },
    },
    (req) => svc.fees(actorOf(req), req.query),
  );
  app.put(
    "/api/v1/analytics/fee-schedules/:locationId/:appointmentTypeId",
    {
      config: {
        allow: rolesFor("location", "manage_fees"),
        guards: { "params.locationId": ["location", "manage_fees"], "params.appointmentTypeId": "reference" },
      },
      schema: {
        tags,
        summary: "Set a location's fee and billing code for an appointment type (administrators)",
        params: feeParams,
        body: feeBody,
        response: { 200: feeSchema, ...errorResponses },
      },
    },
    (req) => svc.setFee(actorOf(req), req.params, req.body),
  );
}
