/**
 * The reports' operations. Every report reads the pre-aggregated daily facts only, narrowed to the
 * caller's scope through the policy table: administrators everything, department heads their
 * departments' specialties, staff their own locations (another location named: 404, audited),
 * physicians their own figures. The fee schedule is read by whoever reads reports, edited by
 * administrators.
 */
import type { Actor } from "../../../platform/access.js";
import { auditService } from "../../../platform/audit/index.js";
import type { Executor } from "../../../platform/db.js";
import { problems } from "../../../platform/errors.js";
import { auditContextOf } from "../../../platform/identity/index.js";
import type { ServiceDeps } from "../../../platform/module.js";
import { locationTarget, physicianTarget } from "../../../platform/policy.js";
import type { ReadDb } from "../../../platform/read-db.js";
import { copaysRepository, groupKeyText } from "./copays.repository.js";
import { zeroCounters } from "./facts.js";
import { efficiencyOf, NO_PLANNED_TIME, utilisationOf } from "./measures.js";
import type { PlannedTime } from "./planned.refresh.js";
import { type PlannedTotals, plannedRepository } from "./planned.repository.js";
import type { ReportSources } from "./projector.js";
import { type Filter, reportsRepository as repo } from "./repository.js";
import { noCopays, sharesOf } from "./revenue.js";
import type {
  EfficiencyRow,
  Fee,
  FlowLink,
  ReportKind,
  ReportQuery,
  RevenueRow,
  UtilisationRow,
} from "./schema.js";
import type { ThirdNext } from "./third-next.js";
import { thirdNextRepository } from "./third-next.repository.js";

/** Display names of the locations and physicians in a report (read through their services). */
export interface ReportNames {
  locations(db: Executor, ids: string[]): Promise<Map<string, string>>;
  physicians(db: Executor, ids: string[]): Promise<Map<string, string>>;
  /** The locations of a data residency region (a report limited to one region). */
  inResidency(db: Executor, region: string): Promise<string[]>;
  /** A physician's specialties (department heads' scope); empty when there is no such physician. */
  specialtiesOf(db: Executor, physicianId: string): Promise<string[]>;
  /** Which of a fee's location and appointment type exist. */
  feeTargets(
    db: Executor,
    locationId: string,
    appointmentTypeId: string,
  ): Promise<{ location: boolean; type: boolean }>;
}

export interface ReportsDeps extends ServiceDeps {
  /** Where report rows are read (a replica within its lag bound); unset: the primary, in the report's transaction. */
  readDb?: ReadDb | undefined;
  names: ReportNames;
  /** Brings the read model up to date before answering (the projector's catch-up). */
  catchUp?: () => Promise<unknown>;
  sources?: ReportSources;
  /** The planned-time read model (utilisation's available, blocked and travel minutes). */
  planned?: PlannedTime;
  /** Days to the third next available slot (efficiency's missing coming days computed first). */
  thirdNext?: Pick<ThirdNext, "ensure">;
  /** Accepted waitlist offers per location (the waitlist's interface; none: not reported). */
  waitlistFills?: WaitlistFills;
}

/** Accepted waitlist offers made in [from, to) per location, with the median hours to fill. */
export type WaitlistFills = (
  db: Executor,
  f: { locationIds?: readonly string[] | undefined; from: Date; to: Date },
) => Promise<Array<{ locationId: string; filled: number; medianHours: number | null }>>;

export interface ReportAnswer<R> {
  from: string;
  to: string;
  by: string;
  rows: R[];
}

/** What each kind of flow source is called in the report. */
const FLOW_KIND = {
  location: "reschedule",
  referral: "referral",
  follow_up: "follow_up",
  area: "home_area",
} as const;

