/**
 * Notifications as patients receive them: a real SMTP server and an SMS gateway on loopback, the
 * worker's clock moved forward to make reminders due.
 */
import ICAL from "ical.js";
import type { ParsedMail } from "mailparser";
import { Temporal } from "temporal-polyfill";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { type Client, clientOf, signIn } from "./support/auth.js";
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
  TestClock,
  until,
} from "./support/messaging.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { unique } from "./support/rounds.js";

let rounds: Rounds;
let own: OwnDatabase;
let mailbox: Mailbox;
let sms: SmsGateway;
const clock = new TestClock();

beforeAll(async () => {
  mailbox = await startMailbox();
  sms = await startSmsGateway();
  own = await ownDatabase();
  rounds = await startRoundsWith(messagingEnv(mailbox, sms), clock.now, own);
});
afterAll(async () => {
  await rounds?.close();
  await own?.drop();
  await mailbox?.close();
  await sms?.close();
});
afterEach(() => clock.reset());

interface Booked {
  id: string;
  start: string;
  end: string;
  locationId: string;
}

async function book(
  net: ClinicNetwork,
  patientId: string,
  time = "09:00",
  locationId = net.main.id,
  day = 0,
) {
  const option = (await optionsOn(net, net.admin, day)).find(
    (o) => o.local.time === time && o.locationId === locationId,
  );
  if (!option) throw new Error(`no option at ${time}`);
  const res = await net.admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: option.id, patientId },
  });
  expect(res.statusCode).toBe(201);
  return res.json() as Booked;
}

interface JobDto {
  id: string;
  kind: string;
  reminderHours: number | null;
  channel: string;
  status: string;
  runAt: string;
  attempts: number;
  lastError: string | null;
}

async function jobsOf(admin: Client, appointmentId: string): Promise<JobDto[]> {
  const res = await admin.inject({
    url: `/api/v1/notification-jobs?appointmentId=${appointmentId}&limit=100`,
  });
  expect(res.statusCode).toBe(200);
  return (res.json() as { items: JobDto[] }).items;
}

const email = () => `patient.${unique(10).toLowerCase()}@mail.test`;

function withSubject(mails: ParsedMail[], prefix: string) {
  return mails.filter((m) => (m.subject ?? "").startsWith(prefix));
}

