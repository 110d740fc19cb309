-- Owner: analytics/quality. Compliance alerts are acknowledged (someone is on it) and then
-- resolved, each step with a note; the screen lists open and resolved alerts.
ALTER TABLE compliance_alerts
  ADD COLUMN acknowledge_note text
    CONSTRAINT compliance_alerts_acknowledge_note_check CHECK (length(acknowledge_note) BETWEEN 1 AND 2000),
  ADD COLUMN resolved_at timestamptz,
  ADD COLUMN resolved_by uuid,
  ADD COLUMN resolution_note text
    CONSTRAINT compliance_alerts_resolution_note_check CHECK (length(resolution_note) BETWEEN 1 AND 2000),
  -- a resolution is a moment, a person and a note, together; a resolved alert was acknowledged
  ADD CONSTRAINT compliance_alerts_resolution_check
    CHECK ((resolved_at IS NULL) = (resolved_by IS NULL)
      AND (resolved_at IS NULL) = (resolution_note IS NULL)
      AND (resolved_at IS NULL OR acknowledged_at IS NOT NULL));
CREATE INDEX compliance_alerts_unresolved_idx ON compliance_alerts (raised_at DESC) WHERE resolved_at IS NULL;
CREATE INDEX compliance_alerts_resolved_idx ON compliance_alerts (resolved_at DESC) WHERE resolved_at IS NOT NULL;

-- How far the compliance monitor has verified each audit chain: the last event it checked and
-- that event's hash (the next event must link to it). A check walks only the events after it.
CREATE TABLE compliance_audit_cursor (
  chain integer PRIMARY KEY,
  seq bigint NOT NULL,
  hash text NOT NULL,
  keyed boolean NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Counters kept as the cursor moves: events verified per location, and the first break found in
-- an event of that location (a break stays until the trail is restored and the row cleared).
CREATE TABLE compliance_location_chain (
  location_id uuid PRIMARY KEY,
  events bigint NOT NULL DEFAULT 0,
  last_event_at timestamptz,
  break_chain integer,
  break_seq bigint,
  break_reason text,
  break_found_at timestamptz
);

-- The whole trail's counters, and the first break no location can be named for (a deleted
-- event, a checkpoint that does not match): it stands against every location.
CREATE TABLE compliance_chain_status (
  id integer PRIMARY KEY CONSTRAINT compliance_chain_status_single CHECK (id = 1),
  events bigint NOT NULL DEFAULT 0,
  last_verified_at timestamptz,
  break_chain integer,
  break_seq bigint,
  break_reason text,
  break_found_at timestamptz
);
INSERT INTO compliance_chain_status (id) VALUES (1);

-- Refused accesses per account and hour, counted as the cursor moves: the refusal window's sum
-- is a few rows, not a scan of the trail.
CREATE TABLE compliance_refusal_counts (
  user_id uuid NOT NULL,
  hour timestamptz NOT NULL,
  refusals integer NOT NULL,
  last_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, hour)
);
CREATE INDEX compliance_refusal_counts_hour_idx ON compliance_refusal_counts (hour);

-- Who gets alert messages besides every compliance officer: administrators who opted in; and
-- the language each recipient reads them in (English without a row).
CREATE TABLE compliance_alert_subscriptions (
  user_id uuid PRIMARY KEY,
  subscribed boolean NOT NULL,
  language text NOT NULL CONSTRAINT compliance_alert_subscriptions_language_check CHECK (language IN ('en', 'es')),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Owner: notifications module. Messages to staff (recipient kind "staff"): a durable outbox
-- beside the patients', delivered by the same worker, in order per recipient, retried.
CREATE TABLE notification_staff_jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CONSTRAINT notification_staff_jobs_kind_check CHECK (kind IN ('compliance_alert')),
  user_id uuid NOT NULL,
  channel text NOT NULL CONSTRAINT notification_staff_jobs_channel_check CHECK (channel IN ('email', 'in_app')),
  address text CONSTRAINT notification_staff_jobs_address_check CHECK ((channel = 'email') = (address IS NOT NULL)),
  language text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  run_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 8,
  status text NOT NULL DEFAULT 'pending' CONSTRAINT notification_staff_jobs_status_check
    CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
  dedupe_key text NOT NULL CONSTRAINT notification_staff_jobs_dedupe_key UNIQUE,
  last_error text,
  locked_until timestamptz,
  locked_by text,
  sent_at timestamptz,
  provider_message_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_staff_jobs_due_idx ON notification_staff_jobs (run_at) WHERE status = 'pending';
CREATE INDEX notification_staff_jobs_user_idx ON notification_staff_jobs (user_id, created_at);

-- A staff member's in-app messages; one per job however often it is delivered.
CREATE TABLE staff_notifications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  job_id uuid NOT NULL CONSTRAINT staff_notifications_job_key UNIQUE
    CONSTRAINT staff_notifications_job_fk REFERENCES notification_staff_jobs (id),
  kind text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  link text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz
);
CREATE INDEX staff_notifications_user_idx ON staff_notifications (user_id, created_at DESC, id);
