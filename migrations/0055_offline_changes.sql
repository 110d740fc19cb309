-- Owner: scheduling module (appointments.version, appointments.notes) and platform
-- (idempotency_keys). Changes a browser queued while offline arrive later, maybe twice, maybe
-- after someone else changed the same appointment: each names the version it was based on and
-- carries an idempotency key.

-- Every change of an appointment row moves its version on, whichever code path makes it, so a
-- change based on an older copy is always noticed (If-Match on the HTTP API).
ALTER TABLE appointments ADD COLUMN version integer NOT NULL DEFAULT 1;
-- The care team's notes on a visit (physicians on their own, staff at their location).
ALTER TABLE appointments ADD COLUMN notes text;
ALTER TABLE appointments ADD CONSTRAINT appointments_notes_length CHECK (char_length(notes) <= 4000);

CREATE FUNCTION appointments_next_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := OLD.version + 1;
  RETURN NEW;
END $$;
CREATE TRIGGER appointments_version BEFORE UPDATE ON appointments
  FOR EACH ROW EXECUTE FUNCTION appointments_next_version();

-- The first answer to a request sent with an Idempotency-Key, per account: a replay gets it
-- back instead of a second effect. The row is claimed in the change's own transaction, so two
-- copies of one request on two replicas meet at the primary key: the second waits for the
-- first and then reads its answer. Refused requests leave no row (their transaction rolled
-- back) and are evaluated afresh when replayed.
CREATE TABLE idempotency_keys (
  user_id text NOT NULL,
  key text NOT NULL,
  -- method, route and target: the same key on another request is refused, never replayed
  operation text NOT NULL,
  request_hash text NOT NULL,
  response jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key),
  CONSTRAINT idempotency_keys_key_length CHECK (char_length(key) BETWEEN 8 AND 200)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