describe("confirmations", () => {
  it("a booked patient receives a confirmation email with the address, directions, parking, local time with its zone and a calendar file for the same instant", async () => {
    const net = await buildClinicNetwork(rounds);
    const patched = await net.admin.inject({
      method: "PATCH",
      url: `/api/v1/locations/${net.main.id}`,
      payload: {
        phone: "+1 212 555 0142",
        parking: {
          spaces: 120,
          accessibleSpaces: 9,
          costCentsPerHour: 250,
          notes: "Garage entrance on Oak Street.",
        },
        accessibilityFeatures: ["step_free_access", "hearing_loop"],
        amenities: ["cafe", "wifi"],
        publicTransport: "Bus M4 stops at the main entrance.",
      },
    });
    expect(patched.statusCode).toBe(200);
    const address = email();
    const patientId = await createPatient(net.admin, {
      email: address,
      insurance: { payer: "Acme Health", memberId: "A1" },
    });
    const appointment = await book(net, patientId, "09:00");

    const mail = await until(
      () => withSubject(mailbox.to(address), "Appointment confirmed")[0],
      "the confirmation",
    );
    const text = mail.text ?? "";
    const location = (await net.admin.inject({ url: `/api/v1/locations/${net.main.id}` })).json() as {
      name: string;
    };
    expect(text).toContain(location.name);
    expect(text).toContain("1 Test Way, Riverton, NY 10001");
    expect(text).toContain("$2.50 per hour: 120 spaces, 9 of them accessible");
    expect(text).toContain("Garage entrance on Oak Street.");
    expect(text).toContain("step-free access and hearing loop");
    expect(text).toContain("café and free Wi-Fi");
    expect(text).toContain("Bus M4 stops at the main entrance.");
    // home 40.74,-73.98; clinic 40.75,-73.99: a little over a kilometre to the north-west
    expect(text).toMatch(/1\.\d km \(0\.\d mi\) north-west of your home/);
    expect(text).toContain("your Acme Health insurance card");
    expect(text).toMatch(/Ada Rotor\w*, MD/);
    const zone = Temporal.Instant.from(appointment.start).toZonedDateTimeISO("America/New_York");
    const abbr = zone.offset === "-04:00" ? "EDT" : "EST";
    expect(text).toContain(`at 09:00 ${abbr}`);
    expect(text).toContain("America/New_York");
    expect(mail.html).toContain("<strong>");
    expect(mail.messageId).toMatch(/^<[0-9a-f-]{36}@rounds\.notifications>$/);

    const ics = mail.attachments.find((a) => a.filename === "appointment.ics");
    expect(ics?.contentType).toBe("text/calendar");
    const calendar = ics!.content.toString("utf8");
    const local = zone.toPlainDateTime().toString().replaceAll("-", "").replaceAll(":", "").slice(0, 15);
    expect(calendar).toContain(`DTSTART;TZID=America/New_York:${local}`);
    expect(calendar).toContain("BEGIN:VTIMEZONE");
    const vcalendar = new ICAL.Component(ICAL.parse(calendar));
    ICAL.TimezoneService.register(vcalendar.getFirstSubcomponent("vtimezone")!);
    const event = new ICAL.Event(vcalendar.getFirstSubcomponent("vevent")!);
    expect(event.startDate.toJSDate().toISOString()).toBe(new Date(appointment.start).toISOString());
    expect(event.endDate.toJSDate().toISOString()).toBe(new Date(appointment.end).toISOString());
    expect(event.uid).toBe(`${appointment.id}@rounds`);
  });

  it("a video visit's confirmation carries its join link instead of directions and parking", async () => {
    const net = await buildClinicNetwork(rounds);
    const admin = net.admin;
    const virtual = await admin.inject({
      method: "POST",
      url: "/api/v1/locations",
      payload: {
        code: `V${unique(8)}`,
        name: `Video Clinic ${unique(4)}`,
        kind: "virtual",
        timeZone: "America/New_York",
      },
    });
    expect(virtual.statusCode).toBe(201);
    const type = await admin.inject({
      method: "POST",
      url: "/api/v1/appointment-types",
      payload: {
        code: `V${unique(8)}`,
        name: "Video consultation",
        specialty: net.specialty,
        durationMinutes: 20,
        slotIntervalMinutes: 20,
        roomKind: null,
        visitKind: "new",
        telehealthAllowed: true,
      },
    });
    expect(type.statusCode).toBe(201);
    expect(
      (
        await admin.inject({
          method: "PATCH",
          url: `/api/v1/physicians/${net.physicianId}`,
          payload: { offersTelehealth: true },
        })
      ).statusCode,
    ).toBe(200);
    const template = await admin.inject({
      method: "POST",
      url: `/api/v1/physicians/${net.physicianId}/templates`,
      payload: {
        locationId: virtual.json().id,
        weekday: 6,
        startTime: "10:00",
        endTime: "12:00",
        effectiveFrom: "2020-01-01",
      },
    });
    expect(template.statusCode).toBe(201);
    const address = email();
    const patientId = await createPatient(admin, { email: address });
    const options = await admin.inject({
      url: `/api/v1/availability?appointmentTypeId=${type.json().id}&physicianId=${net.physicianId}&telehealth=true&from=${encodeURIComponent(net.at("00:00", 5))}&to=${encodeURIComponent(net.at("23:59", 5))}`,
    });
    const option = (options.json() as { options: Array<{ id: string; telehealth: boolean }> }).options[0]!;
    expect(option.telehealth).toBe(true);
    const booked = await admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: option.id, patientId },
    });
    expect(booked.statusCode).toBe(201);

    const mail = await until(
      () => withSubject(mailbox.to(address), "Appointment confirmed")[0],
      "the confirmation",
    );
    // the link the built-in provider issued at booking: a token of its own, not the appointment id
    const joinUrl = (booked.json() as { joinUrl: string }).joinUrl;
    expect(joinUrl).toMatch(/^http:\/\/localhost:\d+\/visit\/[A-Za-z0-9_-]{43}$/);
    expect(mail.text).toContain(`Join:   ${joinUrl}`);
    expect(mail.html).toContain(`href="${joinUrl}"`);
    expect(mail.text).toContain("online video visit");
    expect(mail.text).not.toContain("GETTING THERE");
    expect(mail.text).not.toContain("PARKING");
    expect(mail.text).not.toContain("arrive 15 minutes early");
    const vevent = new ICAL.Component(
      ICAL.parse(mail.attachments[0]!.content.toString()),
    ).getFirstSubcomponent("vevent")!;
    expect(vevent.getFirstPropertyValue("url")).toBe(joinUrl);
    expect(vevent.getFirstPropertyValue("location")).toBe(joinUrl);
    expect(vevent.getFirstPropertyValue("description")).toContain(`Join: ${joinUrl}`);

    // the reminders carry the same link (rendered as the worker will, without moving its clock)
    const reminder = await admin.inject({
      url: `/api/v1/notification-templates/reminder?appointmentId=${booked.json().id}`,
    });
    expect(reminder.statusCode, reminder.body).toBe(200);
    expect(reminder.json().text).toContain(`Join:   ${joinUrl}`);
    expect(reminder.json().text).not.toContain("GETTING THERE");
    const reminderEvent = new ICAL.Component(ICAL.parse(reminder.json().calendar)).getFirstSubcomponent(
      "vevent",
    )!;
    expect(reminderEvent.getFirstPropertyValue("url")).toBe(joinUrl);
  });

  it("a patient who reads Spanish gets the confirmation in Spanish", async () => {
    const net = await buildClinicNetwork(rounds);
    const address = email();
    const patientId = await createPatient(net.admin, { email: address, preferredLanguage: "es" });
    await book(net, patientId, "10:00");
    const mail = await until(() => mailbox.to(address)[0], "the confirmation");
    expect(mail.subject).toMatch(/^Cita confirmada: \w+, \d+ de \w+ de \d{4} a las 10:00 E[SD]T$/);
    expect(mail.text).toContain("CÓMO LLEGAR");
    expect(mail.text).toContain("al noroeste de su domicilio");
  });
});

