/** Waitlist rows as the API shows them: entries, offers, and what an offer's link shows. */
import type { Executor } from "../../platform/db.js";
import { toIso } from "../../platform/schemas.js";
import { locationService } from "../locations/index.js";
import { physicianService } from "../physicians/index.js";
import { appointmentFacts, appointmentTypeCatalog } from "../scheduling/index.js";
import type { EntryRow, OfferRow } from "./repository.js";
import type { Entry, Offer, OfferLink, TimeOfDay, Urgency } from "./schema.js";

export const toEntry = (r: EntryRow): Entry => ({
  id: r.id,
  patientId: r.patient_id,
  appointmentTypeId: r.appointment_type_id,
  specialty: r.specialty,
  physicianId: r.physician_id,
  locationIds: r.location_ids,
  maxDistanceKm: r.max_distance_km,
  telehealthOk: r.telehealth_ok,
  from: toIso(r.window_from),
  to: toIso(r.window_to),
  timesOfDay: r.times_of_day as TimeOfDay[],
  urgency: r.urgency as Urgency,
  status: r.status as Entry["status"],
  note: r.note,
  createdAt: toIso(r.created_at),
});

/** The offer with the physician, type and kind of visit of the slot it holds. */
export async function toOffer(db: Executor, r: OfferRow): Promise<Offer> {
  const slot = await appointmentFacts.get(db, r.appointment_id);
  return {
    id: r.id,
    entryId: r.entry_id,
    patientId: r.patient_id,
    appointmentId: r.appointment_id,
    locationId: r.location_id,
    physicianId: slot!.physicianId,
    appointmentTypeId: slot!.appointmentTypeId,
    telehealth: slot!.telehealth,
    start: toIso(r.starts_at),
    end: toIso(r.ends_at),
    expiresAt: toIso(r.expires_at),
    status: r.status as Offer["status"],
    respondedAt: r.responded_at ? toIso(r.responded_at) : null,
    createdAt: toIso(r.created_at),
  };
}

/** What a link shows: the slot and the offer's state, nothing that names the patient. */
export async function toOfferLink(db: Executor, r: OfferRow, now: Date): Promise<OfferLink> {
  const slot = (await appointmentFacts.get(db, r.appointment_id))!;
  const [physician, location, type] = await Promise.all([
    physicianService.get(db, slot.physicianId),
    locationService.get(db, slot.locationId),
    appointmentTypeCatalog.get(db, slot.appointmentTypeId),
  ]);
  const lapsed = r.status === "offered" && r.expires_at.getTime() <= now.getTime();
  const regionLine = [location.region, location.postalCode].filter(Boolean).join(" ");
  const address = [location.addressLine, location.city, regionLine].filter((p) => p).join(", ");
  return {
    status: lapsed ? "expired" : (r.status as OfferLink["status"]),
    start: toIso(r.starts_at),
    end: toIso(r.ends_at),
    expiresAt: toIso(r.expires_at),
    respondedAt: r.responded_at ? toIso(r.responded_at) : null,
    appointmentType: type.name,
    physicianName: `${physician.givenName} ${physician.familyName}, ${physician.title}`,
    telehealth: slot.telehealth || location.kind === "virtual",
    location: { name: location.name, address: address || null, timeZone: location.timeZone },
  };
}
