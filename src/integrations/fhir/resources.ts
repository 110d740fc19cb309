/**
 * Rounds' records as FHIR R4 resources: pure functions from what the services answer to what the
 * FHIR endpoint serves. Codes of our own (specialties, appointment types, option ids) carry
 * systems under SYSTEM; everything else uses the standard's own code systems.
 */
import type {
  AppointmentParticipant,
  Coding,
  Extension,
  Appointment as FhirAppointment,
  Location as FhirLocation,
  Patient as FhirPatient,
  HealthcareService,
  LocationHoursOfOperation,
  Organization,
  Practitioner,
  PractitionerRole,
  Schedule,
  Slot,
} from "@medplum/fhirtypes";
import type { Department, Location } from "../../services/locations/index.js";
import type { Patient } from "../../services/patients/index.js";
import type { Physician } from "../../services/physicians/index.js";
import type { Appointment, SlotOptionDto } from "../../services/scheduling/index.js";
import { physicianAtLocationId, serviceId } from "./ids.js";

const BASE = "https://rounds.example/fhir";
export const SYSTEM = {
  specialty: `${BASE}/CodeSystem/specialty`,
  appointmentType: `${BASE}/CodeSystem/appointment-type`,
  locationCode: `${BASE}/identifier/location-code`,
  mrn: `${BASE}/identifier/mrn`,
  /** The signed id of an option a search offered: what $hold and $book take back. */
  option: `${BASE}/identifier/option`,
  npi: "http://hl7.org/fhir/sid/us-npi",
  language: "urn:ietf:bcp:47",
} as const;
export const EXTENSION = {
  timeZone: "http://hl7.org/fhir/StructureDefinition/timezone",
  kind: `${BASE}/StructureDefinition/location-kind`,
  parking: `${BASE}/StructureDefinition/location-parking`,
  amenity: `${BASE}/StructureDefinition/location-amenity`,
  accessibility: `${BASE}/StructureDefinition/location-accessibility`,
  publicTransport: `${BASE}/StructureDefinition/location-public-transport`,
  holdExpires: `${BASE}/StructureDefinition/hold-expires`,
} as const;

/** The network as one Organization: every location is managed by it. */
export const NETWORK_ID = "network";
export const networkOrganization = (): Organization => ({
  resourceType: "Organization",
  id: NETWORK_ID,
  active: true,
  type: [
    {
      coding: [
        {
          system: "http://terminology.hl7.org/CodeSystem/organization-type",
          code: "prov",
          display: "Healthcare Provider",
        },
      ],
    },
  ],
  name: "Rounds hospital network",
});

const networkRef = { reference: `Organization/${NETWORK_ID}` };
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const seconds = (hhmm: string) => `${hhmm}:00`;

function hoursOf(l: Location): LocationHoursOfOperation[] {
  return l.openingHours.map((h) => ({
    daysOfWeek: [DAYS[h.weekday - 1]!],
    openingTime: seconds(h.opens),
    closingTime: seconds(h.closes),
  }));
}

export function toFhirLocation(l: Location): FhirLocation {
  const extension: Extension[] = [
    { url: EXTENSION.timeZone, valueCode: l.timeZone },
    { url: EXTENSION.kind, valueCode: l.kind },
    {
      url: EXTENSION.parking,
      extension: [
        { url: "spaces", valueInteger: l.parking.spaces },
        { url: "accessibleSpaces", valueInteger: l.parking.accessibleSpaces },
        {
          url: "costPerHour",
          valueMoney: { value: l.parking.costCentsPerHour / 100, currency: "USD" },
        },
        ...(l.parking.notes ? [{ url: "notes", valueString: l.parking.notes }] : []),
      ],
    },
    ...l.amenities.map((a) => ({ url: EXTENSION.amenity, valueString: a })),
    ...l.accessibilityFeatures.map((a) => ({ url: EXTENSION.accessibility, valueString: a })),
    ...(l.publicTransport ? [{ url: EXTENSION.publicTransport, valueString: l.publicTransport }] : []),
  ];
  const address = [l.addressLine, l.city, l.region, l.postalCode].some(Boolean)
    ? {
        use: "work" as const,
        ...(l.addressLine ? { line: [l.addressLine] } : {}),
        ...(l.city ? { city: l.city } : {}),
        ...(l.region ? { state: l.region } : {}),
        ...(l.postalCode ? { postalCode: l.postalCode } : {}),
        country: l.country,
      }
    : undefined;
  return {
    resourceType: "Location",
    id: l.id,
    meta: { lastUpdated: l.updatedAt },
    extension,
    identifier: [{ system: SYSTEM.locationCode, value: l.code }],
    status: l.active ? "active" : "inactive",
    name: l.name,
    mode: "instance",
    physicalType: {
      coding: [
        l.kind === "virtual"
          ? {
              system: "http://terminology.hl7.org/CodeSystem/location-physical-type",
              code: "vi",
              display: "Virtual",
            }
          : {
              system: "http://terminology.hl7.org/CodeSystem/location-physical-type",
              code: "bu",
              display: "Building",
            },
      ],
    },
    ...(l.phone ? { telecom: [{ system: "phone" as const, value: l.phone, use: "work" as const }] } : {}),
    ...(address ? { address } : {}),
    ...(l.latitude !== null && l.longitude !== null
      ? { position: { latitude: l.latitude, longitude: l.longitude } }
      : {}),
    managingOrganization: networkRef,
    ...(l.openingHours.length ? { hoursOfOperation: hoursOf(l) } : {}),
  };
}

