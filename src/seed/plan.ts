/**
 * The whole demo network as plain rows, computed without a database: same options, same rows.
 * Each concern draws from its own random stream so that changing one does not reshuffle others.
 */

import { planAbsences } from "./absences.js";
import { DEFAULT_PUBLIC_URL } from "./appointments.js";
import { appointmentTypes, SPECIALTIES } from "./catalog.js";
import { planRoomsAndEquipment } from "./facilities.js";
import { planSites, planTravelTimes, type Site } from "./network.js";
import { type PatientBatch, planPatients } from "./patients.js";
import { type Clinician, physicianSpecialties, planPhysicians } from "./physicians.js";
import { Random } from "./random.js";
import { SCALES } from "./regions.js";
import { planTemplates } from "./schedules.js";
import type { SeedTables } from "./tables.js";

export interface SeedOptions {
  scale: "small" | "large";
  seed: number;
  /** "YYYY-MM-DD"; rotations and time off are placed relative to it. Defaults to today (UTC). */
  today?: string;
  /** The app's public address, under which the demo's video visits get their join links. */
  publicUrl?: string;
}

type Rows<T extends keyof SeedTables> = Array<SeedTables[T]>;

/** Everything but the patients, who are generated in batches by `patientBatches`. */
export interface NetworkPlan {
  sites: Site[];
  clinicians: Clinician[];
  specialties: Rows<"specialties">;
  locations: Rows<"locations">;
  departments: Rows<"departments">;
  rooms: Rows<"rooms">;
  equipment: Rows<"equipment">;
  travelTimes: Rows<"travel_times">;
  appointmentTypes: Rows<"appointment_types">;
  physicians: Rows<"physicians">;
  physicianSpecialties: Rows<"physician_specialties">;
  templates: Rows<"assignment_templates">;
  overrides: Rows<"assignment_overrides">;
  timeOff: Rows<"time_off">;
  patientCount: number;
}

export const todayUtc = (): string => new Date().toISOString().slice(0, 10);

export function resolveOptions(opts: SeedOptions): Required<SeedOptions> {
  if (!Number.isSafeInteger(opts.seed)) throw new Error(`The seed must be an integer, not ${opts.seed}`);
  if (!(opts.scale in SCALES)) throw new Error(`Unknown scale "${opts.scale}" (use small or large)`);
  const today = opts.today ?? todayUtc();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today) || Number.isNaN(Date.parse(today))) {
    throw new Error(`"today" must be a date like 2026-03-02, not "${today}"`);
  }
  return { scale: opts.scale, seed: opts.seed, today, publicUrl: opts.publicUrl ?? DEFAULT_PUBLIC_URL };
}

export function planNetwork(options: SeedOptions): NetworkPlan {
  const { scale: scaleName, seed, today } = resolveOptions(options);
  const scale = SCALES[scaleName];
  const sites = planSites(new Random(seed, "sites"), scale);
  const { rooms, equipment } = planRoomsAndEquipment(new Random(seed, "rooms"), sites);
  const types = appointmentTypes(new Random(seed, "appointment-types"));
  const clinicians = planPhysicians(
    new Random(seed, "physicians"),
    sites,
    scale.physicians,
    scale.multiSiteShare,
  );
  const { overrides, timeOff } = planAbsences(new Random(seed, "absences"), clinicians, sites, today);
  return {
    sites,
    clinicians,
    specialties: SPECIALTIES,
    locations: sites.map((s) => s.row),
    departments: sites.flatMap((s) => [...s.departments.values()]),
    rooms,
    equipment,
    travelTimes: planTravelTimes(new Random(seed, "travel"), sites, scale),
    appointmentTypes: types,
    physicians: clinicians.map((c) => c.row),
    physicianSpecialties: physicianSpecialties(clinicians),
    templates: planTemplates(new Random(seed, "templates"), clinicians, types),
    overrides,
    timeOff,
    patientCount: scale.patients,
  };
}

/** The network's patients and family links, a few thousand at a time. */
export function patientBatches(
  plan: NetworkPlan,
  options: SeedOptions,
  batchSize?: number,
): Generator<PatientBatch> {
  const { seed, today } = resolveOptions(options);
  return planPatients(new Random(seed, "patients"), plan.sites, plan.patientCount, today, batchSize);
}
