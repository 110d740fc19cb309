import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { startRounds } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
let upcomingId: string;
const DAY = 86_400_000;

interface RiskDto {
  model: { version: number; trainedAt: string } | null;
  items: { appointmentId: string; start: string; probability: number; level: string }[];
}

/**
 * A year of the network's visits, one a day at the main campus: patients who booked far ahead or
 * missed before miss more often (made-up, deterministic).
 */
async function pastVisits(n: number): Promise<void> {
  const patients: string[] = [];
  for (let i = 0; i < 12; i++) patients.push(await createPatient(net.admin));
  const missed = new Map<string, number>();
  const rows = [];
  let seed = 11;
  const rand = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  for (let i = 0; i < n; i++) {
    const start = new Date(Date.now() - (n - i + 2) * DAY);
    const patient = patients[i % patients.length]!;
    const lead = Math.floor(rand() * 40);
    const risk = 0.05 + lead * 0.01 + (missed.get(patient) ?? 0) * 0.1 + (i % 12 < 3 ? 0.2 : 0);
    const noShow = rand() < risk;
    if (noShow) missed.set(patient, (missed.get(patient) ?? 0) + 1);
    rows.push({
      patient_id: patient,
      physician_id: net.physicianId,
      location_id: net.main.id,
      appointment_type_id: net.appointmentTypeId,
      starts_at: start,
      ends_at: new Date(start.getTime() + 30 * 60_000),
      status: noShow ? "no_show" : "completed",
      created_at: new Date(start.getTime() - lead * DAY - 3_600_000),
    });
  }
  const db = rounds.database.db;
  for (const r of rows)
    await sql`INSERT INTO appointments (patient_id, physician_id, location_id, appointment_type_id, starts_at, ends_at, status, created_at)
      VALUES (${r.patient_id}, ${r.physician_id}, ${r.location_id}, ${r.appointment_type_id}, ${r.starts_at}, ${r.ends_at}, ${r.status}, ${r.created_at})`.execute(
      db,
    );
}

const risk = (client: Client, query: string) =>
  client.inject({ url: `/api/v1/analytics/no-show-risk?${query}` });
const windowQuery = () =>
  `from=${encodeURIComponent(net.at("00:00"))}&to=${encodeURIComponent(net.at("23:59"))}`;

beforeAll(async () => {
  rounds = await startRounds();
  // the test drives the training itself
  await rounds.analytics.trainer.stop();
  net = await buildClinicNetwork(rounds);
  await pastVisits(240);
  const option = (await optionsOn(net, net.admin)).find((o) => o.locationId === net.main.id)!;
  const booked = await net.admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: option.id, patientId: await createPatient(net.admin) },
  });
  expect(booked.statusCode).toBe(201);
  upcomingId = (booked.json() as { id: string }).id;
}, 120_000);
afterAll(() => rounds.close());

describe("the no-show model trained on the network's own history", () => {
  it("the training job learns from completed and missed visits and stores a new version with its evaluation", async () => {
    const result = await rounds.analytics.trainer.runOnce({ force: true });
    expect(result).toMatchObject({ trained: true });
    const model = await net.admin.inject({ url: "/api/v1/analytics/no-show-model" });
    expect(model.statusCode).toBe(200);
    const body = (
      model.json() as { model: Record<string, unknown> & { evaluation: Record<string, unknown> } }
    ).model;
    expect(body.version).toBe(result.trained && result.version);
    expect(body.trainedOn).toBeGreaterThanOrEqual(240);
    for (const k of ["auc", "brier", "baselineAuc", "baselineBrier"])
      expect(body.evaluation).toHaveProperty(k);
    expect(body.evaluation.features).toEqual(expect.arrayContaining(["leadDays", "priorNoShows"]));
  }, 120_000);

  it("a model trained within the day is not retrained by the daily job", async () => {
    expect(await rounds.analytics.trainer.runOnce()).toEqual({ trained: false, reason: "not_due" });
  });

  it("of two replicas retraining at once, one trains and the other finds the claim taken", async () => {
    const other = await startRounds();
    try {
      const results = await Promise.all([
        rounds.analytics.trainer.runOnce({ force: true }),
        other.analytics.trainer.runOnce({ force: true }),
      ]);
      expect(results.filter((r) => r.trained)).toHaveLength(1);
      expect(results.filter((r) => !r.trained)).toEqual([{ trained: false, reason: "not_due" }]);
    } finally {
      await other.close();
    }
  }, 120_000);
});

describe("who sees the no-show risk", () => {
  it("staff at the location see a risk level and probability for each booked appointment there", async () => {
    const staff = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    const res = await risk(staff, `locationId=${net.main.id}&${windowQuery()}`);
    expect(res.statusCode).toBe(200);
    const body = res.json() as RiskDto;
    expect(body.model).not.toBeNull();
    const item = body.items.find((i) => i.appointmentId === upcomingId);
    expect(item).toBeDefined();
    expect(["low", "medium", "high"]).toContain(item!.level);
    expect(item!.probability).toBeGreaterThan(0);
    expect(item!.probability).toBeLessThan(1);
  });

  it("staff at the satellite clinic cannot see the risk of appointments at the main campus", async () => {
    const staff = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
    const res = await risk(staff, `locationId=${net.main.id}&${windowQuery()}`);
    expect(res.statusCode).toBe(404);
    expect(JSON.stringify(res.json())).toContain("query.locationId");
  });

  it("a physician sees the risk of their own appointments and of nobody else's", async () => {
    const own = await clientFor(rounds, "physician", { physicianId: net.physicianId });
    const mine = await risk(own, `physicianId=${net.physicianId}&${windowQuery()}`);
    expect(mine.statusCode).toBe(200);
    expect((mine.json() as RiskDto).items.map((i) => i.appointmentId)).toContain(upcomingId);
    const otherNet = await buildClinicNetwork(rounds);
    const theirs = await risk(own, `physicianId=${otherNet.physicianId}&${windowQuery()}`);
    expect(theirs.statusCode).toBe(404);
    expect(JSON.stringify(theirs.json())).toContain("query.physicianId");
    const byLocation = await risk(own, `locationId=${net.main.id}&${windowQuery()}`);
    expect(byLocation.statusCode).toBe(404);
  });

  it("patients never see a no-show risk, not even of their own appointments", async () => {
    const patient = await clientFor(rounds, "patient", { patientId: net.patientId });
    expect((await risk(patient, `locationId=${net.main.id}&${windowQuery()}`)).statusCode).toBe(403);
    expect((await patient.inject({ url: "/api/v1/analytics/no-show-model" })).statusCode).toBe(403);
  });

  it("a request naming both a location and a physician, or neither, is refused naming the field", async () => {
    const both = await risk(
      net.admin,
      `locationId=${net.main.id}&physicianId=${net.physicianId}&${windowQuery()}`,
    );
    expect(both.statusCode).toBe(400);
    expect(JSON.stringify(both.json())).toContain("query.locationId");
    const long = await risk(
      net.admin,
      `locationId=${net.main.id}&from=2030-01-01T00:00:00Z&to=2030-03-01T00:00:00Z`,
    );
    expect(long.statusCode).toBe(400);
    expect(JSON.stringify(long.json())).toContain("query.to");
  });

  it("reading a location's risk is recorded in the audit trail", async () => {
    const staff = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    await risk(staff, `locationId=${net.main.id}&${windowQuery()}`);
    const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events
      WHERE action = 'analytics.no_show_risk' AND resource_id = ${net.main.id}`.execute(rounds.database.db);
    expect(rows.rows[0]!.n).toBeGreaterThanOrEqual(1);
  });
});
