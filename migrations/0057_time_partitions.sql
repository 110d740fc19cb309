-- Owner: platform (partitions). The audit trail and the in-app inbox become partitioned by month
-- (UTC), so the hot months are small, searches by time read only their months, and an old month
-- can be detached and archived whole. Appointments stay one table: PostgreSQL 15 keeps no
-- exclusion constraint across partitions, and those constraints are what refuse a double booking
-- (see ARCHITECTURE, "Partitioning by time").
--
-- A partitioned table's primary and unique keys must hold its partition key, so:
-- - audit_events: (seq, occurred_at) and (id, occurred_at). seq still comes from one sequence and
--   the chain head (audit_chain_head) is still read under the chain's advisory lock, so no two
--   events share a seq or a place in a chain; nothing references audit_events by key.
-- - notifications: (id, created_at) and (job_id, created_at). One inbox row per in-app job is kept
--   by the job itself: the worker moves the job from pending to sent under its lease and writes
--   the row in that same transaction only when the move succeeded (services/notifications/worker.ts).

-- Creates one month's partition of `parent` (months in UTC), guarded like the parent. Runs as the
-- tables' owner, called only by partitions_maintain.
CREATE FUNCTION partition_create(parent text, month timestamp) RETURNS boolean
LANGUAGE plpgsql SET search_path = public SET TimeZone = 'UTC' AS $$
DECLARE
  name text := format('%s_%s', parent, to_char(month, 'YYYY_MM'));
BEGIN
  IF to_regclass(name) IS NOT NULL THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
    name, parent, month::timestamptz, (month + interval '1 month')::timestamptz);
  PERFORM partition_guard(parent, name);
  RETURN true;
END;
$$;

