/**
 * FHIR ids for what Rounds keys by two things: a physician's schedule and role at a location, a
 * specialty's service at a location. A FHIR id is at most 64 of `[A-Za-z0-9-.]`, so each UUID is
 * written in base 62 (22 characters) and the parts are joined with a dash; ids decode back to the
 * parts they name, so no table of composite ids is kept.
 */

const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const UUID_LENGTH = 22;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A UUID in 22 base-62 digits. */
export function compactUuid(uuid: string): string {
  let n = BigInt(`0x${uuid.toLowerCase().replaceAll("-", "")}`);
  let out = "";
  while (n > 0n) {
    out = DIGITS[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(UUID_LENGTH, "0");
}

/** The UUID 22 base-62 digits spell, or undefined when they spell none. */
export function expandUuid(compact: string): string | undefined {
  if (!/^[0-9A-Za-z]{22}$/.test(compact)) return undefined;
  let n = 0n;
  for (const c of compact) n = n * 62n + BigInt(DIGITS.indexOf(c));
  if (n >= 1n << 128n) return undefined;
  const hex = n.toString(16).padStart(32, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A physician at a location: the id of their Schedule and of their PractitionerRole there. */
export function physicianAtLocationId(physicianId: string, locationId: string): string {
  return `${compactUuid(physicianId)}-${compactUuid(locationId)}`;
}

export function parsePhysicianAtLocationId(
  id: string,
): { physicianId: string; locationId: string } | undefined {
  const [a, b, ...rest] = id.split("-");
  if (!a || !b || rest.length) return undefined;
  const physicianId = expandUuid(a);
  const locationId = expandUuid(b);
  return physicianId && locationId ? { physicianId, locationId } : undefined;
}

/** A specialty at a location (a department): the id of its HealthcareService. Specialty codes have `_`, ids may not. */
export function serviceId(locationId: string, specialty: string): string {
  return `${compactUuid(locationId)}-${specialty.replaceAll("_", ".")}`;
}

export function parseServiceId(id: string): { locationId: string; specialty: string } | undefined {
  const dash = id.indexOf("-");
  if (dash < 0) return undefined;
  const locationId = expandUuid(id.slice(0, dash));
  const specialty = id.slice(dash + 1).replaceAll(".", "_");
  return locationId && /^[a-z][a-z0-9_]{1,40}$/.test(specialty) ? { locationId, specialty } : undefined;
}

/** Whether `id` is a UUID as Rounds spells them (lower case). */
export const isUuid = (id: string): boolean => UUID.test(id);
