/**
 * Billing: completed visits exported as claims with their location's coding. The 837P is read
 * back with x12-parser (an X12 reader we did not write) and the FHIR Claims are validated against
 * the R4 definitions; a range is exported once per format, even by two requests at once; only
 * administrators export, and the front desk sees a visit's export state.
 */
import { Readable } from "node:stream";
import type { Bundle, Claim } from "@medplum/fhirtypes";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { X12parser } from "x12-parser";
import type { Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import { validateFhir } from "./support/fhir.js";
import { createLocation } from "./support/fixtures.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient } from "./support/network.js";
import { insertAppointment } from "./support/report-fixture.js";
import { startRounds } from "./support/rounds.js";

type Segment = Record<string, string> & { name: string };
interface BatchDto {
  id: string;
  format: string;
  controlNumber: number;
  claimCount: number;
  totalCents: number;
  sha256: string;
  created: boolean;
  skipped: { appointmentId: string; reason: string }[];
}

const MAIN_NPI = "1234567893";
const SATELLITE_NPI = "1245319599";

let rounds: Rounds;
let net: ClinicNetwork;
let admin: Client;
// a day of its own, far ahead, so no other test's completed visits fall in the ranges exported
const base = Date.UTC(2071 + Math.floor(Math.random() * 25), Math.floor(Math.random() * 12), 1);
const day = (n: number) => new Date(base + n * 86_400_000).toISOString().slice(0, 10);
const visits: Record<"insured" | "video" | "later" | "raced" | "unbillable", string> = {
  insured: "",
  video: "",
  later: "",
  raced: "",
  unbillable: "",
};

async function parse837(text: string): Promise<Segment[]> {
  const out: Segment[] = [];
  await new Promise((resolve, reject) =>
    Readable.from([text])
      .pipe(new X12parser())
      .on("data", (s: Segment) => {
        if (s.name) out.push(s);
      })
      .on("end", resolve)
      .on("error", reject),
  );
  return out;
}

const exportBatch = (format: string, from: string, to: string, client = admin) =>
  client.inject({ method: "POST", url: "/api/v1/billing/batches", payload: { format, from, to } });

beforeAll(async () => {
  rounds = await startRounds({ ROUNDS_NOTIFICATIONS_WORKER: "false" });
  net = await buildClinicNetwork(rounds);
  admin = net.admin;
  const put = async (url: string, payload: object, method: "PUT" | "PATCH" = "PUT") => {
    const res = await admin.inject({ method, url, payload });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  };
  await put(`/api/v1/appointment-types/${net.appointmentTypeId}`, { billingCode: "99214" }, "PATCH");
  for (const [loc, feeCents] of [
    [net.main.id, 12_500],
    [net.satellite.id, 9_900],
  ] as const)
    await put(`/api/v1/analytics/fee-schedules/${loc}/${net.appointmentTypeId}`, {
      feeCents,
      billingCode: "99214",
    });
  const address = { addressLine: "1 Test Way", city: "Riverton", region: "NY", postalCode: "10001" };
  await put(`/api/v1/billing/identities/${net.main.id}`, {
    placeOfService: "22",
    facilityNpi: MAIN_NPI,
    ein: "12-3456789",
    billingName: "Riverton Main Campus",
    ...address,
  });
  await put(`/api/v1/billing/identities/${net.satellite.id}`, {
    placeOfService: "11",
    telehealthPlaceOfService: "10",
    facilityNpi: SATELLITE_NPI,
    ein: "987654321",
    billingName: "Riverton Satellite",
    ...address,
  });
  const insured = await createPatient(admin, { insurance: { payer: "Acme Health", memberId: "ACME-77" } });
  const db = rounds.database.db;
  const completed = async (patient: string, location: string, at: string) =>
    insertAppointment(db, net, {
      patient,
      location,
      start: new Date(at),
      status: "completed",
      bookedBefore: 86_400_000,
    });
  visits.insured = await completed(insured, net.main.id, `${day(0)}T15:00:00Z`);
  visits.video = await completed(net.patientId, net.satellite.id, `${day(0)}T18:00:00Z`);
  await sql`UPDATE appointments SET telehealth = true WHERE id = ${visits.video}`.execute(db);
  visits.later = await completed(net.patientId, net.main.id, `${day(1)}T15:00:00Z`);
  visits.raced = await completed(insured, net.main.id, `${day(2)}T15:00:00Z`);
  // a location without a billing identity
  const elsewhere = await createLocation(rounds, { kind: "outpatient_clinic" });
  visits.unbillable = await completed(insured, elsewhere.id, `${day(3)}T15:00:00Z`);
});

afterAll(async () => {
  await rounds?.close();
});

describe("billing export", () => {
  it("an administrator's 837P reads back with an independent X12 parser: envelopes, counts, NPIs, amounts, POS and modifier 95", async () => {
    const res = await exportBatch("x12-837p", day(0), day(1));
    expect(res.statusCode).toBe(201);
    const batch = res.json() as BatchDto;
    expect(batch).toMatchObject({
      claimCount: 3,
      totalCents: 12_500 + 9_900 + 12_500,
      created: true,
      skipped: [],
    });
    const doc = await admin.inject({ url: `/api/v1/billing/batches/${batch.id}/document` });
    expect(doc.statusCode).toBe(200);
    const segs = await parse837(doc.body);
    const first = (name: string) => segs.find((s) => s.name === name)!;
    const control = String(batch.controlNumber);
    expect(first("ISA")["13"]).toBe(control.padStart(9, "0"));
    expect(first("IEA")["2"]).toBe(control.padStart(9, "0"));
    expect([first("GS")["6"], first("GE")["2"], first("GS")["8"]]).toEqual([
      control,
      control,
      "005010X222A1",
    ]);
    const st = segs.findIndex((s) => s.name === "ST");
    const se = segs.findIndex((s) => s.name === "SE");
    expect(Number(segs[se]!["1"])).toBe(se - st + 1);
    expect(segs[se]!["2"]).toBe(first("ST")["2"]);
    // the billing providers: each location's facility NPI and tax id
    expect(segs.filter((s) => s.name === "NM1" && s["1"] === "85").map((s) => s["9"])).toEqual([
      MAIN_NPI,
      SATELLITE_NPI,
    ]);
    expect(segs.filter((s) => s.name === "REF" && s["1"] === "EI").map((s) => s["2"])).toEqual([
      "123456789",
      "987654321",
    ]);
    // each claim: its amount and place of service, its service line's code, modifiers and date
    const claims = new Map<string, { clm: Segment; sv1: Segment; dtp: Segment; payer: Segment }>();
    segs.forEach((s, i) => {
      if (s.name !== "CLM") return;
      const after = segs.slice(i);
      const before = segs.slice(0, i).reverse();
      claims.set(s["1"]!, {
        clm: s,
        sv1: after.find((x) => x.name === "SV1")!,
        dtp: after.find((x) => x.name === "DTP" && x["1"] === "472")!,
        payer: before.find((x) => x.name === "NM1" && x["1"] === "PR")!,
      });
    });
    expect([...claims.keys()].sort()).toEqual([visits.insured, visits.video, visits.later].sort());
    const insured = claims.get(visits.insured)!;
    const video = claims.get(visits.video)!;
    expect([insured.clm["2"], insured.clm["5"], insured.clm["5-1"]]).toEqual(["125.00", "22", "B"]);
    expect([video.clm["2"], video.clm["5"]]).toEqual(["99.00", "10"]);
    expect([insured.sv1["1"], insured.sv1["1-1"], insured.sv1["1-2"], insured.sv1["2"]]).toEqual([
      "HC",
      "99214",
      undefined,
      "125.00",
    ]);
    expect([video.sv1["1-1"], video.sv1["1-2"]]).toEqual(["99214", "95"]);
    expect(video.dtp["3"]).toBe(day(0).replaceAll("-", ""));
    expect([insured.payer["3"], video.payer["3"]]).toEqual(["ACME HEALTH", "SELF PAY"]);

    // the same range again: the same batch, nothing changed
    const again = await exportBatch("x12-837p", day(0), day(1));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: batch.id, sha256: batch.sha256, claimCount: 3, created: false });
    expect((await admin.inject({ url: `/api/v1/billing/batches/${batch.id}/document` })).body).toBe(doc.body);
    const audit = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM audit_events WHERE action = 'billing.batch.export' AND resource_id = ${batch.id}`.execute(
      rounds.database.db,
    );
    expect(audit.rows[0]!.n).toBe(2);
  });

  it("the same visits export as FHIR Claims that validate as R4, and the front desk sees both exports of its own visits only", async () => {
    const res = await exportBatch("fhir-claim", day(0), day(1));
    expect(res.statusCode).toBe(201);
    const batch = res.json() as BatchDto;
    const doc = await admin.inject({ url: `/api/v1/billing/batches/${batch.id}/document` });
    const bundle = doc.json() as Bundle<Claim>;
    validateFhir(bundle);
    const byId = new Map(bundle.entry!.map((e) => [e.resource!.id, e.resource!]));
    const video = byId.get(visits.video)!;
    expect(video.item![0]!.productOrService.coding![0]!.code).toBe("99214");
    expect(video.item![0]!.modifier![0]!.coding![0]!.code).toBe("95");
    expect(video.item![0]!.locationCodeableConcept!.coding![0]!.code).toBe("10");
    expect(video.provider.identifier!.value).toBe(SATELLITE_NPI);
    expect(video.total!.value).toBe(99);
    expect(byId.get(visits.insured)!.facility!.reference).toBe(`Location/${net.main.id}`);

    const staff = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    const state = await staff.inject({ url: `/api/v1/appointments/${visits.insured}/billing` });
    expect(state.statusCode).toBe(200);
    expect((state.json() as { exports: { format: string; placeOfService: string }[] }).exports).toMatchObject(
      [
        { format: "x12-837p", placeOfService: "22" },
        { format: "fhir-claim", placeOfService: "22" },
      ],
    );
    expect((await staff.inject({ url: `/api/v1/appointments/${visits.video}/billing` })).statusCode).toBe(
      404,
    );
  });

  it("two concurrent exports of one range make one batch, and a visit already claimed is not claimed again", async () => {
    const [a, b] = await Promise.all([
      exportBatch("x12-837p", day(2), day(2)),
      exportBatch("x12-837p", day(2), day(2)),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 201]);
    expect((a.json() as BatchDto).id).toBe((b.json() as BatchDto).id);
    expect((a.json() as BatchDto).claimCount).toBe(1);
    const charges = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM billing_charges WHERE appointment_id = ${visits.raced}`.execute(
      rounds.database.db,
    );
    expect(charges.rows[0]!.n).toBe(1);
    // a wider range: everything in it is exported already, or cannot be billed (no billing identity)
    const wider = await exportBatch("x12-837p", day(0), day(3));
    expect(wider.statusCode).toBe(409);
    expect(wider.json()).toMatchObject({
      code: "nothing_to_export",
      skipped: [{ appointmentId: visits.unbillable, reason: "no_billing_identity" }],
    });
  });

  it("staff, physicians and patients cannot export; bad dates and a wrong NPI are refused naming the field", async () => {
    for (const [role, scope] of [
      ["location_staff", { locationIds: [net.main.id] as string[] }],
      ["physician", { physicianId: net.physicianId }],
      ["patient", { patientId: net.patientId }],
    ] as const) {
      const client = await clientFor(rounds, role, scope);
      expect((await exportBatch("x12-837p", day(0), day(1), client)).statusCode).toBe(403);
    }
    const field = (res: { statusCode: number; json(): unknown }) => [
      res.statusCode,
      (res.json() as { errors: { field: string }[] }).errors[0]?.field,
    ];
    expect(field(await exportBatch("x12-837p", "2026-02-30", day(1)))).toEqual([400, "body.from"]);
    expect(field(await exportBatch("x12-837p", day(1), day(0)))).toEqual([400, "body.to"]);
    expect(field(await exportBatch("pdf", day(0), day(1)))).toEqual([400, "body.format"]);
    const badNpi = await admin.inject({
      method: "PUT",
      url: `/api/v1/billing/identities/${net.main.id}`,
      payload: {
        placeOfService: "22",
        facilityNpi: "1234567890",
        ein: "123456789",
        billingName: "Main",
        addressLine: "1 Test Way",
        city: "Riverton",
        region: "NY",
        postalCode: "10001",
      },
    });
    expect(field(badNpi)).toEqual([400, "body.facilityNpi"]);
  });
});
