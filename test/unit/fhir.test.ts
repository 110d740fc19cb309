/** The FHIR adapter's pure parts: composite ids, parameter parsing, mappers, OperationOutcomes. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { operationOutcome, searchBundle } from "../../src/integrations/fhir/bundle.js";
import {
  compactUuid,
  expandUuid,
  parsePhysicianAtLocationId,
  parseServiceId,
  physicianAtLocationId,
  serviceId,
} from "../../src/integrations/fhir/ids.js";
import {
  dateBounds,
  operationInput,
  paging,
  referenceId,
  tokenCode,
} from "../../src/integrations/fhir/params.js";
import {
  FHIR_STATUS,
  roundsStatuses,
  SYSTEM,
  toFhirLocation,
  toProposedAppointment,
} from "../../src/integrations/fhir/resources.js";
import { createSlotIds } from "../../src/integrations/fhir/slot-ids.js";
import { ProblemError, problems } from "../../src/platform/errors.js";

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** The parameter a refusal names. */
function refusedField(work: () => unknown): string | undefined {
  try {
    work();
  } catch (err) {
    if (err instanceof ProblemError) return err.errors[0]?.field;
    throw err;
  }
  return undefined;
}

describe("composite FHIR ids", () => {
  it("a physician at a location has one valid FHIR id that names both back", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), (physicianId, locationId) => {
        const id = physicianAtLocationId(physicianId, locationId);
        expect(id).toMatch(FHIR_ID);
        expect(parsePhysicianAtLocationId(id)).toEqual({ physicianId, locationId });
      }),
    );
  });

  it("a specialty at a location, even with the longest specialty code, fits a FHIR id", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.stringMatching(/^[a-z][a-z0-9_]{1,40}$/), (locationId, specialty) => {
        const id = serviceId(locationId, specialty);
        expect(id).toMatch(FHIR_ID);
        expect(parseServiceId(id)).toEqual({ locationId, specialty });
      }),
    );
  });

  it("ids that are not ours name nothing", () => {
    expect(expandUuid("zzzzzzzzzzzzzzzzzzzzzz")).toBeUndefined();
    expect(parsePhysicianAtLocationId("abc")).toBeUndefined();
    expect(parseServiceId("nope")).toBeUndefined();
    expect(compactUuid("00000000-0000-0000-0000-000000000000")).toBe("0".repeat(22));
  });
});

