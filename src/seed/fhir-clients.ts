/**
 * Demo system clients of the FHIR API, so the token flow can be tried against `npm start` with
 * the README's curl example: the main campus's booking portal, with a client secret known to the
 * demo (a real deployment's secrets are generated and shown once); and its radiology gateway, which
 * signs in with a TLS client certificate (RFC 8705) once the server asks for them
 * (ROUNDS_TLS_CLIENT_CA; README.md, "Encrypted transport"). Written after the demo users.
 */
import { createHash } from "node:crypto";
import { sql } from "kysely";
import type { Executor } from "../platform/db.js";
import { DEMO_EMAIL_DOMAIN } from "./users.js";

export const DEMO_FHIR_CLIENT_ID = "5a1e0000-f41c-4c11-8e17-000000000001";
export const DEMO_FHIR_CLIENT_SECRET = "rounds-demo-fhir-client-secret";
export const DEMO_MTLS_CLIENT_ID = "5a1e0000-f41c-4c11-8e17-000000000002";
/** The subject DN the radiology gateway's certificate must carry. */
export const DEMO_MTLS_SUBJECT = "CN=radiology-gateway,O=Rounds Demo";

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
  await sql`
    INSERT INTO fhir_clients (id, name, auth_method, tls_subject_kind, tls_subject, scopes, created_by)
    VALUES (${DEMO_MTLS_CLIENT_ID}, 'Main campus radiology gateway (demo, mutual TLS)', 'tls_client_auth',
      'subject_dn', ${DEMO_MTLS_SUBJECT}, ${sql.val(["system/Appointment.read", "system/Slot.read"])}::text[],
      ${owner.id})`.execute(db);
  await sql`
    INSERT INTO fhir_client_locations (client_id, location_id)
    VALUES (${DEMO_FHIR_CLIENT_ID}, ${owner.location_id}), (${DEMO_MTLS_CLIENT_ID}, ${owner.location_id})`.execute(
    db,
  );
  return 2;
}
