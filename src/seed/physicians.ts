/**
 * The physicians of the demo network: who they are, their home department, and the locations each
 * works at during a normal week (a good share work at two or three).
 */
import { PRIMARY_CARE, RELATED_SPECIALTIES, specialtyDemand } from "./catalog.js";
import { HERITAGES, type Heritage } from "./names.js";
import { roadMinutes, type Site, siteDistanceKm } from "./network.js";
import type { Random } from "./random.js";
import type { LocationKind, PhysicianRow, PhysicianSpecialtyRow } from "./tables.js";

export interface Clinician {
  row: PhysicianRow;
  specialties: string[];
  home: Site;
  /** Every location worked in a normal week, home first. */
  sites: Site[];
}

/** Door-to-door minutes between two sites; a video clinic needs no travel. */
export function travelMinutes(a: Site, b: Site): number {
  if (a === b || a.row.kind === "virtual" || b.row.kind === "virtual") return 0;
  return roadMinutes(siteDistanceKm(a, b));
}

/** Far enough for a weekly outreach day, not for a daily commute between sites. */
export const OUTREACH_REACH_MINUTES = 120;

export function withinReach(from: Site, to: Site): boolean {
  if (from === to) return false;
  if (to.row.kind === "virtual") return to.region === from.region;
  if (from.row.kind === "virtual") return false;
  return travelMinutes(from, to) <= OUTREACH_REACH_MINUTES;
}

/** A ten-digit NPI with a valid check digit (Luhn over the 80840 prefix, as the NPI standard says). */
export function npiFor(rng: Random, taken: Set<string>): string {
  for (;;) {
    const base = `${rng.pick(["1", "2"])}${String(rng.int(0, 99_999_999)).padStart(8, "0")}`;
    const digits = `80840${base}`;
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 0) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    const npi = `${base}${(10 - (sum % 10)) % 10}`;
    if (!taken.has(npi)) {
      taken.add(npi);
      return npi;
    }
  }
}

export function personName(rng: Random, heritage: Heritage, sex: "female" | "male") {
  return {
    given: rng.pick(sex === "female" ? heritage.female : heritage.male),
    family: rng.pick(heritage.family),
  };
}

const HOME_WEIGHT: Record<LocationKind, number> = {
  main_campus: 3,
  specialty_center: 2.5,
  satellite: 1.5,
  outpatient_clinic: 1,
  virtual: 0,
};

export function planPhysicians(
  rng: Random,
  sites: Site[],
  count: number,
  multiSiteShare: number,
): Clinician[] {
  // Home departments: physical ones, except that clinics are home only to their family doctors.
  const homes = sites.flatMap((site) =>
    [...(site.row.kind === "virtual" ? [] : site.departments.values())]
      .filter((d) => site.row.kind !== "outpatient_clinic" || d.specialty === "family_medicine")
      .map((department) => ({ site, department })),
  );
  const taken = new Set<string>();
  const clinicians: Clinician[] = [];
  const create = (home: (typeof homes)[number]) => {
    const heritage = rng.weighted(HERITAGES, (h) => h.weight);
    const sex = rng.chance(0.5) ? "female" : "male";
    const { given, family } = personName(rng, heritage, sex);
    const primary = home.department.specialty;
    const related = RELATED_SPECIALTIES[primary] ?? [];
    const specialties = related.length && rng.chance(0.2) ? [primary, rng.pick(related)] : [primary];
    const languages = ["en"];
    if (heritage.language && rng.chance(heritage.language.physician)) languages.push(heritage.language.code);
    else if (rng.chance(0.08)) languages.push("es");
    else if (rng.chance(0.03)) languages.push("fr");
    clinicians.push({
      row: {
        id: rng.uuid(),
        npi: npiFor(rng, taken),
        given_name: given,
        family_name: family,
        title: primary === "physical_therapy" ? "DPT" : rng.chance(0.15) ? "DO" : "MD",
        primary_specialty: primary,
        home_department_id: home.department.id,
        languages,
        accepts_new_patients: rng.chance(0.85),
        offers_telehealth: false,
      },
      specialties,
      home: home.site,
      sites: [home.site],
    });
  };
  // Every home department gets a physician first, then demand decides where the rest go.
  for (const home of homes) if (clinicians.length < count) create(home);
  while (clinicians.length < count) {
    create(
      rng.weighted(
        homes,
        (h) => HOME_WEIGHT[h.site.row.kind] * (specialtyDemand.get(h.department.specialty) ?? 1),
      ),
    );
  }

  const worksAt = (c: Clinician, site: Site) => c.sites.includes(site);
  const canAdd = (c: Clinician, site: Site) =>
    c.sites.length < 3 &&
    !worksAt(c, site) &&
    withinReach(c.home, site) &&
    site.departments.has(c.row.primary_specialty);

  // Departments nobody calls home are covered by a visiting physician of the same specialty.
  const covered = new Set(
    clinicians.flatMap((c) => c.sites.map((s) => `${s.row.id}:${c.row.primary_specialty}`)),
  );
  for (const site of sites) {
    for (const specialty of site.departments.keys()) {
      if (covered.has(`${site.row.id}:${specialty}`)) continue;
      const candidates = clinicians.filter((c) => c.row.primary_specialty === specialty && canAdd(c, site));
      if (!candidates.length) continue;
      const fewest = Math.min(...candidates.map((c) => c.sites.length));
      const chosen = rng.pick(candidates.filter((c) => c.sites.length === fewest));
      chosen.sites.push(site);
      covered.add(`${site.row.id}:${specialty}`);
    }
  }

  // Then more physicians split their week until the network's multi-site share is reached.
  let multiSite = clinicians.filter((c) => c.sites.length >= 2).length;
  for (const c of rng.shuffle(clinicians)) {
    if (multiSite >= Math.ceil(multiSiteShare * count)) break;
    if (c.sites.length >= 2) continue;
    const options = sites.filter((s) => canAdd(c, s));
    if (!options.length) continue;
    // nearer sites are likelier; a video clinic is a common second "site" for primary care
    c.sites.push(
      rng.weighted(options, (s) =>
        s.row.kind === "virtual"
          ? PRIMARY_CARE.has(c.row.primary_specialty)
            ? 2
            : 1
          : 60 / travelMinutes(c.home, s),
      ),
    );
    multiSite++;
  }

  for (const c of clinicians) {
    c.row.offers_telehealth = c.sites.some((s) => s.row.kind === "virtual") || rng.chance(0.3);
  }
  return clinicians;
}

export function physicianSpecialties(clinicians: Clinician[]): PhysicianSpecialtyRow[] {
  return clinicians.flatMap((c) => c.specialties.map((specialty) => ({ physician_id: c.row.id, specialty })));
}
