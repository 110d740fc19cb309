/** Patient rows as the API shows them, and patches as the columns they change. */
import { toIso } from "../../platform/schemas.js";
import type { FamilyLinkRow, NewPatientRow, PatientRow, RelativeRow } from "./repository.js";
import type {
  Address,
  AddressInput,
  FamilyLink,
  Patient,
  PatientPatch,
  Relationship,
  Relative,
} from "./schema.js";

function toAddress(r: PatientRow): Address | null {
  const a: Address = {
    line: r.address_line,
    city: r.city,
    region: r.region,
    postalCode: r.postal_code,
    latitude: r.latitude,
    longitude: r.longitude,
  };
  return Object.values(a).every((v) => v === null) ? null : a;
}

export function toPatient(r: PatientRow): Patient {
  return {
    id: r.id,
    mrn: r.mrn,
    givenName: r.given_name,
    familyName: r.family_name,
    birthDate: r.birth_date,
    sex: r.sex as Patient["sex"],
    email: r.email,
    phone: r.phone,
    address: toAddress(r),
    preferredLocationIds: r.preferred_location_ids,
    preferredLanguage: r.preferred_language,
    accessibilityNeeds: r.accessibility_needs,
    insurance:
      r.insurance_payer !== null && r.insurance_member_id !== null
        ? { payer: r.insurance_payer, memberId: r.insurance_member_id }
        : null,
    active: r.active,
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
  };
}

export function toRelative(r: RelativeRow): Relative {
  return {
    patientId: r.id,
    mrn: r.mrn,
    givenName: r.given_name,
    familyName: r.family_name,
    birthDate: r.birth_date,
    relationship: r.relationship as Relationship,
  };
}

export function toFamilyLink(r: FamilyLinkRow): FamilyLink {
  return {
    guardianId: r.guardian_id,
    dependentId: r.dependent_id,
    relationship: r.relationship as Relationship,
    createdAt: toIso(r.created_at),
  };
}

function addressColumns(a: AddressInput | null | undefined) {
  if (a === undefined) return {};
  return {
    address_line: a?.line ?? null,
    city: a?.city ?? null,
    region: a?.region ?? null,
    postal_code: a?.postalCode ?? null,
    latitude: a?.latitude ?? null,
    longitude: a?.longitude ?? null,
  };
}

export function patientColumns(p: PatientPatch): Partial<NewPatientRow> {
  const row: Partial<NewPatientRow> = {
    mrn: p.mrn,
    given_name: p.givenName,
    family_name: p.familyName,
    birth_date: p.birthDate,
    sex: p.sex,
    email: p.email,
    phone: p.phone,
    ...addressColumns(p.address),
    preferred_location_ids: p.preferredLocationIds,
    preferred_language: p.preferredLanguage,
    accessibility_needs: p.accessibilityNeeds === undefined ? undefined : [...new Set(p.accessibilityNeeds)],
    insurance_payer: p.insurance === undefined ? undefined : (p.insurance?.payer ?? null),
    insurance_member_id: p.insurance === undefined ? undefined : (p.insurance?.memberId ?? null),
    active: p.active,
  };
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined));
}
