/**
 * Read scaling (ROUNDS_READ_DATABASE_URL): searches and reports read from the replica's pool,
 * everything that writes and every booking check stays on the primary. The "replica" here is a
 * second, read-only pool on the same database, which is all the seam can tell apart: its
 * statements are counted (`rounds_read_replica_queries_total`), and a write sent to it would fail.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/platform/config.js";
import { createRounds, type Rounds } from "../src/server.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { testDatabase } from "./support/rounds.js";

const onPostgres = Boolean(process.env.DATABASE_URL);

describe.skipIf(!onPostgres)("searches and reports on a read replica", () => {
  let rounds: Rounds;
  let net: ClinicNetwork;

  beforeAll(async () => {
    const config = loadConfig({
      ...process.env,
      LOG_LEVEL: "silent",
      ROUNDS_SEED_DEMO: "false",
      ROUNDS_READ_DATABASE_URL: process.env.DATABASE_URL,
    });
    rounds = await createRounds(config, { database: await testDatabase() });
    net = await buildClinicNetwork(rounds);
  }, 60_000);
  afterAll(async () => {
    await rounds?.close();
  });

  /** What an operator scrapes: statements run on the replica so far, and its lag. */
  const replica = async () => {
    const text = (await rounds.app.inject({ url: "/metrics" })).body;
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
    return {
      queries: value("rounds_read_replica_queries_total"),
      lag: value("rounds_read_replica_lag_seconds"),
    };
  };

  it("a search reads the replica, and booking its option never does", async () => {
    const before = await replica();
    expect(before.lag).toBe(0);
    const options = await optionsOn(net, net.admin, 1);
    expect(options.length).toBeGreaterThan(0);
    const afterSearch = await replica();
    expect(afterSearch.queries).toBeGreaterThan(before.queries);

    const patientId = await createPatient(net.admin);
    const booked = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: options[0]!.id, patientId },
    });
    expect(booked.statusCode).toBe(201);
    const cancelled = await net.admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${booked.json().id}/cancel`,
      payload: { reason: "patient called" },
    });
    expect(cancelled.statusCode).toBe(200);
    expect((await replica()).queries).toBe(afterSearch.queries);
  });

  it("a report's rows come from the replica, its audit event from the primary", async () => {
    const before = await replica();
    const day = new Date().toISOString().slice(0, 10);
    const res = await net.admin.inject({
      url: `/api/v1/analytics/reports/utilisation?from=${day}&to=${day}`,
    });
    expect(res.statusCode).toBe(200);
    expect((await replica()).queries).toBeGreaterThan(before.queries);
  });
});