export const specialtyCoding = (code: string, display?: string): Coding => ({
  system: SYSTEM.specialty,
  code,
  ...(display ? { display } : {}),
});

export function toPractitioner(p: Physician): Practitioner {
  return {
    resourceType: "Practitioner",
    id: p.id,
    meta: { lastUpdated: p.updatedAt },
    identifier: [{ system: SYSTEM.npi, value: p.npi }],
    active: p.active,
    name: [
      {
        use: "official",
        family: p.familyName,
        given: [p.givenName],
        ...(p.title === "MD" || p.title === "DO" ? { prefix: ["Dr."] } : {}),
        suffix: [p.title],
      },
    ],
    communication: p.languages.map((code) => ({ coding: [{ system: SYSTEM.language, code }] })),
  };
}

/** A physician's role at one location, where their templates or rotations place them. */
export function toPractitionerRole(p: Physician, locationId: string): PractitionerRole {
  return {
    resourceType: "PractitionerRole",
    id: physicianAtLocationId(p.id, locationId),
    active: p.active,
    practitioner: { reference: `Practitioner/${p.id}` },
    organization: networkRef,
    location: [{ reference: `Location/${locationId}` }],
    specialty: p.specialties.map((s) => ({ coding: [specialtyCoding(s)] })),
    availabilityExceptions: "Bookable times are the free Slots of this practitioner's Schedule here",
  };
}

/** A physician's bookable time at one location. */
export function toSchedule(p: Physician, locationId: string): Schedule {
  return {
    resourceType: "Schedule",
    id: physicianAtLocationId(p.id, locationId),
    active: p.active,
    specialty: p.specialties.map((s) => ({ coding: [specialtyCoding(s)] })),
    actor: [{ reference: `Practitioner/${p.id}` }, { reference: `Location/${locationId}` }],
  };
}

/** A specialty's department at a location. */
export function toHealthcareService(d: Department): HealthcareService {
  return {
    resourceType: "HealthcareService",
    id: serviceId(d.locationId, d.specialty),
    active: true,
    providedBy: networkRef,
    specialty: [{ coding: [specialtyCoding(d.specialty)] }],
    location: [{ reference: `Location/${d.locationId}` }],
    name: d.name,
    ...(d.phone ? { telecom: [{ system: "phone" as const, value: d.phone, use: "work" as const }] } : {}),
  };
}

export const appointmentTypeCoding = (id: string, display?: string): Coding => ({
  system: SYSTEM.appointmentType,
  code: id,
  ...(display ? { display } : {}),
});

/** A free time a search offered, as a Slot of the physician's Schedule at that location. */
export function toSlot(o: SlotOptionDto, slotId: string, typeName?: string): Slot {
  return {
    resourceType: "Slot",
    id: slotId,
    identifier: [{ system: SYSTEM.option, value: o.id }],
    serviceType: [{ coding: [appointmentTypeCoding(o.appointmentTypeId, typeName)] }],
    schedule: { reference: `Schedule/${physicianAtLocationId(o.physicianId, o.locationId)}` },
    status: "free",
    start: o.start,
    end: o.end,
  };
}

