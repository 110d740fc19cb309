-- Owner: platform/events. A transactional outbox of schedule changes: written in the same
-- transaction as the change, read in order by the live-update stream (resumable by seq) and by
-- the notification worker. Replicas are woken through LISTEN/NOTIFY on channel rounds_events.
CREATE TABLE schedule_events (
  seq bigserial PRIMARY KEY,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  occurred_at timestamptz NOT NULL DEFAULT now(),
  type text NOT NULL,
  appointment_id uuid,
  patient_id uuid,
  physician_id uuid,
  location_id uuid,
  payload jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX schedule_events_time_idx ON schedule_events (occurred_at);
