import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { train } from "../src/services/analytics/index.js";
import { buildView, loadContext } from "../src/services/notifications/content.js";
import { TemplateLibrary } from "../src/services/notifications/templates.js";
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

/** Puts a model in use that expects every visit to be missed (trained on misses only): 99.9 % each. */
async function expectEveryVisitMissed(appointmentTypeId: string): Promise<() => Promise<unknown>> {
  const start = new Date("2026-01-05T14:00:00Z");
  const model = await train(
    [1, 2, 3].map((i) => ({
      bookedAt: new Date(start.getTime() - i * 86_400_000),
      start,
      noShow: true,
      weekday: 1,
      hour: 9,
      priorNoShows: 0,
      priorCancellations: 0,
      appointmentType: appointmentTypeId,
      telehealth: false,
    })),
  );
  const db = rounds.database.db;
  const v = await sql<{ v: number }>`SELECT coalesce(max(version), 0) + 1000 AS v FROM noshow_models`.execute(
    db,
  );
  const version = Number(v.rows[0]!.v);
  await sql`INSERT INTO noshow_models (version, trained_at, trained_on, model, evaluation)
    VALUES (${version}, now(), 3, ${JSON.stringify(model)}, '{}')`.execute(db);
  return () => sql`DELETE FROM noshow_models WHERE version = ${version}`.execute(db);
}

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

