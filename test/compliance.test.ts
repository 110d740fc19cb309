/**
 * Compliance monitoring: what a compliance officer watches (overdue break-the-glass reviews,
 * refusals per account, the audit chain, scope changes), thresholds they set, and alerts raised
 * once when a threshold is crossed.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/platform/config.js";
import { createRounds, type Rounds } from "../src/server.js";
import { type Client, clientFor } from "./support/auth.js";
import { TestClock } from "./support/messaging.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient } from "./support/network.js";
import { testDatabase } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
let officer: Client;
let staff: Client;
const clock = new TestClock();

beforeAll(async () => {
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ROUNDS_SEED_DEMO: "false",
  });
  rounds = await createRounds(config, { database: await testDatabase(), clock });
  net = await buildClinicNetwork(rounds);
  officer = await clientFor(rounds, "compliance");
  staff = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
  const set = await officer.inject({
    method: "PUT",
    url: "/api/v1/analytics/compliance/thresholds",
    payload: { breakGlassReviewHours: 24, refusalsPerAccount: 3, refusalWindowHours: 720 },
  });
  expect(set.statusCode, set.body).toBe(200);
});
afterAll(async () => {
  await rounds?.close();
});

type Overview = {
  refusalsByAccount: Array<{ userId: string; count: number }>;
  breakGlassOverdue: Array<{ id: string }>;
  alerts: Array<{ id: string; kind: string; subject: string; detail: Record<string, unknown> }>;
  scopeChanges: Array<{ userId: string; locationIds: string[] | null; previousLocationIds: string[] | null }>;
  auditChain: { ok: boolean };
  locations: Array<{ locationId: string; events: number; status: string }>;
};
const overview = async (who: Client = officer): Promise<Overview> => {
  const res = await who.inject({ url: "/api/v1/analytics/compliance" });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Overview;
};
const refuse = async () => {
  const res = await staff.inject({
    url: `/api/v1/surveys/results?locationId=${net.main.id}&from=2020-01-01T00:00:00Z&to=2020-06-01T00:00:00Z`,
  });
  expect(res.statusCode).toBe(404);
};

describe("compliance monitoring", () => {
  it("only compliance officers and administrators see it", async () => {
    await overview(officer);
    await overview(net.admin);
    expect((await staff.inject({ url: "/api/v1/analytics/compliance" })).statusCode).toBe(403);
    const head = await clientFor(rounds, "department_head");
    expect((await head.inject({ url: "/api/v1/analytics/compliance" })).statusCode).toBe(403);
    const change = await staff.inject({
      method: "PUT",
      url: "/api/v1/analytics/compliance/thresholds",
      payload: { breakGlassReviewHours: 1, refusalsPerAccount: 1, refusalWindowHours: 1 },
    });
    expect(change.statusCode).toBe(403);
  });

  it("a threshold out of range is refused naming the field", async () => {
    const res = await officer.inject({
      method: "PUT",
      url: "/api/v1/analytics/compliance/thresholds",
      payload: { breakGlassReviewHours: 0, refusalsPerAccount: 3, refusalWindowHours: 24 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe("body.breakGlassReviewHours");
  });

  it("three refused accesses by one account raise one alert, however often the monitor looks", async () => {
    await refuse();
    await refuse();
    const before = await overview();
    expect(before.refusalsByAccount.find((r) => r.userId === staff.user.userId)?.count).toBe(2);
    expect(before.alerts.filter((a) => a.detail.userId === staff.user.userId)).toEqual([]);

    await refuse();
    const after = await overview();
    expect(after.refusalsByAccount.find((r) => r.userId === staff.user.userId)?.count).toBe(3);
    const mine = after.alerts.filter((a) => a.kind === "refusals" && a.detail.userId === staff.user.userId);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.detail.count).toBe(3);

    await refuse();
    const raised = await rounds.quality.compliance.evaluate();
    expect(raised.filter((a) => a.detail.userId === staff.user.userId)).toEqual([]);
    const again = await overview();
    expect(again.alerts.filter((a) => a.detail.userId === staff.user.userId)).toHaveLength(1);
    // the alert is a flagged event of the trail, once
    const events = await sql<{ n: number | string }>`
      SELECT count(*) AS n FROM audit_events
      WHERE action = 'compliance.alert' AND flagged AND resource_id = ${mine[0]!.id}`.execute(
      rounds.database.db,
    );
    expect(Number(events.rows[0]!.n)).toBe(1);
  });

  it("a break-the-glass access nobody reviewed within a day raises an alert once; acknowledged, it leaves the list", async () => {
    const patientId = await createPatient(net.admin);
    const grant = await staff.inject({
      method: "POST",
      url: "/api/v1/break-glass",
      payload: { patientId, reason: "patient collapsed in the lobby" },
    });
    expect(grant.statusCode, grant.body).toBe(201);
    const grantId = grant.json().id as string;
    expect((await overview()).breakGlassOverdue.map((g) => g.id)).not.toContain(grantId);

    clock.set(Date.now() + 25 * 3_600_000);
    try {
      const raised = await rounds.quality.compliance.evaluate();
      expect(raised.filter((a) => a.subject === grantId).map((a) => a.kind)).toEqual([
        "break_glass_unreviewed",
      ]);
      expect((await rounds.quality.compliance.evaluate()).filter((a) => a.subject === grantId)).toEqual([]);
    } finally {
      clock.reset();
    }
    const alert = (await overview()).alerts.find((a) => a.subject === grantId)!;
    expect(alert.detail.patientId).toBe(patientId);
    const ack = await officer.inject({
      method: "POST",
      url: `/api/v1/analytics/compliance/alerts/${alert.id}/acknowledge`,
    });
    expect(ack.statusCode, ack.body).toBe(200);
    expect((await overview()).alerts.map((a) => a.id)).not.toContain(alert.id);
    const twice = await officer.inject({
      method: "POST",
      url: `/api/v1/analytics/compliance/alerts/${alert.id}/acknowledge`,
    });
    expect(twice.statusCode).toBe(404);
  });

  it("a staff member moved to another location is listed with the locations before and after", async () => {
    const moved = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    const res = await net.admin.inject({
      method: "PATCH",
      url: `/api/v1/users/${moved.user.userId}`,
      payload: { locationIds: [net.satellite.id] },
    });
    expect(res.statusCode, res.body).toBe(200);
    const change = (await overview()).scopeChanges.find((c) => c.userId === moved.user.userId);
    expect(change).toMatchObject({ locationIds: [net.satellite.id], previousLocationIds: [net.main.id] });
  });

  it("the audit chain's status is shown for every location, with its events", async () => {
    const o = await overview();
    const main = o.locations.find((l) => l.locationId === net.main.id);
    expect(main).toBeDefined();
    expect(main!.status).toBe(o.auditChain.ok ? "intact" : "broken");
  });
});
