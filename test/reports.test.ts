/**
 * The reports against a hand-computed fixture: a week of known appointments at two locations,
 * read into the analytics read model (a rebuild), then changed through the API (followed from the
 * schedule events). Every expected figure below is worked out by hand in its comment.
 */

import { sql } from "kysely";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { clientFor } from "./support/auth.js";
import { type FreshDatabase, freshDatabase } from "./support/databases.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import {
  byLocation,
  type FixtureAppointment,
  getReport as get,
  insertAcceptedOffer,
  insertAppointment,
  LAKESIDE,
} from "./support/report-fixture.js";
import { startRounds } from "./support/rounds.js";

let rounds: Rounds;
/** A database of its own: the rebuilds below read every appointment, not only this file's. */
let fresh: FreshDatabase;
let net: ClinicNetwork;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
// a past Monday; 09:00 in New York is 14:00 UTC in November
const at = (day: number, hour: number) => new Date(Date.UTC(2026, 10, 2 + day, hour + 5));
const range = "from=2026-11-02&to=2026-11-08";

/** Inserts an appointment of the network's physician and type (as history: no events). */
const insert = (r: FixtureAppointment) => insertAppointment(rounds.database.db, net, r);

beforeAll(async () => {
  fresh = await freshDatabase({ migrated: true });
  rounds = await startRounds({}, { database: fresh.database });
  net = await buildClinicNetwork(rounds);
  const riverton = net.patientId; // createPatient's default city
  const lakeside = await createPatient(net.admin, { address: LAKESIDE });
  const main = net.main.id;
  const sat = net.satellite.id;
  // main campus, Monday to Friday 09:00
  // 1 completed, booked 10 days ahead, checked in 10 min early, started 5 min late: waited 15 min
  await insert({
    patient: riverton,
    location: main,
    start: at(0, 9),
    status: "completed",
    bookedBefore: 10 * DAY,
    checkedIn: -10 * MIN,
    started: 5 * MIN,
  });
  // 2 completed, booked 2 days ahead, checked in 5 min early, started on time: waited 5 min
  await insert({
    patient: lakeside,
    location: main,
    start: at(1, 9),
    status: "completed",
    bookedBefore: 2 * DAY,
    checkedIn: -5 * MIN,
    started: 0,
  });
  // 3 no-show, booked 4 days ahead
  await insert({
    patient: riverton,
    location: main,
    start: at(2, 9),
    status: "no_show",
    bookedBefore: 4 * DAY,
  });
  // 4 cancelled 2 hours before: late; booked 6 days ahead
  await insert({
    patient: lakeside,
    location: main,
    start: at(3, 9),
    status: "cancelled",
    bookedBefore: 6 * DAY,
    cancelledBefore: 2 * HOUR,
    cancelReason: "patient request",
  });
  // 5 cancelled 3 days before: not late; booked 8 days ahead
  await insert({
    patient: riverton,
    location: main,
    start: at(4, 9),
    status: "cancelled",
    bookedBefore: 8 * DAY,
    cancelledBefore: 3 * DAY,
    cancelReason: "patient request",
  });
  // 6 at main, moved to the satellite (7): counted at the satellite only, a flow main → satellite
  const moved = await insert({
    patient: lakeside,
    location: main,
    start: at(4, 10),
    status: "cancelled",
    bookedBefore: 5 * DAY,
    cancelledBefore: 4 * DAY,
    cancelReason: "rescheduled",
  });
  // 7 satellite Friday 14:00, completed, booked 4 days ahead, checked in but never marked started;
  // booked from a referral the main campus sent: also a referral flow main → satellite
  const referred = await insert({
    patient: lakeside,
    location: sat,
    start: at(4, 14),
    status: "completed",
    bookedBefore: 4 * DAY,
    checkedIn: -2 * MIN,
    rescheduledFrom: moved,
  });
  await sql`INSERT INTO referrals (patient_id, referred_by, from_location_id, to_location_id, to_specialty,
      reason, urgency, status, appointment_id)
    VALUES (${lakeside}, ${net.admin.user.userId}, ${main}, ${sat}, ${net.specialty}, 'second opinion',
      'routine', 'booked', ${referred})`.execute(rounds.database.db);
  // approved time off Thursday 13:00–15:00: half of the satellite's block that day
  await sql`INSERT INTO time_off (physician_id, starts_at, ends_at, reason, status)
    VALUES (${net.physicianId}, ${at(3, 13)}, ${at(3, 15)}, 'course', 'approved')`.execute(
    rounds.database.db,
  );
  // fees: 150.00 at the main campus, 120.00 at the satellite
  for (const [loc, cents, code] of [
    [main, 15000, "99203"],
    [sat, 12000, "99203-S"],
  ] as const) {
    const res = await net.admin.inject({
      method: "PUT",
      url: `/api/v1/analytics/fee-schedules/${loc}/${net.appointmentTypeId}`,
      payload: { feeCents: cents, billingCode: code },
    });
    expect(res.statusCode).toBe(200);
  }
  await rounds.reports.projector.rebuild();
}, 120_000);
afterAll(async () => {
  await rounds?.close();
  await fresh?.drop();
});