export function createReportsService(deps: ReportsDeps) {
  const { db, policies, names } = deps;

  /** The filter the caller may see: what they asked, narrowed to their scope (404 outside it). */
  async function scopeOf(tx: Executor, actor: Actor, q: ReportQuery): Promise<Filter> {
    const f: Filter = { from: q.from, to: q.to };
    if (q.locationId) {
      await policies.authorize(tx, actor, "read_reports", locationTarget(q.locationId, "query.locationId"));
      f.locationIds = [q.locationId];
    }
    if (q.physicianId) {
      const physicianId = q.physicianId;
      await policies.authorize(
        tx,
        actor,
        "read_reports",
        physicianTarget(physicianId, () => names.specialtiesOf(tx, physicianId), "query.physicianId"),
      );
      f.physicianIds = [physicianId];
    }
    if (q.specialty) f.specialties = [q.specialty];
    if (q.region) {
      // a region's figures only: its locations (within whatever else narrows the report)
      const inRegion = new Set(await names.inResidency(tx, q.region));
      f.locationIds = f.locationIds ? f.locationIds.filter((id) => inRegion.has(id)) : [...inRegion];
    }
    switch (actor.role) {
      case "admin":
        break;
      case "location_staff":
        // a region names locations, not a scope: staff still see only their own
        f.locationIds =
          q.region && !q.locationId
            ? (f.locationIds ?? []).filter((id) => actor.locationIds.includes(id))
            : (f.locationIds ?? actor.locationIds);
        break;
      case "department_head":
        f.specialties = (f.specialties ?? actor.specialties).filter((s) => actor.specialties.includes(s));
        break;
      case "physician":
        if (!actor.physicianId) f.physicianIds = [];
        // no physician named: their own figures (the policy decides, as for a named one)
        else
          await policies.authorize(
            tx,
            actor,
            "read_reports",
            physicianTarget(actor.physicianId, async () => [], "query.physicianId"),
          );
        f.physicianIds = actor.physicianId ? [actor.physicianId] : [];
        break;
      default:
        f.locationIds = [];
    }
    return f;
  }

  async function labelled<T extends { locationId: string; physicianId: string | null }>(
    tx: Executor,
    rows: T[],
  ): Promise<Array<T & { locationName: string; physicianName: string | null }>> {
    const [locations, physicians] = await Promise.all([
      names.locations(tx, [...new Set(rows.map((r) => r.locationId))]),
      names.physicians(tx, [...new Set(rows.flatMap((r) => (r.physicianId ? [r.physicianId] : [])))]),
    ]);
    return rows.map((r) => ({
      ...r,
      locationName: locations.get(r.locationId) ?? r.locationId,
      physicianName: r.physicianId ? (physicians.get(r.physicianId) ?? r.physicianId) : null,
    }));
  }

  async function report<R>(
    actor: Actor,
    kind: ReportKind,
    q: ReportQuery,
    read: (tx: Executor, f: Filter) => Promise<R[]>,
  ): Promise<ReportAnswer<R>> {
    await deps.catchUp?.();
    // utilisation's planned time: what the range lacks is computed first (in its own transaction)
    if (kind === "utilisation") await deps.planned?.ensure(db, q.from, q.to);
    if (kind === "efficiency") await deps.thirdNext?.ensure(q.from, q.to);
    return db.transaction().execute(async (tx) => {
      // scope and audit on the primary; the rows themselves may come from a replica
      const f = await scopeOf(tx, actor, q);
      const rows = await read(deps.readDb?.() ?? tx, f);
      await auditService.record(tx, auditContextOf(actor), {
        action: `analytics.report.${kind}`,
        resourceType: q.locationId ? "location" : q.physicianId ? "physician" : "network",
        resourceId: q.locationId ?? q.physicianId ?? null,
        locationId: q.locationId ?? null,
        detail: { from: q.from, to: q.to, by: q.by, rows: rows.length },
      });
      return { from: q.from, to: q.to, by: q.by, rows };
    });
  }

  const groupOf = (key: { locationId: string; physicianId: string | null; specialty: string | null }) => ({
    locationId: key.locationId,
    physicianId: key.physicianId,
    specialty: key.specialty,
  });

  return {
    utilisation: (actor: Actor, q: ReportQuery): Promise<ReportAnswer<UtilisationRow>> =>
      report(actor, "utilisation", q, async (tx, f) => {
        const [booked, planned] = await Promise.all([
          repo.totals(tx, f, q.by),
          plannedRepository.totals(tx, f, q.by),
        ]);
        // a group with planned time and no visits (an idle physician) is a row too
        const plannedOf = new Map<string, PlannedTotals>(planned.map((p) => [groupKeyText(p.key), p.totals]));
        const rows = booked.map((t) => ({
          ...groupOf(t.key),
          ...utilisationOf(t.counters, plannedOf.get(groupKeyText(t.key)) ?? NO_PLANNED_TIME),
        }));
        const seen = new Set(booked.map((t) => groupKeyText(t.key)));
        for (const p of planned)
          if (!seen.has(groupKeyText(p.key)))
            rows.push({ ...groupOf(p.key), ...utilisationOf(zeroCounters(), p.totals) });
        rows.sort((a, b) => groupKeyText(a).localeCompare(groupKeyText(b)));
        return labelled(tx, rows);
      }),

    revenue: (actor: Actor, q: ReportQuery): Promise<ReportAnswer<RevenueRow>> =>
      report(actor, "revenue", q, async (tx, f) => {
        const [totals, copays] = await Promise.all([
          repo.totals(tx, f, q.by),
          copaysRepository.totals(tx, f, q.by),
        ]);
        return labelled(
          tx,
          totals.map((t) => ({
            ...groupOf(t.key),
            appointments: t.counters.appointments,
            completed: t.counters.completed,
            noShows: t.counters.noShows,
            cancelled: t.counters.cancelled + t.counters.lateCancelled,
            bookedCents: t.cents.booked,
            realisedCents: t.cents.realised,
            noShowCents: t.cents.noShow,
            cancelledCents: t.cents.cancelled,
            unpriced: t.unpriced,
            ...sharesOf(copays.get(groupKeyText(t.key)) ?? noCopays(), t.counters.appointments),
          })),
        );
      }),

    efficiency: (actor: Actor, q: ReportQuery): Promise<ReportAnswer<EfficiencyRow>> =>
      report(actor, "efficiency", q, async (tx, f) => {
        // waitlist fills are a location's figure: only per location, and not for a narrower scope
        const perLocation = q.by === "location" && !f.specialties && !f.physicianIds;
        const [totals, thirdNext, fills] = await Promise.all([
          repo.totals(tx, f, q.by),
          thirdNextRepository.means(tx, f, q.by),
          perLocation && deps.waitlistFills
            ? deps.waitlistFills(tx, {
                locationIds: f.locationIds,
                from: new Date(`${f.from}T00:00:00Z`),
                to: new Date(Date.parse(`${f.to}T00:00:00Z`) + 86_400_000),
              })
            : [],
        ]);
        const fillOf = new Map(fills.map((x) => [x.locationId, x]));
        const waitlistOf = (locationId: string) => ({
          waitlistFilled: perLocation && deps.waitlistFills ? (fillOf.get(locationId)?.filled ?? 0) : null,
          waitlistFillHours: fillOf.get(locationId)?.medianHours ?? null,
        });
        const keyOf = (k: { locationId: string; specialty: string | null }) =>
          `${k.locationId}|${k.specialty ?? ""}`;
        const rows = totals.map((t) => ({
          ...groupOf(t.key),
          ...efficiencyOf(t.counters),
          thirdNextAvailableDays: thirdNext.get(keyOf(t.key)) ?? null,
          ...waitlistOf(t.key.locationId),
        }));
        // a location or specialty with free slots and no visits in the range is a row too
        const seen = new Set(rows.map(keyOf));
        for (const [key, days] of thirdNext)
          if (!seen.has(key)) {
            const [locationId = "", specialty = ""] = key.split("|");
            rows.push({
              locationId,
              physicianId: null,
              specialty: specialty || null,
              ...efficiencyOf(zeroCounters()),
              thirdNextAvailableDays: days,
              ...waitlistOf(locationId),
            });
          }
        // a location whose waitlist filled slots without visits in the range is a row too
        for (const x of fills)
          if (!seen.has(`${x.locationId}|`) && !thirdNext.has(`${x.locationId}|`))
            rows.push({
              locationId: x.locationId,
              physicianId: null,
              specialty: null,
              ...efficiencyOf(zeroCounters()),
              thirdNextAvailableDays: null,
              ...waitlistOf(x.locationId),
            });
        rows.sort((a, b) => groupKeyText(a).localeCompare(groupKeyText(b)));
        return labelled(tx, rows);
      }),

    flow: (actor: Actor, q: ReportQuery): Promise<ReportAnswer<FlowLink>> =>
      report(actor, "flow", q, async (tx, f) => {
        const links = await repo.flows(tx, f);
        const locationIds = [
          ...new Set(
            links.flatMap((l) => (l.sourceKind === "area" ? [l.locationId] : [l.locationId, l.source])),
          ),
        ];
        const locations = await names.locations(tx, locationIds);
        return links.map((l) => ({
          kind: FLOW_KIND[l.sourceKind],
          ...l,
          sourceName: l.sourceKind === "area" ? l.source : (locations.get(l.source) ?? l.source),
          locationName: locations.get(l.locationId) ?? l.locationId,
        }));
      }),

    /** The fee schedule of one location or (administrators, department heads) every location. */
    async fees(actor: Actor, q: { locationId?: string | undefined }): Promise<{ items: Fee[] }> {
      return db.transaction().execute(async (tx) => {
        if (q.locationId)
          await policies.authorize(
            tx,
            actor,
            "read_reports",
            locationTarget(q.locationId, "query.locationId"),
          );
        const scope = q.locationId
          ? [q.locationId]
          : actor.role === "location_staff"
            ? actor.locationIds
            : undefined;
        return { items: await repo.fees(tx, scope) };
      });
    },

    /** Sets a location's fee and billing code for an appointment type (administrators). */
    async setFee(
      actor: Actor,
      key: { locationId: string; appointmentTypeId: string },
      body: { feeCents: number; billingCode: string },
    ): Promise<Fee> {
      return db.transaction().execute(async (tx) => {
        await policies.authorize(
          tx,
          actor,
          "manage_fees",
          locationTarget(key.locationId, "params.locationId"),
        );
        const known = await names.feeTargets(tx, key.locationId, key.appointmentTypeId);
        if (!known.location) throw problems.notFound("location", "params.locationId");
        if (!known.type) throw problems.notFound("appointment type", "params.appointmentTypeId");
        const fee = { ...key, ...body };
        await repo.setFee(tx, fee);
        await auditService.record(tx, auditContextOf(actor), {
          action: "analytics.fee_set",
          resourceType: "location",
          resourceId: key.locationId,
          locationId: key.locationId,
          detail: {
            appointmentTypeId: key.appointmentTypeId,
            feeCents: body.feeCents,
            billingCode: body.billingCode,
          },
        });
        return fee;
      });
    },
  };
}

export type ReportsService = ReturnType<typeof createReportsService>;
