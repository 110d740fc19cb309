/** Composition root: opens the database, applies migrations, wires every module's routes. */
import { readFileSync } from "node:fs";
import { createHl7Runtime, hl7Routes } from "./integrations/hl7/index.js";
import {
  createTelehealthLinks,
  createVisitPages,
  telehealthProvider,
  telehealthRoutes,
} from "./integrations/telehealth/index.js";
import type { Actor } from "./platform/access.js";
import { type AuditTrail, auditRoutes, createAudit, openAuditTrail } from "./platform/audit/index.js";
import { systemClock } from "./platform/clock.js";
import { type Config, loadConfig } from "./platform/config.js";
import { openDatabase, primaryConnection } from "./platform/db.js";
import { type App, createHttpApp } from "./platform/http.js";
import {
  auditContextOf,
  createIdentity,
  identityRoutes,
  identityScopeFacts,
  installAuthentication,
} from "./platform/identity/index.js";
import { auditPrivilegeProblem, dropToApplicationRole, migrateAsOwner } from "./platform/migrations.js";
import { AccessRefused, type Attempt, createPolicies, type ScopeFacts } from "./platform/policy.js";
import { openReadDatabase } from "./platform/read-db.js";
import { serveWebApp } from "./platform/web.js";
import { wireAnalyticsParts } from "./server.analytics.js";
import { wireIntegrations } from "./server.integrations.js";
import { rateLimitProblems, readTls, wireOperations } from "./server.operations.js";
import { incidentRoutes, startIncidentWatch } from "./services/analytics/incidents/index.js";
import {
  analyticsRoutes,
  capacityRoutes,
  createAnalytics,
  pricingRoutes,
  reportRoutes,
  startPlanRefresh,
} from "./services/analytics/index.js";
import { qualityRoutes, startComplianceWatch } from "./services/analytics/quality/index.js";
import { createFamily, familyRoutes } from "./services/family/index.js";
import { createLocations, locationRoutes, locationService } from "./services/locations/index.js";
import { createNotifications, notificationRoutes } from "./services/notifications/index.js";
import {
  createPatients,
  patientRoutes,
  patientScopeFacts,
  patientService,
} from "./services/patients/index.js";
import {
  createPhysicians,
  createPlanCache,
  physicianRoutes,
  physicianService,
} from "./services/physicians/index.js";
import { createReferrals, referralRoutes, referralScopeFacts } from "./services/referrals/index.js";
import {
  createOffers,
  createRescheduling,
  reschedulingRoutes,
  startOfferExpiry,
} from "./services/rescheduling/index.js";
import {
  appointmentFacts,
  appointmentTypeCatalog,
  createOptionIds,
  createScheduling,
  createSchedulingCaches,
  optionSigningKey,
  schedulingRoutes,
  schedulingScopeFacts,
  visitHistory,
} from "./services/scheduling/index.js";
import { createWaitlist, waitlistRoutes } from "./services/waitlist/index.js";
import { createWayfinding, wayfindingRoutes } from "./services/wayfinding/index.js";

export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

import type { Rounds, StartOptions } from "./server.types.js";

export type { Rounds, StartOptions } from "./server.types.js";

