/**
 * A demo system client of the FHIR API, so the token flow can be tried against `npm start` with
 * the README's curl example: the main campus's booking portal, with a client secret known to the
 * demo (a real deployment's secrets are generated and shown once). Written after the demo users.
 */
import { createHash } from "node:crypto";
import { sql } from "kysely";
import type { Executor } from "../platform/db.js";
import { DEMO_EMAIL_DOMAIN } from "./users.js";

export const DEMO_FHIR_CLIENT_ID = "5a1e0000-f41c-4c11-8e17-000000000001";
export const DEMO_FHIR_CLIENT_SECRET = "rounds-demo-fhir-client-secret";

export async function seedDemoFhirClients(db: Executor): Promise<number> {
  const owner = (
    await sql<{ id: string; location_id: string | null }>`
      SELECT a.id,
        (SELECT min(l.location_id::text)::uuid FROM user_locations l
          JOIN users s ON s.id = l.user_id WHERE s.email = ${`staff.main@${DEMO_EMAIL_DOMAIN}`}) AS location_id
      FROM users a WHERE a.email = ${`admin@${DEMO_EMAIL_DOMAIN}`}`.execute(db)
  ).rows[0];
  if (!owner?.location_id) return 0;
  await sql`
    INSERT INTO fhir_clients (id, name, auth_method, secret_hash, scopes, created_by)
    VALUES (${DEMO_FHIR_CLIENT_ID}, 'Main campus booking portal (demo)', 'client_secret',
      ${createHash("sha256").update(DEMO_FHIR_CLIENT_SECRET).digest("hex")},
      ${sql.val(["system/Appointment.read", "system/Appointment.write", "system/Patient.read", "system/Slot.read"])}::text[],
      ${owner.id})`.execute(db);
  await sql`INSERT INTO fhir_client_locations (client_id, location_id) VALUES (${DEMO_FHIR_CLIENT_ID}, ${owner.location_id})`.execute(
    db,
  );
  return 1;
}
