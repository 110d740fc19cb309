/**
 * Patients of the demo network, generated household by household around the facilities, with
 * family links between guardians and their dependents. Produced in batches so a benchmark-sized
 * population never has to sit in memory at once.
 */
import { asciiSlug, HERITAGES, type Heritage, PATIENT_ACCESSIBILITY_NEEDS, PAYERS } from "./names.js";
import { fictionalPhone, offsetPoint, pointOf, type Site, siteDistanceKm, streetAddress } from "./network.js";
import { personName } from "./physicians.js";
import type { Random } from "./random.js";
import type { FamilyLinkRow, LocationKind, PatientRow } from "./tables.js";

export interface PatientBatch {
  patients: PatientRow[];
  familyLinks: FamilyLinkRow[];
}

const ANCHOR_WEIGHT: Record<LocationKind, number> = {
  main_campus: 4,
  satellite: 2,
  outpatient_clinic: 1.5,
  specialty_center: 0.7,
  virtual: 0,
};
/** Age bands of people living alone (children mostly come with a family). */
const AGE_BANDS: Array<[number, number, number]> = [
  [0, 4, 3],
  [5, 17, 6],
  [18, 29, 14],
  [30, 44, 18],
  [45, 64, 28],
  [65, 79, 21],
  [80, 95, 10],
];
const DAY_MS = 86_400_000;

const [MEDICAID, MEDICARE] = [
  PAYERS.find((p) => p.name === "Medicaid")!,
  PAYERS.find((p) => p.name === "Medicare")!,
];
const COMMERCIAL = PAYERS.filter((p) => p !== MEDICAID && p !== MEDICARE);

/** Most people over 65 are on Medicare, many children on Medicaid, about one in ten uninsured. */
function payerFor(rng: Random, age: number): (typeof PAYERS)[number] | null {
  if (age >= 65 && rng.chance(0.8)) return MEDICARE;
  if (rng.chance(age < 18 ? 0.35 : 0.12)) return MEDICAID;
  return rng.chance(0.88) ? rng.pick(COMMERCIAL) : null;
}

interface Household {
  heritage: Heritage;
  family: string;
  anchor: Site;
  address: Pick<PatientRow, "address_line" | "city" | "region" | "postal_code" | "latitude" | "longitude">;
}

