/**
 * The FHIR R4 mapping of a batch: a `collection` Bundle of professional Claim resources, each
 * naming the patient, the rendering physician (care team, by NPI), the billing facility (by its
 * NPI) and the location, with one item: the CPT/HCPCS code, its modifiers, the place of service
 * (locationCodeableConcept) and the fee.
 */
import type { Bundle, Claim as FhirClaim, Money } from "@medplum/fhirtypes";
import { type Claim, PLACEHOLDER_DIAGNOSIS } from "./claims.js";

export const CPT_SYSTEM = "http://www.ama-assn.org/go/cpt";
export const HCPCS_SYSTEM = "urn:oid:2.16.840.1.113883.6.285";
export const POS_SYSTEM =
  "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set";
export const NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi";
export const EIN_SYSTEM = "urn:oid:2.16.840.1.113883.4.4";
const ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm";

/** A CPT code is five digits (or four and F/T/U); anything else the catalogue allows is HCPCS Level II. */
const codeSystemOf = (code: string) => (/^[0-9]{4}[0-9FTU]$/.test(code) ? CPT_SYSTEM : HCPCS_SYSTEM);

const money = (cents: number): Money => ({ value: cents / 100, currency: "USD" });

export function toFhirClaim(c: Claim, created: Date): FhirClaim {
  const { charge, identity, patient, provider, payer } = c;
  return {
    resourceType: "Claim",
    id: charge.claimId,
    identifier: [{ system: "urn:rounds:claim", value: charge.claimId }],
    status: "active",
    type: {
      coding: [{ system: "http://terminology.hl7.org/CodeSystem/claim-type", code: "professional" }],
    },
    use: "claim",
    patient: {
      reference: `Patient/${patient.id}`,
      display: `${patient.givenName} ${patient.familyName}`,
    },
    billablePeriod: { start: charge.serviceDate, end: charge.serviceDate },
    created: created.toISOString(),
    provider: {
      identifier: { system: NPI_SYSTEM, value: identity.facilityNpi },
      display: identity.billingName,
    },
    priority: {
      coding: [{ system: "http://terminology.hl7.org/CodeSystem/processpriority", code: "normal" }],
    },
    facility: { reference: `Location/${charge.locationId}`, display: identity.billingName },
    careTeam: [
      {
        sequence: 1,
        provider: {
          reference: `Practitioner/${provider.id}`,
          identifier: { system: NPI_SYSTEM, value: provider.npi },
          display: `${provider.givenName} ${provider.familyName}`,
        },
        role: {
          coding: [{ system: "http://terminology.hl7.org/CodeSystem/claimcareteamrole", code: "primary" }],
        },
      },
    ],
    diagnosis: [
      {
        sequence: 1,
        diagnosisCodeableConcept: {
          coding: [{ system: ICD10CM, code: "Z76.89" }],
          text: `placeholder ${PLACEHOLDER_DIAGNOSIS}: the diagnosis is kept in the EMR`,
        },
      },
    ],
    insurance: [
      {
        sequence: 1,
        focal: true,
        coverage: payer.selfPay
          ? { display: "Self-pay" }
          : {
              identifier: {
                system: `urn:rounds:payer:${payer.payerId}`,
                value: payer.memberId ?? patient.mrn,
              },
              display: payer.name,
            },
      },
    ],
    item: [
      {
        sequence: 1,
        careTeamSequence: [1],
        diagnosisSequence: [1],
        productOrService: {
          coding: [{ system: codeSystemOf(charge.procedureCode), code: charge.procedureCode }],
        },
        ...(charge.modifiers.length
          ? { modifier: charge.modifiers.map((m) => ({ coding: [{ system: CPT_SYSTEM, code: m }] })) }
          : {}),
        servicedDate: charge.serviceDate,
        locationCodeableConcept: { coding: [{ system: POS_SYSTEM, code: charge.placeOfService }] },
        quantity: { value: 1 },
        unitPrice: money(charge.amountCents),
        net: money(charge.amountCents),
      },
    ],
    total: money(charge.amountCents),
  };
}

/** The batch as a Bundle of Claims. */
export function claimBundle(batchId: string, claims: readonly Claim[], created: Date): Bundle {
  return {
    resourceType: "Bundle",
    id: batchId,
    type: "collection",
    timestamp: created.toISOString(),
    identifier: { system: "urn:rounds:billing-batch", value: batchId },
    entry: claims.map((c) => ({
      fullUrl: `urn:uuid:${c.charge.claimId}`,
      resource: toFhirClaim(c, created),
    })),
  };
}
