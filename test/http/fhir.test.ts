/**
 * The FHIR R4 endpoint over real HTTP on a listening server: every resource type it serves is
 * checked against the official R4 definitions by @medplum/core's validator, and an independent
 * client (fhir-kit-client) finds, holds, books and cancels an appointment through the same booking
 * path as the JSON API. Scope stops at the location's door; bad parameters answer 400
 * OperationOutcomes naming the parameter.
 */
import type { Bundle, OperationOutcome, Resource } from "@medplum/fhirtypes";
import { Client as FhirClient } from "fhir-kit-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../../src/server.js";
import { type Client, clientFor } from "../support/auth.js";
import { validateFhir } from "../support/fhir.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient } from "../support/network.js";
import { startRounds } from "../support/rounds.js";

const TYPE_SYSTEM = "https://rounds.example/fhir/CodeSystem/appointment-type";
const OPTION_SYSTEM = "https://rounds.example/fhir/identifier/option";

let rounds: Rounds;
let base: string;
let net: ClinicNetwork;
let elsewhere: ClinicNetwork;
let admin: Client;

beforeAll(async () => {
  rounds = await startRounds();
  base = `${await rounds.app.listen({ port: 0, host: "127.0.0.1" })}/fhir/R4`;
  net = await buildClinicNetwork(rounds);
  elsewhere = await buildClinicNetwork(rounds);
  admin = await clientFor(rounds, "admin");
  // the specialty's department at the main campus: its HealthcareService
  const department = await admin.inject({
    method: "POST",
    url: `/api/v1/locations/${net.main.id}/departments`,
    payload: { specialty: net.specialty, name: "Clinic of the test specialty" },
  });
  expect(department.statusCode, department.body).toBe(201);
}, 120_000);
afterAll(() => rounds?.close());

