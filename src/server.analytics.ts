/**
 * The composition root's analytics part (src/server.ts): surveys and compliance, the reports' read
 * model, copays and capacity planning, each fed by the other modules' interfaces.
 */
import type { FastifyBaseLogger } from "fastify";
import type { Clock } from "./platform/clock.js";
import type { BookingConfig, IncidentsConfig } from "./platform/config.js";
import type { Db } from "./platform/db.js";
import { ProblemError, problems } from "./platform/errors.js";
import { accountLocks, type createIdentity } from "./platform/identity/index.js";
import type { Policies } from "./platform/policy.js";
import type { ReadDb } from "./platform/read-db.js";
import { createIncidents } from "./services/analytics/incidents/index.js";
import {
  copayReads,
  createCapacityService,
  createPriceRecorder,
  createPricingService,
  createReports,
  createSolver,
} from "./services/analytics/index.js";
import { createQuality, type Surveys } from "./services/analytics/quality/index.js";
import { type createLocations, locationService } from "./services/locations/index.js";
import { staffMessages } from "./services/notifications/index.js";
import { patientService } from "./services/patients/index.js";
import { type Physicians, physicianService } from "./services/physicians/index.js";
import { referralOrigins } from "./services/referrals/index.js";
import type { createRescheduling } from "./services/rescheduling/index.js";
import {
  appointmentFacts,
  appointmentTypeCatalog,
  type createOptionIds,
  type Scheduling,
  type SchedulingCaches,
  searchOptions,
  visitHistory,
} from "./services/scheduling/index.js";
import { waitingForSpecialty, waitlistFills } from "./services/waitlist/index.js";

export interface AnalyticsWiring {
  db: Db;
  clock: Clock;
  policies: Policies;
  identity: Pick<ReturnType<typeof createIdentity>, "unreviewedBreakGlass" | "staffAccounts">;
  locations: ReturnType<typeof createLocations>;
  optionIds: ReturnType<typeof createOptionIds>;
  rescheduling: ReturnType<typeof createRescheduling>;
  /** Every physician and appointment type, for the reports' planned time. */
  physicians: Pick<Physicians, "list">;
  catalog: Pick<Scheduling["catalog"], "list">;
  /** Scheduling's availability search (the reports' third next available slot). */
  availability: { rules: BookingConfig; caches: SchedulingCaches };
  /** Where report rows are read (a streaming replica within its lag bound); unset: the primary. */
  readDb?: ReadDb | undefined;
  /** The incident detectors' thresholds, lock severity and extra contacts. */
  incidents: IncidentsConfig;
  log: FastifyBaseLogger;
}

/** Every item of a paged list (at most 500 a page). */
async function everyPage<T>(page: (limit: number, offset: number) => Promise<{ items: T[]; total: number }>) {
  const items: T[] = [];
  for (let offset = 0; ; offset += 500) {
    const p = await page(500, offset);
    items.push(...p.items);
    if (p.items.length < 500 || items.length >= p.total) return items;
  }
}

