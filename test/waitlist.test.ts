import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { startRounds } from "./support/rounds.js";

let rounds: Rounds;
beforeAll(async () => {
  rounds = await startRounds();
});
afterAll(() => rounds.close());

interface OfferDto {
  id: string;
  entryId: string;
  patientId: string;
  appointmentId: string;
  status: string;
  start: string;
  expiresAt: string;
}

/** A patient with a sign-in of their own. */
async function patientWithLogin(net: ClinicNetwork) {
  const id = await createPatient(net.admin);
  return { id, client: await clientFor(rounds, "patient", { patientId: id }) };
}

const join = (client: Client, body: Record<string, unknown>) =>
  client.inject({ method: "POST", url: "/api/v1/waitlist/entries", payload: body });

/** A need for the network's type with its physician's specialty, over the network's Monday. */
const needOn = (net: ClinicNetwork, patientId: string, extra: Record<string, unknown> = {}) => ({
  patientId,
  appointmentTypeId: net.appointmentTypeId,
  specialty: net.specialty,
  from: net.at("00:00"),
  to: net.at("23:59"),
  ...extra,
});

/** Books the network's Monday slot at `time` for a fresh patient and returns the appointment id. */
async function bookedAt(net: ClinicNetwork, time: string): Promise<string> {
  const option = (await optionsOn(net, net.admin)).find(
    (o) => o.local.time === time && o.locationId === net.main.id,
  )!;
  const holder = await createPatient(net.admin);
  const res = await net.admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: option.id, patientId: holder },
  });
  expect(res.statusCode).toBe(201);
  return (res.json() as { id: string }).id;
}

const cancel = async (net: ClinicNetwork, id: string) =>
  expect(
    (
      await net.admin.inject({
        method: "POST",
        url: `/api/v1/appointments/${id}/cancel`,
        payload: { reason: "patient called to cancel" },
      })
    ).statusCode,
  ).toBe(200);

/**
 * Runs a filler pass here and waits for the patient's open offer: on a shared PostgreSQL server
 * another process's filler may be the one that makes it.
 */
async function offerFor(client: Client, status = "offered"): Promise<OfferDto> {
  await rounds.waitlist.filler.runOnce();
  return vi.waitFor(
    async () => {
      const res = await client.inject({ url: `/api/v1/waitlist/offers?status=${status}` });
      const [offer] = (res.json() as { items: OfferDto[] }).items;
      if (!offer) {
        await rounds.waitlist.filler.runOnce();
        throw new Error("no offer yet");
      }
      return offer;
    },
    { timeout: 30_000, interval: 200 },
  );
}

/** A link for the offer, issued as the notification worker issues one for each message it sends. */
async function linkFor(offerId: string): Promise<string> {
  const link = await rounds.waitlist.links.issue(offerId, "email");
  if (!link) throw new Error("the offer is not open");
  return link.token;
}

/** Makes the offer (and the hold kept for it) run out now. */
async function lapse(offer: OfferDto) {
  const db = rounds.database.db;
  await sql`UPDATE waitlist_offers SET expires_at = now() - interval '1 second' WHERE id = ${offer.id}`.execute(
    db,
  );
  await sql`UPDATE appointments SET hold_expires_at = now() - interval '1 second' WHERE id = ${offer.appointmentId}`.execute(
    db,
  );
}