describe("reports of a week at two locations, side by side", () => {
  it("utilisation counts the minutes that kept their time, and those lost to no-shows and cancellations", async () => {
    const { status, body } = await get<Record<string, number | string>>(
      net.admin,
      `/api/v1/analytics/reports/utilisation?${range}`,
    );
    expect(status).toBe(200);
    const { main, sat } = byLocation(net, body.rows);
    // main: 1, 2 completed (60 min), 3 missed (30): booked 90; 4, 5 cancelled (60); 6 rescheduled: not counted
    expect(main).toMatchObject({
      appointments: 5,
      bookedMinutes: 90,
      completedMinutes: 60,
      noShowMinutes: 30,
      cancelledMinutes: 60,
    });
    expect(sat).toMatchObject({
      appointments: 1,
      bookedMinutes: 30,
      completedMinutes: 30,
      noShowMinutes: 0,
      cancelledMinutes: 0,
    });
  });

  it("utilisation sets booked time against the plan: available, blocked by time off, travel and fillable gaps", async () => {
    const { body } = await get<Record<string, number>>(
      net.admin,
      `/api/v1/analytics/reports/utilisation?${range}`,
    );
    const { main, sat } = byLocation(net, body.rows);
    // main 08:00–12:00 on five weekdays: 1,200 planned; 1, 2 and 3 took 30 minutes each: 1,110 free;
    // Monday to Wednesday free 08:00–09:00 and 09:30–12:00 (two gaps each), Thursday and Friday one
    expect(main).toMatchObject({
      plannedMinutes: 1200,
      blockedMinutes: 0,
      travelMinutes: 0,
      availableMinutes: 1110,
      fillableGapMinutes: 1110,
      fillableGaps: 8,
      utilisationRate: 0.075, // 90 / (90 + 1,110)
    });
    // satellite 13:00–17:00: 1,200 planned; Thursday 13:00–15:00 off (120 blocked); 30 minutes from
    // the main campus each day (150); free 240 × 3 + 120 + 210 (7 took Friday 14:00–14:30) = 1,050;
    // Friday's free time is two gaps (13:00–14:00, 14:30–17:00), every other day one
    expect(sat).toMatchObject({
      plannedMinutes: 1200,
      blockedMinutes: 120,
      travelMinutes: 150,
      availableMinutes: 1050,
      fillableGapMinutes: 1050,
      fillableGaps: 6,
      utilisationRate: 0.0278, // 30 / (30 + 1,050)
    });
  });

  it("revenue per location: booked against realised, from each location's fee schedule", async () => {
    const { body } = await get<Record<string, number>>(
      net.admin,
      `/api/v1/analytics/reports/revenue?${range}`,
    );
    const { main, sat } = byLocation(net, body.rows);
    // main: 5 booked × 150 = 750; 2 completed = 300; 1 no-show = 150; 2 cancelled = 300
    expect(main).toMatchObject({
      appointments: 5,
      completed: 2,
      noShows: 1,
      cancelled: 2,
      bookedCents: 75000,
      realisedCents: 30000,
      noShowCents: 15000,
      cancelledCents: 30000,
      unpriced: 0,
    });
    expect(sat).toMatchObject({ bookedCents: 12000, realisedCents: 12000 });
  });

  it("efficiency: lead time, check-in to start, no-show and late-cancellation rates", async () => {
    const { body } = await get<Record<string, number>>(
      net.admin,
      `/api/v1/analytics/reports/efficiency?${range}`,
    );
    const { main, sat } = byLocation(net, body.rows);
    // lead days (10 + 2 + 4 + 6 + 8) / 5 = 6; waits (15 + 5) / 2 = 10; no-shows 1 / (2 + 1);
    // late 1 / 5; all cancellations 2 / 5
    expect(main).toMatchObject({
      leadDays: 6,
      checkInToStartMinutes: 10,
      noShowRate: 0.3333,
      lateCancellationRate: 0.2,
      cancellationRate: 0.4,
    });
    // never marked started: no wait measured
    expect(sat).toMatchObject({ leadDays: 4, checkInToStartMinutes: null, noShowRate: 0 });
  });

  it("efficiency: waitlist offers accepted per location, with the median hours from the freed slot", async () => {
    // two offers at the main campus accepted 3 and 1 hours after their slots freed: median 2
    const where = { patient: net.patientId, location: net.main.id };
    for (const [day, hours] of [[1, 3] as const, [2, 1] as const]) {
      // its hold: a released one a month earlier (no booking, no report figure)
      const hold = { ...where, status: "cancelled", bookedBefore: DAY, cancelReason: "hold released" };
      const appointmentId = await insert({ ...hold, start: at(day - 35, 9) });
      await insertAcceptedOffer(rounds.database.db, net, {
        ...where,
        appointmentId,
        hours,
        freedAt: at(day, 8),
      });
    }
    const { body } = await get<{ locationId: string }>(
      net.admin,
      `/api/v1/analytics/reports/efficiency?${range}`,
    );
    const { main, sat } = byLocation(net, body.rows);
    expect(main).toMatchObject({ waitlistFilled: 2, waitlistFillHours: 2 });
    expect(sat).toMatchObject({ waitlistFilled: 0, waitlistFillHours: null });
  });

  it("patient flow: from home areas to locations, and from the main campus to the satellite by rescheduling and by referral", async () => {
    const { body } = await get<{ sourceKind: string; source: string; locationId: string; visits: number }>(
      net.admin,
      `/api/v1/analytics/reports/flow?${range}&locationId=${net.satellite.id}`,
    );
    // the satellite's one visit: a Lakeside patient, moved there from the main campus
    expect(body.rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "reschedule", source: net.main.id, visits: 1 }),
        expect.objectContaining({ kind: "referral", source: net.main.id, visits: 1 }),
        expect.objectContaining({ kind: "home_area", source: "Lakeside", visits: 1 }),
      ]),
    );
    expect(body.rows).toHaveLength(3);
    const main = await get<{ source: string; visits: number }>(
      net.admin,
      `/api/v1/analytics/reports/flow?${range}&locationId=${net.main.id}`,
    );
    // main: visits that kept their time: 1 (Riverton), 2 (Lakeside), 3 (Riverton)
    expect(main.body.rows.map((r) => [r.source, r.visits]).sort()).toEqual([
      ["Lakeside", 1],
      ["Riverton", 2],
    ]);
  });

  it("per physician rows name the physician", async () => {
    const { body } = await get<{
      locationId: string;
      physicianId: string;
      physicianName: string;
      appointments: number;
    }>(
      net.admin,
      `/api/v1/analytics/reports/utilisation?${range}&by=physician&physicianId=${net.physicianId}`,
    );
    expect(body.rows.map((r) => [r.locationId, r.appointments]).sort()).toEqual(
      [
        [net.main.id, 5],
        [net.satellite.id, 1],
      ].sort(),
    );
    expect(body.rows[0]!.physicianName).toMatch(/\w/);
  });

  it("a report downloads as CSV with a header line", async () => {
    const res = await net.admin.inject({
      url: `/api/v1/analytics/reports/revenue?${range}&locationId=${net.main.id}&format=csv`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/text\/csv/);
    const lines = res.body.trim().split("\r\n");
    expect(lines[0]).toContain("bookedCents");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("75000");
  });
});

