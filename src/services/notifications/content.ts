/**
 * What a message says: the appointment, where it is and how to get there, read through the other
 * modules' public surfaces at send time (so a reminder shows today's parking price), turned into
 * a language-neutral view for the templates, plus the iCalendar file.
 */

import ical, { ICalCalendarMethod, ICalEventStatus } from "ical-generator";
import { Temporal } from "temporal-polyfill";
import { tzlib_get_ical_block } from "timezones-ical-library";
import { ROOM_OPENS_MINUTES } from "../../integrations/telehealth/index.js";
import type { Executor } from "../../platform/db.js";
import { dateTimeFormat } from "../../platform/time.js";
import { distanceKm, type Location, locationService } from "../locations/index.js";
import { type Patient, patientService } from "../patients/index.js";
import { type Physician, physicianService } from "../physicians/index.js";
import { type AppointmentFacts, appointmentFacts, appointmentTypeCatalog } from "../scheduling/index.js";
import { type IndoorDirections, wayfindingService } from "../wayfinding/index.js";
import type { LanguageStrings, MessageEvent } from "./templates.js";

export interface MessageContext {
  appointment: AppointmentFacts;
  patient: Patient;
  physician: Physician;
  location: Location;
  typeName: string;
  /** The type's own reminder hours; null means the network's. */
  reminderHours: number[] | null;
  /** The way from the location's first entrance to the room, when its map has one. */
  indoorRoute?: IndoorDirections | null;
}

/** Undefined when the appointment no longer exists. */
export async function loadContext(db: Executor, appointmentId: string): Promise<MessageContext | undefined> {
  const appointment = await appointmentFacts.get(db, appointmentId);
  if (!appointment) return undefined;
  const [patient, physician, location, type] = await Promise.all([
    patientService.get(db, appointment.patientId),
    physicianService.get(db, appointment.physicianId),
    locationService.get(db, appointment.locationId),
    appointmentTypeCatalog.get(db, appointment.appointmentTypeId),
  ]);
  const indoorRoute = await wayfindingService.directions(
    db,
    { ...appointment, roomId: appointment.roomId ?? null },
    patient.accessibilityNeeds.includes("step_free"),
  );
  return {
    appointment,
    patient,
    physician,
    location,
    typeName: type.name,
    reminderHours: type.reminderHours,
    indoorRoute,
  };
}

/** Event-specific facts that are not on the appointment itself. */
export interface MessageExtras {
  reminderHours?: number | null;
  /** Why the hospital cancelled or moved the appointment. */
  reason?: string | null;
  byHospital?: boolean;
  previousStart?: string | null;
  /** A waitlist offer: where to answer it, and until when. */
  offer?: { link: string; expiresAt: string } | null;
  /** An offer of another time: the offer's id (its page in the app), the held start and until when. */
  rescheduleOffer?: { offerId: string; offeredStart: string; expiresAt: string } | null;
  /** The satisfaction survey after a completed visit: its link, and until when it is open. */
  survey?: { link: string; expiresAt: string } | null;
}

export interface RenderOptions {
  language: string;
  strings: LanguageStrings;
  /** The web app's address, where links in messages lead. */
  publicUrl: string;
  now: Date;
}

/** Where an offer is answered in the web app (the patient signs in there). */
export const offerUrl = (publicUrl: string, offerId: string) =>
  `${publicUrl.endsWith("/") ? publicUrl : `${publicUrl}/`}patient/reschedule-offers/${offerId}`;

const CURRENCY: Record<string, string> = { US: "USD", CA: "CAD", GB: "GBP", MX: "MXN", IE: "EUR", ES: "EUR" };

export const isTelehealth = (ctx: MessageContext) =>
  ctx.appointment.telehealth || ctx.location.kind === "virtual";

/** Compass bearing from one point to another, 0 = north, clockwise. */
export function bearingDegrees(
  from: { latitude: number; longitude: number },
  to: { latitude: number; longitude: number },
): number {
  const rad = Math.PI / 180;
  const φ1 = from.latitude * rad;
  const φ2 = to.latitude * rad;
  const Δλ = (to.longitude - from.longitude) * rad;
  const y = Math.sin(Δλ) * Math.cos(φ2);
  const x = Math.cos(φ1) * Math.sin(φ2) - Math.sin(φ1) * Math.cos(φ2) * Math.cos(Δλ);
  return (((Math.atan2(y, x) / rad) % 360) + 360) % 360;
}