describe("joining the waitlist", () => {
  it("a patient joins for a specialty; staff may not be bypassed on urgency, and bad needs name their field", async () => {
    const net = await buildClinicNetwork(rounds);
    const me = await patientWithLogin(net);
    const ok = await join(me.client, needOn(net, me.id, { timesOfDay: ["morning"] }));
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({
      patientId: me.id,
      urgency: "routine",
      status: "waiting",
      timesOfDay: ["morning"],
    });

    const urgent = await join(me.client, needOn(net, me.id, { urgency: "urgent" }));
    expect(urgent.statusCode).toBe(422);
    expect(urgent.json().errors[0].field).toBe("body.urgency");

    const backwards = await join(me.client, needOn(net, me.id, { to: net.at("00:00", -1) }));
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().errors[0].field).toBe("body.to");

    const noNeed = await join(me.client, { ...needOn(net, me.id), specialty: undefined });
    expect(noNeed.statusCode).toBe(400);
    expect(noNeed.json().errors[0].field).toBe("body.specialty");

    const nowhere = await join(me.client, needOn(net, me.id, { locationIds: [crypto.randomUUID()] }));
    expect(nowhere.statusCode).toBe(422);
    expect(nowhere.json().errors[0].field).toBe("body.locationIds");

    const noType = await join(me.client, needOn(net, me.id, { appointmentTypeId: crypto.randomUUID() }));
    expect(noType.statusCode).toBe(422);
    expect(noType.json().errors[0].field).toBe("body.appointmentTypeId");

    const stranger = await createPatient(net.admin);
    const other = await join(me.client, needOn(net, stranger));
    expect(other.statusCode).toBe(404);
    expect(other.json().errors[0].field).toBe("body.patientId");

    const mine = await me.client.inject({ url: "/api/v1/waitlist/entries" });
    expect((mine.json() as { items: Array<{ patientId: string }> }).items.map((e) => e.patientId)).toEqual([
      me.id,
    ]);
  });

  it("staff see their location's waitlist most urgent first, set urgency, and cannot open another location's", async () => {
    const net = await buildClinicNetwork(rounds);
    const staff = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    const a = await createPatient(net.admin);
    const b = await createPatient(net.admin);
    const first = await join(net.admin, needOn(net, a, { locationIds: [net.main.id] }));
    const second = await join(net.admin, needOn(net, b, { locationIds: [net.main.id] }));
    const list = async () =>
      (
        (await staff.inject({ url: `/api/v1/waitlist/entries?locationId=${net.main.id}` })).json() as {
          items: Array<{ id: string; urgency: string }>;
        }
      ).items.map((e) => e.id);
    expect(await list()).toEqual([first.json().id, second.json().id]);

    const raised = await net.admin.inject({
      method: "PATCH",
      url: `/api/v1/waitlist/entries/${second.json().id}`,
      payload: { urgency: "urgent" },
    });
    expect(raised.statusCode, raised.body).toBe(200);
    expect(await list()).toEqual([second.json().id, first.json().id]);

    // b is not registered at the main campus: the front desk may not re-triage them
    const refused = await staff.inject({
      method: "PATCH",
      url: `/api/v1/waitlist/entries/${first.json().id}`,
      payload: { urgency: "soon" },
    });
    expect(refused.statusCode).toBe(404);

    const elsewhere = await staff.inject({ url: `/api/v1/waitlist/entries?locationId=${net.satellite.id}` });
    expect(elsewhere.statusCode).toBe(404);
    expect(elsewhere.json().errors[0].field).toBe("query.locationId");
  });
});

