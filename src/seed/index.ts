/**
 * The deterministic demo network: `seedNetwork(database, { scale, seed })` loads a fictional
 * hospital network (locations, physicians and their schedules, patients) into an empty database;
 * the small (demo) one also gets its history and upcoming appointments and one sign-in per role.
 * Same seed and day, same rows and ids. It is a loading tool, like a migration, so it writes every
 * module's tables directly.
 */
import { sql } from "kysely";
import type { Database, Executor } from "../platform/db.js";
import { bookAppointments, DEMO_BOOKINGS } from "./appointments.js";
import { planBillingIdentities, planTypeModifiers } from "./billing.js";
import { recordSeededCopays } from "./copays.js";
import { seedDemoDicom } from "./dicom.js";
import { seedDemoEligibility } from "./eligibility.js";
import { seedDemoLoans } from "./equipment-loans.js";
import { planFees } from "./fees.js";
import { seedDemoFhirClients } from "./fhir-clients.js";
import { seedDemoHl7 } from "./hl7.js";
import { seedDemoIncidents } from "./incidents.js";
import { planIndoorMap } from "./indoor-map.js";
import { insertAsJson, insertRows } from "./insert.js";
import { seedDemoOutOfService } from "./out-of-service.js";
import { seedDemoPharmacyTransport } from "./pharmacy-transport.js";
import { type NetworkPlan, patientBatches, planNetwork, resolveOptions, type SeedOptions } from "./plan.js";
import { seedDemoPricing } from "./pricing.js";
import { seedDemoQuality } from "./quality.js";
import { Random } from "./random.js";
import { seedDemoReferrals } from "./referrals.js";
import { seedDemoRescheduling } from "./rescheduling.js";
import { demoPasswordHash, seedDemoUsers } from "./users.js";
import { seedDemoWaitlist } from "./waitlist.js";

export {
  BENCHMARK_BOOKINGS,
  type BookingShare,
  type BookingSummary,
  DEMO_BOOKINGS,
  seedAppointments,
} from "./appointments.js";
export type { NetworkPlan, SeedOptions } from "./plan.js";
export { patientBatches, planNetwork } from "./plan.js";
export { DEMO_PASSWORD, DEMO_USERS, type DemoUser, demoUsersMarkdown, nextWeek } from "./users.js";

export interface SeedSummary {
  locations: number;
  departments: number;
  rooms: number;
  equipment: number;
  physicians: number;
  templates: number;
  overrides: number;
  timeOff: number;
  patients: number;
  familyLinks: number;
  /** Patients registered at a location (their first preferred one): its front desk reaches them. */
  registrations: number;
  appointmentTypes: number;
  specialties: number;
  travelTimes: number;
  /** Demo sign-ins (small network only). */
  users: number;
  /** Past and upcoming appointments (small network only; `seedAppointments` books the large one). */
  appointments: number;
  /** Referrals between locations in every state (small network only). */
  referrals: number;
  /** Appointments the demo's applied schedule change affected (one of them offered to the demo patient). */
  rescheduled: number;
  /** Places on the main campus's indoor map (small network only). */
  mapPlaces: number;
  /** Waitlist entries, with an open offer to the demo patient and a history (small network only). */
  waitlist: number;
  /** Upcoming visits at a satellite lent the main campus's equipment that travels (small network only). */
  equipmentLoans: number;
  /** Rooms and equipment with a demo period out of service. */
  outOfService: number;
}

export class NetworkNotEmptyError extends Error {
  constructor(locations: number) {
    super(
      `Refusing to load the demo network: the database already has locations (${locations}). ` +
        "The demo network can only be loaded into an empty database.",
    );
    this.name = "NetworkNotEmptyError";
  }
}

// Serialises two servers that start together on the same empty database; any constant works.
const SEED_LOCK_KEY = 7_402_114;

