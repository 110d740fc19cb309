/**
 * The demo's billing coding: a billing identity for every location (its place of service by kind,
 * a valid facility NPI and tax id, the location's address) and the modifier procedures are billed
 * with. Derived, not drawn: the random sequences stay as they were. The seeded completed visits
 * are the charges an export turns into claims.
 */
import { npiCheckDigit } from "../integrations/billing/index.js";
import type { AppointmentTypeRow, LocationRow } from "./tables.js";

/** CMS place of service by kind of site: 22 on-campus outpatient hospital, 11 office, 49 independent clinic. */
const PLACE_OF_SERVICE: Record<LocationRow["kind"], string> = {
  main_campus: "22",
  specialty_center: "22",
  satellite: "11",
  outpatient_clinic: "49",
  virtual: "02",
};

export function planBillingIdentities(locations: readonly LocationRow[]) {
  // a virtual location has no address of its own: it bills from its region's first site with one
  const addressed = locations.filter((l) => l.address_line && l.city && l.region && l.postal_code);
  return locations.flatMap((l, i) => {
    const home = l.address_line ? l : (addressed.find((a) => a.time_zone === l.time_zone) ?? addressed[0]);
    if (!home) return [];
    const first9 = `1${String(20_000_000 + i * 7_919).padStart(8, "0")}`;
    return [
      {
        location_id: l.id,
        place_of_service: PLACE_OF_SERVICE[l.kind],
        // the virtual clinic's patients are seen at home; everyone else's video visits are POS 02
        telehealth_place_of_service: l.kind === "virtual" ? "10" : "02",
        facility_npi: `${first9}${npiCheckDigit(first9)}`,
        tax_id: `84${String(1_000_000 + i * 37).padStart(7, "0")}`,
        billing_name: l.name.replace(/[~*:^]/g, " ").slice(0, 60),
        address_line: home.address_line!,
        city: home.city!,
        region: home.region!,
        postal_code: home.postal_code!,
      },
    ];
  });
}

/** Procedures are billed as distinct procedural services (modifier 59); visits carry none. */
export function planTypeModifiers(types: readonly AppointmentTypeRow[]) {
  return types
    .filter((t) => t.visit_kind === "procedure")
    .map((t) => ({ appointment_type_id: t.id, modifiers: ["59"] }));
}