/** The local date, time and zone of an instant, in words of the language. */
export function localWhen(instant: Date, timeZone: string, language: string) {
  const zdt = Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timeZone);
  const part = (locale: string, style: "short" | "long") =>
    dateTimeFormat(locale, { timeZone, timeZoneName: style })
      .formatToParts(instant)
      .find((p) => p.type === "timeZoneName")?.value ?? timeZone;
  return {
    date: dateTimeFormat(language, { dateStyle: "full", timeZone }).format(instant),
    isoDate: zdt.toPlainDate().toString(),
    time: `${String(zdt.hour).padStart(2, "0")}:${String(zdt.minute).padStart(2, "0")}`,
    zoneAbbr: part("en-US", "short"),
    zoneName: part(language, "long"),
    timeZone,
  };
}

const humanize = (code: string) => {
  const s = code.replaceAll("_", " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
};

/** The template view: every name a template may use is here, null when it does not apply. */
export function buildView(
  ctx: MessageContext,
  event: MessageEvent,
  extras: MessageExtras,
  opts: RenderOptions,
) {
  const { appointment: a, patient, physician, location } = ctx;
  const lang = opts.language;
  const words = (codes: string[]) =>
    codes.length
      ? new Intl.ListFormat(lang, { type: "conjunction" }).format(
          codes.map((c) => opts.strings.words[c] ?? humanize(c)),
        )
      : null;
  const number = (n: number, digits = 1) =>
    new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n);
  const telehealth = isTelehealth(ctx);
  const home = patient.address;
  const hasHome = home?.latitude != null && home.longitude != null;
  const hasSite = location.latitude !== null && location.longitude !== null;
  let directions = null;
  if (!telehealth && hasHome && hasSite) {
    const from = { latitude: home.latitude!, longitude: home.longitude! };
    const to = { latitude: location.latitude!, longitude: location.longitude! };
    const km = distanceKm(from, to);
    directions = {
      km: number(km),
      miles: number(km / 1.609344),
      compass: opts.strings.compass[Math.round(bearingDegrees(from, to) / 45) % 8] ?? "",
      nearby: km < 0.3,
      transport: location.publicTransport,
    };
  }
  const cents = location.parking.costCentsPerHour;
  const parking =
    telehealth || location.parking.spaces === 0
      ? null
      : {
          spaces: location.parking.spaces,
          accessibleSpaces: location.parking.accessibleSpaces,
          free: cents === 0,
          costPerHour: new Intl.NumberFormat(lang, {
            style: "currency",
            currency: CURRENCY[location.country] ?? "USD",
          }).format(cents / 100),
          notes: location.parking.notes,
        };
  const when = localWhen(a.start, location.timeZone, lang);
  const offerExpires = extras.offer
    ? localWhen(new Date(extras.offer.expiresAt), location.timeZone, lang)
    : null;
  const previous = extras.previousStart
    ? localWhen(new Date(extras.previousStart), location.timeZone, lang)
    : null;
  // "1 Test Way, Riverton, NY 10001"
  const regionLine = [location.region, location.postalCode].filter(Boolean).join(" ");
  const address = [location.addressLine, location.city, regionLine].filter((p) => p).join(", ");
  return {
    event,
    patient: { givenName: patient.givenName, familyName: patient.familyName },
    appointment: {
      id: a.id,
      type: ctx.typeName,
      date: when.date,
      isoDate: when.isoDate,
      time: when.time,
      zoneAbbr: when.zoneAbbr,
      zoneName: when.zoneName,
      timeZone: when.timeZone,
      minutes: Math.round((a.end.getTime() - a.start.getTime()) / 60_000),
      reason: a.reason,
      // an overbooking rule's extra seat: the patient may wait (both patients may come)
      extraSeat: a.extraSeat === true,
    },
    physician: { name: `${physician.givenName} ${physician.familyName}, ${physician.title}` },
    location: {
      name: location.name,
      address: address || null,
      phone: location.phone,
    },
    // the link the telehealth provider issued when the visit was booked (none once cancelled)
    telehealth: telehealth ? { joinUrl: a.joinUrl } : null,
    directions,
    noDirections: !telehealth && !directions,
    parking,
    noParking: !telehealth && !parking,
    indoorRoute: telehealth ? null : (ctx.indoorRoute ?? null),
    accessibility: telehealth ? null : words(location.accessibilityFeatures),
    amenities: telehealth ? null : words(location.amenities),
    bring: { insurance: patient.insurance?.payer ?? null },
    reminder: extras.reminderHours ? { hours: extras.reminderHours, days: extras.reminderHours / 24 } : null,
    cancellation: event === "cancellation" ? { reason: extras.reason ?? a.cancelReason ?? null } : null,
    offer:
      event === "waitlist_offer" && extras.offer && offerExpires
        ? {
            link: extras.offer.link,
            expiresDate: offerExpires.date,
            expiresTime: offerExpires.time,
            expiresZoneAbbr: offerExpires.zoneAbbr,
          }
        : null,
    rescheduleOffer:
      event === "reschedule_offer" && extras.rescheduleOffer
        ? (() => {
            const held = localWhen(new Date(extras.rescheduleOffer.offeredStart), location.timeZone, lang);
            const until = localWhen(new Date(extras.rescheduleOffer.expiresAt), location.timeZone, lang);
            return {
              date: held.date,
              time: held.time,
              zoneAbbr: held.zoneAbbr,
              expiresDate: until.date,
              expiresTime: until.time,
              url: offerUrl(opts.publicUrl, extras.rescheduleOffer.offerId),
            };
          })()
        : null,
    survey:
      event === "survey" && extras.survey
        ? (() => {
            const until = localWhen(new Date(extras.survey.expiresAt), location.timeZone, lang);
            return { link: extras.survey.link, expiresDate: until.date };
          })()
        : null,
    reschedule:
      event === "reschedule"
        ? {
            previousDate: previous?.date ?? null,
            previousTime: previous?.time ?? null,
            byHospital: extras.byHospital === true,
            reason: extras.reason ?? null,
          }
        : null,
  };
}
export type MessageView = ReturnType<typeof buildView>;

