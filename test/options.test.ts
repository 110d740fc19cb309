/**
 * Options cannot be forged: an option id is signed by the server and expires, and a booking takes
 * its end, room, equipment and travel from the appointment type and the current facts, never from
 * the id. Whatever is refused writes nothing.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/platform/config.js";
import type { Database } from "../src/platform/db.js";
import type { Rounds } from "../src/server.js";
import { createOptionIds, type OptionRef } from "../src/services/scheduling/availability/option-id.js";
import { OPTION_KEY_FILE, optionSigningKey } from "../src/services/scheduling/option-key.js";
import { clientFor, clientOf, signIn } from "./support/auth.js";
import {
  addPhysician,
  buildClinicNetwork,
  type ClinicNetwork,
  createPatient,
  type OptionDto,
  optionsOn,
} from "./support/network.js";
import { startRounds, unique } from "./support/rounds.js";

/** The key this file's server signs with, so the tests can sign ids as it would. */
const KEY = "test-option-key-that-is-at-least-32-characters-long";
const serverIds = createOptionIds(Buffer.from(KEY, "utf8"));

let rounds: Rounds;
beforeAll(async () => {
  rounds = await startRounds({ ROUNDS_OPTION_KEY: KEY });
});
afterAll(() => rounds.close());

const HOUR = 3_600_000;

/** What the server signed into an offered option's id. */
function refOf(o: OptionDto): OptionRef {
  const opened = serverIds.open(o.id);
  if (!opened.ok) throw new Error(`the server's option id did not open: ${opened.problem}`);
  return opened.option;
}

/** The option id with its end moved, the rest (signature included, if any) left as it was. */
function withEditedEnd(id: string, end: number): string {
  const [payload, ...rest] = id.split(".");
  const fields = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")) as unknown[];
  // the end sits after the layout, physician, location, room, equipment and start
  fields[6] = end;
  return [Buffer.from(JSON.stringify(fields), "utf8").toString("base64url"), ...rest].join(".");
}

async function appointmentsOf(
  patientId: string,
): Promise<Array<{ status: string; starts_at: Date; ends_at: Date }>> {
  const r = await sql<{ status: string; starts_at: Date; ends_at: Date }>`
    SELECT status, starts_at, ends_at FROM appointments WHERE patient_id = ${patientId}`.execute(
    rounds.database.db,
  );
  return r.rows;
}

const nineAtMain = async (net: ClinicNetwork) =>
  (await optionsOn(net, net.admin)).find((o) => o.local.time === "09:00" && o.locationId === net.main.id)!;

function expectRefusedOption(res: { statusCode: number; json(): unknown }, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  expect(res.json()).toMatchObject({ code, errors: [{ field: "body.optionId" }] });
}

