/**
 * Statements prepared once per connection on PostgreSQL must not break when a migration adds a
 * column while a server keeps running (a rolling deploy). Runs when DATABASE_URL points at
 * PostgreSQL; one connection, so every statement surely meets its prepared self again.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/platform/config.js";
import { createRounds, type Rounds } from "../src/server.js";
import { type FreshDatabase, freshDatabase } from "./support/databases.js";
import { buildClinicNetwork, createPatient, optionsOn } from "./support/network.js";

const onPostgres = Boolean(process.env.DATABASE_URL);

describe.skipIf(!onPostgres)("prepared statements on PostgreSQL", () => {
  let fresh: FreshDatabase;
  let rounds: Rounds;

  beforeAll(async () => {
    fresh = await freshDatabase({ migrated: true, poolSize: 1 });
    const config = loadConfig({ ...process.env, LOG_LEVEL: "silent", ROUNDS_SEED_DEMO: "false" });
    rounds = await createRounds(config, { database: fresh.database });
  }, 60_000);
  afterAll(async () => {
    await rounds?.close();
    await fresh?.drop();
  });

  it("reading, searching and booking go on working after a column is added under the running server", async () => {
    const net = await buildClinicNetwork(rounds);
    const use = async () => {
      const patient = await net.admin.inject({ url: `/api/v1/patients/${net.patientId}` });
      expect(patient.statusCode).toBe(200);
      const options = await optionsOn(net, net.admin);
      const booked = await net.admin.inject({
        method: "POST",
        url: "/api/v1/appointments",
        payload: { optionId: options[0]!.id, patientId: await createPatient(net.admin) },
      });
      expect(booked.statusCode).toBe(201);
      const again = await net.admin.inject({ url: `/api/v1/appointments/${booked.json().id}` });
      expect(again.statusCode).toBe(200);
    };
    await use();
    await use();
    for (const table of ["patients", "appointments", "physicians", "appointment_types", "audit_events"])
      await sql`ALTER TABLE ${sql.table(table)} ADD COLUMN added_later text`.execute(rounds.database.db);
    await use();
  });
});
