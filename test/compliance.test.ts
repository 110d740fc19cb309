/**
 * Compliance monitoring: what a compliance officer watches (overdue break-the-glass reviews,
 * refusals per account, the audit chain per location, scope changes), thresholds they set, alerts
 * raised once when a threshold is crossed, announced by email (a real SMTP sink) and in the app,
 * acknowledged and resolved with notes; the monitor reads only the audit events it has not seen.
 */
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditService } from "../src/platform/audit/index.js";
import { loadConfig } from "../src/platform/config.js";
import { createRounds, type Rounds } from "../src/server.js";
import { advanceMonitor } from "../src/services/analytics/quality/monitor.js";
import { monitorRepository } from "../src/services/analytics/quality/monitor.repository.js";
import { type Client, clientFor } from "./support/auth.js";
import { type Mailbox, startMailbox, TestClock, until } from "./support/messaging.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient } from "./support/network.js";
import { testDatabase } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;
let officer: Client;
let staff: Client;
let mailbox: Mailbox;
const clock = new TestClock();
const PUBLIC_URL = "https://rounds.example.test";

beforeAll(async () => {
  mailbox = await startMailbox();
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ROUNDS_SEED_DEMO: "false",
    SMTP_URL: mailbox.url,
    ROUNDS_PUBLIC_URL: PUBLIC_URL,
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
  await mailbox?.close();
});

