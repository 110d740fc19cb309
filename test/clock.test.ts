import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../src/platform/access.js";
import type { Clock } from "../src/platform/clock.js";
import { ProblemError } from "../src/platform/errors.js";
import { createPolicies, noScopeFacts } from "../src/platform/policy.js";
import type { Rounds } from "../src/server.js";
import { createLocations } from "../src/services/locations/index.js";
import { createPatients } from "../src/services/patients/index.js";
import { patientInput } from "../src/services/patients/schema.js";
import { asAdmin } from "./support/auth.js";
import { startRounds, unique } from "./support/rounds.js";

let rounds: Rounds;
let admin: Actor;
beforeAll(async () => {
  rounds = await startRounds();
  const user = await asAdmin(rounds);
  admin = {
    userId: user.userId,
    role: "admin",
    email: user.email,
    displayName: "Test admin",
    sessionId: "clock-test",
    patientId: null,
    patientIds: [],
    physicianId: null,
    locationIds: [],
    departmentIds: [],
    specialties: [],
    clientAddress: "127.0.0.1",
    requestId: "clock-test",
  };
});
afterAll(() => rounds.close());

/** The patients service as the composition root wires it, on a clock the test sets. */
function patientsAt(iso: string) {
  const clock: Clock = { now: () => new Date(iso) };
  const db = rounds.database.db;
  const policies = createPolicies({ facts: noScopeFacts });
  return createPatients({ db, clock, policies, locations: createLocations({ db, clock, policies }) });
}

/** A registration as the route would hand it over, after its schema filled in the defaults. */
const newborn = (birthDate: string) =>
  patientInput.parse({
    mrn: `MRN-${unique(10)}`,
    givenName: "Clara",
    familyName: `Clock${unique(6)}`,
    birthDate,
    sex: "female",
  });

describe("services read the clock they are given", () => {
  it("a birth date after the service's today is refused, naming the field", async () => {
    const err = await patientsAt("2001-03-01T12:00:00Z")
      .create(admin, newborn("2001-03-05"))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProblemError);
    expect((err as ProblemError).status).toBe(422);
    expect((err as ProblemError).errors.map((e) => e.field)).toEqual(["body.birthDate"]);
  });

  it("the same birth date is registered once the service's clock has reached it", async () => {
    const created = await patientsAt("2001-03-05T08:00:00Z").create(admin, newborn("2001-03-05"));
    expect(created.birthDate).toBe("2001-03-05");
  });
});