describe("FHIR search parameters", () => {
  it("start bounds: ge/lt instants, a bare day, and refusals naming the parameter", () => {
    expect(dateBounds(["ge2026-03-02T09:00:00Z", "lt2026-03-02T12:00:00-05:00"], "start")).toEqual({
      from: Date.parse("2026-03-02T09:00:00Z"),
      to: Date.parse("2026-03-02T17:00:00Z"),
    });
    expect(dateBounds(["2026-03-02"], "date")).toEqual({
      from: Date.parse("2026-03-02T00:00:00Z"),
      to: Date.parse("2026-03-03T00:00:00Z"),
    });
    expect(refusedField(() => dateBounds(["2026-02-30"], "date"))).toBe("date");
    expect(refusedField(() => dateBounds(["ge2026-03-02T09:00"], "start"))).toBe("start");
    expect(refusedField(() => dateBounds(["ne2026-03-02"], "start"))).toBe("start");
    expect(refusedField(() => dateBounds(["ge2026-03-03", "lt2026-03-02"], "start"))).toBe("start");
    expect(refusedField(() => dateBounds(["1700-01-01"], "start"))).toBe("start");
  });

  it("references and tokens of the right type and system", () => {
    expect(referenceId("Location/abc", "Location", "location")).toBe("abc");
    expect(referenceId("https://x.example/fhir/R4/Location/abc", "Location", "location")).toBe("abc");
    expect(refusedField(() => referenceId("Patient/abc", "Location", "location"))).toBe("location");
    expect(tokenCode(`${SYSTEM.appointmentType}|t1`, SYSTEM.appointmentType, "service-type")).toBe("t1");
    expect(tokenCode("t1", SYSTEM.appointmentType, "service-type")).toBe("t1");
    expect(refusedField(() => tokenCode("http://other|t1", SYSTEM.appointmentType, "service-type"))).toBe(
      "service-type",
    );
  });

  it("_count and _offset are bounded whole numbers", () => {
    expect(paging({}, 200)).toEqual({ count: 20, offset: 0 });
    expect(paging({ _count: "5", _offset: "10" }, 200)).toEqual({ count: 5, offset: 10 });
    expect(refusedField(() => paging({ _count: "0" }, 200))).toBe("_count");
    expect(refusedField(() => paging({ _count: "201" }, 200))).toBe("_count");
    expect(refusedField(() => paging({ _offset: "-1" }, 200))).toBe("_offset");
    expect(refusedField(() => paging({ _count: ["1", "2"] }, 200))).toBe("_count");
  });

  it("operation parameters from a Parameters resource or the query string", () => {
    const posted = operationInput(
      {
        resourceType: "Parameters",
        parameter: [
          { name: "start", valueDateTime: "2026-03-02T09:00:00Z" },
          { name: "visit-type", valueCoding: { system: SYSTEM.appointmentType, code: "t1" } },
          { name: "practitioner", valueReference: { reference: "Practitioner/p1" } },
        ],
      },
      {},
    );
    expect(posted.value("start")).toBe("2026-03-02T09:00:00Z");
    expect(posted.value("visit-type")).toBe(`${SYSTEM.appointmentType}|t1`);
    expect(posted.value("practitioner")).toBe("Practitioner/p1");
    expect(operationInput(undefined, { start: "2026-03-02" }).value("start")).toBe("2026-03-02");
    expect(refusedField(() => operationInput({ resourceType: "Patient" }, {}))).toBe("resourceType");
  });
});

describe("FHIR resources from Rounds' records", () => {
  it("every Rounds status has a FHIR status that maps back to it", () => {
    for (const [ours, theirs] of Object.entries(FHIR_STATUS)) expect(roundsStatuses(theirs)).toContain(ours);
    expect(roundsStatuses("proposed")).toEqual([]);
  });

  it("a location's hours, position, parking and amenities are in the Location", () => {
    const l = toFhirLocation({
      id: "5f0c6a1e-4a59-4bd1-9a55-6f4d3c2b1a00",
      code: "MAIN",
      name: "Main campus",
      kind: "main_campus",
      addressLine: "1 Hospital Way",
      city: "Riverton",
      region: "NY",
      postalCode: "10001",
      country: "US",
      latitude: 40.75,
      longitude: -73.99,
      timeZone: "America/New_York",
      phone: "+1 212 555 0100",
      openingHours: [{ weekday: 1, opens: "08:00", closes: "18:00" }],
      parking: { spaces: 200, accessibleSpaces: 12, costCentsPerHour: 350, notes: null },
      accessibilityFeatures: ["step_free_entrance"],
      amenities: ["cafe"],
      publicTransport: null,
      services: [],
      dataResidency: "us",
      active: true,
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
    });
    expect(l.position).toEqual({ latitude: 40.75, longitude: -73.99 });
    expect(l.hoursOfOperation).toEqual([
      { daysOfWeek: ["mon"], openingTime: "08:00:00", closingTime: "18:00:00" },
    ]);
    const parking = l.extension?.find((e) => e.url.endsWith("location-parking"));
    expect(parking?.extension?.find((e) => e.url === "accessibleSpaces")?.valueInteger).toBe(12);
    expect(l.extension?.filter((e) => e.url.endsWith("location-amenity")).map((e) => e.valueString)).toEqual([
      "cafe",
    ]);
  });

  it("a proposed appointment carries the signed option id, and names the patient when known", () => {
    const a = toProposedAppointment(
      {
        id: "signed-option-id-0123456789",
        physicianId: "p",
        physicianName: "Dr. Ada",
        locationId: "l",
        locationName: "Main",
        locationKind: "main_campus",
        roomId: null,
        equipmentIds: [],
        equipment: [],
        appointmentTypeId: "t",
        start: "2026-03-02T14:00:00.000Z",
        end: "2026-03-02T14:30:00.000Z",
        local: { date: "2026-03-02", time: "09:00", offset: "-05:00", timeZone: "America/New_York" },
        telehealth: false,
        distanceKm: null,
        score: 1,
        reasons: [],
      },
      "pt",
    );
    expect(a.status).toBe("proposed");
    expect(a.identifier).toEqual([{ system: SYSTEM.option, value: "signed-option-id-0123456789" }]);
    expect(a.minutesDuration).toBe(30);
    expect(a.participant.map((p) => p.actor?.reference)).toEqual([
      "Patient/pt",
      "Practitioner/p",
      "Location/l",
    ]);
  });
});

