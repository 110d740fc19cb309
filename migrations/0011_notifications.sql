-- Owner: notifications module. Patients' notification preferences, a durable queue of deliveries,
-- the in-app inbox, and the worker's position in the schedule_events outbox.

CREATE TABLE notification_preferences (
  patient_id uuid PRIMARY KEY CONSTRAINT notification_preferences_patient_fk REFERENCES patients (id),
  email boolean NOT NULL DEFAULT true,
  sms boolean NOT NULL DEFAULT false,
  in_app boolean NOT NULL DEFAULT true,
  language text NOT NULL DEFAULT 'en',
  -- wall-clock quiet hours in quiet_time_zone; start > end spans midnight
  quiet_start time,
  quiet_end time,
  quiet_time_zone text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT notification_preferences_quiet_complete CHECK (
    (quiet_start IS NULL AND quiet_end IS NULL AND quiet_time_zone IS NULL)
    OR (quiet_start IS NOT NULL AND quiet_end IS NOT NULL AND quiet_time_zone IS NOT NULL AND quiet_start <> quiet_end)
  )
);

-- One row per message to one patient on one channel. dedupe_key names the message
-- (kind, appointment, channel), so the same reminder can never be queued twice.
CREATE TABLE notification_jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CONSTRAINT notification_jobs_kind_check
    CHECK (kind IN ('confirmation', 'reminder', 'cancellation', 'reschedule')),
  reminder_hours integer CONSTRAINT notification_jobs_reminder_hours_check
    CHECK ((kind = 'reminder') = (reminder_hours IS NOT NULL)),
  appointment_id uuid NOT NULL,
  patient_id uuid NOT NULL,
  channel text NOT NULL CONSTRAINT notification_jobs_channel_check CHECK (channel IN ('email', 'sms', 'in_app')),
  starts_at timestamptz NOT NULL,
  event_seq bigint,
  payload jsonb NOT NULL DEFAULT '{}',
  run_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 8,
  status text NOT NULL DEFAULT 'pending' CONSTRAINT notification_jobs_status_check
    CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
  dedupe_key text NOT NULL CONSTRAINT notification_jobs_dedupe_key UNIQUE,
  last_error text,
  -- a claim is a lease: a worker that dies mid-send loses the job when locked_until passes
  locked_until timestamptz,
  locked_by text,
  sent_at timestamptz,
  provider_message_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_jobs_due_idx ON notification_jobs (run_at) WHERE status = 'pending';
CREATE INDEX notification_jobs_appointment_idx ON notification_jobs (appointment_id);
CREATE INDEX notification_jobs_patient_idx ON notification_jobs (patient_id, created_at);

-- The in-app inbox. job_id is unique, so delivering an in-app job twice leaves one row.
CREATE TABLE notifications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  patient_id uuid NOT NULL CONSTRAINT notifications_patient_fk REFERENCES patients (id),
  appointment_id uuid,
  job_id uuid CONSTRAINT notifications_job_key UNIQUE CONSTRAINT notifications_job_fk REFERENCES notification_jobs (id),
  kind text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz
);
CREATE INDEX notifications_patient_idx ON notifications (patient_id, created_at DESC, id);

-- How far each consumer has read schedule_events (by seq; see services/notifications/outbox.ts).
CREATE TABLE event_cursor (
  consumer text PRIMARY KEY,
  last_seq bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- Start after the existing history: upgrading must not send confirmations for past bookings.
INSERT INTO event_cursor (consumer, last_seq) SELECT 'notifications', coalesce(max(seq), 0) FROM schedule_events;