describe("the read model follows schedule changes", () => {
  it("a booking and its cancellation through the API show in the next report", async () => {
    const option = (await optionsOn(net, net.admin)).find((o) => o.locationId === net.main.id)!;
    const booked = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: option.id, patientId: net.patientId },
    });
    expect(booked.statusCode).toBe(201);
    const week = `from=${net.monday}&to=${net.monday}&locationId=${net.main.id}`;
    const before = await get<{ appointments: number; bookedMinutes: number; cancelledMinutes: number }>(
      net.admin,
      `/api/v1/analytics/reports/utilisation?${week}`,
    );
    // the booking takes 30 of the block's 240 planned minutes
    expect(before.body.rows).toEqual([
      expect.objectContaining({
        appointments: 1,
        bookedMinutes: 30,
        plannedMinutes: 240,
        availableMinutes: 210,
      }),
    ]);
    const id = (booked.json() as { id: string }).id;
    const cancelled = await net.admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${id}/cancel`,
      payload: { reason: "patient request" },
    });
    expect(cancelled.statusCode).toBeLessThan(300);
    const after = await get<{ appointments: number; bookedMinutes: number; cancelledMinutes: number }>(
      net.admin,
      `/api/v1/analytics/reports/utilisation?${week}`,
    );
    expect(after.body.rows).toEqual([
      expect.objectContaining({
        appointments: 1,
        bookedMinutes: 0,
        cancelledMinutes: 30,
        availableMinutes: 240,
      }),
    ]);
  });
});

describe("days to the third next available slot", () => {
  it("a full Wednesday morning at the main campus puts its third free slot on Thursday; the satellite's is the same day", async () => {
    // Wednesday 08:00–11:30 booked (7 × 30 min): of the 08:00–12:00 block only 11:30 is free
    const wednesday = Temporal.PlainDate.from(net.monday).add({ days: 2 }).toString();
    for (let i = 0; i < 7; i++)
      await insert({
        patient: net.patientId,
        location: net.main.id,
        start: new Date(Date.parse(net.at("08:00", 2)) + i * 30 * MIN),
        status: "booked",
        bookedBefore: DAY,
      });
    const { body } = await get<{ locationId: string; thirdNextAvailableDays: number | null }>(
      net.admin,
      `/api/v1/analytics/reports/efficiency?from=${wednesday}&to=${wednesday}&by=specialty&specialty=${net.specialty}`,
    );
    const { main, sat } = byLocation(net, body.rows);
    // main: 11:30 Wednesday, then Thursday 08:00 and 08:15: the third on Thursday, 1 day on
    expect(main.thirdNextAvailableDays).toBe(1);
    // satellite: 13:00–17:00 free on Wednesday itself
    expect(sat.thirdNextAvailableDays).toBe(0);
  });

  it("the daily run is claimed by one caller only", async () => {
    await sql`DELETE FROM analytics_third_next_runs`.execute(rounds.database.db);
    const runs = await Promise.all([rounds.reports.runThirdNext(), rounds.reports.runThirdNext()]);
    expect(runs.sort()).toEqual([false, true]);
  });
});

describe("who sees which reports", () => {
  it("staff see their own location's figures only, and another location's is not found (and audited)", async () => {
    const staff = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
    const own = await get<{ locationId: string }>(staff, `/api/v1/analytics/reports/revenue?${range}`);
    expect(own.status).toBe(200);
    expect(own.body.rows.map((r) => r.locationId)).toEqual([net.satellite.id]);
    const other = await staff.inject({
      url: `/api/v1/analytics/reports/revenue?${range}&locationId=${net.main.id}`,
    });
    expect(other.statusCode).toBe(404);
    const refused = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM audit_events
      WHERE action = 'access.refused' AND resource_id = ${net.main.id} AND detail->>'attempted' = 'read_reports'`.execute(
      rounds.database.db,
    );
    expect(refused.rows[0]!.n).toBeGreaterThanOrEqual(1);
  });

  it("a physician sees their own figures, and another physician's are not found", async () => {
    const doctor = await clientFor(rounds, "physician", { physicianId: net.physicianId });
    const own = await get<{ appointments: number }>(
      doctor,
      `/api/v1/analytics/reports/utilisation?${range}&by=physician`,
    );
    expect(own.body.rows.reduce((n, r) => n + r.appointments, 0)).toBe(6);
    const other = await doctor.inject({
      url: `/api/v1/analytics/reports/utilisation?${range}&physicianId=${crypto.randomUUID()}`,
    });
    expect(other.statusCode).toBe(404);
  });

  it("a department head outside the physician's specialty sees none of their figures", async () => {
    const head = await clientFor(rounds, "department_head", { departmentIds: [] });
    const res = await get<unknown>(
      head,
      `/api/v1/analytics/reports/utilisation?${range}&locationId=${net.main.id}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.rows).toEqual([]);
  });

  it("patients cannot read reports, and only administrators edit the fee schedule", async () => {
    const patient = await clientFor(rounds, "patient", { patientId: net.patientId });
    expect((await patient.inject({ url: `/api/v1/analytics/reports/flow?${range}` })).statusCode).toBe(403);
    const staff = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    const put = await staff.inject({
      method: "PUT",
      url: `/api/v1/analytics/fee-schedules/${net.main.id}/${net.appointmentTypeId}`,
      payload: { feeCents: 1, billingCode: "X" },
    });
    expect(put.statusCode).toBe(403);
    const fees = await get<never>(staff, "/api/v1/analytics/fee-schedules");
    expect((fees.body as unknown as { items: Array<{ feeCents: number }> }).items).toEqual([
      expect.objectContaining({ feeCents: 15000, billingCode: "99203" }),
    ]);
  });

  it("a fee for an unknown appointment type names the field", async () => {
    const res = await net.admin.inject({
      method: "PUT",
      url: `/api/v1/analytics/fee-schedules/${net.main.id}/${crypto.randomUUID()}`,
      payload: { feeCents: 100, billingCode: "A1" },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ errors: [{ field: "params.appointmentTypeId" }] });
  });

  it("a follow-up at the satellite after a visit at the main campus is a follow-up flow from there", async () => {
    // the week after the fixture's: a completed visit at main, then a follow-up visit at the satellite
    const followUp = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointment-types",
      payload: {
        code: `F${Date.now().toString(36).toUpperCase().slice(-8)}`,
        name: "Follow-up",
        specialty: net.specialty,
        durationMinutes: 30,
        slotIntervalMinutes: 15,
        roomKind: "exam",
        visitKind: "follow_up",
        basePriceCents: 9000,
      },
    });
    expect(followUp.statusCode).toBe(201);
    const patient = await createPatient(net.admin);
    await insert({ patient, location: net.main.id, start: at(7, 9), status: "completed", bookedBefore: DAY });
    await insertAppointment(
      rounds.database.db,
      { physicianId: net.physicianId, appointmentTypeId: (followUp.json() as { id: string }).id },
      { patient, location: net.satellite.id, start: at(11, 14), status: "booked", bookedBefore: DAY },
    );
    await rounds.reports.projector.rebuild();
    const { body } = await get<{ kind: string; source: string; visits: number }>(
      net.admin,
      `/api/v1/analytics/reports/flow?from=2026-11-09&to=2026-11-15&locationId=${net.satellite.id}`,
    );
    expect(body.rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "follow_up", source: net.main.id, visits: 1 }),
      ]),
    );
    // the visit at main that came first is no follow-up of anything
    const main = await get<{ kind: string }>(
      net.admin,
      `/api/v1/analytics/reports/flow?from=2026-11-09&to=2026-11-15&locationId=${net.main.id}`,
    );
    expect(main.body.rows.filter((r) => r.kind === "follow_up")).toEqual([]);
  });
});