describe("FHIR answers", () => {
  it("a refusal is an OperationOutcome whose expression names the FHIR parameter", () => {
    const outcome = operationOutcome(
      problems.invalid("query.appointmentTypeId", "no such appointment type"),
      (f) => (f === "query.appointmentTypeId" ? "service-type" : f),
    );
    expect(outcome.issue).toEqual([
      expect.objectContaining({ severity: "error", code: "processing", expression: ["service-type"] }),
    ]);
  });

  it("a page links to the next only when more follows", () => {
    const page = { url: new URL("https://h.example/fhir/R4/Location?name=x"), count: 2, offset: 2 };
    const r = { resourceType: "Organization" as const, id: "network" };
    const linked = searchBundle("https://h.example/fhir/R4", page, [r], { total: 5, more: true });
    expect(linked.link?.map((l) => l.relation)).toEqual(["self", "first", "previous", "next"]);
    expect(linked.link?.find((l) => l.relation === "next")?.url).toBe(
      "https://h.example/fhir/R4/Location?name=x&_count=2&_offset=4",
    );
    const last = searchBundle("https://h.example/fhir/R4", page, [r], { total: 3, more: false });
    expect(last.link?.map((l) => l.relation)).toEqual(["self", "first", "previous"]);
  });
});

describe("Slot ids", () => {
  const ids = createSlotIds(new Uint8Array(32).fill(7));
  const slot = fc.record({
    physicianId: fc.uuid(),
    locationId: fc.uuid(),
    appointmentTypeId: fc.option(fc.uuid(), { nil: null }),
    start: fc.integer({ min: 0, max: 0xffffffff }).map((s) => s * 1000),
    minutes: fc.integer({ min: 1, max: 0xffff }),
  });

  it("a Slot's id is a FHIR id that opens to the same Slot, signed for its type and no other", () => {
    fc.assert(
      fc.property(slot, fc.uuid(), ({ minutes, ...s }, otherType) => {
        const ref = { ...s, end: s.start + minutes * 60_000 };
        const id = ids.issue(ref)!;
        expect(id).toMatch(/^[A-Za-z0-9\-.]{64}$/);
        const opened = ids.open(id)!;
        expect(opened).toMatchObject({
          physicianId: ref.physicianId,
          locationId: ref.locationId,
          start: ref.start,
          end: ref.end,
        });
        expect(opened.signedFor(ref.appointmentTypeId)).toBe(true);
        if (otherType !== ref.appointmentTypeId) expect(opened.signedFor(otherType)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("an id with any character changed, or signed with another key, is not a Slot of this server", () => {
    const other = createSlotIds(new Uint8Array(32).fill(8));
    fc.assert(
      fc.property(slot, fc.nat(63), fc.constantFrom(..."ABCxyz019-."), ({ minutes, ...s }, at, c) => {
        const ref = { ...s, end: s.start + minutes * 60_000 };
        const id = ids.issue(ref)!;
        const changed = `${id.slice(0, at)}${c}${id.slice(at + 1)}`;
        const opened = ids.open(changed);
        if (changed !== id) expect(opened?.signedFor(ref.appointmentTypeId) ?? false).toBe(false);
        expect(other.open(id)?.signedFor(ref.appointmentTypeId) ?? false).toBe(false);
      }),
      { numRuns: 200 },
    );
    expect(ids.open("too-short")).toBeUndefined();
    expect(ids.open("_".repeat(64))).toBeUndefined();
  });
});