-- What every audit partition carries besides what it inherits: row triggers and indexes come from
-- the parent, but a TRUNCATE trigger and privileges are the partition's own, and a table the
-- owner creates gets the application's default privileges (UPDATE and DELETE among them).
CREATE FUNCTION partition_guard(parent text, name text) RETURNS void
LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
  IF parent <> 'audit_events' THEN
    RETURN;
  END IF;
  EXECUTE format('CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON %I
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()', name);
  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM PUBLIC', name);
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rounds_app') THEN
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM rounds_app', name);
    EXECUTE format('GRANT SELECT, INSERT ON %I TO rounds_app', name);
  END IF;
END;
$$;

-- Rows that arrived for a month without a partition went to the DEFAULT partition (an insert never
-- fails for want of one). They move, unchanged (same seq, same hash), into their months: the
-- default partition is detached, a fresh one attached, the months created, the rows re-inserted
-- through the parent, the detached table dropped. All in the caller's transaction.
CREATE FUNCTION partition_rehome(parent text, key text) RETURNS integer
LANGUAGE plpgsql SET search_path = public SET TimeZone = 'UTC' AS $$
DECLARE
  fallback text := parent || '_default';
  stray text := parent || '_stray';
  cols text;
  month timestamp;
  moved integer;
BEGIN
  EXECUTE format('SELECT count(*)::int FROM %I', fallback) INTO moved;
  IF moved = 0 THEN
    RETURN 0;
  END IF;
  SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
  FROM pg_attribute WHERE attrelid = parent::regclass AND attnum > 0 AND NOT attisdropped;
  EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', parent, fallback);
  EXECUTE format('ALTER TABLE %I RENAME TO %I', fallback, stray);
  EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', fallback, parent);
  PERFORM partition_guard(parent, fallback);
  FOR month IN EXECUTE format('SELECT DISTINCT date_trunc(''month'', %I) FROM %I', key, stray) LOOP
    PERFORM partition_create(parent, month);
  END LOOP;
  EXECUTE format('INSERT INTO %I (%s) SELECT %s FROM %I', parent, cols, cols, stray);
  EXECUTE format('DROP TABLE %I', stray);
  RETURN moved;
END;
$$;

-- The maintenance pass (src/platform/partitions.ts): partitions for the month of `at` and the
-- `months_ahead` after it, and the default partition emptied into its months. One pass at a time
-- across replicas (the advisory lock); as the tables' owner, because the application's role owns
-- nothing and only an owner may create a partition; it never drops or detaches a month. A pass
-- that waits more than 10 s for a table's lock gives up (the next pass tries again) rather than
-- hold every writer of the table queued behind it.
CREATE FUNCTION partitions_maintain(at timestamptz, months_ahead integer)
RETURNS TABLE (parent text, created text[], rehomed integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public SET TimeZone = 'UTC' SET lock_timeout = '10s' AS $$
DECLARE
  first timestamp := date_trunc('month', at);
  spec record;
  month timestamp;
BEGIN
  IF months_ahead NOT BETWEEN 0 AND 24 THEN
    RAISE EXCEPTION 'months_ahead must be between 0 and 24' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('rounds:partitions', 0));
  FOR spec IN SELECT * FROM (VALUES ('audit_events', 'occurred_at'), ('notifications', 'created_at')) AS s (t, k) LOOP
    parent := spec.t;
    created := ARRAY[]::text[];
    rehomed := partition_rehome(spec.t, spec.k);
    FOR i IN 0..months_ahead LOOP
      month := first + make_interval(months => i);
      IF partition_create(spec.t, month) THEN
        created := created || format('%s_%s', spec.t, to_char(month, 'YYYY_MM'));
      END IF;
    END LOOP;
    RETURN NEXT;
  END LOOP;
END;
$$;
REVOKE ALL ON FUNCTION partition_create(text, timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION partition_guard(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION partition_rehome(text, text) FROM PUBLIC;

-- audit_events: the old table's keys and indexes go first so the new ones can take their names.
ALTER TABLE audit_events RENAME TO audit_events_unpartitioned;
ALTER TABLE audit_events_unpartitioned DROP CONSTRAINT audit_events_pkey;
ALTER TABLE audit_events_unpartitioned DROP CONSTRAINT audit_events_id_key;
DROP INDEX audit_events_chain_idx;
DROP INDEX audit_events_patient_idx;
DROP INDEX audit_events_user_idx;
DROP INDEX audit_events_time_idx;
DROP INDEX audit_events_action_time_idx;

CREATE TABLE audit_events (
  seq bigint NOT NULL DEFAULT nextval('audit_events_seq_seq'),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
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
  hash text NOT NULL,
  hash_alg text NOT NULL DEFAULT 'sha256'
    CONSTRAINT audit_events_hash_alg_check CHECK (hash_alg IN ('sha256', 'hmac-sha256')),
  CONSTRAINT audit_events_pkey PRIMARY KEY (seq, occurred_at),
  CONSTRAINT audit_events_id_key UNIQUE (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE INDEX audit_events_chain_idx ON audit_events (chain, seq DESC);
CREATE INDEX audit_events_patient_idx ON audit_events (patient_id, occurred_at DESC) WHERE patient_id IS NOT NULL;
CREATE INDEX audit_events_user_idx ON audit_events (user_id, occurred_at DESC);
CREATE INDEX audit_events_time_idx ON audit_events (occurred_at DESC);
CREATE INDEX audit_events_action_time_idx ON audit_events (action, occurred_at);
-- Row triggers on the parent are cloned onto every partition, present and future; TRUNCATE
-- triggers are not, so partition_guard adds one to each partition.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
CREATE TABLE audit_events_default PARTITION OF audit_events DEFAULT;
SELECT partition_guard('audit_events', 'audit_events_default');
-- a month for every month the trail already has, then the rows, in order
SELECT partition_create('audit_events', m)
FROM (SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'UTC') AS m FROM audit_events_unpartitioned) AS months;
INSERT INTO audit_events SELECT * FROM audit_events_unpartitioned ORDER BY seq;
ALTER SEQUENCE audit_events_seq_seq OWNED BY audit_events.seq;
DROP TABLE audit_events_unpartitioned;

-- notifications (the in-app inbox), by created_at.
ALTER TABLE notifications RENAME TO notifications_unpartitioned;
ALTER TABLE notifications_unpartitioned DROP CONSTRAINT notifications_pkey;
ALTER TABLE notifications_unpartitioned DROP CONSTRAINT notifications_job_key;
ALTER TABLE notifications_unpartitioned DROP CONSTRAINT notifications_job_fk;
ALTER TABLE notifications_unpartitioned DROP CONSTRAINT notifications_patient_fk;
DROP INDEX notifications_patient_idx;

CREATE TABLE notifications (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  patient_id uuid NOT NULL CONSTRAINT notifications_patient_fk REFERENCES patients (id),
  appointment_id uuid,
  job_id uuid CONSTRAINT notifications_job_fk REFERENCES notification_jobs (id),
  kind text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz,
  CONSTRAINT notifications_pkey PRIMARY KEY (id, created_at),
  CONSTRAINT notifications_job_key UNIQUE (job_id, created_at)
) PARTITION BY RANGE (created_at);
CREATE INDEX notifications_patient_idx ON notifications (patient_id, created_at DESC, id);
CREATE TABLE notifications_default PARTITION OF notifications DEFAULT;
SELECT partition_create('notifications', m)
FROM (SELECT DISTINCT date_trunc('month', created_at AT TIME ZONE 'UTC') AS m FROM notifications_unpartitioned) AS months;
INSERT INTO notifications SELECT * FROM notifications_unpartitioned;
DROP TABLE notifications_unpartitioned;

-- the application's privileges on the new parents: the inbox as before; the trail append and read only
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rounds_app') THEN
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON notifications TO rounds_app';
    EXECUTE 'GRANT SELECT, INSERT ON audit_events TO rounds_app';
    EXECUTE 'REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM rounds_app';
    EXECUTE 'GRANT EXECUTE ON FUNCTION partitions_maintain(timestamptz, integer) TO rounds_app';
  END IF;
END;
$$;
REVOKE ALL ON FUNCTION partitions_maintain(timestamptz, integer) FROM PUBLIC;

-- this month and the next three exist from the start; the pass keeps them ahead
SELECT partitions_maintain(now(), 3);
