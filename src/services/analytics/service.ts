/**
 * The analytics service's operations: the no-show risk of upcoming appointments (staff for their
 * locations, physicians for their own) and the model in use with its evaluation (administrators).
 * Patients never see a risk: no rule of the policy table gives them one.
 */

import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Executor } from "../../platform/db.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { locationTarget, physicianTarget } from "../../platform/policy.js";
import { toIso } from "../../platform/schemas.js";
import { dateTimeFormat } from "../../platform/time.js";
import type { ProspectiveVisit, VisitFacts } from "../scheduling/index.js";
import { coefficients, predict, type Visit } from "./noshow/index.js";
import { analyticsRepository as repo } from "./repository.js";
import type { ModelAnswer, RiskAnswer, RiskLevel, RiskQuery } from "./schema.js";

/** Where the risk levels start: medium from 10 %, high from 25 % (the demo network misses about 1 in 12). */
export const RISK_THRESHOLDS = { medium: 0.1, high: 0.25 } as const;

export function riskLevel(p: number): RiskLevel {
  if (p >= RISK_THRESHOLDS.high) return "high";
  if (p >= RISK_THRESHOLDS.medium) return "medium";
  return "low";
}

/** How analytics reads appointments: scheduling's `visitHistory`, passed in by the composition root. */
export interface VisitSource {
  outcomes(db: Executor, range: { from: Date; to: Date; limit: number }): Promise<VisitFacts[]>;
  upcoming(
    db: Executor,
    filter: { from: Date; to: Date; locationIds?: readonly string[]; physicianId?: string; limit: number },
  ): Promise<VisitFacts[]>;
}

export interface AnalyticsDeps extends ServiceDeps {
  visits: VisitSource;
  /** A location's IANA time zone (weekday and hour are the location's), read on the caller's executor. */
  timeZoneOf: TimeZoneOf;
}

export type TimeZoneOf = (db: Executor, locationId: string) => Promise<string>;

/** Weekday (0 = Sunday) and hour of an instant in a time zone. */
export function localWeekdayHour(at: Date, timeZone: string): { weekday: number; hour: number } {
  const parts = dateTimeFormat("en-US", {
    timeZone,
    weekday: "short",
    hour: "numeric",
    hourCycle: "h23",
  }).formatToParts(at);
  const weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(
    parts.find((p) => p.type === "weekday")?.value ?? "",
  );
  return { weekday, hour: Number(parts.find((p) => p.type === "hour")?.value ?? 0) };
}

/** Scheduling's facts of an appointment as the model's visit, in its location's local time. */
export async function visitOf(
  f: VisitFacts,
  timeZoneOf: (locationId: string) => Promise<string>,
): Promise<Visit> {
  const local = localWeekdayHour(f.start, await timeZoneOf(f.locationId));
  return {
    bookedAt: f.bookedAt,
    start: f.start,
    ...(f.status === "completed" || f.status === "no_show" ? { noShow: f.status === "no_show" } : {}),
    weekday: local.weekday,
    hour: local.hour,
    priorNoShows: f.priorNoShows,
    priorCancellations: f.priorCancellations,
    appointmentType: f.appointmentTypeId,
    telehealth: f.telehealth,
  };
}

/** At most this many appointments in one risk answer (a month of a busy location). */
const RISK_LIMIT = 5000;

export function createAnalyticsService(deps: AnalyticsDeps) {
  const { db, policies, visits, timeZoneOf } = deps;
  return {
    /** The no-show risk of the booked and checked-in appointments of a location or a physician. */
    async noShowRisk(actor: Actor, q: RiskQuery): Promise<RiskAnswer> {
      return db.transaction().execute(async (tx) => {
        if (q.locationId)
          await policies.authorize(
            tx,
            actor,
            "read_no_show_risk",
            locationTarget(q.locationId, "query.locationId"),
          );
        else if (q.physicianId)
          await policies.authorize(
            tx,
            actor,
            "read_no_show_risk",
            physicianTarget(q.physicianId, async () => [], "query.physicianId"),
          );
        const current = await repo.current(tx);
        if (!current) return { model: null, items: [] };
        const facts = await visits.upcoming(tx, {
          from: new Date(q.from),
          to: new Date(q.to),
          ...(q.locationId ? { locationIds: [q.locationId] } : {}),
          ...(q.physicianId ? { physicianId: q.physicianId } : {}),
          limit: RISK_LIMIT,
        });
        const zones = new Map<string, string>();
        const zoneOf = async (id: string) => {
          const z = zones.get(id) ?? (await timeZoneOf(tx, id));
          zones.set(id, z);
          return z;
        };
        const items = [];
        for (const f of facts) {
          const probability = predict(current.model, await visitOf(f, zoneOf));
          items.push({
            appointmentId: f.id,
            start: toIso(f.start),
            probability,
            level: riskLevel(probability),
          });
        }
        await auditService.record(tx, auditContextOf(actor), {
          action: "analytics.no_show_risk",
          resourceType: q.locationId ? "location" : "physician",
          resourceId: q.locationId ?? q.physicianId,
          locationId: q.locationId,
          detail: { modelVersion: current.version, count: items.length, from: q.from, to: q.to },
        });
        return { model: { version: current.version, trainedAt: toIso(current.trainedAt) }, items };
      });
    },

    /**
     * The no-show risk of visits a patient has not booked yet (scheduling's suggestions weigh it);
     * null before the first training. Not an operation of its own: the caller authorized the search.
     */
    async prospectiveRisk(ex: Executor, visits: ProspectiveVisit[]): Promise<number[] | null> {
      const current = await repo.current(ex);
      if (!current) return null;
      const zones = new Map<string, string>();
      const out: number[] = [];
      for (const v of visits) {
        const zone = zones.get(v.locationId) ?? (await timeZoneOf(ex, v.locationId));
        zones.set(v.locationId, zone);
        const local = localWeekdayHour(v.start, zone);
        out.push(
          predict(current.model, {
            bookedAt: v.bookedAt,
            start: v.start,
            weekday: local.weekday,
            hour: local.hour,
            priorNoShows: v.priorNoShows,
            priorCancellations: v.priorCancellations,
            appointmentType: v.appointmentTypeId,
            telehealth: v.telehealth,
          }),
        );
      }
      return out;
    },

    /** The model in use and its evaluation; null before the first training. */
    async currentModel(): Promise<ModelAnswer> {
      const current = await repo.current(db);
      if (!current) return { model: null };
      return {
        model: {
          version: current.version,
          trainedAt: toIso(current.trainedAt),
          trainedOn: current.trainedOn,
          evaluation: current.evaluation,
          coefficients: coefficients(current.model),
          thresholds: { ...RISK_THRESHOLDS },
        },
      };
    },
  };
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;
