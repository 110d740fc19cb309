/**
 * The facilities of the demo network: locations with their practical details (hours, parking,
 * access, transport), departments, and the configured travel-time matrix.
 */
import { distanceKm } from "../services/locations/index.js";
import {
  CENTRE_THEMES,
  type CentreTheme,
  CLINIC_EXTRAS,
  MAIN_CAMPUS_SPECIALTIES,
  SATELLITE_CORE,
  SATELLITE_EXTRAS,
  specialtyName,
  VIRTUAL_SPECIALTIES,
} from "./catalog.js";
import { STREET_NAMES, STREET_SUFFIXES } from "./names.js";
import type { Random } from "./random.js";
import type { Region, Scale } from "./regions.js";
import type { DepartmentRow, LocationKind, LocationRow, OpeningHours, TravelTimeRow } from "./tables.js";

/** A location together with what the rest of the generator needs to know about it. */
export interface Site {
  row: LocationRow;
  region: Region;
  theme: CentreTheme | null;
  hours: OpeningHours;
  /** An older building without a lift: upper floors are reached by stairs only. */
  stairsOnly: boolean;
  departments: Map<string, DepartmentRow>;
}

const KIND_ORDER: LocationKind[] = [
  "main_campus",
  "satellite",
  "outpatient_clinic",
  "specialty_center",
  "virtual",
];
const KM_PER_DEGREE = 111.32;

/** A fictional number in the 555-0100..0199 range reserved for fiction. */
export const fictionalPhone = (areaCode: string, n: number) =>
  `(${areaCode}) 555-01${String(n % 100).padStart(2, "0")}`;

export function streetAddress(rng: Random): string {
  const number = rng.chance(0.5) ? rng.int(1, 98) * 100 : rng.int(10, 9899);
  return `${number} ${rng.pick(STREET_NAMES)} ${rng.pick(STREET_SUFFIXES)}`;
}

/** A point `km` away from `center` in a random direction, rounded to about a metre. */
export function offsetPoint(rng: Random, center: { latitude: number; longitude: number }, km: number) {
  const bearing = rng.real(0, 2 * Math.PI);
  const latitude = center.latitude + (km / KM_PER_DEGREE) * Math.cos(bearing);
  const longitude =
    center.longitude +
    (km / (KM_PER_DEGREE * Math.cos((center.latitude * Math.PI) / 180))) * Math.sin(bearing);
  return { latitude: Number(latitude.toFixed(5)), longitude: Number(longitude.toFixed(5)) };
}

const weekdays = (from: number, to: number, opens: string, closes: string): OpeningHours =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ weekday: from + i, opens, closes }));

function openingHours(rng: Random, kind: LocationKind): OpeningHours {
  switch (kind) {
    case "main_campus":
      return [...weekdays(1, 5, "07:00", "20:00"), ...weekdays(6, 6, "08:00", "14:00")];
    case "satellite":
      return [
        ...weekdays(1, 5, "08:00", rng.pick(["18:00", "19:00"])),
        ...(rng.chance(0.5) ? weekdays(6, 6, "09:00", "13:00") : []),
      ];
    case "outpatient_clinic":
      return weekdays(1, 5, "08:00", "17:00");
    case "specialty_center":
      return weekdays(1, 5, "07:30", "17:30");
    case "virtual":
      return [...weekdays(1, 6, "07:00", "21:00"), ...weekdays(7, 7, "09:00", "17:00")];
  }
}

function departmentSpecialties(rng: Random, kind: LocationKind, theme: CentreTheme | null): string[] {
  switch (kind) {
    case "main_campus":
      return MAIN_CAMPUS_SPECIALTIES;
    case "specialty_center":
      return theme!.specialties;
    case "satellite":
      return [...SATELLITE_CORE, ...rng.sample(SATELLITE_EXTRAS, rng.int(3, 4))];
    case "outpatient_clinic":
      return ["family_medicine", ...rng.sample(CLINIC_EXTRAS, rng.int(2, 3))];
    case "virtual":
      return VIRTUAL_SPECIALTIES;
  }
}

