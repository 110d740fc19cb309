/**
 * Rescheduling when a physician's plans change: the "what if" changes nothing, applying it moves
 * or hands over every affected appointment, and a plan applied twice or after the facts moved is
 * refused without changing anything.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { restOfToday } from "../src/services/rescheduling/service.js";
import { type Client, clientFor } from "./support/auth.js";
import { createLocation } from "./support/fixtures.js";
import {
  addPhysician,
  buildClinicNetwork,
  type ClinicNetwork,
  createPatient,
  optionsOn,
} from "./support/network.js";
import { startRounds } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
let admin: Client;

interface Plan {
  id: string;
  status: string;
  affected: Array<{
    appointmentId: string;
    alternatives: Array<{ id: string; physicianId: string; start: string }>;
    outcome: { policy: string; state: string; newAppointmentId: string | null } | null;
  }>;
}

beforeAll(async () => {
  rounds = await startRounds();
  net = await buildClinicNetwork(rounds);
  admin = net.admin;
});
afterAll(() => rounds.close());

/** Books a fresh patient with the network's physician at the main campus on day `dayOffset` at `time`. */
async function bookAtMain(dayOffset: number, time: string): Promise<string> {
  const patientId = await createPatient(admin);
  const option = (await optionsOn(net, admin, dayOffset)).find(
    (o) => o.locationId === net.main.id && o.local.time === time,
  );
  if (!option) throw new Error(`no option at ${time}`);
  const res = await admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: option.id, patientId },
  });
  if (res.statusCode !== 201) throw new Error(`book: ${res.statusCode} ${res.body}`);
  return (res.json() as { id: string }).id;
}

const timeOff = (dayOffset: number) => ({
  change: "time_off",
  physicianId: net.physicianId,
  startsAt: net.at("08:00", dayOffset),
  endsAt: net.at("12:00", dayOffset),
  reason: "conference",
});

