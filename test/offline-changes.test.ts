/**
 * Changes a browser queued while offline arrive late, sometimes twice, sometimes after someone
 * else changed the same appointment: each carries an Idempotency-Key and the version it was based
 * on (If-Match). A replay answers the first answer; two copies at once have one effect; a change
 * based on an older copy is refused with the appointment as it is now.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { startRounds } from "./support/rounds.js";

interface Appt {
  id: string;
  status: string;
  version: number;
  notes: string | null;
}

let rounds: Rounds;
let net: ClinicNetwork;
let desk: Client;
let options: Array<{ id: string; start: string; end: string }>;

beforeAll(async () => {
  rounds = await startRounds();
  net = await buildClinicNetwork(rounds);
  desk = await clientFor(rounds, "location_staff", { locationIds: [net.main.id, net.satellite.id] });
  // options overlap (15-minute steps, 30-minute visits): keep ones that do not
  options = [];
  for (const o of await optionsOn(net, net.admin))
    if (!options.some((kept) => o.start < kept.end && kept.start < o.end)) options.push(o);
}, 120_000);
afterAll(() => rounds.close());

/** A booked appointment of a new patient, as the desk reads it. */
async function booked(): Promise<Appt> {
  const option = options.shift();
  if (!option) throw new Error("no option left");
  const patientId = await createPatient(net.admin);
  const res = await net.admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: option.id, patientId },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Appt;
}

const send = (url: string, payload: Record<string, unknown>, headers: Record<string, string>) =>
  desk.inject({ method: url.endsWith("/notes") ? "PUT" : "POST", url, payload, headers });
const current = async (id: string) =>
  (await desk.inject({ url: `/api/v1/appointments/${id}` })).json() as Appt;

describe("changes queued offline", () => {
  it("a check-in sent twice with the same key checks the patient in once and answers the same both times", async () => {
    const appt = await booked();
    const headers = { "idempotency-key": randomUUID(), "if-match": `"${appt.version}"` };
    const url = `/api/v1/appointments/${appt.id}/status`;
    const first = await send(url, { status: "checked_in" }, headers);
    const again = await send(url, { status: "checked_in" }, headers);
    expect(first.statusCode, first.body).toBe(200);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.json()).toEqual(first.json());
    expect(first.headers.etag).toBe(`"${appt.version + 1}"`);
    expect(await current(appt.id)).toMatchObject({ status: "checked_in", version: appt.version + 1 });
  });

  it("two copies of one queued cancellation arriving together cancel once", async () => {
    const appt = await booked();
    const headers = { "idempotency-key": randomUUID(), "if-match": `"${appt.version}"` };
    const url = `/api/v1/appointments/${appt.id}/cancel`;
    const answers = await Promise.all([
      send(url, { reason: "patient called from the car" }, headers),
      send(url, { reason: "patient called from the car" }, headers),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200]);
    expect(answers.filter((a) => a.headers["idempotent-replayed"] === "true")).toHaveLength(1);
    expect(await current(appt.id)).toMatchObject({ status: "cancelled", version: appt.version + 1 });
  });

  it("a note written on an older copy is refused with the appointment as it is now, and nothing is written", async () => {
    const appt = await booked();
    const cancelled = await send(
      `/api/v1/appointments/${appt.id}/cancel`,
      { reason: "physician called in sick" },
      {},
    );
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    const res = await send(
      `/api/v1/appointments/${appt.id}/notes`,
      { notes: "needs an interpreter" },
      { "idempotency-key": randomUUID(), "if-match": `"${appt.version}"` },
    );
    expect(res.statusCode, res.body).toBe(409);
    const problem = res.json() as { code: string; errors: Array<{ field: string }>; current: Appt };
    expect(problem.code).toBe("stale_version");
    expect(problem.errors[0]?.field).toBe("headers.if-match");
    expect(problem.current).toMatchObject({ status: "cancelled", version: appt.version + 1, notes: null });
    expect((await current(appt.id)).notes).toBeNull();
  });

  it("a note on the current version is kept, and the patient does not see the care team's notes", async () => {
    const appt = await booked();
    const res = await send(
      `/api/v1/appointments/${appt.id}/notes`,
      { notes: "needs an interpreter" },
      { "if-match": `W/"${appt.version}"` },
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ notes: "needs an interpreter", version: appt.version + 1 });
    const patientId = ((await current(appt.id)) as Appt & { patientId: string }).patientId;
    const patient = await clientFor(rounds, "patient", { patientId });
    const seen = (await patient.inject({ url: `/api/v1/appointments/${appt.id}` })).json() as Appt;
    expect(seen).toMatchObject({ id: appt.id, notes: null });
  });

  it("a key used again for a different change is refused, naming the header", async () => {
    const appt = await booked();
    const key = randomUUID();
    const url = `/api/v1/appointments/${appt.id}/notes`;
    expect((await send(url, { notes: "first" }, { "idempotency-key": key })).statusCode).toBe(200);
    const reused = await send(url, { notes: "second" }, { "idempotency-key": key });
    expect(reused.statusCode).toBe(422);
    expect((reused.json() as { errors: Array<{ field: string }> }).errors[0]?.field).toBe(
      "headers.idempotency-key",
    );
    const badVersion = await send(url, { notes: "third" }, { "if-match": "yesterday" });
    expect(badVersion.statusCode).toBe(400);
    expect((await current(appt.id)).notes).toBe("first");
  });
});
