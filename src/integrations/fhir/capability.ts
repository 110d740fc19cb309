/**
 * The CapabilityStatement `GET /fhir/R4/metadata` answers: exactly the interactions, search
 * parameters and operations the routes in `routes.ts` serve (the FHIR test holds it to them).
 */
import type { CapabilityStatement, CapabilityStatementRestResource } from "@medplum/fhirtypes";
import { SEARCH } from "./search.js";

type Param = [name: string, type: "token" | "reference" | "date" | "string", documentation: string];

/** A route's `_has` chains as search parameters, and its `_revinclude`s. */
const extras = (type: keyof typeof SEARCH, has: Record<string, [Param[1], string]>) => ({
  params: SEARCH[type].has.map((chain): Param => [`_has:${chain}`, has[chain]![0], has[chain]![1]]),
  revinclude: SEARCH[type].revinclude.length ? { searchRevInclude: [...SEARCH[type].revinclude] } : {},
});
const practitioner = extras("Practitioner", {
  "PractitionerRole:practitioner:location": [
    "reference",
    "works at Location/{id} (has a PractitionerRole there)",
  ],
  "PractitionerRole:practitioner:specialty": ["token", "has a PractitionerRole of this specialty code"],
});
const location = extras("Location", {
  "PractitionerRole:location:practitioner": [
    "reference",
    "where Practitioner/{id} works (a PractitionerRole there)",
  ],
});
const schedule = extras("Schedule", {});

function resource(
  type: CapabilityStatementRestResource["type"],
  interactions: Array<"read" | "search-type" | "update" | "patch">,
  params: Param[],
  extra: Partial<CapabilityStatementRestResource> = {},
): CapabilityStatementRestResource {
  return {
    type,
    interaction: interactions.map((code) => ({ code })),
    ...(params.length || interactions.includes("search-type")
      ? {
          searchParam: params.map(([name, t, documentation]) => ({
            name,
            type: t,
            documentation,
          })),
        }
      : {}),
    ...extra,
  };
}

/** The operations served, by name: their definitions are the IHE ITI Scheduling ones. */
export const OPERATIONS = {
  find: "https://profiles.ihe.net/ITI/Scheduling/OperationDefinition/appointment-find",
  hold: "https://profiles.ihe.net/ITI/Scheduling/OperationDefinition/appointment-hold",
  book: "https://profiles.ihe.net/ITI/Scheduling/OperationDefinition/appointment-book",
  cancel: "https://rounds.example/fhir/OperationDefinition/appointment-cancel",
  bulkPublish:
    "https://github.com/smart-on-fhir/smart-scheduling-links/blob/master/specification.md#bulk-publication",
} as const;