async function propose(body: Record<string, unknown>, as: Client = admin): Promise<Plan> {
  const res = await as.inject({ method: "POST", url: "/api/v1/reschedule-plans", payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Plan;
}
const statusOf = async (id: string) =>
  ((await admin.inject({ url: `/api/v1/appointments/${id}` })).json() as { status: string }).status;
const timeOffCount = async () =>
  (
    (await admin.inject({ url: `/api/v1/physicians/${net.physicianId}/time-off` })).json() as {
      total: number;
    }
  ).total;

describe("a department head's what-if before saving a schedule change", () => {
  it("lists the appointments time off would make impossible, with the same physician's times first, and changes nothing", async () => {
    const appointmentId = await bookAtMain(0, "09:00");
    const before = await timeOffCount();
    const plan = await propose(timeOff(0));
    expect(plan.status).toBe("proposed");
    expect(plan.affected.map((a) => a.appointmentId)).toEqual([appointmentId]);
    const [item] = plan.affected;
    expect(item!.alternatives.length).toBeGreaterThan(0);
    expect(item!.alternatives.length).toBeLessThanOrEqual(3);
    expect(item!.alternatives[0]!.physicianId).toBe(net.physicianId);
    // none of the alternatives lies inside the time off
    for (const alt of item!.alternatives)
      expect(
        Date.parse(alt.start) >= Date.parse(net.at("12:00", 0)) ||
          Date.parse(alt.start) < Date.parse(net.at("08:00", 0)),
      ).toBe(true);
    expect(await timeOffCount()).toBe(before);
    expect(await statusOf(appointmentId)).toBe("booked");
    // department heads see no patient records: the plan names no patient
    const patientId = (
      (await admin.inject({ url: `/api/v1/appointments/${appointmentId}` })).json() as {
        patientId: string;
      }
    ).patientId;
    expect(JSON.stringify(plan)).not.toContain(patientId);
  });

  it("applying moves the appointment automatically, reports it, and a second apply is refused", async () => {
    const appointmentId = await bookAtMain(1, "10:00");
    const plan = await propose(timeOff(1));
    const res = await admin.inject({
      method: "POST",
      url: `/api/v1/reschedule-plans/${plan.id}/apply`,
      payload: {},
    });
    expect(res.statusCode, res.body).toBe(200);
    const applied = res.json() as Plan;
    expect(applied.status).toBe("applied");
    const outcome = applied.affected[0]!.outcome!;
    expect(outcome).toMatchObject({ policy: "auto_move", state: "moved" });
    expect(await statusOf(appointmentId)).toBe("cancelled");
    expect(await statusOf(outcome.newAppointmentId!)).toBe("booked");

    const report = (await admin.inject({ url: `/api/v1/reschedule-plans/${plan.id}` })).json() as Plan;
    expect(report.affected[0]!.outcome).toMatchObject({
      state: "moved",
      newAppointmentId: outcome.newAppointmentId,
    });

    const count = await timeOffCount();
    const again = await admin.inject({
      method: "POST",
      url: `/api/v1/reschedule-plans/${plan.id}/apply`,
      payload: {},
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: "plan_applied" });
    expect(await timeOffCount()).toBe(count);
  });

  it("a plan whose facts changed since it was made is refused and changes nothing", async () => {
    const appointmentId = await bookAtMain(2, "09:30");
    const plan = await propose(timeOff(2));
    // someone else changes the physician's schedule meanwhile
    const other = await admin.inject({
      method: "POST",
      url: `/api/v1/physicians/${net.physicianId}/time-off`,
      payload: { startsAt: net.at("14:00", 3), endsAt: net.at("15:00", 3) },
    });
    expect(other.statusCode).toBe(201);
    const count = await timeOffCount();
    const res = await admin.inject({
      method: "POST",
      url: `/api/v1/reschedule-plans/${plan.id}/apply`,
      payload: {},
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: "plan_stale" });
    expect(await timeOffCount()).toBe(count);
    expect(await statusOf(appointmentId)).toBe("booked");
  });

  it("staff of the location see what was handed to them; staff elsewhere do not", async () => {
    const appointmentId = await bookAtMain(4, "11:00");
    const plan = await propose(timeOff(4));
    const res = await admin.inject({
      method: "POST",
      url: `/api/v1/reschedule-plans/${plan.id}/apply`,
      payload: { policy: "staff" },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as Plan).affected[0]!.outcome).toMatchObject({
      policy: "staff",
      state: "needs_attention",
    });
    // handed over, not dropped: the appointment stays until the desk rebooks it
    expect(await statusOf(appointmentId)).toBe("booked");

    const desk = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    const list = await desk.inject({ url: `/api/v1/reschedule-handovers?locationId=${net.main.id}` });
    expect(list.statusCode).toBe(200);
    expect(
      (list.json() as { items: Array<{ appointmentId: string }> }).items.map((i) => i.appointmentId),
    ).toContain(appointmentId);

    const elsewhere = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
    const refused = await elsewhere.inject({ url: `/api/v1/reschedule-handovers?locationId=${net.main.id}` });
    expect(refused.statusCode).toBe(404);
    expect(refused.json()).toMatchObject({ errors: [{ field: "query.locationId" }] });
  });
});

describe("who may ask and what they must send", () => {
  it("a department head outside the physician's departments gets a 404 naming body.physicianId", async () => {
    const head = await clientFor(rounds, "department_head", {});
    const res = await head.inject({ method: "POST", url: "/api/v1/reschedule-plans", payload: timeOff(0) });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ errors: [{ field: "body.physicianId" }] });
  });

  it("time off that ends before it starts is a 400 naming body.endsAt", async () => {
    const res = await admin.inject({
      method: "POST",
      url: "/api/v1/reschedule-plans",
      payload: { ...timeOff(0), endsAt: net.at("07:00", 0) },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ errors: [{ field: "body.endsAt" }] });
  });

  it("an exception naming an appointment the plan does not affect is a 422 naming its field", async () => {
    const plan = await propose(timeOff(8));
    const res = await admin.inject({
      method: "POST",
      url: `/api/v1/reschedule-plans/${plan.id}/apply`,
      payload: { exceptions: [{ appointmentId: net.patientId, policy: "staff" }] },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ errors: [{ field: "body.exceptions.0.appointmentId" }] });
  });
});

