/**
 * The DICOM Modality Worklist over a real association: dcmtk's findscu (a DICOM tool we did not
 * write) queries it and dcmdump reads the answers; MPPS through dcmjs-dimse's client moves the
 * appointment to in progress and completed.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import dimse from "dcmjs-dimse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../../src/server.js";
import type { Client } from "../support/auth.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "../support/network.js";
import { startRounds, unique } from "../support/rounds.js";

const run = promisify(execFile);

let rounds: Rounds;
let net: ClinicNetwork;
let admin: Client;
let port: number;
let locationAe: string;
const station = `CT_${unique(8)}`;
const mrn = `D-${unique(10)}`;
let work: string;

beforeAll(async () => {
  rounds = await startRounds({ ROUNDS_DICOM_PORT: "0", ROUNDS_NOTIFICATIONS_WORKER: "false" });
  port = rounds.dicom.port!;
  net = await buildClinicNetwork(rounds, { roomsPerLocation: 1 });
  admin = net.admin;
  work = await mkdtemp(join(tmpdir(), "rounds-dicom-"));
  const ok = async (res: { statusCode: number; body: string }, status = 200) =>
    expect(res.statusCode, res.body).toBe(status);
  await ok(
    await admin.inject({
      method: "PUT",
      url: `/api/v1/appointment-types/${net.appointmentTypeId}/modality`,
      payload: { modality: "CT" },
    }),
  );
  await ok(
    await admin.inject({
      method: "PUT",
      url: `/api/v1/locations/${net.main.id}/imaging/stations/${net.main.roomIds[0]}`,
      payload: { aeTitle: station, modality: "CT" },
    }),
  );
  const state = await admin.inject({ url: `/api/v1/locations/${net.main.id}/imaging` });
  await ok(state);
  locationAe = (state.json() as { aeTitle: string }).aeTitle;
});

afterAll(async () => {
  await rounds?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const compact = (date: string) => date.replace(/-/g, "");
const localDay = (offset: number) => {
  const d = new Date(`${net.monday}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
};

/** Books the main campus's first room (the CT station) on a day of the test week. */
async function book(patientId: string, dayOffset: number): Promise<{ id: string; start: string }> {
  const options = (await optionsOn(net, admin, dayOffset)).filter((o) => o.roomId === net.main.roomIds[0]);
  const res = await admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: options[Math.floor(Math.random() * options.length)]!.id, patientId },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; start: string };
}

type Answer = Record<string, string>;

/** findscu in worklist mode; each response file read back by dcmdump into keyword → value. */
async function findscu(keys: string[], opts: { aet?: string; aec?: string } = {}): Promise<Answer[]> {
  const dir = await mkdtemp(join(work, "q-"));
  const args = ["-W", "-aet", opts.aet ?? station, "-aec", opts.aec ?? locationAe, "-X", "-od", dir];
  const asked = new Set(keys.map((k) => k.split("=")[0]));
  const returned = [
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "AccessionNumber",
    "StudyInstanceUID",
    "RequestedProcedureID",
    "RequestedProcedureDescription",
    "ScheduledProcedureStepSequence[0].ScheduledStationAETitle",
    "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartTime",
    "ScheduledProcedureStepSequence[0].ScheduledPerformingPhysicianName",
    "ScheduledProcedureStepSequence[0].ScheduledProcedureStepID",
  ].filter((k) => !asked.has(k));
  // a later -k of the same attribute would replace the matching key's value
  for (const k of [...keys, ...returned]) args.push("-k", k);
  await run("findscu", [...args, "127.0.0.1", String(port)]);
  const answers: Answer[] = [];
  for (const file of (await readdir(dir)).sort()) {
    const { stdout } = await run("dcmdump", ["+P", "all", join(dir, file)]).catch(() =>
      run("dcmdump", [join(dir, file)]),
    );
    const answer: Answer = {};
    for (const m of stdout.matchAll(
      /\(\w{4},\w{4}\) \w\w (?:\[([^\]]*)\]|\(no value available\))\s+#[^\n]*?(\w+)\s*$/gm,
    ))
      answer[m[2]!] = m[1] ?? "";
    answers.push(answer);
  }
  return answers;
}

const onDate = (from: string, to = from) => [
  `ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=${from === to ? from : `${from}-${to}`}`,
];

