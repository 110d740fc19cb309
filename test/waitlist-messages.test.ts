/**
 * A waitlist offer as the patient receives it: an email and an SMS (a real SMTP server and SMS
 * gateway on loopback) each carrying a link of its own, and an in-app message that sends the
 * signed-in patient to their waitlist page; the token is in the messages and nowhere else.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { clientFor } from "./support/auth.js";
import {
  type Mailbox,
  messagingEnv,
  type OwnDatabase,
  ownDatabase,
  type SmsGateway,
  sleep,
  startMailbox,
  startRoundsWith,
  startSmsGateway,
  until,
} from "./support/messaging.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { unique } from "./support/rounds.js";

const PUBLIC_URL = "https://rounds.example.test";
let rounds: Rounds;
let own: OwnDatabase;
let mailbox: Mailbox;
let sms: SmsGateway;

beforeAll(async () => {
  mailbox = await startMailbox();
  sms = await startSmsGateway();
  own = await ownDatabase();
  rounds = await startRoundsWith(
    { ...messagingEnv(mailbox, sms), ROUNDS_PUBLIC_URL: PUBLIC_URL },
    undefined,
    own,
  );
});
afterAll(async () => {
  await rounds?.close();
  await own?.drop();
  await mailbox?.close();
  await sms?.close();
});

const LINK = /https:\/\/rounds\.example\.test\/waitlist\/offer\/([A-Za-z0-9_-]{43})/;

/** Books the network's Monday slot at `time` for a fresh patient; cancelling it frees the slot. */
async function bookedAt(net: ClinicNetwork, time: string): Promise<string> {
  const option = (await optionsOn(net, net.admin)).find(
    (o) => o.local.time === time && o.locationId === net.main.id,
  )!;
  const res = await net.admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: option.id, patientId: await createPatient(net.admin) },
  });
  expect(res.statusCode).toBe(201);
  return res.json().id as string;
}

/** A patient with an email address and a phone, waiting for any time on the network's Monday. */
async function waitingPatient(
  net: ClinicNetwork,
  channels: { email: boolean; sms: boolean; inApp: boolean },
) {
  const address = `waiting.${unique(10).toLowerCase()}@mail.test`;
  const phone = `+1917555${String(1000 + Math.floor(Math.random() * 8999))}`;
  const id = await createPatient(net.admin, { email: address, phone });
  const prefs = await net.admin.inject({
    method: "PUT",
    url: `/api/v1/patients/${id}/notification-preferences`,
    payload: { channels },
  });
  expect(prefs.statusCode).toBe(200);
  const joined = await net.admin.inject({
    method: "POST",
    url: "/api/v1/waitlist/entries",
    payload: {
      patientId: id,
      appointmentTypeId: net.appointmentTypeId,
      specialty: net.specialty,
      from: net.at("00:00"),
      to: net.at("23:59"),
    },
  });
  expect(joined.statusCode, joined.body).toBe(201);
  return { id, address, phone };
}

const freeSlot = async (net: ClinicNetwork, appointmentId: string) => {
  const res = await net.admin.inject({
    method: "POST",
    url: `/api/v1/appointments/${appointmentId}/cancel`,
    payload: { reason: "patient called to cancel" },
  });
  expect(res.statusCode).toBe(200);
  await rounds.waitlist.filler.runOnce();
};

describe("the offer's messages", () => {
  it("email and SMS each carry a link of their own to the offer page, the in-app message leads to the waitlist page, and no token is stored or published", async () => {
    const net = await buildClinicNetwork(rounds);
    const taken = await bookedAt(net, "09:00");
    const me = await waitingPatient(net, { email: true, sms: true, inApp: true });
    await freeSlot(net, taken);

    const mail = await until(
      () => mailbox.to(me.address).find((m) => (m.subject ?? "").startsWith("A time has opened up")),
      "the offer email",
      30_000,
    );
    const text = await until(() => sms.to(me.phone)[0], "the offer SMS", 30_000);
    const emailToken = LINK.exec(mail.text ?? "")?.[1];
    const smsToken = LINK.exec(text.body)?.[1];
    expect(emailToken).toBeDefined();
    expect(smsToken).toBeDefined();
    expect(smsToken).not.toBe(emailToken);
    expect(mail.text).toMatch(/Consultation with Ada Rotor\w*, MD/);
    expect(mail.text).toMatch(/at 09:00 E[SD]T/);
    expect(mail.html).toContain(`href="${PUBLIC_URL}/waitlist/offer/${emailToken}"`);
    // an offer is not an appointment yet: no calendar file
    expect(mail.attachments).toEqual([]);
    expect(text.body).toMatch(/^Rounds: a time opened up for you: Consultation/);

    const patient = await clientFor(rounds, "patient", { patientId: me.id });
    const inbox = await until(async () => {
      const res = await patient.inject({ url: "/api/v1/notifications" });
      return (res.json() as { items: Array<{ kind: string; body: string }> }).items.find(
        (n) => n.kind === "waitlist_offer",
      );
    }, "the in-app message");
    expect(inbox.body).toContain(`${PUBLIC_URL}/patient/waitlist`);
    expect(inbox.body).not.toMatch(LINK);

    // the tokens are in the messages only: the outbox event, the jobs and the inbox hold none
    const db = rounds.database.db;
    const stored = await sql<{ text: string }>`
      SELECT payload::text AS text FROM schedule_events WHERE type = 'waitlist.offered'
      UNION ALL SELECT payload::text FROM notification_jobs WHERE patient_id = ${me.id}
      UNION ALL SELECT body FROM notifications WHERE patient_id = ${me.id}`.execute(db);
    expect(stored.rows.length).toBeGreaterThan(0);
    for (const row of stored.rows) {
      expect(row.text).not.toContain(emailToken!);
      expect(row.text).not.toContain(smsToken!);
    }

    const view = await rounds.app.inject({ url: `/api/v1/waitlist/links/${smsToken}` });
    expect(view.json()).toMatchObject({ status: "offered" });
    const accepted = await rounds.app.inject({
      method: "POST",
      url: `/api/v1/waitlist/links/${emailToken}/accept`,
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const late = await rounds.app.inject({
      method: "POST",
      url: `/api/v1/waitlist/links/${smsToken}/accept`,
    });
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe("offer_answered");
  });

  it("the patient's message preferences decide the channels: in-app only means no email and no SMS", async () => {
    const net = await buildClinicNetwork(rounds);
    const taken = await bookedAt(net, "10:00");
    const me = await waitingPatient(net, { email: false, sms: false, inApp: true });
    await freeSlot(net, taken);
    const patient = await clientFor(rounds, "patient", { patientId: me.id });
    await until(async () => {
      const res = await patient.inject({ url: "/api/v1/notifications" });
      return (res.json() as { items: Array<{ kind: string }> }).items.some(
        (n) => n.kind === "waitlist_offer",
      );
    }, "the in-app message");
    await sleep(1500);
    expect(mailbox.to(me.address)).toHaveLength(0);
    expect(sms.to(me.phone)).toHaveLength(0);
  });
});