describe("a physician unavailable for the rest of today", () => {
  const block = (date: string, start: string, end: string, timeZone = "America/New_York") => ({
    locationId: "00000000-0000-4000-8000-00000000000a",
    date,
    startLocal: "",
    endLocal: "",
    start,
    end,
    timeZone,
    source: "template" as const,
    sourceId: "t",
    appointmentTypeIds: [],
    onSite: false,
  });

  it("is time off from now to the end of their last block of today, wherever it is", () => {
    const now = Date.parse("2026-03-10T15:00:00Z"); // 11:00 in New York
    const span = restOfToday(
      [
        block("2026-03-10", "2026-03-10T12:00:00Z", "2026-03-10T16:00:00Z"),
        block("2026-03-10", "2026-03-10T17:00:00Z", "2026-03-10T21:00:00Z"),
        // tomorrow's clinic stays
        block("2026-03-11", "2026-03-11T12:00:00Z", "2026-03-11T16:00:00Z"),
      ],
      now,
    );
    expect(span).toEqual({ startsAt: "2026-03-10T15:00:00.000Z", endsAt: "2026-03-10T21:00:00.000Z" });
  });

  it("with nothing left today, it is an hour of time off that moves nobody", () => {
    const now = Date.parse("2026-03-10T23:30:00Z");
    const span = restOfToday([block("2026-03-10", "2026-03-10T12:00:00Z", "2026-03-10T16:00:00Z")], now);
    expect(span).toEqual({ startsAt: "2026-03-10T23:30:00.000Z", endsAt: "2026-03-11T00:30:00.000Z" });
  });

  it("a department head's what-if for it is stored as the time off it amounts to", async () => {
    const plan = (await propose({ change: "unavailable_today", physicianId: net.physicianId })) as Plan & {
      change: { change: string; startsAt: string; endsAt: string };
    };
    expect(plan.change.change).toBe("time_off");
    expect(Date.parse(plan.change.endsAt)).toBeGreaterThan(Date.parse(plan.change.startsAt));
    expect(Math.abs(Date.parse(plan.change.startsAt) - Date.now())).toBeLessThan(10 * 60_000);
  });
});