describe("the modality worklist, queried by dcmtk's findscu", () => {
  let first: { id: string; start: string };
  let second: { id: string; start: string };

  beforeAll(async () => {
    const patientId = await createPatient(admin, {
      mrn,
      givenName: "Ada",
      familyName: "Okafor",
      birthDate: "1971-03-09",
      sex: "female",
    });
    first = await book(patientId, 0);
    second = await book(await createPatient(admin), 1);
  });

  it("answers a CT station with the day's entries: patient, accession, study, station, local start and physician", async () => {
    const [entry, ...more] = await findscu([
      ...onDate(compact(localDay(0))),
      "ScheduledProcedureStepSequence[0].Modality=CT",
    ]);
    expect(more).toHaveLength(0);
    expect(entry).toMatchObject({
      PatientName: "Okafor^Ada",
      PatientID: mrn,
      PatientBirthDate: "19710309",
      PatientSex: "F",
      Modality: "CT",
      ScheduledStationAETitle: station,
      ScheduledProcedureStepStartDate: compact(localDay(0)),
      RequestedProcedureDescription: "Consultation",
    });
    expect(entry!.AccessionNumber).toMatch(/^RND\d{8}$/);
    expect(entry!.RequestedProcedureID).toBe(entry!.AccessionNumber);
    expect(entry!.StudyInstanceUID).toBe(`2.25.${BigInt(`0x${first.id.replace(/-/g, "")}`).toString(10)}`);
    // the start in New York's wall-clock time
    const local = new Date(first.start).toLocaleTimeString("en-GB", {
      timeZone: "America/New_York",
      hour12: false,
    });
    expect(entry!.ScheduledProcedureStepStartTime).toBe(local.replace(/:/g, ""));
    expect(entry!.ScheduledPerformingPhysicianName).toMatch(/\^/);
    // the accession number is kept: asked by it, the same entry comes back
    const again = await findscu([`AccessionNumber=${entry!.AccessionNumber}`]);
    expect(again.map((a) => a.PatientID)).toEqual([mrn]);
  });

  it("matches a date range, a modality and a patient id, and the network's AE title sees the same", async () => {
    const range = onDate(compact(localDay(0)), compact(localDay(1)));
    expect(await findscu(range)).toHaveLength(2);
    expect(await findscu([...range, "ScheduledProcedureStepSequence[0].Modality=MR"])).toHaveLength(0);
    expect((await findscu([...range, `PatientID=${mrn}`])).map((a) => a.PatientID)).toEqual([mrn]);
    expect(await findscu(onDate(compact(localDay(1))), { aec: "ROUNDS" })).toHaveLength(1);
    expect(await findscu(onDate(compact(localDay(2))))).toHaveLength(0);
  });

  it("a cancelled appointment drops out of the worklist", async () => {
    const res = await admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${second.id}/cancel`,
      payload: { reason: "patient called" },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await findscu(onDate(compact(localDay(1))))).toHaveLength(0);
  });

  it("an unknown called or calling AE title is rejected at association", async () => {
    await expect(findscu(onDate(compact(localDay(0))), { aec: "NOBODY" })).rejects.toThrow(
      /Rejected|rejected/,
    );
    await expect(findscu(onDate(compact(localDay(0))), { aet: "STRANGER" })).rejects.toThrow(
      /Rejected|rejected/,
    );
  });

  it("MPPS: N-CREATE puts the appointment in progress, N-SET COMPLETED completes it", async () => {
    const [entry] = await findscu([`PatientID=${mrn}`]);
    const uid = `1.2.826.0.1.3680043.10.${Date.now()}`;
    const status = await mpps(
      new dimse.requests.NCreateRequest(dimse.constants.SopClass.ModalityPerformedProcedureStep, uid),
      {
        PerformedProcedureStepStatus: "IN PROGRESS",
        ScheduledStepAttributesSequence: [
          { AccessionNumber: entry!.AccessionNumber, StudyInstanceUID: entry!.StudyInstanceUID },
        ],
      },
    );
    expect(status).toBe(0);
    expect(await statusOf(first.id)).toBe("in_progress");
    // the appointment is no longer waiting: the worklist leaves it out
    expect(await findscu([`PatientID=${mrn}`])).toHaveLength(0);
    const done = await mpps(
      new dimse.requests.NSetRequest(dimse.constants.SopClass.ModalityPerformedProcedureStep, uid),
      {
        PerformedProcedureStepStatus: "COMPLETED",
      },
    );
    expect(done).toBe(0);
    expect(await statusOf(first.id)).toBe("completed");
    // a step once completed can no longer be set
    const late = await mpps(
      new dimse.requests.NSetRequest(dimse.constants.SopClass.ModalityPerformedProcedureStep, uid),
      {
        PerformedProcedureStepStatus: "DISCONTINUED",
      },
    );
    expect(late).not.toBe(0);
  });

  it("staff see the location's worklist state with the last queries", async () => {
    const res = await admin.inject({ url: `/api/v1/locations/${net.main.id}/imaging` });
    expect(res.statusCode, res.body).toBe(200);
    const state = res.json() as {
      port: number;
      stations: Array<{ aeTitle: string }>;
      lastQueries: unknown[];
    };
    expect(state.port).toBe(port);
    expect(state.stations.map((s) => s.aeTitle)).toEqual([station]);
    expect(state.lastQueries.length).toBeGreaterThan(3);
  });
});

async function statusOf(id: string): Promise<string> {
  const res = await admin.inject({ url: `/api/v1/appointments/${id}` });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { status: string }).status;
}

/** Sends one MPPS request from the station and returns the answer's status. */
function mpps(
  request:
    | InstanceType<typeof dimse.requests.NCreateRequest>
    | InstanceType<typeof dimse.requests.NSetRequest>,
  elements: Record<string, unknown>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = new dimse.Client();
    let status: number | undefined;
    request.setDataset(new dimse.Dataset(elements));
    request.on("response", (r: { getStatus(): number }) => {
      status = r.getStatus();
    });
    client.addRequest(request);
    client.on("networkError", reject);
    client.on("associationRejected", () => reject(new Error("association rejected")));
    client.on("closed", () => (status === undefined ? reject(new Error("no answer")) : resolve(status)));
    client.send("127.0.0.1", port, station, locationAe);
  });
}
