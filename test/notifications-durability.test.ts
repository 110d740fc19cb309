/**
 * Messages survive restarts and crashes: jobs live in the database, a claim is a lease, and the
 * dedupe key stops a message from being queued twice.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import {
  type Mailbox,
  messagingEnv,
  type OwnDatabase,
  ownDatabase,
  sleep,
  startMailbox,
  startRoundsWith,
  TestClock,
  until,
} from "./support/messaging.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { unique } from "./support/rounds.js";

let mailbox: Mailbox;
let own: OwnDatabase;
const open: Rounds[] = [];

async function start(clock?: TestClock): Promise<Rounds> {
  const rounds = await startRoundsWith(messagingEnv(mailbox), clock?.now, own);
  open.push(rounds);
  return rounds;
}
async function stop(rounds: Rounds): Promise<void> {
  open.splice(open.indexOf(rounds), 1);
  await rounds.close();
}

beforeAll(async () => {
  mailbox = await startMailbox();
  own = await ownDatabase();
});
afterAll(async () => {
  for (const r of open.splice(0)) await r.close();
  await own?.drop();
  await mailbox?.close();
});

async function bookWithEmail(net: ClinicNetwork, time: string) {
  const address = `patient.${unique(10).toLowerCase()}@mail.test`;
  const patientId = await createPatient(net.admin, { email: address });
  const option = (await optionsOn(net, net.admin)).find(
    (o) => o.local.time === time && o.locationId === net.main.id,
  )!;
  const res = await net.admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: option.id, patientId },
  });
  expect(res.statusCode).toBe(201);
  return { address, appointment: res.json() as { id: string; start: string } };
}

const reminders = (address: string) =>
  mailbox.to(address).filter((m) => (m.subject ?? "").startsWith("Reminder"));

async function jobState(rounds: Rounds, appointmentId: string) {
  const r = await sql<{
    kind: string;
    reminder_hours: number | null;
    channel: string;
    status: string;
    attempts: number;
  }>`
    SELECT kind, reminder_hours, channel, status, attempts FROM notification_jobs
    WHERE appointment_id = ${appointmentId} ORDER BY kind, reminder_hours, channel`.execute(
    rounds.database.db,
  );
  return r.rows;
}

async function jobIds(rounds: Rounds, appointmentId: string) {
  const r = await sql<{ id: string }>`
    SELECT id FROM notification_jobs WHERE appointment_id = ${appointmentId} ORDER BY id`.execute(
    rounds.database.db,
  );
  return r.rows.map((row) => row.id);
}

describe("durable reminders", () => {
  it("a reminder queued before a restart is sent exactly once by the next server when its time comes", async () => {
    const first = await start();
    const net = await buildClinicNetwork(first);
    const { address, appointment } = await bookWithEmail(net, "09:45");
    await until(() => mailbox.to(address)[0], "the confirmation");
    const queued = await jobState(first, appointment.id);
    expect(queued).toContainEqual(
      expect.objectContaining({ kind: "reminder", reminder_hours: 24, channel: "email", status: "pending" }),
    );
    await stop(first);

    // a new server on the same database, a day later: 23 hours before the appointment
    const clock = new TestClock();
    clock.set(new Date(appointment.start).getTime() - 23 * 3_600_000);
    const second = await start(clock);
    const reminder = await until(() => reminders(address)[0], "the reminder after the restart");
    expect(reminder.text).toContain("This is a reminder of your appointment in 24 hours.");
    await sleep(3000);
    // a third server finds nothing left to send
    await stop(second);
    const third = await start(clock);
    await sleep(2500);
    expect(reminders(address)).toHaveLength(1);
    const after = (await jobState(third, appointment.id)).filter(
      (j) => j.channel === "email" && j.kind === "reminder",
    );
    expect(after.find((j) => j.reminder_hours === 24)).toMatchObject({ status: "sent", attempts: 1 });
    // the 72-hour reminder, when there was one, is not sent a day late after the 24-hour one
    expect(after.filter((j) => j.reminder_hours === 72).every((j) => j.status === "cancelled")).toBe(true);
    await stop(third);
  });

  it("a reminder claimed by a worker that crashed mid-send is sent once, when the crashed worker's lease runs out", async () => {
    const clock = new TestClock();
    const rounds = await start(clock);
    const net = await buildClinicNetwork(rounds);
    const { address, appointment } = await bookWithEmail(net, "10:45");
    await until(() => mailbox.to(address)[0], "the confirmation");
    const due = new Date(appointment.start).getTime() - 24 * 3_600_000;
    // another replica claimed the reminder the moment it was due, then died without settling it
    const claimed = await sql`
      UPDATE notification_jobs SET locked_until = ${new Date(due + 120_000)}, locked_by = 'crashed-replica',
        attempts = attempts + 1
      WHERE appointment_id = ${appointment.id} AND kind = 'reminder' AND reminder_hours = 24 AND channel = 'email'`.execute(
      rounds.database.db,
    );
    expect(Number(claimed.numAffectedRows)).toBe(1);

    clock.set(due + 60_000);
    await sleep(2500);
    expect(reminders(address)).toHaveLength(0);

    clock.set(due + 121_000);
    const reminder = await until(() => reminders(address)[0], "the reminder after the lease expired");
    await sleep(2500);
    expect(reminders(address)).toHaveLength(1);
    const job = (await jobState(rounds, appointment.id)).find(
      (j) => j.reminder_hours === 24 && j.channel === "email",
    );
    expect(job).toMatchObject({ status: "sent", attempts: 2 });
    expect(reminder.messageId).toMatch(/@rounds\.notifications>$/);
    await stop(rounds);
  });

  it("a server restored to an earlier point reads the schedule events again and queues no second copy of any message", async () => {
    const first = await start();
    const net = await buildClinicNetwork(first);
    const { address, appointment } = await bookWithEmail(net, "11:30");
    await until(() => mailbox.to(address)[0], "the confirmation");
    const before = await jobIds(first, appointment.id);
    await stop(first);
    // the worker's cursor as it was just before this booking's event (a restore, a lost commit)
    const db = first.database.db;
    const event = await sql<{ seq: number }>`
      SELECT seq FROM schedule_events WHERE appointment_id = ${appointment.id} AND type = 'appointment.booked'`.execute(
      db,
    );
    const seq = Number(event.rows[0]!.seq);
    await sql`UPDATE event_cursor SET last_seq = ${seq - 1} WHERE consumer = 'notifications'`.execute(db);
    const second = await start();
    await until(async () => {
      const r = await sql<{
        last_seq: number;
      }>`SELECT last_seq FROM event_cursor WHERE consumer = 'notifications'`.execute(db);
      return Number(r.rows[0]!.last_seq) >= seq;
    }, "the worker to read the events again");
    await sleep(1500);
    expect(await jobIds(second, appointment.id)).toEqual(before);
    expect(mailbox.to(address)).toHaveLength(1);
    await stop(second);
  });
});