/** A GET over HTTP, as `token`'s user (anonymous without one). */
async function get(path: string, token?: string): Promise<{ status: number; type: string; body: Resource }> {
  const res = await fetch(`${base}/${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return {
    status: res.status,
    type: res.headers.get("content-type") ?? "",
    body: (await res.json()) as Resource,
  };
}

/** Whether the official R4 definitions accept the resource (the validator throws with the issues). */
function expectValid(resource: Resource): void {
  expect(() => validateFhir(resource), JSON.stringify(resource).slice(0, 400)).not.toThrow();
}

function expectOutcome(res: { status: number; body: Resource }, status: number, expression?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.resourceType).toBe("OperationOutcome");
  expectValid(res.body);
  if (expression)
    expect((res.body as OperationOutcome).issue.flatMap((i) => i.expression ?? [])).toContain(expression);
}

// biome-ignore lint/suspicious/noExplicitAny: resources are checked field by field in each test
const entries = (b: Resource): any[] => ((b as Bundle).entry ?? []).map((e) => e.resource);
const dayBounds = (n: ClinicNetwork, day = 0) =>
  `start=ge${encodeURIComponent(n.at("00:00", day))}&start=lt${encodeURIComponent(n.at("23:59", day))}`;

describe("FHIR R4 reads and searches", () => {
  it("the CapabilityStatement lists exactly the resource types served, each answering", async () => {
    const res = await get("metadata");
    expect(res.status).toBe(200);
    expect(res.type).toContain("application/fhir+json");
    expectValid(res.body);
    const rest = (
      res.body as { rest: Array<{ resource: Array<{ type: string; interaction: Array<{ code: string }> }> }> }
    ).rest[0]!;
    const types = rest.resource.map((r) => r.type).sort();
    expect(types).toEqual(
      [
        "Appointment",
        "HealthcareService",
        "Location",
        "Organization",
        "Patient",
        "Practitioner",
        "PractitionerRole",
        "Schedule",
        "Slot",
      ].sort(),
    );
    // every type said to be searchable answers a search with a Bundle (an admin reaches all)
    for (const r of rest.resource.filter((r) => r.interaction.some((i) => i.code === "search-type"))) {
      const query =
        r.type === "Slot" ? `?service-type=${net.appointmentTypeId}&${dayBounds(net)}` : "?_count=2";
      const found = await get(`${r.type}${query}`, admin.user.token);
      expect(found.status, `${r.type}: ${JSON.stringify(found.body)}`).toBe(200);
      expect(found.body.resourceType).toBe("Bundle");
    }
  });

  it("every resource type served validates against the official R4 definitions", async () => {
    const token = admin.user.token;
    const location = await get(`Location/${net.main.id}`);
    expect(location.status).toBe(200);
    const roles = await get(`PractitionerRole?practitioner=Practitioner/${net.physicianId}`);
    const schedules = await get(`Schedule?actor=Practitioner/${net.physicianId}`);
    expect(entries(schedules.body)).toHaveLength(2);
    const services = await get(`HealthcareService?location=Location/${net.main.id}`);
    expect(entries(services.body)).toHaveLength(1);
    const slots = await get(
      `Slot?service-type=${TYPE_SYSTEM}|${net.appointmentTypeId}&schedule.actor=Practitioner/${net.physicianId}&${dayBounds(net)}&_include=Slot:schedule&_count=3`,
      token,
    );
    expect(slots.status, JSON.stringify(slots.body)).toBe(200);
    const found = [
      location.body,
      (await get("Organization/network")).body,
      (await get(`Practitioner/${net.physicianId}`)).body,
      roles.body,
      ...entries(roles.body),
      schedules.body,
      ...entries(schedules.body),
      services.body,
      ...entries(services.body),
      slots.body,
      ...entries(slots.body),
      (await get(`Patient/${net.patientId}`, token)).body,
      (await get(`Appointment?patient=Patient/${net.patientId}&_include=Appointment:patient`, token)).body,
    ];
    expect(new Set(found.map((r) => r.resourceType))).toEqual(
      new Set([
        "Location",
        "Organization",
        "Practitioner",
        "PractitionerRole",
        "HealthcareService",
        "Schedule",
        "Bundle",
        "Slot",
        "Patient",
      ]),
    );
    for (const r of found) expectValid(r);
    const hours = location.body as { position?: unknown; extension?: Array<{ url: string }> };
    expect(hours.position).toEqual({ latitude: 40.75, longitude: -73.99 });
    expect(hours.extension?.map((e) => e.url)).toContain(
      "https://rounds.example/fhir/StructureDefinition/location-parking",
    );
    // _include=Slot:schedule brings the Schedules the slots belong to
    const bundled = (slots.body as Bundle).entry ?? [];
    const scheduleRefs = new Set(
      bundled
        .filter((e) => e.search?.mode === "match")
        .map((e) => (e.resource as { schedule: { reference: string } }).schedule.reference),
    );
    const included = bundled
      .filter((e) => e.search?.mode === "include")
      .map((e) => `Schedule/${e.resource?.id}`);
    expect(scheduleRefs.size).toBeGreaterThan(0);
    expect(new Set(included)).toEqual(scheduleRefs);
  });

  it("every resource type said to be readable reads by id, with the session cookie as well as a bearer token", async () => {
    const cookie = { cookie: `rounds_session=${admin.user.token}` };
    const [role] = entries((await get(`PractitionerRole?practitioner=Practitioner/${net.physicianId}`)).body);
    const [service] = entries((await get(`HealthcareService?location=Location/${net.main.id}`)).body);
    const [slot] = entries(
      (
        await get(
          `Slot?service-type=${net.appointmentTypeId}&schedule.actor=Location/${net.main.id}&${dayBounds(net, 9)}&_count=1`,
          admin.user.token,
        )
      ).body,
    );
    const booked = await admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: {
        optionId: (
          (
            await admin.inject({
              url: `/api/v1/availability?appointmentTypeId=${net.appointmentTypeId}&physicianId=${net.physicianId}&from=${encodeURIComponent(net.at("08:00", 7))}&to=${encodeURIComponent(net.at("12:00", 7))}`,
            })
          ).json() as { options: Array<{ id: string }> }
        ).options[0]!.id,
        patientId: net.patientId,
      },
    });
    const ids: Record<string, string> = {
      Organization: "network",
      Location: net.main.id,
      Practitioner: net.physicianId,
      PractitionerRole: role.id,
      HealthcareService: service.id,
      Schedule: role.id,
      Slot: slot.id,
      Appointment: (booked.json() as { id: string }).id,
      Patient: net.patientId,
    };
    const rest = (
      (await get("metadata")).body as unknown as {
        rest: Array<{ resource: Array<{ type: string; interaction: Array<{ code: string }> }> }>;
      }
    ).rest[0]!;
    const readable = rest.resource
      .filter((r) => r.interaction.some((i) => i.code === "read"))
      .map((r) => r.type);
    expect(readable.sort()).toEqual(Object.keys(ids).sort());
    for (const type of readable) {
      const res = await fetch(`${base}/${type}/${ids[type]}`, { headers: cookie });
      const body = (await res.json()) as Resource;
      expect(res.status, `${type}: ${JSON.stringify(body)}`).toBe(200);
      expect(body).toMatchObject({ resourceType: type, id: ids[type] });
      expectValid(body);
    }
    // the appointment is found by its patient, practitioner, day and status, and not by another status
    const search = `Appointment?patient=Patient/${net.patientId}&practitioner=Practitioner/${net.physicianId}&date=ge${encodeURIComponent(net.at("00:00", 7))}&date=lt${encodeURIComponent(net.at("23:59", 7))}`;
    expect(entries((await get(`${search}&status=booked`, admin.user.token)).body).map((a) => a.id)).toEqual([
      ids.Appointment,
    ]);
    expect(entries((await get(`${search}&status=cancelled,noshow`, admin.user.token)).body)).toEqual([]);
  });

  it("Slots are the free times the availability search offers, paged with Bundle links", async () => {
    const token = admin.user.token;
    const search = `Slot?service-type=${net.appointmentTypeId}&schedule.actor=Location/${net.main.id}&status=free&${dayBounds(net)}`;
    const first = (await get(`${search}&_count=4`, token)).body as Bundle;
    const slots = entries(first) as Array<{ start: string; schedule: { reference: string }; status: string }>;
    expect(slots).toHaveLength(4);
    for (const s of slots) {
      expect(s.status).toBe("free");
      // the physician works mornings at the main campus (08:00-12:00 New York)
      expect(Date.parse(s.start)).toBeGreaterThanOrEqual(Date.parse(net.at("08:00")));
      expect(Date.parse(s.start)).toBeLessThan(Date.parse(net.at("12:00")));
    }
    const next = first.link?.find((l) => l.relation === "next")?.url;
    expect(next).toBeDefined();
    const second = await fetch(next!, { headers: { authorization: `Bearer ${token}` } });
    const page2 = entries((await second.json()) as Bundle) as Array<{ id: string }>;
    expect(page2.length).toBeGreaterThan(0);
    expect(
      page2
        .map((s) => s.id)
        .filter((id) => (slots as unknown as Array<{ id: string }>).some((s) => s.id === id)),
    ).toEqual([]);
    // the schedule of the satellite has no morning slots
    const satellite = entries(
      (
        await get(
          `Slot?service-type=${net.appointmentTypeId}&schedule.actor=Location/${net.satellite.id}&${dayBounds(net)}&_count=50`,
          token,
        )
      ).body,
    ) as Array<{ start: string }>;
    expect(satellite.length).toBeGreaterThan(0);
    for (const s of satellite)
      expect(Date.parse(s.start)).toBeGreaterThanOrEqual(Date.parse(net.at("13:00")));
  });

  it("bad parameters answer 400 OperationOutcomes naming the parameter; unknown things 404", async () => {
    const token = admin.user.token;
    expectOutcome(await get(`Slot?${dayBounds(net)}`, token), 400, "service-type");
    expectOutcome(
      await get(`Slot?service-type=${net.appointmentTypeId}&start=tomorrow`, token),
      400,
      "start",
    );
    expectOutcome(
      await get(`Slot?service-type=${net.appointmentTypeId}&status=waitlist`, token),
      400,
      "status",
    );
    // busy Slots are a practitioner's schedule: they are asked of one
    expectOutcome(await get(`Slot?status=busy&${dayBounds(net)}`, token), 400, "schedule");
    // reverse includes and chains a search does not serve are refused, never ignored
    expectOutcome(
      await get(`Slot?service-type=${net.appointmentTypeId}&_revinclude=Schedule:actor`, token),
      400,
      "_revinclude",
    );
    expectOutcome(await get("Location?_revinclude=PractitionerRole:location"), 400, "_revinclude");
    expectOutcome(await get("Schedule?_has:Slot:schedule:status=free"), 400, "_has:Slot:schedule:status");
    expectOutcome(
      await get("Practitioner?_has:Appointment:practitioner:status=booked"),
      400,
      "_has:Appointment:practitioner:status",
    );
    expectOutcome(
      await get("Practitioner?_has:PractitionerRole:practitioner:location=Practitioner/x"),
      400,
      "_has:PractitionerRole:practitioner:location",
    );
    expectOutcome(await get("Location?_count=0"), 400, "_count");
    expectOutcome(await get("Appointment?date=2026-02-30", token), 400, "date");
    expectOutcome(await get("Appointment?status=tuesday", token), 400, "status");
    expectOutcome(await get("Appointment?_include=Appointment:insurance", token), 400, "_include");
    expectOutcome(await get("Observation/1"), 404, "url");
    expectOutcome(await get(""), 404, "url");
    expectOutcome(await get("Location/not-a-location"), 404);
    expectOutcome(await get(`Location/${net.patientId}`), 404);
    const anonymous = await fetch(`${base}/Appointment?_count=1`);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expectOutcome({ status: anonymous.status, body: (await anonymous.json()) as Resource }, 401);
  });
});

describe("Slots by id, busy Slots, reverse includes and chains", () => {
  it("a Slot read by id is what it is now: free, then busy once booked through it, telling nothing of the booking", async () => {
    const token = admin.user.token;
    const schedule = `Schedule/${(entries((await get(`Schedule?actor=Practitioner/${net.physicianId}&actor=Location/${net.main.id}`)).body)[0] as { id: string }).id}`;
    const search = `Slot?service-type=${net.appointmentTypeId}&schedule=${schedule}&${dayBounds(net, 4)}`;
    const [slot] = entries((await get(`${search}&_count=1`, token)).body);
    const free = await get(`Slot/${slot.id}`, token);
    expect(free.status).toBe(200);
    expectValid(free.body);
    expect(free.body).toMatchObject({ id: slot.id, status: "free", start: slot.start, end: slot.end });
    // a changed character is a Slot nobody signed
    const tampered = `${slot.id.slice(0, 30)}${slot.id[30] === "A" ? "B" : "A"}${slot.id.slice(31)}`;
    expectOutcome(await get(`Slot/${tampered}`, token), 404);

    // $book takes an Appointment naming the Slot, and books a fresh signed option of it
    const book = (parameter: unknown[]) =>
      fetch(`${base}/Appointment/$book`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/fhir+json" },
        body: JSON.stringify({ resourceType: "Parameters", parameter }),
      });
    const proposal = {
      resourceType: "Appointment",
      status: "proposed",
      slot: [{ reference: `Slot/${slot.id}` }],
      participant: [{ actor: { reference: `Patient/${net.patientId}` }, status: "needs-action" }],
    };
    const booked = await book([{ name: "appointment-resource", resource: proposal }]);
    const bundle = (await booked.json()) as Resource;
    expect(booked.status, JSON.stringify(bundle)).toBe(200);
    expect(entries(bundle)[0]).toMatchObject({ status: "booked", start: slot.start, end: slot.end });
    const again = await book([{ name: "appointment-resource", resource: proposal }]);
    expectOutcome(
      { status: again.status, body: (await again.json()) as Resource },
      409,
      "appointment-resource.slot",
    );

    // the same id now reads busy, and the schedule's busy Slots show the time, never the patient or the visit
    const taken = await get(`Slot/${slot.id}`, token);
    expect(taken.status).toBe(200);
    expectValid(taken.body);
    expect(taken.body).toMatchObject({ id: slot.id, status: "busy", start: slot.start, end: slot.end });
    const busy = await get(`Slot?status=busy&schedule=${schedule}&${dayBounds(net, 4)}`, token);
    expectValid(busy.body);
    const busySlots = entries(busy.body);
    expect(busySlots.map((s) => [s.status, s.start])).toContainEqual(["busy", slot.start]);
    for (const text of [JSON.stringify(taken.body), JSON.stringify(busy.body)]) {
      expect(text).not.toContain(net.patientId);
      expect(text).not.toContain("Patient/");
      expect(text).not.toContain(net.appointmentTypeId);
    }
    // free and busy together, in time order; the booked time is no longer among the free ones
    const both = entries((await get(`${search}&status=free,busy&_count=200`, token)).body);
    expect(both.filter((s) => s.start === slot.start).map((s) => s.status)).toEqual(["busy"]);
    expect(both.map((s) => Date.parse(s.start))).toEqual(
      both.map((s) => Date.parse(s.start)).sort((a, b) => a - b),
    );
    // a patient sees free Slots, not a physician's schedule
    const patient = await clientFor(rounds, "patient", { patientId: await createPatient(admin) });
    expect((await get(`Slot/${slot.id}`, patient.user.token)).status).toBe(404);
    expect(
      (await get(`Slot?status=busy&schedule=${schedule}&${dayBounds(net, 4)}`, patient.user.token)).status,
    ).toBe(404);
  });

  it("practitioners by where they work, locations by who works there, and roles and free Slots brought along", async () => {
    const at = (
      await get(
        `Practitioner?_has:PractitionerRole:practitioner:location=Location/${net.main.id}&_revinclude=PractitionerRole:practitioner&_count=200`,
      )
    ).body as Bundle;
    expectValid(at);
    const matches = (at.entry ?? []).filter((e) => e.search?.mode === "match").map((e) => e.resource!.id);
    expect(matches).toContain(net.physicianId);
    const roles = (at.entry ?? []).filter((e) => e.search?.mode === "include").map((e) => e.resource!);
    expect(roles.every((r) => r.resourceType === "PractitionerRole")).toBe(true);
    expect(roles.map((r) => (r as { practitioner: { reference: string } }).practitioner.reference)).toContain(
      `Practitioner/${net.physicianId}`,
    );
    const away = entries(
      (
        await get(
          `Practitioner?_has:PractitionerRole:practitioner:location=Location/${elsewhere.main.id}&_count=200`,
        )
      ).body,
    );
    expect(away.map((p) => p.id)).not.toContain(net.physicianId);
    const bySpecialty = entries(
      (await get(`Practitioner?_has:PractitionerRole:practitioner:specialty=${net.specialty}&_count=200`))
        .body,
    );
    expect(bySpecialty.map((p) => p.id)).toContain(net.physicianId);

    const where = (
      await get(`Location?_has:PractitionerRole:location:practitioner=Practitioner/${net.physicianId}`)
    ).body;
    expectValid(where);
    expect(
      entries(where)
        .map((l) => l.id)
        .sort(),
    ).toEqual([net.main.id, net.satellite.id].sort());

    const withSlots = (await get(`Schedule?actor=Practitioner/${net.physicianId}&_revinclude=Slot:schedule`))
      .body as Bundle;
    expectValid(withSlots);
    const schedules = new Set(
      (withSlots.entry ?? [])
        .filter((e) => e.search?.mode === "match")
        .map((e) => `Schedule/${e.resource!.id}`),
    );
    const slots = (withSlots.entry ?? [])
      .filter((e) => e.search?.mode === "include")
      .map((e) => e.resource as { resourceType: string; status: string; schedule: { reference: string } });
    expect(slots.length).toBeGreaterThan(0);
    for (const s of slots) {
      expect(s).toMatchObject({ resourceType: "Slot", status: "free" });
      expect(schedules.has(s.schedule.reference)).toBe(true);
    }
    expectOutcome(await get("Schedule?_revinclude=Slot:schedule&_count=50"), 400, "_count");

    const capability = (await get("metadata")).body as unknown as {
      rest: Array<{
        resource: Array<{ type: string; searchRevInclude?: string[]; searchParam?: Array<{ name: string }> }>;
      }>;
    };
    const of = (type: string) => capability.rest[0]!.resource.find((r) => r.type === type)!;
    expect(of("Schedule").searchRevInclude).toEqual(["Slot:schedule"]);
    expect(of("Practitioner").searchRevInclude).toEqual(["PractitionerRole:practitioner"]);
    expect(of("Practitioner").searchParam!.map((p) => p.name)).toContain(
      "_has:PractitionerRole:practitioner:location",
    );
    expect(of("Location").searchParam!.map((p) => p.name)).toContain(
      "_has:PractitionerRole:location:practitioner",
    );
  });
});

describe("FHIR scheduling with an independent client", () => {
  it("a FHIR client finds, holds, books and cancels an appointment through the booking path", async () => {
    const client = new FhirClient({ baseUrl: base, bearerToken: admin.user.token });
    const found = (await client.operation({
      resourceType: "Appointment",
      name: "$find",
      input: {
        resourceType: "Parameters",
        parameter: [
          { name: "start", valueDateTime: net.at("09:00", 1) },
          { name: "end", valueDateTime: net.at("12:00", 1) },
          { name: "visit-type", valueCoding: { system: TYPE_SYSTEM, code: net.appointmentTypeId } },
          { name: "practitioner", valueReference: { reference: `Practitioner/${net.physicianId}` } },
          { name: "patient", valueReference: { reference: `Patient/${net.patientId}` } },
          { name: "_count", valueInteger: 3 },
        ],
      },
    })) as unknown as Bundle;
    expectValid(found as Resource);
    const proposed = entries(found as Resource) as Array<
      Record<string, unknown> & { start: string; status: string }
    >;
    expect(proposed.length).toBe(3);
    expect(proposed.every((p) => p.status === "proposed")).toBe(true);
    const choice = proposed[0]!;

    // a proposal whose time was changed by the client is still booked at the signed time
    const tampered = { ...choice, start: net.at("11:30", 1) };
    const held = (await client.operation({
      resourceType: "Appointment",
      name: "$hold",
      input: {
        resourceType: "Parameters",
        parameter: [{ name: "appointment-resource", resource: tampered }],
      },
    })) as unknown as Bundle;
    expectValid(held as Resource);
    const hold = entries(held as Resource)[0] as { id: string; status: string; start: string };
    expect(hold.status).toBe("pending");
    expect(hold.start).toBe(choice.start);

    const booked = (await client.operation({
      resourceType: "Appointment",
      name: "$book",
      input: {
        resourceType: "Parameters",
        parameter: [
          { name: "appointment-reference", valueReference: { reference: `Appointment/${hold.id}` } },
        ],
      },
    })) as unknown as Bundle;
    const appointment = entries(booked as Resource)[0] as { id: string; status: string };
    expect(appointment).toMatchObject({ id: hold.id, status: "booked" });

    // the JSON API sees the same booking
    const json = await admin.inject({ url: `/api/v1/appointments/${hold.id}` });
    expect(json.json()).toMatchObject({ status: "booked", start: choice.start, patientId: net.patientId });
    const read = (await client.read({ resourceType: "Appointment", id: hold.id })) as unknown as Resource;
    expectValid(read);
    expect(read).toMatchObject({ status: "booked" });

    // booking the same proposal again is refused: the time is taken
    const again = await fetch(`${base}/Appointment/$book`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.user.token}`, "content-type": "application/fhir+json" },
      body: JSON.stringify({
        resourceType: "Parameters",
        parameter: [{ name: "appointment-resource", resource: choice }],
      }),
    });
    expectOutcome({ status: again.status, body: (await again.json()) as Resource }, 409);

    const cancelled = (await client.operation({
      resourceType: "Appointment",
      id: hold.id,
      name: "$cancel",
      input: {
        resourceType: "Parameters",
        parameter: [{ name: "reason", valueString: "Patient travelling" }],
      },
    })) as unknown as Resource;
    expectValid(cancelled);
    expect(cancelled).toMatchObject({
      status: "cancelled",
      cancelationReason: { text: "Patient travelling" },
    });
  });

  it("a status update to cancelled cancels a booking made with $book and a proposal", async () => {
    const client = new FhirClient({ baseUrl: base, bearerToken: admin.user.token });
    const found = (await client.operation({
      resourceType: "Appointment",
      name: "$find",
      method: "GET",
      input: {
        start: net.at("13:00", 2),
        end: net.at("17:00", 2),
        "visit-type": net.appointmentTypeId,
        practitioner: `Practitioner/${net.physicianId}`,
        patient: `Patient/${net.patientId}`,
      },
    })) as unknown as Bundle;
    const proposal = entries(found as Resource)[0] as Record<string, unknown>;
    expect((proposal.identifier as Array<{ system: string }>)[0]!.system).toBe(OPTION_SYSTEM);
    const booked = entries(
      (await client.operation({
        resourceType: "Appointment",
        name: "$book",
        input: {
          resourceType: "Parameters",
          parameter: [{ name: "appointment-resource", resource: proposal }],
        },
      })) as unknown as Resource,
    )[0] as { id: string; status: string };
    expect(booked.status).toBe("booked");
    const patched = (await client.patch({
      resourceType: "Appointment",
      id: booked.id,
      jsonPatch: [{ op: "replace", path: "/status", value: "cancelled" }],
    })) as unknown as Resource;
    expect(patched).toMatchObject({ status: "cancelled" });
    const refused = await fetch(`${base}/Appointment/${booked.id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${admin.user.token}`, "content-type": "application/json-patch+json" },
      body: JSON.stringify([{ op: "replace", path: "/start", value: net.at("09:00", 2) }]),
    });
    expectOutcome({ status: refused.status, body: (await refused.json()) as Resource }, 422, "/start");

    // a whole Appointment sent back with status cancelled cancels too
    const second = entries(found as Resource)[1] as Record<string, unknown>;
    const booked2 = entries(
      (await client.operation({
        resourceType: "Appointment",
        name: "$book",
        input: {
          resourceType: "Parameters",
          parameter: [{ name: "appointment-resource", resource: second }],
        },
      })) as unknown as Resource,
    )[0] as Record<string, unknown> & { id: string };
    const put = (await client.update({
      resourceType: "Appointment",
      id: booked2.id,
      body: {
        ...booked2,
        resourceType: "Appointment",
        status: "cancelled",
        cancelationReason: { text: "Clinic closed" },
      },
    })) as unknown as Resource;
    expect(put).toMatchObject({ status: "cancelled", cancelationReason: { text: "Clinic closed" } });
    const json = await admin.inject({ url: `/api/v1/appointments/${booked2.id}` });
    expect(json.json()).toMatchObject({ status: "cancelled", cancelReason: "Clinic closed" });
  });

  it("a patient books for themselves, and cannot hold a time for someone outside their family", async () => {
    const ownId = await createPatient(admin);
    const patient = await clientFor(rounds, "patient", { patientId: ownId });
    const client = new FhirClient({ baseUrl: base, bearerToken: patient.user.token });
    const found = (await client.operation({
      resourceType: "Appointment",
      name: "$find",
      input: {
        resourceType: "Parameters",
        parameter: [
          { name: "start", valueDateTime: net.at("08:00", 8) },
          { name: "end", valueDateTime: net.at("17:00", 8) },
          { name: "visit-type", valueCoding: { system: TYPE_SYSTEM, code: net.appointmentTypeId } },
          { name: "patient", valueReference: { reference: `Patient/${ownId}` } },
        ],
      },
    })) as unknown as Resource;
    const [first, second] = entries(found);
    const booked = entries(
      (await client.operation({
        resourceType: "Appointment",
        name: "$book",
        input: { resourceType: "Parameters", parameter: [{ name: "appointment-resource", resource: first }] },
      })) as unknown as Resource,
    )[0];
    expect(booked).toMatchObject({ status: "booked" });
    expect(booked.participant.map((p: { actor: { reference: string } }) => p.actor.reference)).toContain(
      `Patient/${ownId}`,
    );
    const other = await fetch(`${base}/Appointment/$hold`, {
      method: "POST",
      headers: { authorization: `Bearer ${patient.user.token}`, "content-type": "application/fhir+json" },
      body: JSON.stringify({
        resourceType: "Parameters",
        parameter: [
          { name: "appointment-resource", resource: second },
          { name: "patient-reference", valueReference: { reference: `Patient/${net.patientId}` } },
        ],
      }),
    });
    expectOutcome({ status: other.status, body: (await other.json()) as Resource }, 404, "patient-reference");
    // an option id the server did not sign is refused, naming the proposal
    const forged = {
      ...second,
      identifier: [{ system: OPTION_SYSTEM, value: `${second.identifier[0].value.slice(0, -4)}AAAA` }],
    };
    const refused = await fetch(`${base}/Appointment/$book`, {
      method: "POST",
      headers: { authorization: `Bearer ${patient.user.token}`, "content-type": "application/fhir+json" },
      body: JSON.stringify({
        resourceType: "Parameters",
        parameter: [{ name: "appointment-resource", resource: forged }],
      }),
    });
    expectOutcome(
      { status: refused.status, body: (await refused.json()) as Resource },
      422,
      "appointment-resource",
    );
  });

  it("a location's staff cannot read another location's appointments or patients", async () => {
    const desk = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    const options = await admin.inject({
      url: `/api/v1/availability?appointmentTypeId=${elsewhere.appointmentTypeId}&physicianId=${elsewhere.physicianId}&from=${encodeURIComponent(elsewhere.at("08:00", 3))}&to=${encodeURIComponent(elsewhere.at("12:00", 3))}`,
    });
    const option = (options.json() as { options: Array<{ id: string }> }).options[0]!;
    const booked = await admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: option.id, patientId: elsewhere.patientId },
    });
    expect(booked.statusCode, booked.body).toBe(201);
    const id = (booked.json() as { id: string }).id;
    expectOutcome(await get(`Appointment/${id}`, desk.user.token), 404, "id");
    expectOutcome(await get(`Patient/${elsewhere.patientId}`, desk.user.token), 404, "id");
    expectOutcome(
      await get(`Appointment?patient=Patient/${elsewhere.patientId}`, desk.user.token),
      404,
      "patient",
    );
    const theirs = entries(
      (await get(`Appointment?location=Location/${elsewhere.main.id}`, desk.user.token)).body,
    );
    expect(theirs).toEqual([]);
    // the administrator reads it, with its patient, practitioner and location included
    const withAll = await get(
      `Appointment?patient=Patient/${elsewhere.patientId}&_include=Appointment:patient&_include=Appointment:practitioner&_include=Appointment:location`,
      admin.user.token,
    );
    expect(new Set(entries(withAll.body).map((r) => r.resourceType))).toEqual(
      new Set(["Appointment", "Patient", "Practitioner", "Location"]),
    );
    for (const r of entries(withAll.body)) expectValid(r);
    // the refusal was audited like the JSON API's (administrators read the trail)
    const refused = await admin.inject({
      url: `/api/v1/audit-events?action=access.refused&patientId=${elsewhere.patientId}`,
    });
    expect(refused.statusCode, refused.body).toBe(200);
    expect((refused.json() as { total: number }).total).toBeGreaterThan(0);
  });
});