describe("offering the patient the best alternative", () => {
  interface Offer {
    id: string;
    status: string;
    appointmentId: string;
    expiresAt: string;
    held: { appointmentId: string; start: string; physicianId: string };
    newAppointmentId: string | null;
  }
  const patientOf = async (appointmentId: string) =>
    ((await admin.inject({ url: `/api/v1/appointments/${appointmentId}` })).json() as { patientId: string })
      .patientId;

  /** Books day `dayOffset` at `time`, applies time off over it with the offer policy; the patient's client and the offer. */
  async function offered(dayOffset: number, time: string) {
    const appointmentId = await bookAtMain(dayOffset, time);
    const plan = await propose(timeOff(dayOffset));
    const res = await admin.inject({
      method: "POST",
      url: `/api/v1/reschedule-plans/${plan.id}/apply`,
      payload: { policy: "offer" },
    });
    expect(res.statusCode, res.body).toBe(200);
    const outcome = (res.json() as Plan).affected[0]!.outcome as Plan["affected"][number]["outcome"] & {
      id: string;
      offerExpiresAt: string;
    };
    expect(outcome).toMatchObject({ policy: "offer", state: "offered" });
    const patient = await clientFor(rounds, "patient", { patientId: await patientOf(appointmentId) });
    return { appointmentId, plan, outcome, patient };
  }

  it("holds the best alternative, tells the patient with a link, and accepting moves the appointment once", async () => {
    const { appointmentId, plan, outcome, patient } = await offered(9, "09:00");
    // nothing moves until the patient answers: the appointment stays booked and a time is held for them
    expect(await statusOf(appointmentId)).toBe("booked");
    const read = await patient.inject({ url: `/api/v1/reschedule-offers/${outcome.id}` });
    expect(read.statusCode, read.body).toBe(200);
    const offer = read.json() as Offer;
    expect(offer).toMatchObject({ status: "offered", appointmentId });
    expect(await statusOf(offer.held.appointmentId)).toBe("held");
    expect(offer.held.start).toBe(plan.affected[0]!.alternatives[0]!.start);
    expect(Date.parse(offer.expiresAt)).toBeLessThanOrEqual(Date.now() + 48 * 3_600_000 + 60_000);
    const mine = (await patient.inject({ url: "/api/v1/reschedule-offers?status=offered" })).json() as {
      items: Offer[];
    };
    expect(mine.items.map((o) => o.id)).toContain(outcome.id);
    // the offer message is queued from the outbox event, naming the offer
    const events = await sql<{ payload: { offerId: string } | string }>`
      SELECT payload FROM schedule_events WHERE appointment_id = ${appointmentId} AND type = 'reschedule.offered'`.execute(
      rounds.database.db,
    );
    const payload = events.rows.map((r) =>
      typeof r.payload === "string" ? JSON.parse(r.payload) : r.payload,
    );
    expect(payload.map((p: { offerId: string }) => p.offerId)).toEqual([outcome.id]);
    // and arrives in the patient's inbox with the link back to the app
    const patientId = await patientOf(appointmentId);
    let message: { kind: string; body: string } | undefined;
    for (let tries = 0; tries < 150 && !message; tries++) {
      const inbox = (
        await admin.inject({ url: `/api/v1/notifications?patientId=${patientId}&limit=50` })
      ).json() as {
        items: Array<{ kind: string; body: string }>;
      };
      message = inbox.items.find((m) => m.kind === "reschedule_offer");
      if (!message) await new Promise((r) => setTimeout(r, 100));
    }
    expect(message?.body).toContain(`/patient/reschedule-offers/${outcome.id}`);

    const accepted = await patient.inject({
      method: "POST",
      url: `/api/v1/reschedule-offers/${outcome.id}/accept`,
      payload: {},
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const after = accepted.json() as Offer;
    expect(after).toMatchObject({ status: "accepted", newAppointmentId: offer.held.appointmentId });
    expect(await statusOf(appointmentId)).toBe("cancelled");
    expect(await statusOf(offer.held.appointmentId)).toBe("booked");

    // the link used twice: a clear answer, and nothing changes
    const again = await patient.inject({
      method: "POST",
      url: `/api/v1/reschedule-offers/${outcome.id}/accept`,
      payload: {},
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: "offer_answered" });
    const declinedLate = await patient.inject({
      method: "POST",
      url: `/api/v1/reschedule-offers/${outcome.id}/decline`,
    });
    expect(declinedLate.statusCode).toBe(409);
    expect(await statusOf(offer.held.appointmentId)).toBe("booked");

    // the report: the department head's plan and the location's list both say accepted
    const report = (await admin.inject({ url: `/api/v1/reschedule-plans/${plan.id}` })).json() as Plan;
    expect(report.affected[0]!.outcome).toMatchObject({ state: "accepted", answer: "accepted" });
    const desk = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    const atMain = (
      await desk.inject({ url: `/api/v1/reschedule-outcomes?locationId=${net.main.id}&limit=200` })
    ).json() as {
      items: Array<{ appointmentId: string; state: string; newAppointmentId: string | null }>;
    };
    expect(atMain.items.find((o) => o.appointmentId === appointmentId)).toMatchObject({
      state: "accepted",
      newAppointmentId: offer.held.appointmentId,
    });
  });

  it("declining gives the held time back and hands the appointment to the location's staff", async () => {
    const { appointmentId, outcome, patient } = await offered(10, "09:00");
    const held = ((await patient.inject({ url: `/api/v1/reschedule-offers/${outcome.id}` })).json() as Offer)
      .held;
    const res = await patient.inject({
      method: "POST",
      url: `/api/v1/reschedule-offers/${outcome.id}/decline`,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: "declined" });
    expect(await statusOf(held.appointmentId)).toBe("expired");
    expect(await statusOf(appointmentId)).toBe("booked");
    const desk = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    const list = (
      await desk.inject({ url: `/api/v1/reschedule-handovers?locationId=${net.main.id}&limit=200` })
    ).json() as {
      items: Array<{ appointmentId: string }>;
    };
    expect(list.items.map((i) => i.appointmentId)).toContain(appointmentId);
  });

  it("an offer past its time cannot be accepted, and the expiry pass hands it to staff", async () => {
    const { appointmentId, outcome, patient } = await offered(11, "09:00");
    await sql`UPDATE reschedule_outcomes SET offer_expires_at = now() - interval '1 minute' WHERE id = ${outcome.id}`.execute(
      rounds.database.db,
    );
    const late = await patient.inject({
      method: "POST",
      url: `/api/v1/reschedule-offers/${outcome.id}/accept`,
      payload: {},
    });
    expect(late.statusCode).toBe(410);
    expect(late.json()).toMatchObject({ code: "offer_expired" });
    expect(await statusOf(appointmentId)).toBe("booked");

    expect(await rounds.offers.expireLapsed()).toBeGreaterThanOrEqual(1);
    const offer = (await patient.inject({ url: `/api/v1/reschedule-offers/${outcome.id}` })).json() as Offer;
    expect(offer.status).toBe("expired");
    expect(await statusOf(offer.held.appointmentId)).toBe("expired");
    const desk = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    const list = (
      await desk.inject({ url: `/api/v1/reschedule-handovers?locationId=${net.main.id}&limit=200` })
    ).json() as {
      items: Array<{ appointmentId: string; note: string }>;
    };
    expect(list.items.find((i) => i.appointmentId === appointmentId)?.note).toMatch(/did not answer/);
  });

  it("the patient may pick another time of the same type instead; the held time goes back", async () => {
    const { appointmentId, outcome, patient } = await offered(14, "09:00");
    const held = ((await patient.inject({ url: `/api/v1/reschedule-offers/${outcome.id}` })).json() as Offer)
      .held;
    const other = (await optionsOn(net, patient, 16)).find((o) => o.start !== held.start);
    expect(other).toBeDefined();
    const res = await patient.inject({
      method: "POST",
      url: `/api/v1/reschedule-offers/${outcome.id}/accept`,
      payload: { optionId: other!.id },
    });
    expect(res.statusCode, res.body).toBe(200);
    const after = res.json() as Offer;
    expect(after.status).toBe("accepted");
    expect(after.newAppointmentId).not.toBe(held.appointmentId);
    expect(await statusOf(held.appointmentId)).toBe("expired");
    expect(await statusOf(appointmentId)).toBe("cancelled");
    const moved = (await admin.inject({ url: `/api/v1/appointments/${after.newAppointmentId}` })).json() as {
      start: string;
      status: string;
    };
    expect(moved).toMatchObject({ start: other!.start, status: "booked" });
  });

  it("another patient cannot see or answer the offer", async () => {
    const { outcome } = await offered(15, "09:00");
    const stranger = await clientFor(rounds, "patient", { patientId: await createPatient(admin) });
    for (const req of [
      { url: `/api/v1/reschedule-offers/${outcome.id}` },
      { method: "POST" as const, url: `/api/v1/reschedule-offers/${outcome.id}/accept`, payload: {} },
      { method: "POST" as const, url: `/api/v1/reschedule-offers/${outcome.id}/decline` },
    ]) {
      const res = await stranger.inject(req);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ errors: [{ field: "params.id" }] });
    }
    const theirs = (await stranger.inject({ url: "/api/v1/reschedule-offers" })).json() as { total: number };
    expect(theirs.total).toBe(0);
  });
});