describe("options that cannot be forged", () => {
  it("a patient who edits an option's end to six hours later books nothing, by booking, holding or rescheduling", async () => {
    const net = await buildClinicNetwork(rounds);
    const patient = clientOf(rounds, await signIn(rounds, "patient", { patientId: net.patientId }));
    const option = await nineAtMain(net);
    const forged = withEditedEnd(option.id, Date.parse(option.end) + 6 * HOUR);

    const booked = await patient.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: forged, patientId: net.patientId },
    });
    expectRefusedOption(booked, 422, "option_invalid");
    const held = await patient.inject({
      method: "POST",
      url: "/api/v1/holds",
      payload: { optionId: forged, patientId: net.patientId },
    });
    expectRefusedOption(held, 422, "option_invalid");
    expect(await appointmentsOf(net.patientId)).toEqual([]);

    // an honest booking, then an attempt to stretch it by rescheduling onto a forged option
    const real = await patient.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: option.id, patientId: net.patientId },
    });
    expect(real.statusCode).toBe(201);
    const later = (await optionsOn(net, net.admin)).find((o) => o.local.time === "10:00")!;
    const moved = await patient.inject({
      method: "POST",
      url: `/api/v1/appointments/${real.json().id}/reschedule`,
      payload: { optionId: withEditedEnd(later.id, Date.parse(later.end) + 6 * HOUR) },
    });
    expectRefusedOption(moved, 422, "option_invalid");
    const rows = await appointmentsOf(net.patientId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe("booked");
    expect(rows[0]!.ends_at.getTime() - rows[0]!.starts_at.getTime()).toBe(30 * 60_000);
  });

  it("even an option signed with the server's own key books only what the appointment type lasts: a longer end is refused", async () => {
    const net = await buildClinicNetwork(rounds);
    const option = await nineAtMain(net);
    const ref = refOf(option);
    const stretched = serverIds.issue({ ...ref, end: ref.end + 6 * HOUR });
    const res = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: stretched, patientId: net.patientId },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().reason).toBe("unavailable");
    expect(await appointmentsOf(net.patientId)).toEqual([]);
    // what the server really offers still books, for the type's 30 minutes
    const ok = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: option.id, patientId: net.patientId },
    });
    expect(ok.statusCode).toBe(201);
    expect(Date.parse(ok.json().end) - Date.parse(ok.json().start)).toBe(30 * 60_000);
  });

  it("an option id whose signature was altered is refused naming the option", async () => {
    const net = await buildClinicNetwork(rounds);
    const { id } = await nineAtMain(net);
    const last = id.at(-2) === "A" ? "B" : "A";
    const tampered = `${id.slice(0, -2)}${last}${id.at(-1)}`;
    const res = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: tampered, patientId: net.patientId },
    });
    expectRefusedOption(res, 422, "option_invalid");
    expect(await appointmentsOf(net.patientId)).toEqual([]);
  });

  it("an option id signed with another server's key is refused naming the option", async () => {
    const net = await buildClinicNetwork(rounds);
    const ref = refOf(await nineAtMain(net));
    const elsewhere = createOptionIds(Buffer.from(`another-hospital-${unique(20)}-key-material`, "utf8"));
    const res = await net.admin.inject({
      method: "POST",
      url: "/api/v1/holds",
      payload: { optionId: elsewhere.issue(ref), patientId: net.patientId },
    });
    expectRefusedOption(res, 422, "option_invalid");
    expect(await appointmentsOf(net.patientId)).toEqual([]);
  });

  it("an option offered more than 30 minutes ago answers that it expired and books nothing", async () => {
    const net = await buildClinicNetwork(rounds);
    const ref = refOf(await nineAtMain(net));
    const stale = serverIds.issue(ref, Date.now() - 31 * 60_000);
    for (const url of ["/api/v1/appointments", "/api/v1/holds"]) {
      const res = await net.admin.inject({
        method: "POST",
        url,
        payload: { optionId: stale, patientId: net.patientId },
      });
      expectRefusedOption(res, 409, "option_expired");
    }
    expect(await appointmentsOf(net.patientId)).toEqual([]);
  });

  it("a genuine option whose time has since been taken answers 409 naming the physician and books nothing", async () => {
    const net = await buildClinicNetwork(rounds);
    const option = await nineAtMain(net);
    const first = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: option.id, patientId: net.patientId },
    });
    expect(first.statusCode).toBe(201);
    const other = await createPatient(net.admin);
    const second = await net.admin.inject({
      method: "POST",
      url: "/api/v1/holds",
      payload: { optionId: option.id, patientId: other },
    });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ code: "conflict_physician", reason: "physician" });
    expect(await appointmentsOf(other)).toEqual([]);
  });

  it("an option for a visit type made longer since the search is refused: the patient was offered 30 minutes", async () => {
    const net = await buildClinicNetwork(rounds);
    const option = await nineAtMain(net);
    const longer = await net.admin.inject({
      method: "PATCH",
      url: `/api/v1/appointment-types/${net.appointmentTypeId}`,
      payload: { durationMinutes: 60 },
    });
    expect(longer.statusCode).toBe(200);
    const res = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: option.id, patientId: net.patientId },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().reason).toBe("unavailable");
    expect(await appointmentsOf(net.patientId)).toEqual([]);
    // a new search offers the hour, and that books for an hour
    const hour = await nineAtMain(net);
    expect(Date.parse(hour.end) - Date.parse(hour.start)).toBe(HOUR);
    const ok = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: hour.id, patientId: net.patientId },
    });
    expect(ok.statusCode).toBe(201);
    expect(Date.parse(ok.json().end) - Date.parse(ok.json().start)).toBe(HOUR);
  });

  it("an option for a visit type withdrawn since the search answers 409 and books nothing", async () => {
    const net = await buildClinicNetwork(rounds);
    const option = await nineAtMain(net);
    const withdrawn = await net.admin.inject({
      method: "PATCH",
      url: `/api/v1/appointment-types/${net.appointmentTypeId}`,
      payload: { active: false },
    });
    expect(withdrawn.statusCode).toBe(200);
    const res = await net.admin.inject({
      method: "POST",
      url: "/api/v1/holds",
      payload: { optionId: option.id, patientId: net.patientId },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: "conflict_unavailable", reason: "unavailable" });
    expect(await appointmentsOf(net.patientId)).toEqual([]);
  });

  it("without a configured key, options offered by one replica book on another", async () => {
    const [one, two] = [await startRounds(), await startRounds()];
    try {
      const net = await buildClinicNetwork(one);
      const option = await nineAtMain(net);
      const admin = await clientFor(two);
      const res = await admin.inject({
        method: "POST",
        url: "/api/v1/appointments",
        payload: { optionId: option.id, patientId: net.patientId },
      });
      expect(res.statusCode).toBe(201);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});

describe("a refusal names what is short", () => {
  it("when a free room remains but the only ECG machine is in use, the refusal says equipment, not room", async () => {
    const net = await buildClinicNetwork(rounds, { roomsPerLocation: 2 });
    const ecg = await net.admin.inject({
      method: "POST",
      url: `/api/v1/locations/${net.main.id}/equipment`,
      payload: { kind: "ecg", name: "ECG cart", assetTag: `ECG-${unique(8)}`, mobile: true },
    });
    expect(ecg.statusCode).toBe(201);
    const type = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointment-types",
      payload: {
        code: `E${unique(8)}`,
        name: "Cardiac check with ECG",
        specialty: net.specialty,
        durationMinutes: 30,
        slotIntervalMinutes: 15,
        roomKind: "exam",
        equipmentKinds: ["ecg"],
        visitKind: "new",
        basePriceCents: 20000,
      },
    });
    expect(type.statusCode).toBe(201);
    const withEcg = { ...net, appointmentTypeId: type.json().id as string };
    const colleague = await addPhysician(net.admin, net.specialty, [
      { locationId: net.main.id, startTime: "08:00", endTime: "12:00" },
    ]);
    const nineFor = async (physicianId: string) =>
      (await optionsOn({ ...withEcg, physicianId }, net.admin)).find(
        (o) => o.local.time === "09:00" && o.locationId === net.main.id,
      )!;
    const mine = await nineFor(net.physicianId);
    const theirs = await nineFor(colleague);
    // the colleague's patient takes the room both options showed, and the only ECG machine
    const taken = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: theirs.id, patientId: await createPatient(net.admin) },
    });
    expect(taken.statusCode).toBe(201);
    expect(taken.json().roomId).toBe(mine.roomId);
    const res = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: mine.id, patientId: net.patientId },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ reason: "equipment", code: "conflict_equipment" });
    expect(await appointmentsOf(net.patientId)).toEqual([]);
  });
});

describe("where the key that signs options comes from", () => {
  it("a configured option key shorter than 32 characters stops start-up, naming the variable", () => {
    expect(() => loadConfig({ ROUNDS_OPTION_KEY: "too-short" })).toThrow(ConfigError);
    expect(() => loadConfig({ ROUNDS_OPTION_KEY: "too-short" })).toThrow(/ROUNDS_OPTION_KEY/);
    expect(loadConfig({ ROUNDS_OPTION_KEY: KEY }).optionKey).toBe(KEY);
  });

  it("an embedded database on disk generates its option key once, readable by its owner only, and keeps it across restarts", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "rounds-option-key-"));
    try {
      const onDisk = { kind: "pglite", embeddedDir: dataDir } as unknown as Database;
      const first = await optionSigningKey(undefined, onDisk);
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(statSync(join(dataDir, OPTION_KEY_FILE)).mode & 0o777).toBe(0o600);
      expect(await optionSigningKey(undefined, onDisk)).toEqual(first);
      // a configured key wins over the generated one
      expect((await optionSigningKey(KEY, onDisk)).toString("utf8")).toBe(KEY);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