/**
 * An iCalendar file for the appointment, in the location's zone with its VTIMEZONE so calendar
 * apps show the right wall-clock time. The UID follows the first appointment of a reschedule
 * chain, so a move or cancellation updates the entry the patient already imported.
 */
export function calendarFile(
  ctx: MessageContext,
  view: MessageView,
  opts: { cancelled: boolean; now: Date },
) {
  const { appointment: a, location } = ctx;
  const cal = ical({
    prodId: { company: "Rounds", product: "Rounds appointments", language: "EN" },
    method: opts.cancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.PUBLISH,
  });
  cal.timezone({
    name: null,
    generator: (tz) => {
      const block = tzlib_get_ical_block(tz);
      return Array.isArray(block) && block[0] ? block[0] : null;
    },
  });
  const zoned = (d: Date) =>
    Temporal.Instant.fromEpochMilliseconds(d.getTime()).toZonedDateTimeISO(location.timeZone);
  cal.createEvent({
    id: `${a.originalId}@rounds`,
    sequence: a.moves + (opts.cancelled ? 1 : 0),
    stamp: opts.now,
    start: zoned(a.start),
    end: zoned(a.end),
    timezone: location.timeZone,
    summary: `${view.appointment.type} — ${view.physician.name}`,
    location: view.telehealth
      ? (view.telehealth.joinUrl ?? "Video visit")
      : [location.name, view.location.address].filter(Boolean).join(", "),
    url: view.telehealth?.joinUrl ?? null,
    description: view.telehealth?.joinUrl
      ? `Video visit: ${view.appointment.type} with ${view.physician.name}.\nJoin: ${view.telehealth.joinUrl}\n` +
        `The link opens ${ROOM_OPENS_MINUTES} minutes before the start.`
      : null,
    status: opts.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  return cal.toString();
}