describe("reminders and changes", () => {
  it("cancelling an appointment cancels its pending reminders, and none is ever sent", async () => {
    const net = await buildClinicNetwork(rounds);
    const address = email();
    const patientId = await createPatient(net.admin, { email: address });
    const appointment = await book(net, patientId, "11:00");
    await until(() => mailbox.to(address)[0], "the confirmation");
    const reminders = (await jobsOf(net.admin, appointment.id)).filter((j) => j.kind === "reminder");
    expect(reminders.some((j) => j.reminderHours === 24 && j.status === "pending")).toBe(true);

    const cancelled = await net.admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${appointment.id}/cancel`,
      payload: { reason: "Patient is travelling" },
    });
    expect(cancelled.statusCode).toBe(200);
    // the moment the 24-hour reminder would have gone out, and a while after
    clock.set(new Date(appointment.start).getTime() - 23 * 3_600_000);
    await until(
      async () =>
        (await jobsOf(net.admin, appointment.id))
          .filter((j) => j.kind === "reminder")
          .every((j) => j.status === "cancelled"),
      "the reminders to be cancelled",
    );
    await sleep(1500);
    expect(withSubject(mailbox.to(address), "Reminder")).toHaveLength(0);
  });

  it("an appointment type with its own reminder times is reminded at those hours instead of the network's", async () => {
    const net = await buildClinicNetwork(rounds);
    const refused = await net.admin.inject({
      method: "PATCH",
      url: `/api/v1/appointment-types/${net.appointmentTypeId}`,
      payload: { reminderHours: [0] },
    });
    expect(refused.statusCode).toBe(400);
    expect((refused.json() as { errors: { field: string }[] }).errors[0]!.field).toMatch(
      /^body\.reminderHours/,
    );
    const patched = await net.admin.inject({
      method: "PATCH",
      url: `/api/v1/appointment-types/${net.appointmentTypeId}`,
      payload: { reminderHours: [2, 6, 2] },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ reminderHours: [6, 2] });

    const patientId = await createPatient(net.admin, { email: email() });
    const appointment = await book(net, patientId, "10:30");
    const reminders = await until(async () => {
      const jobs = (await jobsOf(net.admin, appointment.id)).filter((j) => j.kind === "reminder");
      return jobs.length ? jobs : undefined;
    }, "the reminders");
    expect([...new Set(reminders.map((j) => j.reminderHours))].sort()).toEqual([2, 6]);
  });

  it("when the hospital cancels, the patient is told why, the calendar entry is withdrawn and pending reminders are cancelled at once", async () => {
    const net = await buildClinicNetwork(rounds);
    const address = email();
    const patientId = await createPatient(net.admin, { email: address });
    const appointment = await book(net, patientId, "11:30");
    await until(() => mailbox.to(address)[0], "the confirmation");
    // the front desk cancels through the API, as it would in the app
    const cancelled = await net.admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${appointment.id}/cancel`,
      payload: { reason: "The physician is unwell" },
    });
    expect(cancelled.statusCode).toBe(200);
    const mail = await until(
      () => withSubject(mailbox.to(address), "Appointment cancelled")[0],
      "the cancellation",
    );
    expect(mail.text).toContain("Reason: The physician is unwell");
    const ics = mail.attachments[0]!.content.toString();
    expect(ics).toContain("METHOD:CANCEL");
    expect(ics).toContain("STATUS:CANCELLED");
    expect(ics).toContain(`UID:${appointment.id}@rounds`);
    const reminders = (await jobsOf(net.admin, appointment.id)).filter((j) => j.kind === "reminder");
    expect(reminders.length).toBeGreaterThan(0);
    expect(reminders.every((j) => j.status === "cancelled")).toBe(true);
  });

  it("a move by the hospital tells the patient the new time and the reason, and the old time's reminders are cancelled", async () => {
    const net = await buildClinicNetwork(rounds);
    const address = email();
    const patientId = await createPatient(net.admin, { email: address });
    const first = await book(net, patientId, "08:30");
    await until(() => mailbox.to(address)[0], "the confirmation");
    const later = (await optionsOn(net, net.admin, 1)).find((o) => o.local.time === "14:00")!;
    const moved = await net.admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${first.id}/reschedule`,
      payload: { optionId: later.id, reason: "The clinic is closed for repairs that morning" },
    });
    expect(moved.statusCode).toBe(201);
    const mail = await until(
      () => withSubject(mailbox.to(address), "Appointment moved")[0],
      "the reschedule notice",
    );
    expect(mail.subject).toContain("at 14:00");
    expect(mail.text).toContain("Reason: The clinic is closed for repairs that morning");
    expect(mail.text).toContain("at 08:30. The new time and place:");
    // the calendar entry the patient imported is updated, not duplicated
    expect(mail.attachments[0]!.content.toString()).toContain(`UID:${first.id}@rounds`);
    expect(mail.attachments[0]!.content.toString()).toContain("SEQUENCE:1");
    const old = await jobsOf(net.admin, first.id);
    expect(old.filter((j) => j.kind === "reminder" && j.status === "pending")).toHaveLength(0);
    const fresh = await jobsOf(net.admin, moved.json().id);
    expect(fresh.some((j) => j.kind === "reminder" && j.status === "pending")).toBe(true);
  });
});

describe("preferences", () => {
  it("a patient who chose text messages only gets an SMS and no email", async () => {
    const net = await buildClinicNetwork(rounds);
    const address = email();
    const patientId = await createPatient(net.admin, { email: address, phone: "+1 (917) 555-0123" });
    const prefs = await net.admin.inject({
      method: "PUT",
      url: `/api/v1/patients/${patientId}/notification-preferences`,
      payload: { channels: { email: false, sms: true, inApp: false } },
    });
    expect(prefs.statusCode).toBe(200);
    await book(net, patientId, "09:30");
    const text = await until(() => sms.to("+19175550123")[0], "the SMS");
    expect(text.from).toBe("+12125550199");
    expect(text.body).toMatch(/^Rounds: booked Consultation with Ada Rotor\w*, MD on .* at 09:30 E[SD]T\./);
    await sleep(1500);
    expect(mailbox.to(address)).toHaveLength(0);
    const inbox = await net.admin.inject({ url: `/api/v1/notifications?patientId=${patientId}` });
    expect(inbox.json().total).toBe(0);
  });

  it("quiet hours hold email and SMS until they end, while the in-app inbox gets the message at once", async () => {
    const net = await buildClinicNetwork(rounds);
    const address = email();
    const patientId = await createPatient(net.admin, { email: address, phone: "+1 646 555 0188" });
    const here = Temporal.Now.zonedDateTimeISO("America/New_York");
    const hhmm = (t: Temporal.ZonedDateTime) => t.toPlainTime().toString().slice(0, 5);
    const quietHours = {
      start: hhmm(here.subtract({ hours: 1 })),
      end: hhmm(here.add({ hours: 2 })),
      timeZone: "America/New_York",
    };
    const prefs = await net.admin.inject({
      method: "PUT",
      url: `/api/v1/patients/${patientId}/notification-preferences`,
      payload: { channels: { email: true, sms: true, inApp: true }, quietHours },
    });
    expect(prefs.statusCode).toBe(200);
    const appointment = await book(net, patientId, "10:30");

    const inbox = await until(async () => {
      const res = await net.admin.inject({ url: `/api/v1/notifications?patientId=${patientId}` });
      return res.json().total === 1 ? res.json() : undefined;
    }, "the in-app message");
    expect(inbox.items[0].title).toContain("Appointment confirmed");
    // the in-app message can land before the worker has looked at the email and SMS jobs
    const held = await until(async () => {
      const jobs = (await jobsOf(net.admin, appointment.id)).filter(
        (j) => j.kind === "confirmation" && j.channel !== "in_app",
      );
      return jobs.length === 2 && jobs.every((j) => j.lastError !== null) ? jobs : undefined;
    }, "the email and SMS jobs held");
    expect(held.map((j) => j.channel).sort()).toEqual(["email", "sms"]);
    expect(
      held.every((j) => j.status === "pending" && j.lastError === "waiting for quiet hours to end"),
    ).toBe(true);
    expect(mailbox.to(address)).toHaveLength(0);
    expect(sms.to("+16465550188")).toHaveLength(0);

    clock.set(Date.now() + 2 * 3_600_000 + 60_000);
    await until(() => mailbox.to(address)[0], "the email after quiet hours");
    await until(() => sms.to("+16465550188")[0], "the SMS after quiet hours");
  });

  it("patients choose channels, language and quiet hours; choices that cannot work are refused naming the field", async () => {
    const net = await buildClinicNetwork(rounds);
    const patientId = await createPatient(net.admin, { email: email() });
    const patient = clientOf(rounds, await signIn(rounds, "patient", { patientId }));
    const url = `/api/v1/patients/${patientId}/notification-preferences`;
    const defaults = await patient.inject({ url });
    expect(defaults.json()).toMatchObject({
      channels: { email: true, sms: false, inApp: true },
      language: "en",
      chosen: false,
    });
    const noPhone = await patient.inject({
      method: "PUT",
      url,
      payload: { channels: { email: true, sms: true, inApp: true } },
    });
    expect(noPhone.statusCode).toBe(422);
    expect(noPhone.json().errors[0].field).toBe("body.channels.sms");
    const french = await patient.inject({
      method: "PUT",
      url,
      payload: { channels: { email: true, sms: false, inApp: true }, language: "fr" },
    });
    expect(french.statusCode).toBe(422);
    expect(french.json().errors[0].field).toBe("body.language");
    const emptyQuiet = await patient.inject({
      method: "PUT",
      url,
      payload: {
        channels: { email: true, sms: false, inApp: true },
        quietHours: { start: "22:00", end: "22:00", timeZone: "America/New_York" },
      },
    });
    expect(emptyQuiet.statusCode).toBe(400);
    expect(emptyQuiet.json().errors[0].field).toBe("body.quietHours.end");
    const saved = await patient.inject({
      method: "PUT",
      url,
      payload: {
        channels: { email: true, sms: false, inApp: false },
        language: "es",
        quietHours: { start: "21:30", end: "07:00", timeZone: "America/Chicago" },
      },
    });
    expect(saved.statusCode).toBe(200);
    expect((await patient.inject({ url })).json()).toMatchObject({
      channels: { email: true, sms: false, inApp: false },
      language: "es",
      quietHours: { start: "21:30", end: "07:00", timeZone: "America/Chicago" },
      chosen: true,
    });
    const stranger = clientOf(
      rounds,
      await signIn(rounds, "patient", { patientId: await createPatient(net.admin) }),
    );
    expect((await stranger.inject({ url })).statusCode).toBe(404);
    const trail = await net.admin.inject({ url: `/api/v1/audit-events?patientId=${patientId}&limit=50` });
    const actions = (trail.json() as { items: Array<{ action: string }> }).items.map((e) => e.action);
    expect(actions).toContain("notification.preferences.update");
    expect(actions).toContain("notification.preferences.read");
  });
});

describe("in-app inbox", () => {
  it("patients see their own and their dependents' messages, and another patient sees nothing of them", async () => {
    const net = await buildClinicNetwork(rounds);
    const guardianId = await createPatient(net.admin);
    const childId = await createPatient(net.admin, { birthDate: "2015-03-03" });
    const linked = await net.admin.inject({
      method: "POST",
      url: `/api/v1/patients/${guardianId}/dependents`,
      payload: { dependentId: childId, relationship: "parent" },
    });
    expect(linked.statusCode).toBe(201);
    await book(net, childId, "11:15");
    const guardian = clientOf(rounds, await signIn(rounds, "patient", { patientId: guardianId }));
    const inbox = await until(async () => {
      const res = await guardian.inject({ url: "/api/v1/notifications" });
      return res.json().total >= 1 ? res.json() : undefined;
    }, "the dependent's message in the guardian's inbox");
    const message = inbox.items[0] as {
      id: string;
      patientId: string;
      title: string;
      readAt: string | null;
      createdAt: string;
    };
    expect(message.patientId).toBe(childId);
    expect(message.title).toContain("Appointment confirmed");
    expect(message.readAt).toBeNull();

    const stranger = clientOf(
      rounds,
      await signIn(rounds, "patient", { patientId: await createPatient(net.admin) }),
    );
    expect((await stranger.inject({ url: "/api/v1/notifications" })).json().total).toBe(0);
    expect((await stranger.inject({ url: `/api/v1/notifications?patientId=${childId}` })).statusCode).toBe(
      404,
    );
    expect(
      (await stranger.inject({ method: "POST", url: `/api/v1/notifications/${message.id}/read` })).statusCode,
    ).toBe(404);
    const staff = clientOf(rounds, await signIn(rounds, "location_staff", { locationIds: [net.main.id] }));
    expect((await staff.inject({ url: "/api/v1/notifications" })).statusCode).toBe(403);

    const read = await guardian.inject({ method: "POST", url: `/api/v1/notifications/${message.id}/read` });
    expect(read.statusCode).toBe(200);
    expect(read.json().readAt).not.toBeNull();
    expect((await guardian.inject({ url: "/api/v1/notifications?unread=true" })).json().total).toBe(0);
    // a period of the inbox (its monthly partitions): the message's own, then one before it
    const at = new Date(message.createdAt);
    const around = `from=${new Date(at.getTime() - 60_000).toISOString()}&to=${new Date(at.getTime() + 60_000).toISOString()}`;
    expect((await guardian.inject({ url: `/api/v1/notifications?${around}` })).json().total).toBe(1);
    const before = `to=${new Date(at.getTime() - 60_000).toISOString()}`;
    expect((await guardian.inject({ url: `/api/v1/notifications?${before}` })).json().total).toBe(0);
    const bad = await guardian.inject({ url: "/api/v1/notifications?from=last-month" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toContain("query.from");
  });
});

describe("templates", () => {
  it("administrators preview every template in every language, with sample data or a real appointment", async () => {
    const net = await buildClinicNetwork(rounds);
    const list = await net.admin.inject({ url: "/api/v1/notification-templates" });
    expect(list.json()).toEqual({
      events: [
        "confirmation",
        "reminder",
        "cancellation",
        "reschedule",
        "waitlist_offer",
        "reschedule_offer",
        "survey",
      ],
      languages: expect.arrayContaining(["en", "es"]),
    });
    for (const event of list.json().events as string[])
      for (const language of list.json().languages as string[]) {
        const res = await net.admin.inject({
          url: `/api/v1/notification-templates/${event}?language=${language}`,
        });
        expect(res.statusCode, `${event} ${language}`).toBe(200);
        const preview = res.json();
        expect(preview.language).toBe(language);
        expect(preview.subject.length).toBeGreaterThan(5);
        expect(preview.sms.length).toBeLessThan(480);
        expect(preview.html).toContain("</p>");
        expect(preview.calendar).toContain("BEGIN:VTIMEZONE");
      }
    const patientId = await createPatient(net.admin);
    const appointment = await book(net, patientId, "08:15");
    const real = await net.admin.inject({
      url: `/api/v1/notification-templates/reminder?language=es-MX&appointmentId=${appointment.id}`,
    });
    expect(real.statusCode).toBe(200);
    expect(real.json().language).toBe("es");
    expect(real.json().text).toContain("a las 08:15");
    const staff = clientOf(rounds, await signIn(rounds, "location_staff", { locationIds: [net.main.id] }));
    expect((await staff.inject({ url: "/api/v1/notification-templates/confirmation" })).statusCode).toBe(403);
  });
});