/** Creates the analytics parts that read other modules (the no-show model is created on its own). */
export function wireAnalyticsParts({
  db,
  clock,
  policies,
  identity,
  locations,
  optionIds,
  rescheduling,
  physicians,
  catalog,
  availability,
  readDb,
  incidents: incidentsConfig,
  log,
}: AnalyticsWiring) {
  const quality = createQuality({
    db,
    clock,
    policies,
    specialtiesOf: async (ex, id) => (await physicianService.get(ex, id)).specialties,
    breakGlass: { unreviewed: identity.unreviewedBreakGlass },
    staffAccounts: identity.staffAccounts,
    // alert messages go through the notifications' staff outbox, in the alert's transaction
    messageStaff: (ex, m, now) => staffMessages.enqueue(ex, { kind: "compliance_alert", ...m }, now),
    locationIds: async () =>
      (await locations.list({ limit: 500, offset: 0 } as Parameters<typeof locations.list>[0])).items.map(
        (l) => l.id,
      ),
  });
  const surveyLinks: Pick<Surveys, "issueLink"> = quality.surveys;
  // incidents alert the security contacts through the same staff outbox and lock through identity
  const incidents = createIncidents({
    db,
    clock,
    config: incidentsConfig,
    locks: accountLocks,
    staffAccounts: identity.staffAccounts,
    messageStaff: (ex, m, now) => staffMessages.enqueue(ex, { kind: "security_incident", ...m }, now),
  });
  const reports = createReports({
    db,
    readDb,
    clock,
    policies,
    sources: {
      reportFacts: visitHistory.reportFacts,
      timeZones: (ex, ids) => locationService.timeZones(ex, ids),
      homeAreas: patientService.homeAreas,
      referralOrigins: (ex, ids) => referralOrigins.of(ex, ids),
    },
    // a report first prices what the recorder has not reached (pricing is created below)
    copays: { ...copayReads, recordPending: () => pricing.recordBooked() },
    names: {
      inResidency: (ex, region) => locationService.inResidency(ex, region),
      locations: async (ex, ids) =>
        new Map(
          await Promise.all(ids.map(async (id) => [id, (await locationService.get(ex, id)).name] as const)),
        ),
      // one query for every physician of a report (a network's report per physician names 2,000+)
      physicians: async (ex, ids) =>
        new Map(
          (await physicianService.forSearch(ex, { ids })).map(
            (p) => [p.id, `${p.givenName} ${p.familyName}, ${p.title}`] as const,
          ),
        ),
      specialtiesOf: async (ex, id) =>
        (await physicianService.get(ex, id).catch(() => undefined))?.specialties ?? [],
      feeTargets: async (ex, locationId, typeId) => ({
        location: (await locationService.existing(ex, [locationId])).length === 1,
        type: (await appointmentTypeCatalog.existing(ex, [typeId])).length === 1,
      }),
    },
    waitlistFills,
    thirdNext: {
      // the measure's type per specialty: the catalogue's first active new-patient type
      newPatientTypes: async () => {
        const first = new Map<string, string>();
        for (const t of await everyPage((limit, offset) =>
          catalog.list({ limit, offset } as Parameters<typeof catalog.list>[0]),
        ))
          if (t.active && t.visitKind === "new" && !first.has(t.specialty)) first.set(t.specialty, t.id);
        return [...first].map(([specialty, appointmentTypeId]) => ({ specialty, appointmentTypeId }));
      },
      locations: async () =>
        (
          await everyPage((limit, offset) =>
            locations.list({ limit, offset } as Parameters<typeof locations.list>[0]),
          )
        )
          .filter((l) => l.active)
          .map((l) => ({ id: l.id, timeZone: l.timeZone })),
      freeStarts: async (ex, q) =>
        (
          await searchOptions(
            ex,
            availability.rules,
            {
              appointmentTypeId: q.appointmentTypeId,
              locationIds: [q.locationId],
              from: q.from,
              to: q.to,
              telehealth: false,
              limit: q.limit,
              now: clock.now().getTime(),
            },
            availability.caches,
          )
        ).options.map((o) => o.start),
    },
    plans: {
      physicians: async () =>
        (
          await everyPage((limit, offset) =>
            physicians.list({ limit, offset } as Parameters<typeof physicians.list>[0]),
          )
        ).map((p) => ({ id: p.id, specialty: p.primarySpecialty })),
      plans: async (ex, ids, from, to) => {
        const [working, planned] = await Promise.all([
          physicianService.plans(ex, ids, from, to),
          physicianService.plansBeforeTimeOff(ex, ids, from, to),
        ]);
        return new Map(
          ids.map((id) => [
            id,
            { working: working.get(id)?.assignments ?? [], planned: planned.get(id)?.assignments ?? [] },
          ]),
        );
      },
      travel: async () => (await locations.travelMatrix()).entries,
      typeMinutes: async () =>
        new Map(
          (
            await everyPage((limit, offset) =>
              catalog.list({ limit, offset } as Parameters<typeof catalog.list>[0]),
            )
          ).map((t) => [t.id, t.durationMinutes]),
        ),
    },
  });
  const pricing = createPricingService({
    db,
    clock,
    policies,
    optionIds,
    appointmentType: (ex, id, field) => appointmentTypeCatalog.get(ex, id, field),
    timeZoneOf: async (ex, id) => (await locations.lookup.get(ex, id)).timeZone,
    payerOf: async (ex, id) => (await patientService.get(ex, id)).insurance?.payer ?? null,
    appointment: (ex, id) => appointmentFacts.get(ex, id),
    upcoming: visitHistory.upcoming,
    plannedMinutes: async (ex, physicianId, locationId, date) => {
      const plan = (await physicianService.plans(ex, [physicianId], date, date)).get(physicianId);
      let minutes = 0;
      for (const b of plan?.assignments ?? [])
        if (b.locationId === locationId && b.date === date)
          minutes += (Date.parse(b.end) - Date.parse(b.start)) / 60_000;
      return minutes;
    },
  });
  const priceRecorder = createPriceRecorder(pricing, log);
  const capacity = createCapacityService({
    db,
    clock,
    policies,
    solve: createSolver(),
    specialtyOf: async (ex, id, field) => {
      try {
        return (await physicianService.get(ex, id)).primarySpecialty;
      } catch (err) {
        if (err instanceof ProblemError && err.status === 404) throw problems.notFound("physician", field);
        throw err;
      }
    },
    roomsAt: async (ex, id) => (await locationService.roomsAt(ex, id)).filter((r) => r.active).length,
    missingLocations: async (ex, ids) => {
      const known = await locationService.timeZones(ex, [...ids]);
      return ids.filter((id) => !known.has(id));
    },
    travel: async () => (await locations.travelMatrix()).entries,
    plannedDays: async (ex, id, from, to) =>
      ((await physicianService.plans(ex, [id], from, to)).get(id)?.assignments ?? []).map((b) => ({
        locationId: b.locationId,
        date: b.date,
      })),
    planStamps: async (ex, ids) =>
      new Map(
        (await physicianService.forSearch(ex, { ids: [...ids] })).map((p) => [p.id, p.planStamp] as const),
      ),
    visits: visitHistory,
    appointmentType: (ex, id) => appointmentTypeCatalog.get(ex, id),
    waiting: waitingForSpecialty,
    homeAreas: patientService.homeAreas,
    areaOf: async (ex, id) => (await locationService.get(ex, id)).city ?? null,
    rescheduling: { applyChangesIn: rescheduling.applyChangesIn },
  });
  return { quality, incidents, surveyLinks, reports, pricing, priceRecorder, capacity };
}
