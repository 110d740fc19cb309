/**
 * A claim as both wire formats see it: the charge with the people and the payer it names. The
 * payer comes from the patient's recorded insurance; without one the claim is self-pay, billed to
 * the placeholder payer below (README.md, "Billing").
 */
import type { BillingIdentity, Charge } from "./coding.js";

export interface ClaimPatient {
  id: string;
  mrn: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  sex: "female" | "male" | "other" | "unknown";
  address: { line: string; city: string; region: string; postalCode: string } | null;
}

export interface ClaimPayer {
  name: string;
  /** NM109 of the payer (2010BB): derived from the payer's name, as Rounds keeps no payer ids. */
  payerId: string;
  memberId: string | null;
  selfPay: boolean;
}

export interface ClaimProvider {
  id: string;
  npi: string;
  givenName: string;
  familyName: string;
}

export interface Claim {
  charge: Charge;
  identity: BillingIdentity;
  patient: ClaimPatient;
  provider: ClaimProvider;
  payer: ClaimPayer;
}

/** The payer of a patient without recorded insurance (SBR09 "09", self-pay). */
export const SELF_PAY: ClaimPayer = { name: "SELF PAY", payerId: "SELFPAY", memberId: null, selfPay: true };

/**
 * Diagnoses live in the EMR, not in Rounds; every claim carries this ICD-10-CM code (Z76.89,
 * "persons encountering health services in other specified circumstances") so the 837P's
 * required HI segment is filled, for the clearinghouse or coder to replace.
 */
export const PLACEHOLDER_DIAGNOSIS = "Z7689";

/** The payer a patient's recorded insurance names, or self-pay. */
export function payerOf(insurance: { payer: string; memberId: string } | null): ClaimPayer {
  if (!insurance) return SELF_PAY;
  const payerId =
    insurance.payer
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, "")
      .slice(0, 20) || "UNKNOWN";
  return { name: insurance.payer, payerId, memberId: insurance.memberId, selfPay: false };
}