describe("offering a freed slot", () => {
  it("a cancelled slot is held for the most urgent fitting patient, who accepts and is booked; a second answer changes nothing", async () => {
    const net = await buildClinicNetwork(rounds);
    const taken = await bookedAt(net, "09:00");
    const routine = await patientWithLogin(net);
    const urgent = await patientWithLogin(net);
    const afternoonOnly = await patientWithLogin(net);
    expect((await join(routine.client, needOn(net, routine.id))).statusCode).toBe(201);
    expect(
      (await join(afternoonOnly.client, needOn(net, afternoonOnly.id, { timesOfDay: ["afternoon"] })))
        .statusCode,
    ).toBe(201);
    const urgentEntry = await join(net.admin, needOn(net, urgent.id, { urgency: "urgent" }));
    expect(urgentEntry.statusCode).toBe(201);

    await cancel(net, taken);
    const offer = await offerFor(urgent.client);
    expect(offer).toMatchObject({ patientId: urgent.id, entryId: urgentEntry.json().id });
    expect(Date.parse(offer.start)).toBe(Date.parse(net.at("09:00")));
    // the slot is held for them: nobody else is offered it
    const others = await routine.client.inject({ url: "/api/v1/waitlist/offers" });
    expect(others.json().items).toEqual([]);
    expect((await optionsOn(net, net.admin)).some((o) => o.start === net.at("09:00"))).toBe(false);

    const accepted = await urgent.client.inject({
      method: "POST",
      url: `/api/v1/waitlist/offers/${offer.id}/accept`,
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({
      offer: { status: "accepted" },
      appointment: { id: offer.appointmentId, status: "booked", patientId: urgent.id },
    });
    const again = await urgent.client.inject({
      method: "POST",
      url: `/api/v1/waitlist/offers/${offer.id}/accept`,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: "offer_answered", errors: [{ field: "params.id" }] });
    const entries = await urgent.client.inject({ url: "/api/v1/waitlist/entries" });
    expect(entries.json().items[0].status).toBe("booked");

    const stats = await net.admin.inject({ url: `/api/v1/waitlist/stats?locationId=${net.main.id}` });
    expect(stats.json()).toMatchObject({ offersSent: 1, accepted: 1, expired: 0, declined: 0 });
    expect(stats.json().medianMinutesToFill).toBeGreaterThanOrEqual(0);
  });

  it("a declined offer passes to the next patient; an unanswered one expires and passes on, and its link then answers 410", async () => {
    const net = await buildClinicNetwork(rounds);
    const taken = await bookedAt(net, "10:00");
    const [first, second, third] = [
      await patientWithLogin(net),
      await patientWithLogin(net),
      await patientWithLogin(net),
    ];
    for (const p of [first, second, third])
      expect((await join(p.client, needOn(net, p.id))).statusCode).toBe(201);

    await cancel(net, taken);
    const toFirst = await offerFor(first.client);
    const link = await linkFor(toFirst.id);
    const seen = await rounds.app.inject({ url: `/api/v1/waitlist/links/${link}` });
    expect(seen.statusCode, seen.body).toBe(200);
    expect(seen.json()).toMatchObject({
      status: "offered",
      start: toFirst.start,
      expiresAt: toFirst.expiresAt,
    });
    const declined = await rounds.app.inject({
      method: "POST",
      url: `/api/v1/waitlist/links/${link}/decline`,
    });
    expect(declined.statusCode, declined.body).toBe(200);

    const toSecond = await offerFor(second.client);
    expect(Date.parse(toSecond.start)).toBe(Date.parse(toFirst.start));
    const secondLink = await linkFor(toSecond.id);
    await lapse(toSecond);
    const toThird = await offerFor(third.client);
    expect(Date.parse(toThird.start)).toBe(Date.parse(toFirst.start));

    const late = await rounds.app.inject({
      method: "POST",
      url: `/api/v1/waitlist/links/${secondLink}/accept`,
    });
    expect(late.statusCode).toBe(410);
    expect(late.json()).toMatchObject({ code: "offer_expired", errors: [{ field: "params.token" }] });
    const unknown = await rounds.app.inject({
      method: "POST",
      url: `/api/v1/waitlist/links/${randomBytes(32).toString("base64url")}/accept`,
    });
    expect(unknown.statusCode).toBe(404);
    // the third patient's hold is untouched by the late answer
    const third3 = await third.client.inject({ url: "/api/v1/waitlist/offers?status=offered" });
    expect(third3.json().items.map((o: OfferDto) => o.id)).toEqual([toThird.id]);

    const stats = await net.admin.inject({ url: `/api/v1/waitlist/stats?locationId=${net.main.id}` });
    expect(stats.json()).toMatchObject({ offersSent: 3, declined: 1, expired: 1, open: 1, accepted: 0 });
  });

  it("withdrawing an entry with an open offer gives the slot to the next patient", async () => {
    const net = await buildClinicNetwork(rounds);
    const taken = await bookedAt(net, "11:00");
    const leaving = await patientWithLogin(net);
    const staying = await patientWithLogin(net);
    const entry = await join(leaving.client, needOn(net, leaving.id));
    expect((await join(staying.client, needOn(net, staying.id))).statusCode).toBe(201);
    await cancel(net, taken);
    await offerFor(leaving.client);
    const gone = await leaving.client.inject({
      method: "DELETE",
      url: `/api/v1/waitlist/entries/${entry.json().id}`,
    });
    expect(gone.statusCode, gone.body).toBe(200);
    expect(gone.json().status).toBe("withdrawn");
    const next = await offerFor(staying.client);
    expect(Date.parse(next.start)).toBe(Date.parse(net.at("11:00")));
  });
});

describe("the link in an offer's message", () => {
  it("shows the slot without naming the patient, accepts once, and a second use or a late one gets a clear answer and changes nothing", async () => {
    const net = await buildClinicNetwork(rounds);
    const taken = await bookedAt(net, "09:30");
    const me = await patientWithLogin(net);
    expect((await join(me.client, needOn(net, me.id))).statusCode).toBe(201);
    await cancel(net, taken);
    const offer = await offerFor(me.client);
    const link = await linkFor(offer.id);
    const other = await linkFor(offer.id);

    const seen = await rounds.app.inject({ url: `/api/v1/waitlist/links/${link}` });
    expect(seen.statusCode, seen.body).toBe(200);
    const view = seen.json() as Record<string, unknown>;
    expect(view).toMatchObject({
      status: "offered",
      start: offer.start,
      appointmentType: "Consultation",
      telehealth: false,
      location: { timeZone: expect.any(String) },
    });
    expect(view.physicianName).toMatch(/^Ada Rotor/);
    // a token holder learns the slot, not whose it is
    for (const key of ["id", "patientId", "entryId", "appointmentId"]) expect(view).not.toHaveProperty(key);
    expect(JSON.stringify(view)).not.toContain(me.id);
    expect(JSON.stringify(view)).not.toContain(offer.appointmentId);

    const accepted = await rounds.app.inject({
      method: "POST",
      url: `/api/v1/waitlist/links/${link}/accept`,
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ status: "accepted", start: offer.start });
    expect(JSON.stringify(accepted.json())).not.toContain(me.id);
    const booked = await me.client.inject({ url: `/api/v1/appointments/${offer.appointmentId}` });
    expect(booked.json()).toMatchObject({ status: "booked", patientId: me.id });

    // the same link again, or the other message's link: answered, and nothing changes
    for (const token of [link, other])
      for (const answer of ["accept", "decline"]) {
        const again = await rounds.app.inject({
          method: "POST",
          url: `/api/v1/waitlist/links/${token}/${answer}`,
        });
        expect(again.statusCode).toBe(409);
        expect(again.json()).toMatchObject({ code: "offer_answered", errors: [{ field: "params.token" }] });
      }
    expect((await rounds.app.inject({ url: `/api/v1/waitlist/links/${other}` })).json().status).toBe(
      "accepted",
    );
    const still = await me.client.inject({ url: `/api/v1/appointments/${offer.appointmentId}` });
    expect(still.json()).toMatchObject({ status: "booked", patientId: me.id });
    // an answered offer issues no more links
    expect(await rounds.waitlist.links.issue(offer.id, "sms")).toBeUndefined();
  });

  it("an open offer past its time reads expired through its link before any pass has closed it", async () => {
    const net = await buildClinicNetwork(rounds);
    const taken = await bookedAt(net, "10:30");
    const me = await patientWithLogin(net);
    expect((await join(me.client, needOn(net, me.id))).statusCode).toBe(201);
    await cancel(net, taken);
    const offer = await offerFor(me.client);
    const link = await linkFor(offer.id);
    await sql`UPDATE waitlist_offers SET expires_at = now() - interval '1 second' WHERE id = ${offer.id}`.execute(
      rounds.database.db,
    );
    expect((await rounds.app.inject({ url: `/api/v1/waitlist/links/${link}` })).json().status).toBe(
      "expired",
    );
    const late = await rounds.app.inject({ method: "POST", url: `/api/v1/waitlist/links/${link}/accept` });
    expect(late.statusCode).toBe(410);
    expect(late.json()).toMatchObject({ code: "offer_expired", errors: [{ field: "params.token" }] });
    const hold = await me.client.inject({ url: `/api/v1/appointments/${offer.appointmentId}` });
    expect(hold.json().status).not.toBe("booked");
  });
});

describe("time a schedule change opens", () => {
  it("a temporary assignment on a day the physician did not work is offered to the patients waiting for that day, one slot each", async () => {
    const net = await buildClinicNetwork(rounds);
    const [first, second] = [await patientWithLogin(net), await patientWithLogin(net)];
    // Saturday: the physician does not work
    const saturday = { from: net.at("00:00", 5), to: net.at("23:59", 5) };
    for (const p of [first, second])
      expect((await join(p.client, needOn(net, p.id, saturday))).statusCode).toBe(201);
    await rounds.waitlist.filler.runOnce();
    expect((await first.client.inject({ url: "/api/v1/waitlist/offers" })).json().items).toEqual([]);

    const day = net.at("12:00", 5).slice(0, 10);
    const added = await net.admin.inject({
      method: "POST",
      url: `/api/v1/physicians/${net.physicianId}/overrides`,
      payload: {
        locationId: net.main.id,
        kind: "temporary",
        startDate: day,
        endDate: day,
        weekdays: [6],
        startTime: "09:00",
        endTime: "10:00",
        reason: "Saturday clinic",
      },
    });
    expect(added.statusCode, added.body).toBe(201);
    const toFirst = await offerFor(first.client);
    const toSecond = await offerFor(second.client);
    expect(Date.parse(toFirst.start)).toBe(Date.parse(net.at("09:00", 5)));
    expect(Date.parse(toSecond.start)).toBeGreaterThanOrEqual(Date.parse(net.at("09:30", 5)));
    expect(Date.parse(toSecond.start)).toBeLessThan(Date.parse(net.at("10:00", 5)));
  });

  it("time off taken back frees its hours for the patient waiting for them", async () => {
    const net = await buildClinicNetwork(rounds);
    const off = await net.admin.inject({
      method: "POST",
      url: `/api/v1/physicians/${net.physicianId}/time-off`,
      payload: { startsAt: net.at("00:00", 1), endsAt: net.at("23:59", 1), reason: "conference" },
    });
    expect(off.statusCode, off.body).toBe(201);
    const me = await patientWithLogin(net);
    const tuesday = { from: net.at("00:00", 1), to: net.at("23:59", 1), locationIds: [net.main.id] };
    expect((await join(me.client, needOn(net, me.id, tuesday))).statusCode).toBe(201);
    await rounds.waitlist.filler.runOnce();
    expect((await me.client.inject({ url: "/api/v1/waitlist/offers" })).json().items).toEqual([]);

    const removed = await net.admin.inject({
      method: "DELETE",
      url: `/api/v1/physicians/${net.physicianId}/time-off/${off.json().id}`,
    });
    expect(removed.statusCode, removed.body).toBeLessThan(300);
    const offer = await offerFor(me.client);
    expect(Date.parse(offer.start)).toBe(Date.parse(net.at("08:00", 1)));
  });
});