function publicTransport(
  rng: Random,
  site: { kind: LocationKind; region: Region; town: string },
): string | null {
  const { transit } = site.region;
  if (site.kind === "virtual") return null;
  if (!transit) {
    return "No scheduled public transport; the county dial-a-ride serves this clinic on weekdays (book a day ahead).";
  }
  const [a, b] = [rng.int(2, 40), rng.int(41, 99)];
  const bus = `${transit.agency} bus routes ${a} and ${b} stop outside the main entrance.`;
  if (transit.rail && (site.kind === "main_campus" || rng.chance(0.35))) {
    const station = site.kind === "main_campus" ? "Medical Center" : site.town;
    return `${bus} ${transit.rail} to ${station} station, ${rng.int(3, 9)} minutes' walk.`;
  }
  return bus;
}

type Parking = Pick<
  LocationRow,
  "parking_spaces" | "parking_accessible_spaces" | "parking_cost_cents_per_hour" | "parking_notes"
>;

function parking(rng: Random, kind: LocationKind, stairsOnly: boolean, freeSatellite: boolean): Parking {
  const lot = (spaces: number, accessible: number, cents: number, notes: string | null): Parking => ({
    parking_spaces: spaces,
    parking_accessible_spaces: accessible,
    parking_cost_cents_per_hour: cents,
    parking_notes: notes,
  });
  if (kind === "virtual") return lot(0, 0, 0, null);
  if (stairsOnly) {
    return lot(
      12,
      0,
      0,
      "Street parking only; the nearest accessible bay is at the public library across the road.",
    );
  }
  switch (kind) {
    case "main_campus":
      return lot(
        rng.int(9, 14) * 100,
        rng.int(40, 60),
        rng.pick([250, 300, 350]),
        "Visitor garage on the north side; valet at the main entrance 07:00-19:00; first 30 minutes free.",
      );
    case "specialty_center":
      return lot(rng.int(20, 50) * 10, rng.int(10, 20), 200, "Surface lot and a two-level garage.");
    case "satellite":
      return freeSatellite
        ? lot(rng.int(8, 25) * 10, rng.int(4, 10), 0, "Free surface lot.")
        : lot(rng.int(8, 25) * 10, rng.int(4, 10), rng.pick([100, 150]), "Pay-and-display surface lot.");
    default:
      return lot(rng.int(2, 6) * 10, rng.int(2, 4), 0, "Free parking in front of the building.");
  }
}

function accessibility(rng: Random, kind: LocationKind, stairsOnly: boolean): string[] {
  if (kind === "virtual") return ["screen_reader_friendly", "live_captioning", "sign_language_interpreter"];
  if (stairsOnly) return ["hearing_loop"];
  const base = ["step_free_access", "wheelchair_accessible", "accessible_restrooms", "accessible_parking"];
  if (kind !== "outpatient_clinic") base.push("elevator");
  const extras = [
    "hearing_loop",
    "braille_signage",
    "sign_language_interpreter",
    "wheelchair_loan",
    "quiet_room",
  ];
  return [...base, ...extras.filter(() => rng.chance(kind === "main_campus" ? 0.9 : 0.45))];
}

function amenities(rng: Random, kind: LocationKind): string[] {
  const byKind: Record<LocationKind, [string[], string[]]> = {
    main_campus: [
      ["cafe", "pharmacy", "wifi", "lactation_room", "gift_shop", "chapel", "atm"],
      ["ev_charging"],
    ],
    specialty_center: [
      ["cafe", "wifi"],
      ["lactation_room", "pharmacy", "ev_charging", "children_play_area"],
    ],
    satellite: [["wifi"], ["pharmacy", "cafe", "lactation_room", "vending_machines", "ev_charging"]],
    outpatient_clinic: [["wifi"], ["vending_machines", "children_play_area"]],
    virtual: [[], []],
  };
  const [always, sometimes] = byKind[kind];
  return [...always, ...sometimes.filter(() => rng.chance(0.5))];
}

