/** The system clients' tables: the clients, their locations, their tokens and used assertions. SQL only. */
import { type Generated, type Insertable, type Selectable, sql } from "kysely";
import type { Executor } from "../../../platform/db.js";

// A type alias (not an interface) so Kysely can index it.
export type FhirClientTables = {
  fhir_clients: {
    id: Generated<string>;
    name: string;
    auth_method: string;
    secret_hash: string | null;
    public_jwk: Record<string, unknown> | null;
    scopes: string[];
    active: Generated<boolean>;
    /** Bound to no location: staff rights at every location of the network. */
    network_wide: Generated<boolean>;
    /** tls_client_auth: what the client certificate must carry (its subject DN, or a SAN of a kind). */
    tls_subject_kind: string | null;
    tls_subject: string | null;
    created_by: string;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  fhir_client_locations: { client_id: string; location_id: string };
  fhir_client_tokens: {
    token_hash: string;
    id: Generated<string>;
    client_id: string;
    scopes: string[];
    issued_at: Date;
    expires_at: Date;
    /** The certificate the token is bound to (RFC 8705 cnf.x5t#S256); null: a bearer token. */
    cnf_x5t_s256: string | null;
  };
  fhir_client_assertions: { client_id: string; jti: string; expires_at: Date };
};

export type FhirClientRow = Selectable<FhirClientTables["fhir_clients"]>;
export type NewFhirClientRow = Insertable<FhirClientTables["fhir_clients"]>;

const q = (db: Executor) => db.withTables<FhirClientTables>();

export const fhirClientRepository = {
  insert(db: Executor, row: NewFhirClientRow): Promise<FhirClientRow> {
    return q(db)
      .insertInto("fhir_clients")
      .values({ ...row, public_jwk: row.public_jwk ? sql`${JSON.stringify(row.public_jwk)}::jsonb` : null })
      .returningAll()
      .executeTakeFirstOrThrow();
  },
  get(db: Executor, id: string): Promise<FhirClientRow | undefined> {
    return q(db).selectFrom("fhir_clients").selectAll().where("id", "=", id).executeTakeFirst();
  },
  list(db: Executor): Promise<FhirClientRow[]> {
    return q(db).selectFrom("fhir_clients").selectAll().orderBy("created_at", "desc").orderBy("id").execute();
  },
  update(
    db: Executor,
    id: string,
    set: {
      name?: string;
      active?: boolean;
      scopes?: string[];
      network_wide?: boolean;
      auth_method?: string;
      secret_hash?: null;
      public_jwk?: null;
      tls_subject_kind?: string;
      tls_subject?: string;
    },
  ): Promise<FhirClientRow | undefined> {
    return q(db)
      .updateTable("fhir_clients")
      .set({ ...set, updated_at: sql<Date>`now()` })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
  },
  async locationsOf(db: Executor, clientId: string): Promise<string[]> {
    const rows = await q(db)
      .selectFrom("fhir_client_locations")
      .select("location_id")
      .where("client_id", "=", clientId)
      .orderBy("location_id")
      .execute();
    return rows.map((r) => r.location_id);
  },
  async setLocations(db: Executor, clientId: string, locationIds: readonly string[]): Promise<void> {
    await q(db).deleteFrom("fhir_client_locations").where("client_id", "=", clientId).execute();
    const distinct = [...new Set(locationIds)];
    if (distinct.length)
      await q(db)
        .insertInto("fhir_client_locations")
        .values(distinct.map((location_id) => ({ client_id: clientId, location_id })))
        .execute();
  },
  async insertToken(db: Executor, row: Insertable<FhirClientTables["fhir_client_tokens"]>): Promise<string> {
    const { id } = await q(db)
      .insertInto("fhir_client_tokens")
      .values(row)
      .returning("id")
      .executeTakeFirstOrThrow();
    return id;
  },
  /** The live token with this hash and its (active) client. */
  tokenByHash(db: Executor, tokenHash: string, now: Date) {
    return q(db)
      .selectFrom("fhir_client_tokens as t")
      .innerJoin("fhir_clients as c", "c.id", "t.client_id")
      .select(["t.id", "t.client_id", "t.scopes", "t.cnf_x5t_s256", "c.name", "c.network_wide"])
      .where("t.token_hash", "=", tokenHash)
      .where("t.expires_at", ">", now)
      .where("c.active", "=", true)
      .executeTakeFirst();
  },
  async revokeTokens(db: Executor, clientId: string): Promise<void> {
    await q(db).deleteFrom("fhir_client_tokens").where("client_id", "=", clientId).execute();
  },
  /** Records an assertion's jti; false when it was used before (a replay). */
  async claimAssertion(db: Executor, clientId: string, jti: string, expiresAt: Date, now: Date) {
    await q(db).deleteFrom("fhir_client_assertions").where("expires_at", "<", now).execute();
    const row = await q(db)
      .insertInto("fhir_client_assertions")
      .values({ client_id: clientId, jti, expires_at: expiresAt })
      .onConflict((oc) => oc.doNothing())
      .returning("jti")
      .executeTakeFirst();
    return row !== undefined;
  },
  async pruneTokens(db: Executor, now: Date): Promise<void> {
    await q(db).deleteFrom("fhir_client_tokens").where("expires_at", "<", now).execute();
  },
};
