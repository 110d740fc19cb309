import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { clientFor } from "./support/auth.js";
import {
  addPhysician,
  buildClinicNetwork,
  type ClinicNetwork,
  createPatient,
  type OptionDto,
  optionsOn,
} from "./support/network.js";
import { startRounds } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;

const rulePath = (locationId: string) => `/api/v1/locations/${locationId}/overbooking-rule`;

beforeAll(async () => {
  rounds = await startRounds();
  net = await buildClinicNetwork(rounds);
}, 120_000);
afterAll(() => rounds.close());

describe("a location's overbooking rule", () => {
  it("is off until the location's staff turn it on, and turning it on and off is audited", async () => {
    const staff = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    const first = await staff.inject({ url: rulePath(net.main.id) });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ enabled: false, updatedAt: null });
    expect((first.json() as { explanation: string }).explanation).toContain("extra seat");

    const on = await staff.inject({
      method: "PUT",
      url: rulePath(net.main.id),
      payload: { enabled: true, threshold: 1.2 },
    });
    expect(on.statusCode).toBe(200);
    expect((await staff.inject({ url: rulePath(net.main.id) })).json()).toMatchObject({
      enabled: true,
      threshold: 1.2,
    });
    const off = await staff.inject({
      method: "PUT",
      url: rulePath(net.main.id),
      payload: { enabled: false, threshold: 1.2 },
    });
    expect(off.statusCode).toBe(200);
    const audit = await sql<{ action: string }>`SELECT action FROM audit_events
      WHERE resource_id = ${net.main.id} AND action LIKE 'overbooking_rule.%' ORDER BY occurred_at, id`.execute(
      rounds.database.db,
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      "overbooking_rule.turn_on",
      "overbooking_rule.turn_off",
    ]);
  });

  it("staff at the satellite clinic cannot see or set the main campus's rule", async () => {
    const staff = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
    const read = await staff.inject({ url: rulePath(net.main.id) });
    expect(read.statusCode).toBe(404);
    expect(JSON.stringify(read.json())).toContain("params.id");
    const write = await staff.inject({
      method: "PUT",
      url: rulePath(net.main.id),
      payload: { enabled: true, threshold: 1 },
    });
    expect(write.statusCode).toBe(404);
    const patient = await clientFor(rounds, "patient", { patientId: net.patientId });
    expect((await patient.inject({ url: rulePath(net.main.id) })).statusCode).toBe(403);
  });

  it("a threshold out of range is refused naming the field, and nothing changes", async () => {
    const res = await net.admin.inject({
      method: "PUT",
      url: rulePath(net.satellite.id),
      payload: { enabled: true, threshold: 0 },
    });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toContain("threshold");
    expect((await net.admin.inject({ url: rulePath(net.satellite.id) })).json()).toMatchObject({
      enabled: false,
    });
  });
});

/** Inserts an appointment row directly, as the booking path's last step would. */
function insert(
  ex: Rounds["database"]["db"],
  row: {
    patientId: string;
    physicianId?: string;
    roomId: string;
    start: string;
    end: string;
    extraSeat: boolean;
  },
) {
  return sql`INSERT INTO appointments (patient_id, physician_id, location_id, room_id, appointment_type_id, starts_at, ends_at, status, extra_seat)
    VALUES (${row.patientId}, ${row.physicianId ?? net.physicianId}, ${net.main.id}, ${row.roomId}, ${net.appointmentTypeId},
      ${row.start}, ${row.end}, 'booked', ${row.extraSeat})`.execute(ex);
}
const violation = (p: Promise<unknown>) =>
  p.then(
    () => "inserted",
    (e: { code?: string; constraint?: string }) => e.constraint ?? e.code ?? "error",
  );

describe("the database keeps an extra seat to one slot, once", () => {
  let booked: OptionDto;
  beforeAll(async () => {
    booked = (await optionsOn(net, net.admin, 1)).find(
      (o) => o.locationId === net.main.id && o.local.time === "09:00",
    )!;
    const res = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: booked.id, patientId: await createPatient(net.admin) },
    });
    expect(res.statusCode).toBe(201);
  });

  it("of two extra bookings racing for the same slot, exactly one succeeds", async () => {
    const [a, b] = [await createPatient(net.admin), await createPatient(net.admin)];
    const db = rounds.database.db;
    const race = await Promise.all(
      [a, b].map((patientId) =>
        violation(
          db.transaction().execute((tx) =>
            insert(tx, {
              patientId,
              roomId: booked.roomId!,
              start: booked.start,
              end: booked.end,
              extraSeat: true,
            }),
          ),
        ),
      ),
    );
    expect(race.filter((r) => r === "inserted")).toHaveLength(1);
    expect(race.filter((r) => r !== "inserted")[0]).toMatch(/one_extra_seat/);
    const n = await sql<{ n: number }>`SELECT count(*)::int AS n FROM appointments
      WHERE physician_id = ${net.physicianId} AND starts_at = ${booked.start} AND active`.execute(db);
    expect(n.rows[0]!.n).toBe(2);
  });

  it("an ordinary booking never doubles a slot, and an extra seat never straddles one", async () => {
    const patientId = await createPatient(net.admin);
    const later = new Date(Date.parse(booked.start) + 15 * 60_000).toISOString();
    const laterEnd = new Date(Date.parse(booked.end) + 15 * 60_000).toISOString();
    const db = rounds.database.db;
    expect(
      await violation(
        insert(db, {
          patientId,
          roomId: booked.roomId!,
          start: booked.start,
          end: booked.end,
          extraSeat: false,
        }),
      ),
    ).toMatch(/physician_no_overlap|room_no_overlap/);
    expect(
      await violation(
        insert(db, { patientId, roomId: booked.roomId!, start: later, end: laterEnd, extraSeat: true }),
      ),
    ).toMatch(/same_slot|one_extra_seat/);
  });

  it("another physician can never share the room, even as an extra seat", async () => {
    const other = await addPhysician(net.admin, net.specialty, [
      { locationId: net.main.id, startTime: "08:00", endTime: "12:00" },
    ]);
    const slot = (await optionsOn(net, net.admin, 2)).find(
      (o) => o.locationId === net.main.id && o.local.time === "10:00",
    )!;
    const first = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: slot.id, patientId: await createPatient(net.admin) },
    });
    expect(first.statusCode).toBe(201);
    const res = await violation(
      insert(rounds.database.db, {
        patientId: await createPatient(net.admin),
        physicianId: other,
        roomId: slot.roomId!,
        start: slot.start,
        end: slot.end,
        extraSeat: true,
      }),
    );
    expect(res).toBe("appointments_room_one_physician");
  });
});