export async function createRounds(config: Config = loadConfig(), opts: StartOptions = {}): Promise<Rounds> {
  const database = opts.database ?? (await openDatabase(config));
  const ownsDatabase = !opts.database;
  let optionKey: Buffer;
  let log: App["log"] | undefined;
  let audit: AuditTrail;
  try {
    await migrateAsOwner(database, config);
    await dropToApplicationRole(database);
    audit = await openAuditTrail(database, config, {
      writeCheckpoints: true,
      createKey: true,
      onError: (err) => log?.error({ err }, "could not write an audit checkpoint"),
    });
    if (opts.onReady) await opts.onReady(database, config);
    optionKey = await optionSigningKey(config.optionKey, database);
  } catch (err) {
    if (ownsDatabase) await database.close();
    throw err;
  }

  const db = database.db;
  // searches and reports may read a streaming replica (ROUNDS_READ_DATABASE_URL); writes never do
  const reads = await openReadDatabase(config, database);
  const clock = opts.clock ?? systemClock;
  // the access policy's patient scope, from the modules that know each fact
  const facts: ScopeFacts = {
    physicianCares: schedulingScopeFacts.physicianCares,
    atLocations: async (ex, locationIds, patientId) =>
      (await patientScopeFacts.registeredAt(ex, locationIds, patientId)) ||
      schedulingScopeFacts.appointmentAt(ex, patientId, locationIds),
    breakGlass: identityScopeFacts.breakGlass,
    referredTo: referralScopeFacts.referredTo,
    patientIdsFor: async (ex, scope) => {
      const booked = await schedulingScopeFacts.patientIdsFor(ex, scope);
      if (!scope.locationIds) return booked;
      const [registered, referred] = await Promise.all([
        patientScopeFacts.registeredIds(ex, scope.locationIds),
        referralScopeFacts.patientIdsReferredTo(ex, scope.locationIds),
      ]);
      return [...new Set([...booked, ...registered, ...referred])];
    },
  };
  const policies = createPolicies({ facts });
  const auditLog = createAudit({ db, policies });
  const locations = createLocations({
    db,
    clock,
    policies,
    // where an item of equipment stands changes only while it has no bookings to serve (scheduling's)
    upcomingReservations: (tx, equipmentId, now) =>
      scheduling.moves.upcomingReservations(tx, equipmentId, now),
  });
  const patients = createPatients({ db, clock, policies, locations });
  // expanded plans, read by the physicians' own views and by scheduling's search and bookings
  const caches = createSchedulingCaches({ plans: createPlanCache() });
  const physicians = createPhysicians({
    db,
    clock,
    policies,
    appointmentTypes: appointmentTypeCatalog,
    plans: caches.plans,
  });
  const identity = createIdentity({
    db,
    clock,
    policies,
    scopes: {
      dependentsOf: patients.lookup.dependentsOf,
      specialtiesOfDepartments: locations.lookup.specialtiesOfDepartments,
    },
    settings: { sessionHours: config.sessionHours },
    // a failed sign-in is checked at once for spraying and guessing (incidents, wired below)
    onSignInFailure: (a) =>
      void incidents.signInFailed(a).catch((err: unknown) => log?.error({ err }, "incident check failed")),
  });
  if (config.adminEmail && config.adminPassword)
    await identity.ensureAdministrator(config.adminEmail, config.adminPassword);

  const app = await createHttpApp({
    logLevel: config.logLevel,
    version: VERSION,
    trustProxy: config.trustProxy,
    tls: readTls(config),
    moreProblems: rateLimitProblems,
  });
  log = app.log;
  const privileges = await auditPrivilegeProblem(database);
  if (privileges)
    app.log.warn(
      `${privileges}: whoever holds its credentials can rewrite the audit trail inside the database ` +
        "(checkpoints still reveal it); connect as a role in rounds_app and migrate with DATABASE_OWNER_URL",
    );
  await installAuthentication(app, identity);
  // metrics, rate limits, /healthz and /readyz; the modules they read are wired below
  const operations = await wireOperations({
    app,
    database,
    reads,
    config: config.operations,
    consumers: () => [
      { name: "notifications", position: () => notifications.worker.position() },
      { name: "hl7", position: () => hl7.sender.position() },
      { name: "eligibility", position: () => integrations.runtimes.eligibility.worker.position() },
    ],
    caches: () => [
      { name: "physician_bookings", counts: caches.occupancy.physicianBookings.counts },
      { name: "room_bookings", counts: caches.occupancy.roomBookings.counts },
    ],
    workers: () => ({
      ...(config.notifications.worker ? { notificationWorker: notifications.worker } : {}),
      ...(config.notifications.worker && config.hl7.targets.length ? { hl7Sender: hl7.sender } : {}),
      ...(config.notifications.worker ? { eligibilityWorker: integrations.runtimes.eligibility.worker } : {}),
    }),
  });
  // a refused access is itself audited (HIPAA audit controls), after the request's own
  // transaction has rolled back so that the record of the refusal survives it
  const auditRefusal = (actor: Actor, attempt: Attempt, route: string | null) =>
    auditLog.record(db, auditContextOf(actor), {
      action: "access.refused",
      resourceType: attempt.resource,
      resourceId: attempt.id,
      patientId: attempt.patientId,
      outcome: "denied",
      detail: { attempted: attempt.action, field: attempt.field, route },
    });
  app.addHook("onError", async (req, _reply, error) => {
    if (!(error instanceof AccessRefused) || !req.actor) return;
    await auditRefusal(req.actor, error.attempt, req.routeOptions.url ?? null).catch((err: unknown) =>
      req.log.error({ err }, "could not audit a refused access"),
    );
  });
  const optionIds = createOptionIds(optionKey);
  // video visits' links: issued, kept and revoked inside the booking path's own transactions
  const telehealth = createTelehealthLinks({
    provider: opts.telehealthProvider ?? telehealthProvider(config.telehealth),
  });
  const scheduling = createScheduling({
    db,
    clock,
    policies,
    booking: config.booking,
    optionIds,
    physicians,
    caches,
    telehealth,
    readDb: reads?.readDb,
    // "suggested for you" weighs the no-show model's risk; analytics is downstream, so it is fed here
    noShowRisk: (ex, visits) => analytics.service.prospectiveRisk(ex, visits),
  });
  // the page a built-in link opens: which visit it is, from scheduling's facts
  const visitPages = createVisitPages({
    db,
    clock,
    visits: {
      describe: async (ex, appointmentId) => {
        const a = await appointmentFacts.get(ex, appointmentId);
        if (!a) return undefined;
        const [physician, type, location] = await Promise.all([
          physicianService.get(ex, a.physicianId),
          appointmentTypeCatalog.get(ex, a.appointmentTypeId),
          locationService.get(ex, a.locationId),
        ]);
        return {
          ...a,
          timeZone: location.timeZone,
          physicianName: `${physician.givenName} ${physician.familyName}, ${physician.title}`,
          appointmentType: type.name,
        };
      },
    },
  });
  const referrals = createReferrals({ db, clock, policies, scheduling, optionIds, locations, patients });
  const family = createFamily({
    db,
    clock,
    policies,
    appointments: scheduling.appointments,
    optionIds,
    tripKey: optionKey,
    locations,
  });
  const wayfinding = createWayfinding({
    db,
    clock,
    policies,
    locations,
    appointments: {
      place: async (ex, id) => {
        const a = await appointmentFacts.get(ex, id);
        return a && { ...a, roomId: a.roomId ?? null };
      },
    },
    patients: {
      needsStepFree: async (ex, patientId) =>
        (await patientService.get(ex, patientId)).accessibilityNeeds.includes("step_free"),
    },
  });
  const rescheduling = createRescheduling({ db, clock, policies, physicians, scheduling, locations });
  const offers = createOffers({ db, clock, policies, scheduling });
  const waitlist = createWaitlist({
    db,
    clock,
    policies,
    appointments: scheduling.appointments,
    locations,
    log: app.log,
  });
  const analytics = createAnalytics({
    db,
    clock,
    policies,
    visits: visitHistory,
    timeZoneOf: async (ex, id) => (await locations.lookup.get(ex, id)).timeZone,
    log: app.log,
  });
  const { quality, incidents, surveyLinks, reports, pricing, priceRecorder, capacity } = wireAnalyticsParts({
    db,
    clock,
    policies,
    identity,
    locations,
    optionIds,
    rescheduling,
    physicians,
    catalog: scheduling.catalog,
    availability: { rules: config.booking, caches },
    readDb: reads?.readDb,
    incidents: config.incidents,
    log: app.log,
  });
  const notifications = createNotifications({
    db,
    clock: opts.now ? { now: opts.now } : clock,
    policies,
    config: config.notifications,
    log: app.log,
    listenConnection: database.kind === "postgres" ? primaryConnection(config) : undefined,
    // an offer's email or SMS carries a link issued for it as it is sent (the waitlist keeps its hash)
    offerLinks: waitlist.links,
    surveyLinks: { issue: (visit, channel) => surveyLinks.issueLink(visit, channel) },
  });

  const hl7 = createHl7Runtime({
    db,
    clock,
    policies,
    patients,
    config: { ...config.hl7, regions: config.residency.partnerRegions.hl7 },
    log: app.log,
    ...(opts.now ? { now: opts.now } : {}),
  });
  identityRoutes(app, identity);
  auditRoutes(app, auditLog);
  locationRoutes(app, locations);
  physicianRoutes(app, physicians);
  patientRoutes(app, patients);
  schedulingRoutes(app, scheduling);
  referralRoutes(app, referrals);
  familyRoutes(app, family);
  reschedulingRoutes(app, rescheduling, offers);
  waitlistRoutes(app, waitlist.service);
  notificationRoutes(app, notifications);
  wayfindingRoutes(app, wayfinding);
  const integrations = await wireIntegrations({
    app,
    config,
    database,
    db,
    clock,
    policies,
    optionKey,
    hl7,
    physicians,
    localLabResults: opts.localLabResults,
    now: opts.now,
    log: app.log,
    fhir: { locations, physicians, patients, scheduling, auditRefusal, version: VERSION },
  });
  telehealthRoutes(app, visitPages);
  hl7Routes(app, hl7.service);
  analyticsRoutes(app, analytics.service);
  qualityRoutes(app, quality.surveys, quality.compliance);
  incidentRoutes(app, incidents);
  reportRoutes(app, reports.service);
  pricingRoutes(app, pricing);
  capacityRoutes(app, capacity);
  serveWebApp(app);

  let stopOfferExpiry = async () => {};
  let stopComplianceWatch = () => {};
  let stopIncidentWatch = () => {};
  let stopPlanRefresh = () => {};
  await app.ready();
  // the occupancy cache hears every replica's committed schedule changes from the outbox
  await notifications.hub.subscribe((events) => {
    // offers and opened schedule time change no booking (the plan stamp covers schedules)
    for (const e of events) if (e.type.startsWith("appointment.")) caches.occupancy.forget(e);
  });
  if (config.notifications.worker) {
    await notifications.startWorker();
    // freed slots are offered as their events arrive; the interval expires unanswered offers
    await notifications.hub.subscribe(() => waitlist.filler.wake());
    waitlist.filler.start(30_000);
    // offers nobody answered in time are handed to their location's staff
    stopOfferExpiry = startOfferExpiry(offers, 60_000, app.log);
    // the no-show model: trained now when due (in the background), then checked hourly
    analytics.trainer.start();
    // compliance thresholds are checked every few minutes, so alerts appear without anyone looking
    stopComplianceWatch = startComplianceWatch(quality.compliance, app.log);
    stopIncidentWatch = startIncidentWatch(incidents, app.log, config.incidents.checkSeconds);
    // schedule changes become SIU messages to the EMR as their events arrive
    if (config.hl7.targets.length) await notifications.hub.subscribe(() => hl7.wake());
    // the reports' read model follows committed schedule changes (reports also catch up on read)
    const followSchedule = () =>
      reports.projector.catchUp().catch((err: unknown) => app.log.error({ err }, "reports: catch-up failed"));
    void followSchedule();
    await notifications.hub.subscribe(() => {
      void followSchedule();
    });
    // plans also change without events (time off approved): the weeks around today are recomputed
    stopPlanRefresh = startPlanRefresh(reports, app.log);
    // booked appointments' copays are recorded from the booking events
    await notifications.hub.subscribe(() => priceRecorder.wake());
    // eligibility checks with the payer, prescriptions to the pharmacy network, rides to the
    // transport service (and their status back), woken by committed schedule changes
    await integrations.startSenders((wake) => notifications.hub.subscribe(wake));
  }
  await hl7.start({ sender: config.notifications.worker });
  return {
    app,
    database,
    config,
    audit,
    policies,
    waitlist,
    offers,
    analytics,
    quality,
    incidents,
    hl7,
    reports,
    pricing,
    notifications,
    ...integrations.runtimes,
    metricsPort: operations.metricsPort,
    async close() {
      stopComplianceWatch();
      stopIncidentWatch();
      stopPlanRefresh();
      // first: a training pass in progress is told to stop before anything waits on the database
      await analytics.trainer.stop();
      await stopOfferExpiry();
      await hl7.stop();
      await priceRecorder.stop();
      await waitlist.filler.stop();
      await notifications.stop();
      await app.close();
      await operations.close();
      await integrations.close();
      // a last checkpoint, so what this replica wrote is pinned outside the database
      await audit.close();
      await reads?.close();
      if (ownsDatabase) await database.close();
    },
  };
}