/** Rounds' appointment statuses and FHIR's, both ways. */
export const FHIR_STATUS = {
  held: "pending",
  booked: "booked",
  checked_in: "checked-in",
  in_progress: "checked-in",
  completed: "fulfilled",
  cancelled: "cancelled",
  no_show: "noshow",
  expired: "cancelled",
} as const satisfies Record<Appointment["status"], FhirAppointment["status"]>;

/** The Rounds statuses a FHIR status stands for (none for the ones Rounds never has). */
export function roundsStatuses(fhirStatus: string): Appointment["status"][] {
  return (Object.keys(FHIR_STATUS) as Appointment["status"][]).filter((s) => FHIR_STATUS[s] === fhirStatus);
}

const minutesBetween = (start: string, end: string) =>
  Math.round((Date.parse(end) - Date.parse(start)) / 60_000);

function participants(
  physicianId: string,
  locationId: string,
  patientId: string | undefined,
  status: AppointmentParticipant["status"],
): AppointmentParticipant[] {
  return [
    ...(patientId
      ? [{ actor: { reference: `Patient/${patientId}` }, required: "required" as const, status }]
      : []),
    { actor: { reference: `Practitioner/${physicianId}` }, required: "required", status },
    { actor: { reference: `Location/${locationId}` }, required: "required", status },
  ];
}

export function toFhirAppointment(a: Appointment, typeName?: string): FhirAppointment {
  const status = FHIR_STATUS[a.status];
  return {
    resourceType: "Appointment",
    id: a.id,
    meta: { lastUpdated: a.updatedAt },
    ...(a.holdExpiresAt
      ? { extension: [{ url: EXTENSION.holdExpires, valueInstant: a.holdExpiresAt }] }
      : {}),
    status,
    ...(a.cancelReason ? { cancelationReason: { text: a.cancelReason } } : {}),
    serviceType: [{ coding: [appointmentTypeCoding(a.appointmentTypeId, typeName)] }],
    ...(a.reason ? { description: a.reason } : {}),
    start: a.start,
    end: a.end,
    minutesDuration: minutesBetween(a.start, a.end),
    created: a.createdAt,
    participant: participants(
      a.physicianId,
      a.locationId,
      a.patientId,
      status === "cancelled" ? "declined" : status === "pending" ? "tentative" : "accepted",
    ),
  };
}

/** An option $find proposes: not stored, it carries its signed option id for $hold and $book. */
export function toProposedAppointment(
  o: SlotOptionDto,
  patientId: string | undefined,
  typeName?: string,
): FhirAppointment {
  return {
    resourceType: "Appointment",
    identifier: [{ system: SYSTEM.option, value: o.id }],
    status: "proposed",
    serviceType: [{ coding: [appointmentTypeCoding(o.appointmentTypeId, typeName)] }],
    start: o.start,
    end: o.end,
    minutesDuration: minutesBetween(o.start, o.end),
    participant: participants(o.physicianId, o.locationId, patientId, "needs-action"),
  };
}

export function toFhirPatient(p: Patient): FhirPatient {
  const a = p.address;
  const address =
    a && [a.line, a.city, a.region, a.postalCode].some(Boolean)
      ? [
          {
            use: "home" as const,
            ...(a.line ? { line: [a.line] } : {}),
            ...(a.city ? { city: a.city } : {}),
            ...(a.region ? { state: a.region } : {}),
            ...(a.postalCode ? { postalCode: a.postalCode } : {}),
          },
        ]
      : undefined;
  const telecom = [
    ...(p.phone ? [{ system: "phone" as const, value: p.phone }] : []),
    ...(p.email ? [{ system: "email" as const, value: p.email }] : []),
  ];
  return {
    resourceType: "Patient",
    id: p.id,
    meta: { lastUpdated: p.updatedAt },
    identifier: [
      {
        use: "usual",
        type: {
          coding: [
            {
              system: "http://terminology.hl7.org/CodeSystem/v2-0203",
              code: "MR",
              display: "Medical record number",
            },
          ],
        },
        system: SYSTEM.mrn,
        value: p.mrn,
      },
    ],
    active: p.active,
    name: [{ use: "official", family: p.familyName, given: [p.givenName] }],
    ...(telecom.length ? { telecom } : {}),
    gender: p.sex,
    birthDate: p.birthDate,
    ...(address ? { address } : {}),
    communication: [
      { language: { coding: [{ system: SYSTEM.language, code: p.preferredLanguage }] }, preferred: true },
    ],
  };
}