function services(kind: LocationKind, specialties: string[]): string[] {
  const has = (s: string) => specialties.includes(s);
  const list: Record<LocationKind, string[]> = {
    main_campus: ["emergency_department", "inpatient_care", "surgery", "laboratory", "imaging", "infusion"],
    specialty_center: ["laboratory", ...(has("radiology") ? ["imaging"] : [])],
    satellite: ["laboratory", "vaccinations", "walk_in_care", ...(has("radiology") ? ["x_ray"] : [])],
    outpatient_clinic: ["vaccinations", "blood_draws"],
    virtual: ["video_visits", "e_visits", "prescription_renewals"],
  };
  return [...list[kind], ...(has("physical_therapy") ? ["physical_therapy"] : [])];
}

/** Specialty centres sit close to the main campus, satellites in the suburbs, clinics farther out. */
function kmFromCentre(rng: Random, kind: LocationKind, regionHasMainCampus: boolean): number {
  switch (kind) {
    case "main_campus":
      return rng.real(0, 0.6);
    case "specialty_center":
      return rng.real(2, 9);
    case "satellite":
      return rng.real(8, 28);
    default:
      // a region without a main campus is a rural cluster of clinics around a market town
      return regionHasMainCampus ? rng.real(14, 40) : rng.real(4, 22);
  }
}

/** Every location of the network, in a stable order, with departments. */
export function planSites(rng: Random, scale: Scale): Site[] {
  const sites: Site[] = [];
  let themeIndex = 0;
  let clinicIndex = 0;
  let satelliteIndex = 0;
  for (const { region, counts } of scale.regions) {
    let townIndex = 0;
    for (const kind of KIND_ORDER) {
      for (let i = 0; i < counts[kind]; i++) {
        const theme =
          kind === "specialty_center" ? CENTRE_THEMES[themeIndex++ % CENTRE_THEMES.length]! : null;
        const town = kind === "main_campus" || kind === "virtual" ? region.metro : region.towns[townIndex++];
        if (!town) throw new Error(`Region ${region.metro} has too few towns for this scale`);
        const stairsOnly = kind === "outpatient_clinic" && clinicIndex++ === 1;
        const freeSatellite = kind === "satellite" && satelliteIndex++ % 3 === 1;
        const townWord = town.split(" ")[0]!.toUpperCase().slice(0, 11);
        const code = {
          main_campus: "MAIN",
          satellite: townWord,
          outpatient_clinic: townWord,
          specialty_center: theme?.code ?? "CENTER",
          virtual: "VIRTUAL",
        }[kind];
        const name = {
          main_campus: `${region.metro} Medical Center (Main Campus)`,
          satellite: `${town} Satellite`,
          outpatient_clinic: `${town} Outpatient Clinic`,
          specialty_center: `${region.metro} ${theme?.name}`,
          virtual: `${region.metro} Virtual Care`,
        }[kind];
        const point =
          kind === "virtual"
            ? null
            : offsetPoint(rng, region.center, kmFromCentre(rng, kind, counts.main_campus > 0));
        const specialties = departmentSpecialties(rng, kind, theme);
        const hours = openingHours(rng, kind);
        const row: LocationRow = {
          id: rng.uuid(),
          code: `${region.prefix}-${code}`,
          name,
          kind,
          address_line: point ? streetAddress(rng) : null,
          city: point ? town : null,
          region: point ? region.state : null,
          postal_code: point ? `${region.zip3}${String(rng.int(1, 99)).padStart(2, "0")}` : null,
          latitude: point?.latitude ?? null,
          longitude: point?.longitude ?? null,
          time_zone: region.timeZone,
          phone: fictionalPhone(region.areaCode, sites.length),
          opening_hours: hours,
          ...parking(rng, kind, stairsOnly, freeSatellite),
          accessibility_features: accessibility(rng, kind, stairsOnly),
          amenities: amenities(rng, kind),
          public_transport: publicTransport(rng, { kind, region, town }),
          services: services(kind, specialties),
          data_residency: region.dataResidency,
        };
        const departments = new Map<string, DepartmentRow>();
        for (const specialty of specialties) {
          departments.set(specialty, {
            id: rng.uuid(),
            location_id: row.id,
            specialty,
            name: specialtyName.get(specialty)!,
            phone: fictionalPhone(region.areaCode, rng.int(0, 99)),
          });
        }
        sites.push({ row, region, theme, hours, stairsOnly, departments });
      }
    }
  }
  return sites;
}

