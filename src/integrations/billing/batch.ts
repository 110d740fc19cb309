/**
 * The reads a batch is made of: the completed visits whose local service date falls in the range,
 * and, for the charges exported, the patient, the rendering physician and the payer each claim names.
 */
import type { Executor } from "../../platform/db.js";
import { dateTimeFormat } from "../../platform/time.js";
import { locationService } from "../../services/locations/index.js";
import { patientService } from "../../services/patients/index.js";
import { physicianService } from "../../services/physicians/index.js";
import { type CompletedVisit, visitHistory } from "../../services/scheduling/index.js";
import { type Claim, payerOf } from "./claims.js";
import type { Charge } from "./coding.js";
import { identityOf } from "./identity.js";
import { billingRepository as repo } from "./repository.js";

const DAY = 86_400_000;

/** An instant's calendar date in a time zone (YYYY-MM-DD). */
export function localDateOf(instant: Date, timeZone: string): string {
  return dateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    instant,
  );
}

/** Completed visits whose date at their location is in [from, to], oldest first. */
export async function visitsOfRange(
  tx: Executor,
  from: string,
  to: string,
): Promise<{ visit: CompletedVisit; serviceDate: string }[]> {
  // every zone is within 14 hours of UTC: a day either side holds every local date of the range
  const visits = await visitHistory.completedIn(tx, {
    from: new Date(Date.parse(from) - DAY),
    to: new Date(Date.parse(to) + 2 * DAY),
  });
  const zones = await locationService.timeZones(tx, [...new Set(visits.map((v) => v.locationId))]);
  return visits
    .map((visit) => ({ visit, serviceDate: localDateOf(visit.start, zones.get(visit.locationId) ?? "UTC") }))
    .filter((v) => v.serviceDate >= from && v.serviceDate <= to);
}

/** The claims of the charges: each with its patient, physician, payer and billing identity. */
export async function buildClaims(tx: Executor, charges: readonly Charge[]): Promise<Claim[]> {
  const identities = new Map(
    (await repo.identities(tx, [...new Set(charges.map((c) => c.locationId))])).map((r) => [
      r.location_id,
      identityOf(r),
    ]),
  );
  // a patient or physician with several visits in the batch is read once
  const patients = new Map<string, ReturnType<typeof patientService.get>>();
  const physicians = new Map<string, ReturnType<typeof physicianService.get>>();
  const once = <T>(cache: Map<string, T>, id: string, read: () => T): T => {
    if (!cache.has(id)) cache.set(id, read());
    return cache.get(id)!;
  };
  const claims: Claim[] = [];
  for (const charge of charges) {
    const p = await once(patients, charge.patientId, () => patientService.get(tx, charge.patientId));
    const doc = await once(physicians, charge.physicianId, () =>
      physicianService.get(tx, charge.physicianId),
    );
    const a = p.address;
    claims.push({
      charge,
      identity: identities.get(charge.locationId)!,
      patient: {
        id: p.id,
        mrn: p.mrn,
        givenName: p.givenName,
        familyName: p.familyName,
        birthDate: p.birthDate,
        sex: p.sex,
        address:
          a?.line && a.city && a.region && a.postalCode
            ? { line: a.line, city: a.city, region: a.region, postalCode: a.postalCode }
            : null,
      },
      provider: { id: doc.id, npi: doc.npi, givenName: doc.givenName, familyName: doc.familyName },
      payer: payerOf(p.insurance),
    });
  }
  return claims;
}
