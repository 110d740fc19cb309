-- Owner: platform (auth, access, audit). Who may sign in, what they may reach, and the trail.
ALTER TABLE users
  ADD COLUMN patient_id uuid CONSTRAINT users_patient_fk REFERENCES patients (id),
  ADD COLUMN physician_id uuid CONSTRAINT users_physician_fk REFERENCES physicians (id),
  ADD CONSTRAINT users_patient_role CHECK ((role = 'patient') = (patient_id IS NOT NULL)),
  ADD CONSTRAINT users_physician_role CHECK ((role = 'physician') = (physician_id IS NOT NULL));
CREATE UNIQUE INDEX users_patient_key ON users (patient_id) WHERE patient_id IS NOT NULL;
CREATE UNIQUE INDEX users_physician_key ON users (physician_id) WHERE physician_id IS NOT NULL;

-- Location staff scope.
CREATE TABLE user_locations (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  location_id uuid NOT NULL CONSTRAINT user_locations_location_fk REFERENCES locations (id),
  PRIMARY KEY (user_id, location_id)
);

-- Department head scope.
CREATE TABLE user_departments (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  department_id uuid NOT NULL CONSTRAINT user_departments_department_fk REFERENCES departments (id),
  PRIMARY KEY (user_id, department_id)
);

-- Only a hash of the bearer token is stored: a database dump does not yield live sessions.
CREATE TABLE sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash text NOT NULL CONSTRAINT sessions_token_hash_key UNIQUE,
  user_id uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  client_address text,
  user_agent text
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Failed sign-ins per account and per client address, shared by every replica.
CREATE TABLE login_throttle (
  key text PRIMARY KEY,
  failures integer NOT NULL DEFAULT 0,
  window_started_at timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz
);

-- Break-the-glass: time-boxed access to one patient's record outside the normal scope.
CREATE TABLE break_glass_grants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id),
  patient_id uuid NOT NULL CONSTRAINT break_glass_patient_fk REFERENCES patients (id),
  reason text NOT NULL CONSTRAINT break_glass_reason_length CHECK (length(reason) >= 10),
  granted_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  reviewed_at timestamptz,
  reviewed_by uuid REFERENCES users (id),
  review_note text
);
CREATE INDEX break_glass_user_patient_idx ON break_glass_grants (user_id, patient_id, expires_at);

-- The audit trail. Append-only (see the triggers) and hash-chained: each event's hash covers its
-- content and the previous event's hash in the same chain. Several chains let concurrent
-- transactions append without queueing behind one lock; verification walks each chain.
CREATE TABLE audit_events (
  seq bigserial PRIMARY KEY,
  id uuid NOT NULL DEFAULT gen_random_uuid() CONSTRAINT audit_events_id_key UNIQUE,
  chain smallint NOT NULL CONSTRAINT audit_events_chain_range CHECK (chain BETWEEN 0 AND 63),
  occurred_at timestamptz NOT NULL,
  user_id uuid,
  role text,
  acting_for uuid,
  action text NOT NULL,
  resource_type text NOT NULL,
  resource_id text,
  patient_id uuid,
  location_id uuid,
  outcome text NOT NULL CONSTRAINT audit_events_outcome_check CHECK (outcome IN ('success', 'denied', 'failure')),
  request_id text,
  client_address text,
  detail jsonb NOT NULL DEFAULT '{}',
  flagged boolean NOT NULL DEFAULT false,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_events_chain_idx ON audit_events (chain, seq DESC);
CREATE INDEX audit_events_patient_idx ON audit_events (patient_id, occurred_at DESC) WHERE patient_id IS NOT NULL;
CREATE INDEX audit_events_user_idx ON audit_events (user_id, occurred_at DESC);
CREATE INDEX audit_events_time_idx ON audit_events (occurred_at DESC);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
