/**
 * The charge a completed visit becomes, as pure functions: which place of service and modifiers
 * the location's coding gives it, what it costs (the location's fee schedule), and why a visit
 * cannot be billed. Everything here is derived from server-side records, never from a request.
 */

/** CMS place of service of a video visit away from the patient's home, and at the patient's home. */
export const TELEHEALTH_POS = ["02", "10"] as const;
export type TelehealthPos = (typeof TELEHEALTH_POS)[number];
/** The CPT modifier of a synchronous telemedicine service. */
export const TELEHEALTH_MODIFIER = "95";
/** An 837P service line carries at most four procedure modifiers (SV101-3 to -6). */
export const MAX_MODIFIERS = 4;

/**
 * Whether a 10-digit NPI carries the right check digit: the Luhn formula over the number with the
 * card-issuer prefix 80840 in front (CMS, "NPI check digit").
 */
export function npiIsValid(npi: string): boolean {
  if (!/^\d{10}$/.test(npi)) return false;
  const digits = `80840${npi}`;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The check digit that completes the first nine digits of an NPI (demo data and tests make NPIs). */
export function npiCheckDigit(first9: string): string {
  for (let d = 0; d <= 9; d++) if (npiIsValid(`${first9}${d}`)) return String(d);
  throw new Error("not nine digits");
}

/** A location's billing identity (billing_identities). */
export interface BillingIdentity {
  locationId: string;
  placeOfService: string;
  telehealthPlaceOfService: TelehealthPos;
  facilityNpi: string;
  ein: string;
  billingName: string;
  addressLine: string;
  city: string;
  region: string;
  postalCode: string;
}

/** What a charge is derived from: the visit as scheduling recorded it and the coding in force. */
export interface ChargeFacts {
  visit: {
    id: string;
    patientId: string;
    physicianId: string;
    locationId: string;
    appointmentTypeId: string;
    telehealth: boolean;
  };
  /** The visit's date in its location's time zone (YYYY-MM-DD). */
  serviceDate: string;
  identity: BillingIdentity | undefined;
  /** The appointment type's CPT/HCPCS code (the catalogue's billing code). */
  procedureCode: string | null;
  typeModifiers: readonly string[];
  /** The location's fee for the type (analytics' fee schedule); undefined when none is set. */
  feeCents: number | undefined;
}

export interface Charge {
  appointmentId: string;
  /** CLM01: the patient control number, the appointment's id. */
  claimId: string;
  patientId: string;
  physicianId: string;
  locationId: string;
  serviceDate: string;
  procedureCode: string;
  modifiers: string[];
  placeOfService: string;
  amountCents: number;
}

export const skipReasons = ["no_billing_identity", "no_fee", "no_procedure_code"] as const;
export type SkipReason = (typeof skipReasons)[number];
export type ChargeOutcome = { charge: Charge } | { skipped: SkipReason };

/** The modifiers of a service line: the type's, then 95 for a video visit; no repeats, at most four. */
export function modifiersOf(typeModifiers: readonly string[], telehealth: boolean): string[] {
  const all = telehealth ? [...typeModifiers, TELEHEALTH_MODIFIER] : [...typeModifiers];
  return [...new Set(all)].slice(0, MAX_MODIFIERS);
}

/** The place of service: the location's own, or its telehealth code for a video visit. */
export function placeOfServiceOf(identity: BillingIdentity, telehealth: boolean): string {
  return telehealth ? identity.telehealthPlaceOfService : identity.placeOfService;
}

/** The charge a completed visit becomes, or why it cannot be billed yet. */
export function chargeOf(f: ChargeFacts): ChargeOutcome {
  if (!f.identity) return { skipped: "no_billing_identity" };
  if (f.feeCents === undefined) return { skipped: "no_fee" };
  if (!f.procedureCode) return { skipped: "no_procedure_code" };
  return {
    charge: {
      appointmentId: f.visit.id,
      claimId: f.visit.id,
      patientId: f.visit.patientId,
      physicianId: f.visit.physicianId,
      locationId: f.visit.locationId,
      serviceDate: f.serviceDate,
      procedureCode: f.procedureCode,
      modifiers: modifiersOf(f.typeModifiers, f.visit.telehealth),
      placeOfService: placeOfServiceOf(f.identity, f.visit.telehealth),
      amountCents: f.feeCents,
    },
  };
}

/** Money as X12 and FHIR write it: dollars with two decimals. */
export const dollars = (cents: number): string => (cents / 100).toFixed(2);
