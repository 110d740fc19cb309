/**
 * The demo's fee schedule (analytics' revenue reports): every appointment type at every location,
 * two and a half times the catalogue's base copay (the payer pays the rest) adjusted by the kind of
 * location, billed under the type's code with a modifier per kind of site. Derived, not drawn:
 * the random sequences stay as they were.
 */
import type { AppointmentTypeRow, FeeRow, LocationRow } from "./tables.js";

/** The fee as a multiple of the type's base copay. */
const FEE_PER_COPAY = 2.5;
const FACTOR: Record<string, [number, string]> = {
  main_campus: [1, ""],
  specialty_center: [1.1, "-SC"],
  satellite: [0.9, "-SAT"],
  outpatient_clinic: [0.95, "-OP"],
  virtual: [0.8, "-TH"],
};

export function planFees(locations: readonly LocationRow[], types: readonly AppointmentTypeRow[]): FeeRow[] {
  const rows: FeeRow[] = [];
  for (const l of locations) {
    const [factor, modifier] = FACTOR[l.kind] ?? [1, ""];
    for (const t of types) {
      const code = (t.billing_code ?? t.code).replace(/[^A-Za-z0-9.-]/g, "-").slice(0, 20 - modifier.length);
      rows.push({
        location_id: l.id,
        appointment_type_id: t.id,
        fee_cents: Math.round((t.base_price_cents * FEE_PER_COPAY * factor) / 100) * 100,
        billing_code: `${code}${modifier}`,
      });
    }
  }
  return rows;
}
