import { sql } from "kysely";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { clientFor } from "./support/auth.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, type OptionDto } from "./support/network.js";
import { startRounds } from "./support/rounds.js";

let rounds: Rounds;
let net: ClinicNetwork;

interface SuggestionsDto {
  suggestions: { option: OptionDto & { telehealth: boolean }; reasons: { code: string; text: string }[] }[];
  language: string;
}

const suggestions = (patientId: string, query: string, client = net.admin) =>
  client.inject({
    url: `/api/v1/availability/suggestions?appointmentTypeId=${net.appointmentTypeId}&patientId=${patientId}&${query}`,
  });
const week = () => `from=${encodeURIComponent(net.at("00:00"))}&to=${encodeURIComponent(net.at("23:59", 4))}`;
const day = () => `from=${encodeURIComponent(net.at("00:00"))}&to=${encodeURIComponent(net.at("23:59"))}`;

/** Completed visits of the patient at a location, at a New York wall-clock time, some weeks ago. */
async function pastVisits(patientId: string, locationId: string, localTime: string, n: number) {
  const today = Temporal.Now.plainDateISO("America/New_York");
  for (let i = 1; i <= n; i++) {
    const start = new Date(
      Temporal.PlainDateTime.from(`${today.subtract({ days: 7 * i }).toString()}T${localTime}`)
        .toZonedDateTime("America/New_York")
        .toInstant().epochMilliseconds,
    );
    await sql`INSERT INTO appointments (patient_id, physician_id, location_id, appointment_type_id, starts_at, ends_at, status)
      VALUES (${patientId}, ${net.physicianId}, ${locationId}, ${net.appointmentTypeId}, ${start},
        ${new Date(start.getTime() + 30 * 60_000)}, 'completed')`.execute(rounds.database.db);
  }
}

beforeAll(async () => {
  // no background jobs: the no-show trainer would otherwise train a model mid-file from whatever
  // visits other files left on this database
  rounds = await startRounds({ ROUNDS_NOTIFICATIONS_WORKER: "false" });
  net = await buildClinicNetwork(rounds);
}, 120_000);
afterAll(() => rounds.close());

describe("suggested for you", () => {
  it("a patient who usually goes to the satellite in the afternoon is told so, in Spanish, first", async () => {
    const patientId = await createPatient(net.admin, { preferredLanguage: "es" });
    await pastVisits(patientId, net.satellite.id, "14:00", 3);
    const res = await suggestions(patientId, `${week()}&count=3`);
    expect(res.statusCode).toBe(200);
    const body = res.json() as SuggestionsDto;
    expect(body.language).toBe("es");
    expect(body.suggestions.length).toBe(3);
    const first = body.suggestions[0]!;
    expect(first.option.locationId).toBe(net.satellite.id);
    expect(first.reasons.map((r) => r.code)).toEqual(
      expect.arrayContaining(["your_physician", "usual_location", "usual_time"]),
    );
    expect(first.reasons.map((r) => r.text)).toContain("donde suele ir");
    // the few differ: never two of the same physician, place and day
    const keys = body.suggestions.map((s) => `${s.option.locationId}|${s.option.local.date}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("every suggestion is an option the search offers, and can be held by its id", async () => {
    const patientId = await createPatient(net.admin);
    const res = await suggestions(patientId, `${week()}&count=5`);
    const body = res.json() as SuggestionsDto;
    expect(body.suggestions.length).toBeGreaterThan(0);
    const search = await net.admin.inject({
      url: `/api/v1/availability?appointmentTypeId=${net.appointmentTypeId}&patientId=${patientId}&${week()}&limit=200`,
    });
    const offered = new Set(
      (search.json() as { options: OptionDto[] }).options.map(
        (o) => `${o.physicianId}|${o.locationId}|${o.start}`,
      ),
    );
    for (const s of body.suggestions) {
      expect(offered.has(`${s.option.physicianId}|${s.option.locationId}|${s.option.start}`)).toBe(true);
      expect(s.reasons.length).toBeGreaterThan(0);
    }
    const held = await net.admin.inject({
      method: "POST",
      url: "/api/v1/holds",
      payload: { optionId: body.suggestions[0]!.option.id, patientId },
    });
    expect(held.statusCode).toBe(201);
  });

  it("a time next to the physician's other booking is suggested for filling the gap", async () => {
    const other = await createPatient(net.admin);
    const search = await net.admin.inject({
      url: `/api/v1/availability?appointmentTypeId=${net.appointmentTypeId}&physicianId=${net.physicianId}&locationIds=${net.main.id}&${day()}&limit=200`,
    });
    const nine = (search.json() as { options: OptionDto[] }).options.find((o) => o.local.time === "09:00")!;
    const booked = await net.admin.inject({
      method: "POST",
      url: "/api/v1/appointments",
      payload: { optionId: nine.id, patientId: other },
    });
    expect(booked.statusCode).toBe(201);
    const patientId = await createPatient(net.admin);
    // without a no-show model (another file on this database may have trained one, and its risks
    // would weigh in too), the day's one suggestion here is the time next to the booking
    await sql`DELETE FROM noshow_models`.execute(rounds.database.db);
    const res = await suggestions(patientId, `locationIds=${net.main.id}&${day()}`);
    const first = (res.json() as SuggestionsDto).suggestions[0]!;
    expect(first.reasons.map((r) => r.code)).toContain("fills_gap");
    expect(first.option.end === nine.start || first.option.start === nine.end).toBe(true);
  });

  it("a patient cannot ask for suggestions for someone else; the refusal names the field", async () => {
    const mine = await createPatient(net.admin);
    const theirs = await createPatient(net.admin);
    const patient = await clientFor(rounds, "patient", { patientId: mine });
    expect((await suggestions(mine, week(), patient)).statusCode).toBe(200);
    const refused = await suggestions(theirs, week(), patient);
    expect(refused.statusCode).toBe(404);
    expect(JSON.stringify(refused.json())).toContain("query.patientId");
  });

  it("a request without a patient, or asking for too many, is refused naming the field", async () => {
    const none = await net.admin.inject({
      url: `/api/v1/availability/suggestions?appointmentTypeId=${net.appointmentTypeId}&${week()}`,
    });
    expect(none.statusCode).toBe(400);
    expect(JSON.stringify(none.json())).toContain("patientId");
    const many = await suggestions(net.patientId, `${week()}&count=9`);
    expect(many.statusCode).toBe(400);
    expect(JSON.stringify(many.json())).toContain("count");
  });

  it("asking for suggestions for a patient is recorded in the audit trail", async () => {
    const patientId = await createPatient(net.admin);
    await suggestions(patientId, week());
    const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events
      WHERE action = 'availability.suggest' AND resource_id = ${patientId}`.execute(rounds.database.db);
    expect(rows.rows[0]!.n).toBe(1);
  });
});