describe("declaring a physician unavailable for the rest of today", () => {
  it("the physician may ask it for themselves, not for a colleague; staff where they do not work today get a 404", async () => {
    const own = await clientFor(rounds, "physician", { physicianId: net.physicianId });
    const res = await own.inject({
      method: "POST",
      url: `/api/v1/physicians/${net.physicianId}/unavailable-today`,
      payload: { reason: "unwell" },
    });
    expect(res.statusCode, res.body).toBe(201);
    const plan = res.json() as Plan & { cause: string };
    expect(plan.cause).toBe("unavailable_today");
    // the plan is theirs to read and apply
    expect((await own.inject({ url: `/api/v1/reschedule-plans/${plan.id}` })).statusCode).toBe(200);

    const colleague = await clientFor(rounds, "physician", {
      physicianId: await addPhysician(admin, net.specialty, []),
    });
    const refused = await colleague.inject({
      method: "POST",
      url: `/api/v1/physicians/${net.physicianId}/unavailable-today`,
      payload: {},
    });
    expect(refused.statusCode).toBe(404);
    expect(refused.json()).toMatchObject({ errors: [{ field: "params.id" }] });
    expect((await colleague.inject({ url: `/api/v1/reschedule-plans/${plan.id}` })).statusCode).toBe(404);

    // a location where the physician never works: its desk may not declare them away
    const elsewhere = await createLocation(rounds);
    const desk = await clientFor(rounds, "location_staff", { locationIds: [elsewhere.id] });
    const staff = await desk.inject({
      method: "POST",
      url: `/api/v1/physicians/${net.physicianId}/unavailable-today`,
      payload: {},
    });
    expect(staff.statusCode).toBe(404);
  });
});