async function locationCount(db: Executor): Promise<number> {
  const result = await sql<{ n: number }>`SELECT count(*)::int AS n FROM locations`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

/** True when no location exists yet: the server loads the small network on first start. */
export async function isNetworkEmpty(database: Database): Promise<boolean> {
  const result = await sql<{ empty: boolean }>`SELECT NOT EXISTS (SELECT 1 FROM locations) AS empty`.execute(
    database.db,
  );
  return result.rows[0]?.empty ?? true;
}

/** Loads the network in one transaction: either all of it is there afterwards, or none of it. */
export async function seedNetwork(database: Database, opts: SeedOptions): Promise<SeedSummary> {
  const options = resolveOptions(opts);
  const existing = await locationCount(database.db);
  if (existing > 0) throw new NetworkNotEmptyError(existing);
  const plan = planNetwork(options);
  const demo = options.scale === "small";
  const passwordHash = demo ? await demoPasswordHash() : "";
  return database.db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${SEED_LOCK_KEY})`.execute(tx);
    const already = await locationCount(tx);
    if (already > 0) throw new NetworkNotEmptyError(already);
    const summary = await writePlan(tx, plan, options);
    // the fee schedule the revenue reports price appointments with
    await insertRows(tx, "analytics_fees", planFees(plan.locations, plan.appointmentTypes));
    // each location's billing identity and the procedures' modifiers (claims export)
    await insertAsJson(tx, "billing_identities", planBillingIdentities(plan.locations));
    await insertAsJson(tx, "billing_type_modifiers", planTypeModifiers(plan.appointmentTypes));
    if (demo) {
      // the demo's main campus has a real-sized indoor map (src/seed/indoor-map.ts)
      for (const location of plan.locations.filter((l) => l.kind === "main_campus")) {
        const rng = new Random(options.seed, `indoor-map:${location.code}`);
        const map = planIndoorMap(
          rng,
          location,
          plan.rooms.filter((r) => r.location_id === location.id),
        );
        summary.mapPlaces += await insertRows(tx, "map_nodes", map.nodes);
        await insertRows(tx, "map_edges", map.edges);
      }
      const now = Date.parse(`${options.today}T00:00:00Z`);
      summary.appointments = (
        await bookAppointments(tx, {
          ...DEMO_BOOKINGS,
          seed: options.seed,
          now,
          publicUrl: options.publicUrl,
        })
      ).appointments;
      summary.equipmentLoans = await seedDemoLoans(tx, { today: options.today });
      summary.users = await seedDemoUsers(tx, { seed: options.seed, today: options.today, passwordHash });
      summary.referrals = await seedDemoReferrals(tx, { seed: options.seed, today: options.today });
      await seedDemoFhirClients(tx);
      summary.waitlist = await seedDemoWaitlist(tx, { seed: options.seed, today: options.today });
      summary.rescheduled = await seedDemoRescheduling(tx, { seed: options.seed, today: options.today });
      // satisfaction surveys of past visits and a compliance alert (Reports → Quality, Compliance)
      await seedDemoQuality(tx, { seed: options.seed, today: options.today });
      // two resolved security incidents and an open one (Compliance → Security incidents)
      await seedDemoIncidents(tx, { today: options.today });
      summary.outOfService = await seedDemoOutOfService(tx, { today: options.today });
      await seedDemoHl7(tx, { today: options.today });
      // imaging types' modalities and the imaging rooms' stations: the DICOM worklist's entries
      await seedDemoDicom(tx);
      await seedDemoPharmacyTransport(tx, { today: options.today });
      // the demo's first main campus overbooks: one extra seat in a session expected to miss more
      // than one visit (its busiest sessions do, once the no-show model has trained on the seeded
      // history), offered to staff and to patients in Find care
      const campus = plan.locations.find((l) => l.kind === "main_campus");
      if (campus)
        await sql`INSERT INTO overbooking_rules (location_id, enabled, threshold, offer_to_patients, updated_at)
          VALUES (${campus.id}, true, 1, true, ${new Date(`${options.today}T00:00:00Z`)})`.execute(tx);
      // copay rules, caps, contracts and a saved capacity proposal (not counted in the summary)
      await seedDemoPricing(tx, { today: options.today });
      // the copay of every booking above, as the price recorder keeps it (revenue: the patient's share)
      await recordSeededCopays(tx);
      // insurance coverage on file and the payer's answer for upcoming bookings (eligibility)
      await seedDemoEligibility(tx, { seed: options.seed, today: options.today });
    }
    return summary;
  });
}

async function writePlan(db: Executor, plan: NetworkPlan, options: SeedOptions): Promise<SeedSummary> {
  const summary: SeedSummary = {
    // the specialty list may already hold some of ours (loaded by a migration or by hand)
    specialties: await insertRows(db, "specialties", plan.specialties, { skipExisting: true }),
    locations: await insertRows(db, "locations", plan.locations),
    departments: await insertRows(db, "departments", plan.departments),
    rooms: await insertRows(db, "rooms", plan.rooms),
    equipment: await insertRows(db, "equipment", plan.equipment),
    travelTimes: await insertRows(db, "travel_times", plan.travelTimes),
    appointmentTypes: await insertRows(db, "appointment_types", plan.appointmentTypes),
    physicians: await insertRows(db, "physicians", plan.physicians),
    templates: 0,
    overrides: 0,
    timeOff: 0,
    patients: 0,
    familyLinks: 0,
    registrations: 0,
    users: 0,
    appointments: 0,
    referrals: 0,
    rescheduled: 0,
    mapPlaces: 0,
    waitlist: 0,
    equipmentLoans: 0,
    outOfService: 0,
  };
  await insertRows(db, "physician_specialties", plan.physicianSpecialties);
  summary.templates = await insertRows(db, "assignment_templates", plan.templates);
  summary.overrides = await insertRows(db, "assignment_overrides", plan.overrides);
  summary.timeOff = await insertRows(db, "time_off", plan.timeOff);
  for (const batch of patientBatches(plan, options)) {
    summary.patients += await insertRows(db, "patients", batch.patients);
    summary.familyLinks += await insertRows(db, "family_links", batch.familyLinks);
    const registrations = batch.patients
      .filter((p) => p.preferred_location_ids.length > 0)
      .map((p) => ({ patient_id: p.id, location_id: p.preferred_location_ids[0]!, registered_by: null }));
    summary.registrations += await insertRows(db, "patient_registrations", registrations);
  }
  return summary;
}
