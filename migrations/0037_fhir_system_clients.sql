-- Owner: integrations/fhir (system clients). Machines that call the FHIR API on their own behalf
-- (SMART backend services): registered by an administrator with the scopes they may ask for and
-- the locations whose staff rights they act with; they authenticate with a client secret (kept
-- only as its SHA-256) or a signed JWT checked against the public key registered here, and receive
-- short-lived bearer tokens (also kept only as hashes).
CREATE TABLE fhir_clients (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CONSTRAINT fhir_clients_name_length CHECK (char_length(name) BETWEEN 2 AND 120),
  auth_method text NOT NULL
    CONSTRAINT fhir_clients_auth_method_known CHECK (auth_method IN ('client_secret', 'private_key_jwt')),
  secret_hash text,
  public_jwk jsonb,
  scopes text[] NOT NULL CONSTRAINT fhir_clients_scopes_some CHECK (cardinality(scopes) BETWEEN 1 AND 20),
  active boolean NOT NULL DEFAULT true,
  created_by uuid NOT NULL CONSTRAINT fhir_clients_created_by_fk REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- each way of signing in has exactly the credential it checks
  CONSTRAINT fhir_clients_credential CHECK (
    (auth_method = 'client_secret' AND secret_hash IS NOT NULL AND public_jwk IS NULL)
    OR (auth_method = 'private_key_jwt' AND public_jwk IS NOT NULL AND secret_hash IS NULL))
);

CREATE TABLE fhir_client_locations (
  client_id uuid NOT NULL CONSTRAINT fhir_client_locations_client_fk REFERENCES fhir_clients (id) ON DELETE CASCADE,
  location_id uuid NOT NULL CONSTRAINT fhir_client_locations_location_fk REFERENCES locations (id),
  PRIMARY KEY (client_id, location_id)
);

CREATE TABLE fhir_client_tokens (
  token_hash text PRIMARY KEY,
  id uuid NOT NULL DEFAULT gen_random_uuid() CONSTRAINT fhir_client_tokens_id_key UNIQUE,
  client_id uuid NOT NULL CONSTRAINT fhir_client_tokens_client_fk REFERENCES fhir_clients (id) ON DELETE CASCADE,
  scopes text[] NOT NULL,
  issued_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  CONSTRAINT fhir_client_tokens_short_lived CHECK (expires_at > issued_at AND expires_at <= issued_at + interval '1 hour')
);
CREATE INDEX fhir_client_tokens_client_idx ON fhir_client_tokens (client_id, expires_at);

-- A signed client assertion is good once: its jti is kept until it would have expired anyway.
CREATE TABLE fhir_client_assertions (
  client_id uuid NOT NULL CONSTRAINT fhir_client_assertions_client_fk REFERENCES fhir_clients (id) ON DELETE CASCADE,
  jti text NOT NULL CONSTRAINT fhir_client_assertions_jti_length CHECK (char_length(jti) BETWEEN 1 AND 200),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (client_id, jti)
);