export function* planPatients(
  rng: Random,
  sites: Site[],
  count: number,
  todayIso: string,
  batchSize = 2500,
): Generator<PatientBatch> {
  const physical = sites.filter((s) => s.row.kind !== "virtual");
  const virtualOf = new Map(sites.filter((s) => s.row.kind === "virtual").map((s) => [s.region, s]));
  // each anchor's two nearest other facilities, the usual second choice of its patients
  const nearest = new Map(
    physical.map((a) => [
      a,
      physical
        .filter((b) => b !== a)
        .sort((x, y) => siteDistanceKm(a, x) - siteDistanceKm(a, y))
        .slice(0, 2),
    ]),
  );
  const [ty, tm, td] = todayIso.split("-").map(Number) as [number, number, number];
  const birthDate = (age: number) =>
    new Date(Date.UTC(ty - age, tm - 1, td) - rng.int(0, 364) * DAY_MS).toISOString().slice(0, 10);

  let made = 0;
  let batch: PatientBatch = { patients: [], familyLinks: [] };

  const household = (): Household => {
    const anchor = rng.weighted(physical, (s) => ANCHOR_WEIGHT[s.row.kind]);
    const heritage = rng.weighted(HERITAGES, (h) => h.weight);
    // most people live within a few kilometres of a facility, a few much farther out
    const point = offsetPoint(rng, pointOf(anchor), Math.min(45, Math.abs(rng.normal()) * 9 + 0.5));
    return {
      heritage,
      family: rng.pick(heritage.family),
      anchor,
      address: {
        address_line: streetAddress(rng),
        city: anchor.row.city,
        region: anchor.row.region,
        postal_code:
          anchor.row.postal_code?.slice(0, 3).concat(String(rng.int(1, 99)).padStart(2, "0")) ?? null,
        latitude: point.latitude,
        longitude: point.longitude,
      },
    };
  };

  const person = (h: Household, age: number, sex?: PatientRow["sex"]): PatientRow => {
    const s: PatientRow["sex"] =
      sex ?? (rng.chance(0.02) ? rng.pick(["other", "unknown"]) : rng.pick(["female", "male"]));
    const { given } = personName(
      rng,
      h.heritage,
      s === "male" ? "male" : s === "female" ? "female" : rng.pick(["female", "male"]),
    );
    const language =
      h.heritage.language && rng.chance(h.heritage.language.patient) ? h.heritage.language.code : "en";
    const preferred: string[] = [];
    const roll = rng.next();
    if (roll < 0.2) preferred.push(h.anchor.row.id);
    else if (roll < 0.28)
      preferred.push(h.anchor.row.id, ...(nearest.get(h.anchor) ?? []).slice(0, 1).map((s) => s.row.id));
    else if (roll < 0.32) {
      const virtual = virtualOf.get(h.anchor.region);
      if (virtual) preferred.push(virtual.row.id);
    }
    const needs = rng.chance(age >= 75 ? 0.2 : 0.04)
      ? rng.sample(PATIENT_ACCESSIBILITY_NEEDS, rng.chance(0.8) ? 1 : 2)
      : [];
    const payer = payerFor(rng, age);
    made++;
    return {
      id: rng.uuid(),
      mrn: `MRN-${String(made).padStart(7, "0")}`,
      given_name: given,
      family_name: h.family,
      birth_date: birthDate(age),
      sex: s,
      email:
        age >= 16 && rng.chance(0.7)
          ? `${asciiSlug(given)}.${asciiSlug(h.family)}${rng.int(1, 999)}@example.com`
          : null,
      phone: age >= 14 && rng.chance(0.85) ? fictionalPhone(h.anchor.region.areaCode, rng.int(0, 99)) : null,
      ...h.address,
      preferred_location_ids: preferred,
      preferred_language: language,
      accessibility_needs: needs,
      insurance_payer: payer?.name ?? null,
      insurance_member_id: payer
        ? `${payer.prefix}${String(rng.int(0, 999_999_999)).padStart(9, "0")}`
        : null,
    };
  };

  const link = (guardian: PatientRow, dependent: PatientRow, relationship: FamilyLinkRow["relationship"]) =>
    batch.familyLinks.push({ guardian_id: guardian.id, dependent_id: dependent.id, relationship });

  while (made < count) {
    const remaining = count - made;
    const h = household();
    const roll = rng.next();
    if (roll < 0.02 && remaining >= 5) {
      // a parent (or legal guardian) with one to three children, sometimes with a spouse
      const guardian = person(h, rng.int(24, 55));
      batch.patients.push(guardian);
      if (rng.chance(0.4)) {
        const spouse = person(h, rng.int(24, 55), guardian.sex === "female" ? "male" : "female");
        batch.patients.push(spouse);
        link(guardian, spouse, "spouse");
      }
      const relationship = rng.chance(0.9) ? "parent" : "legal_guardian";
      for (let i = rng.int(1, 3); i > 0; i--) {
        const child = person(h, rng.int(0, 17));
        batch.patients.push(child);
        link(guardian, child, relationship);
      }
    } else if (roll < 0.028 && remaining >= 2) {
      // an adult child who looks after an elderly parent
      const carer = person(h, rng.int(40, 65));
      const elder = person(h, rng.int(75, 95));
      batch.patients.push(carer, elder);
      link(carer, elder, "caregiver");
    } else if (roll < 0.036 && remaining >= 2) {
      const age = rng.int(25, 90);
      const a = person(h, age);
      const b = person(
        h,
        Math.max(18, Math.min(95, age + rng.int(-4, 4))),
        a.sex === "male" ? "female" : "male",
      );
      batch.patients.push(a, b);
      link(a, b, "spouse");
    } else {
      const [min, max] = rng.weighted(AGE_BANDS, (b) => b[2]);
      batch.patients.push(person(h, rng.int(min, max)));
    }
    if (batch.patients.length >= batchSize) {
      yield batch;
      batch = { patients: [], familyLinks: [] };
    }
  }
  if (batch.patients.length) yield batch;
}
