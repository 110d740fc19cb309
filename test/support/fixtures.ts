import type { Rounds } from "../../src/server.js";
import { asAdmin } from "./auth.js";
import { unique } from "./rounds.js";

/** Minimal valid inputs; tests override what they are about. */
export function locationBody(overrides: Record<string, unknown> = {}) {
  const code = `T${unique(8)}`;
  return {
    code,
    name: `Test Clinic ${code}`,
    kind: "satellite",
    addressLine: "1 Test Way",
    city: "Riverton",
    region: "NY",
    postalCode: "10001",
    latitude: 40.75,
    longitude: -73.99,
    timeZone: "America/New_York",
    ...overrides,
  };
}

export async function createLocation(rounds: Rounds, overrides: Record<string, unknown> = {}) {
  const admin = await asAdmin(rounds);
  const res = await rounds.app.inject({
    method: "POST",
    headers: admin.headers,
    url: "/api/v1/locations",
    payload: locationBody(overrides),
  });
  if (res.statusCode !== 201) throw new Error(`createLocation: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; code: string; name: string; timeZone: string };
}