export function capabilityStatement(version: string, baseUrl: string): CapabilityStatement {
  return {
    resourceType: "CapabilityStatement",
    status: "active",
    date: "2026-12-04",
    kind: "instance",
    software: { name: "Rounds", version },
    implementation: { description: "Rounds appointment scheduling, FHIR R4 scheduling API", url: baseUrl },
    fhirVersion: "4.0.1",
    format: ["application/fhir+json", "json"],
    patchFormat: ["application/json-patch+json"],
    rest: [
      {
        mode: "server",
        documentation:
          "Every search pages with _count and _offset and links self, first, previous and next. " +
          "Reference data (Organization, Location, Practitioner, PractitionerRole, HealthcareService, " +
          "Schedule) is public; Slot, Appointment and Patient need a Rounds session (cookie or " +
          "Authorization: Bearer <session token>) or a system client's token, and answer only what the caller's role and scope reach.",
        security: {
          extension: [
            {
              url: "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
              extension: [{ url: "token", valueUri: `${baseUrl}/auth/token` }],
            },
          ],
          service: [
            {
              coding: [
                {
                  system: "http://terminology.hl7.org/CodeSystem/restful-security-service",
                  code: "SMART-on-FHIR",
                },
              ],
            },
          ],
          description:
            "People: sign in with POST /api/v1/auth/login and send the session token as a bearer token, or the session cookie. " +
            "System clients registered by an administrator: the client credentials grant at /auth/token " +
            "(client_secret_basic, client_secret_post or private_key_jwt; see .well-known/smart-configuration) " +
            "gives a five-minute bearer token with system/<type>.read|write scopes; every interaction needs " +
            "the scope of its resource type, and the client acts with staff rights at its registered locations.",
        },
        operation: [
          {
            name: "bulk-publish",
            definition: OPERATIONS.bulkPublish,
            documentation:
              "SMART Scheduling Links, public (no sign-in, no patient data): a manifest of Location, Schedule and Slot NDJSON files (free Slots of the next `days`, 7 by default, each with a booking deep link); the files are computed together and kept for at most two minutes, transactionTime saying when",
          },
        ],
        resource: [
          resource("Organization", ["read", "search-type"], []),
          resource(
            "Location",
            ["read", "search-type"],
            [["name", "string", "name or city contains"], ...location.params],
          ),
          resource(
            "Practitioner",
            ["read", "search-type"],
            [["name", "string", "name contains"], ...practitioner.params],
            practitioner.revinclude,
          ),
          resource(
            "PractitionerRole",
            ["read", "search-type"],
            [
              ["practitioner", "reference", "Practitioner/{id}"],
              ["location", "reference", "Location/{id}"],
              ["specialty", "token", "a specialty code"],
            ],
          ),
          resource(
            "HealthcareService",
            ["read", "search-type"],
            [
              ["location", "reference", "Location/{id}"],
              ["specialty", "token", "a specialty code"],
            ],
          ),
          resource(
            "Schedule",
            ["read", "search-type"],
            [["actor", "reference", "Practitioner/{id} or Location/{id}"]],
            {
              ...schedule.revinclude,
              documentation:
                "_revinclude=Slot:schedule brings each Schedule's free Slots of the next 7 days (up to 20 per appointment type of its specialties; at most 20 Schedules a page)",
            },
          ),
          resource(
            "Slot",
            ["read", "search-type"],
            [
              [
                "service-type",
                "token",
                "the appointment type (code of the appointment-type system): required for free Slots",
              ],
              ["schedule", "reference", "Schedule/{id}: one practitioner at one location"],
              [
                "schedule.actor",
                "reference",
                "Location/{id} or Practitioner/{id} (chained through Schedule)",
              ],
              ["start", "date", "ge/gt and lt/le bounds, or a day; at most 62 days"],
              [
                "status",
                "token",
                "free (the default), busy, or free,busy; busy Slots (a schedule's booked and held times, nothing else told) need schedule or schedule.actor=Practitioner/{id} and the right to read that physician's schedule",
              ],
            ],
            {
              searchInclude: ["Slot:schedule"],
              documentation:
                "Slot ids are signed: a read by id answers the Slot as it is now (free, busy) or 404; $hold and $book take an Appointment naming the Slot (slot: [{ reference }]) and book a fresh option of it",
            },
          ),
          resource(
            "Appointment",
            ["read", "search-type", "update", "patch"],
            [
              ["patient", "reference", "Patient/{id}"],
              ["practitioner", "reference", "Practitioner/{id}"],
              ["location", "reference", "Location/{id}"],
              ["date", "date", "ge/gt and lt/le bounds, or a day"],
              ["status", "token", "pending, booked, checked-in, fulfilled, cancelled, noshow"],
            ],
            {
              searchInclude: ["Appointment:patient", "Appointment:practitioner", "Appointment:location"],
              operation: [
                { name: "find", definition: OPERATIONS.find },
                { name: "hold", definition: OPERATIONS.hold },
                { name: "book", definition: OPERATIONS.book },
                { name: "cancel", definition: OPERATIONS.cancel },
              ],
              documentation:
                "update and patch only cancel (status cancelled, with an optional cancelationReason)",
            },
          ),
          resource(
            "Patient",
            ["read", "search-type"],
            [
              ["identifier", "token", "the medical record number (system|value or value)"],
              ["name", "string", "name contains"],
              ["birthdate", "date", "the whole date of birth (eq only)"],
            ],
            {
              documentation:
                "only patients in the caller's scope; staff giving an exact MRN with the birth date also find a patient new to their location, as at the front desk",
            },
          ),
        ],
      },
    ],
  };
}