describe("booking the extra seat the rule offers", () => {
  let net2: ClinicNetwork;
  let nine: { id: string };
  let ten: { id: string };
  let dropModel: () => Promise<unknown>;
  const extra = (client: ClinicNetwork["admin"], appointmentId: string, patientId: string) =>
    client.inject({
      method: "POST",
      url: `/api/v1/appointments/${appointmentId}/extra-seat`,
      payload: { patientId },
    });

  beforeAll(async () => {
    net2 = await buildClinicNetwork(rounds);
    dropModel = await expectEveryVisitMissed(net2.appointmentTypeId);
    const options = await optionsOn(net2, net2.admin, 1);
    const book = async (time: string) => {
      const o = options.find((x) => x.locationId === net2.main.id && x.local.time === time)!;
      const res = await net2.admin.inject({
        method: "POST",
        url: "/api/v1/appointments",
        payload: { optionId: o.id, patientId: await createPatient(net2.admin) },
      });
      expect(res.statusCode).toBe(201);
      return res.json() as { id: string };
    };
    nine = await book("09:00");
    ten = await book("10:00");
  }, 120_000);
  afterAll(() => dropModel());

  it("with the rule off, no slot is ever doubled", async () => {
    const res = await extra(net2.admin, nine.id, await createPatient(net2.admin));
    expect(res.statusCode).toBe(409);
  });

  it("with the rule on, the session's likeliest-missed slot takes one extra patient; of two racing, one wins", async () => {
    const staff = await clientFor(rounds, "location_staff", { locationIds: [net2.main.id] });
    const on = await staff.inject({
      method: "PUT",
      url: rulePath(net2.main.id),
      payload: { enabled: true, threshold: 1.2 },
    });
    expect(on.statusCode).toBe(200);
    // every visit is as likely to be missed: the earlier slot is the seat, not the later one
    expect((await extra(staff, ten.id, await createPatient(staff))).statusCode).toBe(409);
    const [a, b] = [await createPatient(staff), await createPatient(staff)];
    const race = await Promise.all([extra(staff, nine.id, a), extra(staff, nine.id, b)]);
    expect(race.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const won = race.find((r) => r.statusCode === 201)!.json() as {
      doubles: string;
      expectedNoShows: number;
    };
    expect(won.doubles).toBe(nine.id);
    expect(won.expectedNoShows).toBeGreaterThan(1.2);
    // the session has had its extra seat: nothing more, anywhere in it
    expect((await extra(staff, nine.id, await createPatient(staff))).statusCode).toBe(409);
    expect((await extra(staff, ten.id, await createPatient(staff))).statusCode).toBe(409);
    const rows = await sql<{ n: number; extra: number }>`SELECT count(*)::int AS n,
        count(*) FILTER (WHERE extra_seat)::int AS extra FROM appointments
      WHERE physician_id = ${net2.physicianId} AND active`.execute(rounds.database.db);
    expect(rows.rows[0]).toEqual({ n: 3, extra: 1 });
    const audit = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events
      WHERE action = 'appointment.book_extra_seat' AND location_id = ${net2.main.id}`.execute(
      rounds.database.db,
    );
    expect(audit.rows[0]!.n).toBe(1);
  });

  it("staff of another location cannot book an extra seat here", async () => {
    const staff = await clientFor(rounds, "location_staff", { locationIds: [net2.satellite.id] });
    const res = await extra(staff, ten.id, await createPatient(staff));
    expect(res.statusCode).toBe(404);
    expect(JSON.stringify(res.json())).toContain("params.id");
  });
});

describe("the extra seat in searches", () => {
  let net3: ClinicNetwork;
  let staff: ClinicNetwork["admin"];
  let dropModel: () => Promise<unknown>;
  type Seat = OptionDto & { extraSeat?: { expectedNoShows: number; threshold: number; explanation: string } };
  const seatsFor = async (client: ClinicNetwork["admin"], patientId: string) =>
    ((await optionsOn(net3, client, 1, `&patientId=${patientId}`)) as Seat[]).filter((o) => o.extraSeat);
  const book = (client: ClinicNetwork["admin"], optionId: string, patientId: string) =>
    client.inject({ method: "POST", url: "/api/v1/appointments", payload: { optionId, patientId } });

  beforeAll(async () => {
    net3 = await buildClinicNetwork(rounds);
    dropModel = await expectEveryVisitMissed(net3.appointmentTypeId);
    staff = await clientFor(rounds, "location_staff", { locationIds: [net3.main.id] });
    const options = await optionsOn(net3, net3.admin, 1);
    for (const time of ["09:00", "10:00"]) {
      const o = options.find((x) => x.locationId === net3.main.id && x.local.time === time)!;
      expect((await book(net3.admin, o.id, await createPatient(net3.admin))).statusCode).toBe(201);
    }
    const on = await staff.inject({
      method: "PUT",
      url: rulePath(net3.main.id),
      payload: { enabled: true, threshold: 1.2 },
    });
    expect(on.json()).toMatchObject({ enabled: true, offerToPatients: false });
  }, 120_000);
  afterAll(() => dropModel());

  it("staff booking for a patient are offered the session's one extra seat, marked and explained; the patient only once the location offers it to patients", async () => {
    const patientId = await createPatient(staff);
    const seats = await seatsFor(staff, patientId);
    expect(seats).toHaveLength(1);
    expect(seats[0]).toMatchObject({ locationId: net3.main.id, local: { time: "09:00" } });
    expect(seats[0]!.extraSeat!.expectedNoShows).toBeGreaterThan(1.2);
    expect(seats[0]!.extraSeat).toMatchObject({ threshold: 1.2 });
    expect(seats[0]!.extraSeat!.explanation).toMatch(/wait/);
    expect(seats[0]!.reasons.join(" ")).toMatch(/extra seat/);
    // the desk's day view lists the same seat by the appointment it doubles
    const day = `from=${encodeURIComponent(net3.at("00:00", 1))}&to=${encodeURIComponent(net3.at("23:59", 1))}`;
    const open = await staff.inject({ url: `/api/v1/locations/${net3.main.id}/extra-seats?${day}` });
    expect(open.json()).toMatchObject({ seats: [{ start: seats[0]!.start, threshold: 1.2 }] });

    const patient = await clientFor(rounds, "patient", { patientId });
    expect(await seatsFor(patient, patientId)).toHaveLength(0);
    const forPatients = await staff.inject({
      method: "PUT",
      url: rulePath(net3.main.id),
      payload: { enabled: true, threshold: 1.2, offerToPatients: true },
    });
    expect(forPatients.json()).toMatchObject({ offerToPatients: true });
    // a later change that does not mention it keeps it
    await staff.inject({
      method: "PUT",
      url: rulePath(net3.main.id),
      payload: { enabled: true, threshold: 1.2 },
    });
    const own = await seatsFor(patient, patientId);
    expect(own).toHaveLength(1);
    // a seat taken by hold: the patient holds it, then books the hold
    const held = await patient.inject({
      method: "POST",
      url: "/api/v1/holds",
      payload: { optionId: own[0]!.id, patientId },
    });
    expect(held.statusCode).toBe(201);
    // while held, nobody else is offered an extra seat in that session
    expect(await seatsFor(staff, await createPatient(staff))).toHaveLength(0);
    const release = await patient.inject({ method: "DELETE", url: `/api/v1/holds/${held.json().id}` });
    expect(release.statusCode).toBeLessThan(300);
  });

  it("a forged extra seat is refused naming the option; of two booking the same seat, one wins and the other's is stale", async () => {
    const [a, b] = [await createPatient(staff), await createPatient(staff)];
    const [seatA, seatB] = [(await seatsFor(staff, a))[0]!, (await seatsFor(staff, b))[0]!];
    // an ordinary option's id re-marked as an extra seat (or any edit) no longer matches its signature
    const [payload, mac] = seatA.id.split(".") as [string, string];
    const fields = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown[];
    fields[5] = (fields[5] as number) + 3_600_000;
    const forged = `${Buffer.from(JSON.stringify(fields)).toString("base64url")}.${mac}`;
    const refused = await book(staff, forged, a);
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    expect(refused.statusCode).toBeLessThan(500);
    expect(JSON.stringify(refused.json())).toContain("optionId");

    const race = await Promise.all([book(staff, seatA.id, a), book(staff, seatB.id, b)]);
    expect(race.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const won = race.find((r) => r.statusCode === 201)!.json() as { id: string };
    const rows = await sql<{ extra: number }>`SELECT count(*) FILTER (WHERE extra_seat)::int AS extra
      FROM appointments WHERE physician_id = ${net3.physicianId} AND active`.execute(rounds.database.db);
    expect(rows.rows[0]!.extra).toBe(1);
    expect(await seatsFor(staff, await createPatient(staff))).toHaveLength(0);

    // the confirmation says it is an extra seat, in English and in Spanish
    const ctx = (await loadContext(rounds.database.db, won.id))!;
    const library = new TemplateLibrary();
    for (const [language, words] of [
      ["en", /extra seat/i],
      ["es", /plaza adicional/i],
    ] as const) {
      const opts = {
        language,
        strings: library.strings(language),
        publicUrl: "https://x.invalid",
        now: new Date(),
      };
      const message = library.render("confirmation", language, buildView(ctx, "confirmation", {}, opts));
      expect(message.text).toMatch(words);
      expect(message.sms).toMatch(words);
    }
  });
});