/** Door-to-door minutes by road: slower in town, faster on the highway, rounded up to 5. */
export function roadMinutes(km: number): number {
  const speedKmh = km < 15 ? 35 : km < 40 ? 50 : 65;
  return Math.ceil((((km * 1.3) / speedKmh) * 60 + 8) / 5) * 5;
}

/** Coordinates of a physical site (a virtual one has none and is never asked). */
export const pointOf = (site: Site) => ({
  latitude: site.row.latitude ?? 0,
  longitude: site.row.longitude ?? 0,
});

/** Kilometres as the crow flies between two physical sites. */
export const siteDistanceKm = (a: Site, b: Site) => distanceKm(pointOf(a), pointOf(b));

const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

/**
 * Configured minutes for most pairs within reach of each other. A few physical pairs are left
 * unconfigured on purpose so the application's distance estimate shows up in the demo.
 */
export function planTravelTimes(rng: Random, sites: Site[], scale: Scale): TravelTimeRow[] {
  const physical = sites.filter((s) => s.row.kind !== "virtual");
  const near = (a: Site, b: Site) => siteDistanceKm(a, b) <= scale.maxConfiguredKm;
  const candidatePairs: Array<[Site, Site]> = [];
  for (let i = 0; i < physical.length; i++) {
    for (let j = i + 1; j < physical.length; j++) {
      if (near(physical[i]!, physical[j]!)) candidatePairs.push([physical[i]!, physical[j]!]);
    }
  }
  const partners = new Map<string, number>();
  for (const [a, b] of candidatePairs) {
    partners.set(a.row.id, (partners.get(a.row.id) ?? 0) + 1);
    partners.set(b.row.id, (partners.get(b.row.id) ?? 0) + 1);
  }
  const unconfigured = new Set<string>();
  const leaveOut = Math.max(3, Math.round(candidatePairs.length * 0.05));
  for (const [a, b] of rng.shuffle(candidatePairs)) {
    if (unconfigured.size >= leaveOut) break;
    // every location keeps most of its partners, so it stays in the matrix
    if ((partners.get(a.row.id) ?? 0) < 4 || (partners.get(b.row.id) ?? 0) < 4) continue;
    unconfigured.add(pairKey(a.row.id, b.row.id));
    partners.set(a.row.id, partners.get(a.row.id)! - 1);
    partners.set(b.row.id, partners.get(b.row.id)! - 1);
  }
  const rows: TravelTimeRow[] = [];
  for (const [a, b] of candidatePairs) {
    if (unconfigured.has(pairKey(a.row.id, b.row.id))) continue;
    const minutes = roadMinutes(siteDistanceKm(a, b));
    rows.push({ from_location_id: a.row.id, to_location_id: b.row.id, minutes });
    rows.push({ from_location_id: b.row.id, to_location_id: a.row.id, minutes });
  }
  // a video visit needs no travel: configure 0 minutes to and from the region's virtual clinic
  for (const v of sites.filter((s) => s.row.kind === "virtual")) {
    for (const p of physical.filter((s) => s.region === v.region)) {
      rows.push({ from_location_id: v.row.id, to_location_id: p.row.id, minutes: 0 });
      rows.push({ from_location_id: p.row.id, to_location_id: v.row.id, minutes: 0 });
    }
  }
  return rows;
}
