/**
 * The revenue report's split of each fee into the patient's share (the copay the server recorded
 * for the appointment) and the payer's share, against hand-computed figures. The network's
 * physician is planned 08:00–12:00 at the main campus and 13:00–17:00 at the satellite; a
 * consultation takes 30 minutes and its base copay is $150; mornings at the main campus are 10 %
 * off while the day is at most half booked. Fees: $200 at the main campus, $160 at the satellite.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { startRounds } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
let admin: Client;
let range: string;
let first: string;

type Row = { locationId: string } & Record<string, number | string | null>;

const book = async (locationId: string, time: string): Promise<string> => {
  const o = (await optionsOn(net, admin)).find((x) => x.locationId === locationId && x.local.time === time);
  if (!o) throw new Error(`no option at ${time}`);
  const res = await admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: o.id, patientId: await createPatient(admin) },
  });
  expect(res.statusCode).toBe(201);
  return (res.json() as { id: string }).id;
};

const revenue = async (client: Client, extra = "") => {
  const res = await client.inject({ url: `/api/v1/analytics/reports/revenue?${range}${extra}` });
  expect(res.statusCode).toBe(200);
  const rows = (res.json() as { rows: Row[] }).rows;
  return {
    main: rows.find((r) => r.locationId === net.main.id),
    sat: rows.find((r) => r.locationId === net.satellite.id),
  };
};

beforeAll(async () => {
  rounds = await startRounds();
  net = await buildClinicNetwork(rounds);
  admin = net.admin;
  range = `from=${net.monday}&to=${net.monday}`;
  const setup = [
    ["PUT", "/api/v1/pricing-rules/caps/self_pay", { maxSurchargeCents: 2000, maxDiscountCents: 3000 }],
    [
      "POST",
      "/api/v1/pricing-rules",
      {
        locationId: net.main.id,
        kind: "off_peak_discount",
        weekdays: [1, 2, 3, 4, 5],
        startTime: "08:00",
        endTime: "12:00",
        utilisationThreshold: 0.5,
        percent: 10,
      },
    ],
    [
      "PUT",
      `/api/v1/analytics/fee-schedules/${net.main.id}/${net.appointmentTypeId}`,
      { feeCents: 20000, billingCode: "99203" },
    ],
    [
      "PUT",
      `/api/v1/analytics/fee-schedules/${net.satellite.id}/${net.appointmentTypeId}`,
      { feeCents: 16000, billingCode: "99203-SAT" },
    ],
  ] as const;
  for (const [method, url, payload] of setup) {
    const res = await admin.inject({ method, url, payload });
    expect(res.statusCode, res.body).toBeLessThan(300);
  }
  // main 09:00 and 10:00 at most a quarter booked: $135 each; satellite 13:00 no rule: $150
  first = await book(net.main.id, "09:00");
  await book(net.main.id, "10:00");
  await book(net.satellite.id, "13:00");
}, 120_000);
afterAll(() => rounds.close());

describe("revenue: the patient's share from recorded copays, the payer's share the rest of the fee", () => {
  it("booked fees split into the copays the server recorded and what the payer owes", async () => {
    const { main, sat } = await revenue(admin);
    // main: 2 × $200 = $400 booked; copays 2 × $135 = $270; payer $400 − $270 = $130
    expect(main).toMatchObject({
      appointments: 2,
      bookedCents: 40000,
      bookedPatientCents: 27000,
      bookedPayerCents: 13000,
      realisedCents: 0,
      realisedPatientCents: 0,
      realisedPayerCents: 0,
      withoutCopay: 0,
    });
    // satellite: $160 fee, $150 copay, payer $10
    expect(sat).toMatchObject({ bookedCents: 16000, bookedPatientCents: 15000, bookedPayerCents: 1000 });
  });

  it("a booking made after a report is split in the next one", async () => {
    // 11:00 with an hour of the morning booked (0.25 ≤ 0.5): $135
    await book(net.main.id, "11:00");
    const { main } = await revenue(admin);
    // 3 × $200 = $600; copays 3 × $135 = $405; payer $195
    expect(main).toMatchObject({
      appointments: 3,
      bookedCents: 60000,
      bookedPatientCents: 40500,
      bookedPayerCents: 19500,
    });
  });

  it("realised revenue splits the completed visits, and a visit with no recorded copay is in neither share", async () => {
    const db = rounds.database.db;
    await sql`UPDATE appointments SET status = 'completed' WHERE id = ${first}`.execute(db);
    // a completed visit at 08:00 that never went through booking: no event, no copay recorded
    await sql`
      INSERT INTO appointments (patient_id, physician_id, location_id, appointment_type_id, starts_at, ends_at, status)
      VALUES (${await createPatient(admin)}, ${net.physicianId}, ${net.main.id}, ${net.appointmentTypeId},
        ${net.at("08:00")}, ${net.at("08:30")}, 'completed')`.execute(db);
    await rounds.reports.projector.rebuild();
    const { main } = await revenue(admin);
    // booked: 4 × $200 = $800; the 3 with copays: $405 patient, $600 − $405 = $195 payer; 1 without
    // realised: the 09:00 visit $200 = $135 patient + $65 payer, and the 08:00 one unsplit
    expect(main).toMatchObject({
      appointments: 4,
      completed: 2,
      bookedCents: 80000,
      bookedPatientCents: 40500,
      bookedPayerCents: 19500,
      realisedCents: 40000,
      realisedPatientCents: 13500,
      realisedPayerCents: 6500,
      withoutCopay: 1,
    });
  });

  it("per physician rows carry the same split, and the CSV has the shares' columns", async () => {
    const { main } = await revenue(admin, "&by=physician");
    expect(main).toMatchObject({ physicianId: net.physicianId, bookedPatientCents: 40500 });
    const csv = await admin.inject({
      url: `/api/v1/analytics/reports/revenue?${range}&format=csv&locationId=${net.satellite.id}`,
    });
    expect(csv.statusCode).toBe(200);
    const [header, row, ...rest] = csv.body.trim().split("\r\n");
    const cells = Object.fromEntries(header!.split(",").map((h, i) => [h, row!.split(",")[i]]));
    expect(cells).toMatchObject({
      bookedCents: "16000",
      bookedPatientCents: "15000",
      bookedPayerCents: "1000",
    });
    expect(rest).toEqual([]);
  });

  it("staff at the satellite see its split only; the main campus's is not found", async () => {
    const staff = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
    const { main, sat } = await revenue(staff);
    expect(main).toBeUndefined();
    expect(sat).toMatchObject({ bookedPatientCents: 15000 });
    const other = await staff.inject({
      url: `/api/v1/analytics/reports/revenue?${range}&locationId=${net.main.id}`,
    });
    expect(other.statusCode).toBe(404);
  });
});

describe("the fee schedule", () => {
  it("a billing code that is not letters, digits, dots or hyphens is refused, naming the field, and nothing changes", async () => {
    const res = await admin.inject({
      method: "PUT",
      url: `/api/v1/analytics/fee-schedules/${net.main.id}/${net.appointmentTypeId}`,
      payload: { feeCents: 100, billingCode: "99 203" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ errors: [expect.objectContaining({ field: "body.billingCode" })] });
    const fees = await admin.inject({ url: `/api/v1/analytics/fee-schedules?locationId=${net.main.id}` });
    expect(fees.json()).toEqual({
      items: [expect.objectContaining({ feeCents: 20000, billingCode: "99203" })],
    });
  });

  it("a department head reads every location's fees but cannot change them", async () => {
    const head = await clientFor(rounds, "department_head", { departmentIds: [] });
    const read = await head.inject({ url: `/api/v1/analytics/fee-schedules?locationId=${net.satellite.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({ items: [expect.objectContaining({ billingCode: "99203-SAT" })] });
    const edit = await head.inject({
      method: "PUT",
      url: `/api/v1/analytics/fee-schedules/${net.satellite.id}/${net.appointmentTypeId}`,
      payload: { feeCents: 1, billingCode: "X" },
    });
    expect(edit.statusCode).toBe(403);
  });
});
