/**
 * Exactly one patient gets each freed slot while several replicas offer, and a front desk books,
 * at the same moment. On PostgreSQL two more replicas are server processes of their own, whose
 * fillers wake on the outbox like this process's; on the embedded database, which one process
 * owns, the replicas are app instances of this process passing at once.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Rounds } from "../src/server.js";
import { buildClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { startRounds } from "./support/rounds.js";
import { type ServerProcess, startServerProcess } from "./support/servers.js";

const onPostgres = Boolean(process.env.DATABASE_URL);
let rounds: Rounds;
const others: Rounds[] = [];
const servers: ServerProcess[] = [];

beforeAll(async () => {
  rounds = await startRounds();
  if (onPostgres)
    servers.push(
      ...(await Promise.all(
        [1, 2].map(() => startServerProcess({ DATABASE_URL: process.env.DATABASE_URL! })),
      )),
    );
  else others.push(await startRounds(), await startRounds());
}, 120_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await Promise.all(others.map((r) => r.close()));
  await rounds?.close();
});

describe("freed slots offered by several replicas at once", () => {
  it("each freed slot is held for one waiting patient or booked by the desk, never both, and no patient is offered two", async () => {
    const net = await buildClinicNetwork(rounds);
    const times = ["08:00", "08:30", "09:00", "09:30"];
    const options = (await optionsOn(net, net.admin)).filter((o) => o.locationId === net.main.id);
    const booked: string[] = [];
    for (const time of times) {
      const option = options.find((o) => o.local.time === time)!;
      const res = await net.admin.inject({
        method: "POST",
        url: "/api/v1/appointments",
        payload: { optionId: option.id, patientId: await createPatient(net.admin) },
      });
      expect(res.statusCode).toBe(201);
      booked.push(res.json().id);
    }
    const waiting: string[] = [];
    for (let i = 0; i < times.length; i++) {
      const patientId = await createPatient(net.admin);
      const res = await net.admin.inject({
        method: "POST",
        url: "/api/v1/waitlist/entries",
        payload: {
          patientId,
          appointmentTypeId: net.appointmentTypeId,
          specialty: net.specialty,
          locationIds: [net.main.id],
          from: net.at("00:00"),
          to: net.at("23:59"),
        },
      });
      expect(res.statusCode).toBe(201);
      waiting.push(res.json().id);
    }

    // every slot frees at once; this process's replicas pass while a desk books what it sees free
    const desk = await createPatient(net.admin);
    await Promise.all(
      booked.map((id) =>
        net.admin.inject({
          method: "POST",
          url: `/api/v1/appointments/${id}/cancel`,
          payload: { reason: "cancelled by phone" },
        }),
      ),
    );
    const passes = [rounds, ...others].map((r) => r.waitlist.filler.runOnce());
    const freed = (await optionsOn(net, net.admin)).filter(
      (o) => o.locationId === net.main.id && times.includes(o.local.time),
    );
    const deskBookings = await Promise.all(
      freed.slice(0, 2).map((o) =>
        net.admin.inject({
          method: "POST",
          url: "/api/v1/appointments",
          payload: { optionId: o.id, patientId: desk },
        }),
      ),
    );
    await Promise.all(passes);
    const deskWon = deskBookings.filter((r) => r.statusCode === 201).length;
    for (const r of deskBookings) expect([201, 409]).toContain(r.statusCode);

    const db = rounds.database.db;
    const openOffers = async () =>
      (
        await sql<{ entry_id: string; appointment_id: string; patient_id: string; starts_at: Date }>`
          SELECT entry_id, appointment_id, patient_id, starts_at FROM waitlist_offers
          WHERE entry_id = ANY(${waiting}::uuid[]) AND status = 'offered'`.execute(db)
      ).rows;
    // the slots the desk did not take all end up offered, whichever replica made each offer
    const offers = await vi.waitFor(
      async () => {
        await rounds.waitlist.filler.runOnce();
        const rows = await openOffers();
        expect(rows).toHaveLength(times.length - deskWon);
        return rows;
      },
      { timeout: 30_000, interval: 250 },
    );
    expect(new Set(offers.map((o) => o.entry_id)).size).toBe(offers.length);
    expect(new Set(offers.map((o) => o.appointment_id)).size).toBe(offers.length);

    // on the physician's day: one active appointment per slot, each an offer's hold for its patient or the desk's booking
    const active = (
      await sql<{ id: string; patient_id: string; status: string; starts_at: Date }>`
        SELECT id, patient_id, status, starts_at FROM appointments
        WHERE physician_id = ${net.physicianId} AND active AND starts_at >= ${new Date(net.at("08:00"))}
          AND starts_at < ${new Date(net.at("10:00"))}`.execute(db)
    ).rows;
    expect(active).toHaveLength(times.length);
    expect(new Set(active.map((a) => a.starts_at.getTime())).size).toBe(times.length);
    for (const a of active) {
      const offer = offers.find((o) => o.appointment_id === a.id);
      if (offer)
        expect({ status: a.status, patient: a.patient_id }).toEqual({
          status: "held",
          patient: offer.patient_id,
        });
      else expect({ status: a.status, patient: a.patient_id }).toEqual({ status: "booked", patient: desk });
    }
  });
});
