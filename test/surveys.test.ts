/**
 * Satisfaction surveys: a completed visit brings the patient a message whose link answers the
 * survey once, without signing in; results per location and physician for the people allowed to
 * see them, with averages checked against hand-computed figures.
 */
import { createHash, randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { createSurveys } from "../src/services/analytics/quality/surveys.js";
import { type Client, clientFor } from "./support/auth.js";
import { type OwnDatabase, ownDatabase, startRoundsWith, TestClock, until } from "./support/messaging.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";

let rounds: Rounds;
let own: OwnDatabase;
let net: ClinicNetwork;
const LINK = /\/survey\/([A-Za-z0-9_-]{43})/;
const YEAR = { from: "2020-01-01T00:00:00Z", to: "2020-12-31T00:00:00Z" };

beforeAll(async () => {
  own = await ownDatabase();
  rounds = await startRoundsWith({ ROUNDS_PUBLIC_URL: "https://rounds.example.test" }, undefined, own);
  net = await buildClinicNetwork(rounds);
});
afterAll(async () => {
  await rounds?.close();
  await own?.drop();
});

const visit = (over: { locationId: string; physicianId: string; start: string }) => ({
  appointmentId: randomUUID(),
  patientId: randomUUID(),
  status: "completed",
  ...over,
  start: new Date(over.start),
});

/** A survey answered through its link with this rating (a visit of the given place and day). */
async function answered(
  where: { locationId: string; physicianId: string; start: string },
  rating: number,
  comment?: string,
) {
  const link = await rounds.quality.surveys.issueLink(visit(where), "email");
  const res = await rounds.app.inject({
    method: "POST",
    url: `/api/v1/surveys/links/${link!.token}/answer`,
    payload: { rating, ...(comment ? { comment } : {}) },
  });
  expect(res.statusCode, res.body).toBe(200);
}

describe("the survey after a visit", () => {
  it("a completed visit brings an in-app message whose link answers the survey once, and the token is stored only as its hash", async () => {
    const option = (await optionsOn(net, net.admin)).find((o) => o.locationId === net.main.id)!;
    const patientId = await createPatient(net.admin);
    const booked = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: option.id, patientId },
    });
    expect(booked.statusCode, booked.body).toBe(201);
    const id = booked.json().id as string;
    for (const status of ["checked_in", "in_progress", "completed"]) {
      const res = await net.admin.inject({
        method: "POST",
        url: `/api/v1/appointments/${id}/status`,
        payload: { status },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    const message = await until(
      async () => {
        const res = await net.admin.inject({ url: `/api/v1/notifications?patientId=${patientId}` });
        return (res.json().items as Array<{ kind: string; body: string; title: string }>).find(
          (m) => m.kind === "survey",
        );
      },
      "the survey message",
      30_000,
    );
    expect(message.title).toMatch(/How was your visit/);
    const token = LINK.exec(message.body)?.[1];
    expect(token).toBeDefined();

    const shown = await rounds.app.inject({ url: `/api/v1/surveys/links/${token}` });
    expect(shown.statusCode).toBe(200);
    expect(shown.json().state).toBe("open");
    // nothing that names the patient, the visit or the people in it
    expect(Object.keys(shown.json()).sort()).toEqual(["expiresAt", "state", "visitDate"]);

    const first = await rounds.app.inject({
      method: "POST",
      url: `/api/v1/surveys/links/${token}/answer`,
      payload: { rating: 4, comment: "Kind and on time" },
    });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().state).toBe("answered");
    const again = await rounds.app.inject({
      method: "POST",
      url: `/api/v1/surveys/links/${token}/answer`,
      payload: { rating: 1, comment: "changed my mind" },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("survey_answered");

    const results = await net.admin.inject({
      url: `/api/v1/surveys/results?physicianId=${net.physicianId}&from=${net.at("00:00", -7)}&to=${net.at("23:59", 7)}`,
    });
    expect(results.statusCode, results.body).toBe(200);
    expect(results.json().overall).toEqual({ count: 1, average: 4, distribution: [0, 0, 0, 1, 0] });
    expect(results.json().comments.map((c: { comment: string }) => c.comment)).toEqual(["Kind and on time"]);

    const hash = createHash("sha256").update(token!).digest();
    const stored = await sql<{ n: number | string }>`
      SELECT count(*) AS n FROM satisfaction_survey_links WHERE token_hash = ${hash}`.execute(
      rounds.database.db,
    );
    expect(Number(stored.rows[0]!.n)).toBe(1);
    const plain = await sql<{ n: number | string }>`
      SELECT count(*) AS n FROM satisfaction_survey_links l JOIN satisfaction_surveys s ON s.id = l.survey_id
      WHERE position(${token!} in l.token_hash::text || coalesce(s.comment, '')) > 0`.execute(
      rounds.database.db,
    );
    expect(Number(plain.rows[0]!.n)).toBe(0);
  });

  it("a link past its expiry says the survey has closed and takes no answer", async () => {
    const clock = new TestClock();
    const surveys = createSurveys({
      db: rounds.database.db,
      clock,
      policies: rounds.policies,
      specialtiesOf: async () => [],
    });
    const where = {
      locationId: net.satellite.id,
      physicianId: net.physicianId,
      start: "2020-03-02T15:00:00Z",
    };
    const seen = visit(where);
    const link = await surveys.issueLink(seen, "email");
    clock.set(Date.now() + 15 * 86_400_000);
    await expect(surveys.answer(link!.token, { rating: 5 })).rejects.toMatchObject({
      status: 410,
      code: "survey_expired",
    });
    expect((await surveys.byToken(link!.token)).state).toBe("expired");
    // and no new link is issued for a closed survey
    expect(await surveys.issueLink(seen, "email")).toBeUndefined();
    const res = await net.admin.inject({
      url: `/api/v1/surveys/results?locationId=${net.satellite.id}&from=${YEAR.from}&to=${YEAR.to}`,
    });
    expect(res.json().overall.count).toBe(0);
  });

  it("an unknown link is not found, and a rating outside 1-5 is refused naming the field", async () => {
    const unknown = await rounds.app.inject({ url: `/api/v1/surveys/links/${"A".repeat(43)}` });
    expect(unknown.statusCode).toBe(404);
    const link = await rounds.quality.surveys.issueLink(
      visit({ locationId: net.main.id, physicianId: net.physicianId, start: "2019-06-01T12:00:00Z" }),
      "in_app",
    );
    const bad = await rounds.app.inject({
      method: "POST",
      url: `/api/v1/surveys/links/${link!.token}/answer`,
      payload: { rating: 6 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe("body.rating");
    expect((await rounds.quality.surveys.byToken(link!.token)).state).toBe("open");
  });
});

describe("survey results", () => {
  let other: ClinicNetwork;
  let staffMain: Client;
  let staffSatellite: Client;
  beforeAll(async () => {
    other = await buildClinicNetwork(rounds);
    const main = { locationId: net.main.id, physicianId: net.physicianId };
    // main campus: 5, 4, 2 → average 11/3 = 3.67; satellite: 3, 3 → 3; the other network's physician: 1
    await answered({ ...main, start: "2020-02-03T14:00:00Z" }, 5, "Excellent care");
    await answered({ ...main, start: "2020-02-04T14:00:00Z" }, 4);
    await answered({ ...main, start: "2020-02-05T14:00:00Z" }, 2, "Waited an hour");
    await answered(
      { locationId: net.satellite.id, physicianId: net.physicianId, start: "2020-02-06T18:00:00Z" },
      3,
    );
    await answered(
      { locationId: net.satellite.id, physicianId: net.physicianId, start: "2020-02-07T18:00:00Z" },
      3,
    );
    await answered(
      { locationId: net.main.id, physicianId: other.physicianId, start: "2020-02-07T15:00:00Z" },
      1,
    );
    // outside the period asked for
    await answered({ ...main, start: "2021-02-03T14:00:00Z" }, 1);
    staffMain = await clientFor(rounds, "location_staff", { locationIds: [net.main.id] });
    staffSatellite = await clientFor(rounds, "location_staff", { locationIds: [net.satellite.id] });
  });

  it("staff see their location's average, count, distribution and comments, per physician", async () => {
    const res = await staffMain.inject({
      url: `/api/v1/surveys/results?locationId=${net.main.id}&from=${YEAR.from}&to=${YEAR.to}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r.overall).toEqual({ count: 4, average: 3, distribution: [1, 1, 0, 1, 1] });
    const mine = r.byPhysician.find((p: { physicianId: string }) => p.physicianId === net.physicianId);
    expect(mine).toMatchObject({ count: 3, average: 3.67, distribution: [0, 1, 0, 1, 1] });
    expect(r.comments.map((c: { comment: string }) => c.comment).sort()).toEqual([
      "Excellent care",
      "Waited an hour",
    ]);
  });

  it("an administrator sees a physician's results per location", async () => {
    const res = await net.admin.inject({
      url: `/api/v1/surveys/results?physicianId=${net.physicianId}&from=${YEAR.from}&to=${YEAR.to}`,
    });
    expect(res.statusCode).toBe(200);
    const by = Object.fromEntries(
      res
        .json()
        .byLocation.map((l: { locationId: string; average: number; count: number }) => [
          l.locationId,
          [l.count, l.average],
        ]),
    );
    expect(by).toEqual({ [net.main.id]: [3, 3.67], [net.satellite.id]: [2, 3] });
    expect(res.json().overall.average).toBe(3.4);
  });

  it("staff of the satellite clinic cannot see the main campus's results, and the refusal is audited", async () => {
    const res = await staffSatellite.inject({
      url: `/api/v1/surveys/results?locationId=${net.main.id}&from=${YEAR.from}&to=${YEAR.to}`,
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().errors[0].field).toBe("query.locationId");
    const refused = await sql<{ n: number | string }>`
      SELECT count(*) AS n FROM audit_events
      WHERE action = 'access.refused' AND user_id = ${staffSatellite.user.userId} AND resource_id = ${net.main.id}`.execute(
      rounds.database.db,
    );
    expect(Number(refused.rows[0]!.n)).toBe(1);
  });

  it("a department head sees their department's physicians and not another department's", async () => {
    const department = await net.admin.inject({
      method: "POST",
      url: `/api/v1/locations/${net.main.id}/departments`,
      payload: { specialty: net.specialty, name: "Survey dept" },
    });
    expect(department.statusCode, department.body).toBe(201);
    const head = await clientFor(rounds, "department_head", { departmentIds: [department.json().id] });
    const own = await head.inject({
      url: `/api/v1/surveys/results?physicianId=${net.physicianId}&from=${YEAR.from}&to=${YEAR.to}`,
    });
    expect(own.statusCode).toBe(200);
    expect(own.json().overall.count).toBe(5);
    const elsewhere = await head.inject({
      url: `/api/v1/surveys/results?physicianId=${other.physicianId}&from=${YEAR.from}&to=${YEAR.to}`,
    });
    expect(elsewhere.statusCode).toBe(404);
    const byLocation = await head.inject({
      url: `/api/v1/surveys/results?locationId=${net.main.id}&from=${YEAR.from}&to=${YEAR.to}`,
    });
    expect(byLocation.statusCode).toBe(404);
  });

  it("patients cannot read results", async () => {
    const patient = await clientFor(rounds, "patient", { patientId: net.patientId });
    const res = await patient.inject({
      url: `/api/v1/surveys/results?locationId=${net.main.id}&from=${YEAR.from}&to=${YEAR.to}`,
    });
    expect(res.statusCode).toBe(403);
  });
});