type Overview = {
  refusalsByAccount: Array<{ userId: string; count: number }>;
  breakGlassOverdue: Array<{ id: string }>;
  alerts: Array<{
    id: string;
    kind: string;
    subject: string;
    status: string;
    detail: Record<string, unknown>;
  }>;
  resolvedAlerts: Array<{ id: string; resolutionNote: string | null; acknowledgeNote: string | null }>;
  scopeChanges: Array<{ userId: string; locationIds: string[] | null; previousLocationIds: string[] | null }>;
  auditChain: { ok: boolean; checked: number; upToDate: boolean };
  locations: Array<{ locationId: string; events: number; status: string; lastVerifiedAt: string | null }>;
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

  it("a break-the-glass access nobody reviewed within a day raises an alert once; acknowledged it stays, resolved it moves to the resolved list", async () => {
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
      payload: { note: "Asked the desk for the patient's chart and the reason" },
    });
    expect(ack.statusCode, ack.body).toBe(200);
    // acknowledged, it stays on the list until someone resolves it
    expect((await overview()).alerts.find((a) => a.id === alert.id)?.status).toBe("acknowledged");
    const unexplained = await officer.inject({
      method: "POST",
      url: `/api/v1/analytics/compliance/alerts/${alert.id}/resolve`,
      payload: { note: "  " },
    });
    expect(unexplained.statusCode).toBe(400);
    expect(unexplained.json().errors[0].field).toBe("body.note");
    const resolved = await officer.inject({
      method: "POST",
      url: `/api/v1/analytics/compliance/alerts/${alert.id}/resolve`,
      payload: { note: "Access justified: patient collapsed in the lobby" },
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    const after = await overview();
    expect(after.alerts.map((a) => a.id)).not.toContain(alert.id);
    expect(after.resolvedAlerts.find((a) => a.id === alert.id)).toMatchObject({
      acknowledgeNote: "Asked the desk for the patient's chart and the reason",
      resolutionNote: "Access justified: patient collapsed in the lobby",
    });
    const twice = await officer.inject({
      method: "POST",
      url: `/api/v1/analytics/compliance/alerts/${alert.id}/resolve`,
      payload: { note: "again" },
    });
    expect(twice.statusCode).toBe(404);
    const trail = await sql<{ action: string; note: string }>`
      SELECT action, detail->>'note' AS note FROM audit_events
      WHERE resource_id = ${alert.id} AND action LIKE 'compliance.alert.%' ORDER BY seq`.execute(
      rounds.database.db,
    );
    expect(trail.rows).toEqual([
      {
        action: "compliance.alert.acknowledge",
        note: "Asked the desk for the patient's chart and the reason",
      },
      { action: "compliance.alert.resolve", note: "Access justified: patient collapsed in the lobby" },
    ]);
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

  it("the audit chain's status is shown for every location, with its verified events", async () => {
    const o = await overview();
    const main = o.locations.find((l) => l.locationId === net.main.id);
    expect(main).toMatchObject({ status: o.auditChain.ok ? "intact" : "broken" });
    expect(main!.lastVerifiedAt).not.toBeNull();
    expect(o.auditChain.upToDate).toBe(true);
  });

  it("a check verifies only the events recorded since the last one", async () => {
    await rounds.quality.compliance.evaluate();
    await rounds.database.db.transaction().execute(async (tx) => {
      const before = await monitorRepository.status(tx);
      for (let i = 0; i < 3; i++)
        await auditService.record(
          tx,
          { userId: null, role: "test", requestId: null, clientAddress: null },
          { action: "test.probe", resourceType: "probe", locationId: net.satellite.id },
        );
      const first = await advanceMonitor(tx, new Date());
      expect(first.status.events - before.events).toBe(3);
      const second = await advanceMonitor(tx, new Date());
      expect(second.status.events).toBe(first.status.events);
      expect(second.breaks).toEqual([]);
    });
  });

  it("an event forged at one location breaks that location's chain status, not the others'", async () => {
    await rounds.quality.compliance.evaluate();
    const rolledBack = new Error("rolled back: the shared trail is left as it was");
    const result = rounds.database.db.transaction().execute(async (tx) => {
      // written straight into the table, as someone without the audit key would: its hash cannot match
      const forged = randomUUID();
      await sql`
        INSERT INTO audit_events (id, chain, occurred_at, role, action, resource_type, location_id, outcome,
          detail, flagged, prev_hash, hash_alg, hash)
        VALUES (${forged}, 40, now(), 'admin', 'patient.read', 'patient', ${net.main.id}, 'success', '{}', false,
          ${"0".repeat(64)}, 'hmac-sha256', ${"ab".repeat(32)})`.execute(tx);
      const walked = await advanceMonitor(tx, new Date());
      expect(walked.breaks).toEqual([
        expect.objectContaining({
          chain: 40,
          id: forged,
          locationId: net.main.id,
          reason: expect.stringMatching(/altered/),
        }),
      ]);
      const counted = new Map(
        (await monitorRepository.locations(tx, [net.main.id, net.satellite.id])).map((r) => [
          r.location_id,
          r,
        ]),
      );
      expect(counted.get(net.main.id)?.break_reason).toMatch(/altered/);
      expect(counted.get(net.satellite.id)?.break_reason ?? null).toBeNull();
      // the break is at an event of a location: the trail-wide status names none
      expect((await monitorRepository.status(tx)).break_reason).toBeNull();
      throw rolledBack;
    });
    await expect(result).rejects.toBe(rolledBack);
  });

  it("an event verified before that no longer has the hash it had is reported again at its place", async () => {
    await rounds.quality.compliance.evaluate();
    const rolledBack = new Error("rolled back");
    const result = rounds.database.db.transaction().execute(async (tx) => {
      // the same as the event being re-hashed after the check: the cursor remembers another hash
      const { rows } = await sql<{ chain: number; seq: number }>`
        UPDATE compliance_audit_cursor SET hash = ${"cd".repeat(32)}
        WHERE chain = (SELECT min(chain) FROM compliance_audit_cursor) RETURNING chain, seq::int AS seq`.execute(
        tx,
      );
      const walked = await advanceMonitor(tx, new Date());
      expect(walked.breaks).toContainEqual(
        expect.objectContaining({
          chain: rows[0]!.chain,
          seq: rows[0]!.seq,
          reason: expect.stringMatching(/changed after it was verified/),
        }),
      );
      throw rolledBack;
    });
    await expect(result).rejects.toBe(rolledBack);
  });

  it("a new alert reaches every compliance officer and opted-in administrators by email and in the app, with counts and a link only", async () => {
    const second = await clientFor(rounds, "compliance");
    const optedIn = await clientFor(rounds, "admin", { locationIds: [] });
    const optedOut = await clientFor(rounds, "admin", { locationIds: [] });
    const sub = await optedIn.inject({
      method: "PUT",
      url: "/api/v1/analytics/compliance/subscription",
      payload: { subscribed: true, language: "es" },
    });
    expect(sub.json()).toEqual({ subscribed: true, language: "es", required: false });
    // an officer cannot opt out
    const out = await second.inject({
      method: "PUT",
      url: "/api/v1/analytics/compliance/subscription",
      payload: { subscribed: false, language: "en" },
    });
    expect(out.json()).toMatchObject({ subscribed: true, required: true });

    const noisy = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
    for (let i = 0; i < 3; i++) {
      const res = await noisy.inject({
        url: `/api/v1/surveys/results?locationId=${net.main.id}&from=2020-01-01T00:00:00Z&to=2020-06-01T00:00:00Z`,
      });
      expect(res.statusCode).toBe(404);
    }
    const raised = await rounds.quality.compliance.evaluate();
    expect(raised.filter((a) => a.detail.userId === noisy.user.userId)).toHaveLength(1);

    const english = await until(() => mailbox.to(second.user.email)[0], "the officer's email");
    expect(english.subject).toMatch(/^Compliance alert: \d+ new/);
    expect(english.text).toContain(`${PUBLIC_URL}/admin/audit/monitoring`);
    expect(english.text).toMatch(/accounts refused access too often: 1/);
    const spanish = await until(
      () => mailbox.to(optedIn.user.email)[0],
      "the opted-in administrator's email",
    );
    expect(spanish.subject).toMatch(/^Alerta de cumplimiento/);
    for (const mail of [english, spanish])
      expect(`${mail.text}${mail.html || ""}`).not.toContain(noisy.user.userId);
    const queued = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM notification_staff_jobs WHERE user_id = ${optedOut.user.userId}`.execute(
      rounds.database.db,
    );
    expect(queued.rows[0]!.n).toBe(0);

    const inbox = await until(async () => {
      const res = await second.inject({ url: "/api/v1/staff-notifications" });
      const items = (res.json() as { items: Array<{ title: string; link: string }> }).items;
      return items.length ? items : undefined;
    }, "the officer's in-app message");
    expect(inbox[0]).toMatchObject({ link: `${PUBLIC_URL}/admin/audit/monitoring` });
    expect(inbox[0]!.title).toMatch(/^Compliance alert/);
  });
});
