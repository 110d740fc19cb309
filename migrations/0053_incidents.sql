-- Owner: analytics (incidents, src/services/analytics/incidents/). Security incidents raised by the
-- detectors over windows of the audit trail: one open incident per signal kind and subject (the
-- partial unique index makes two replicas raise one), the signals that fed it (one per kind,
-- subject and window: a window counted twice adds nothing) and its timeline.
CREATE TABLE incidents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CONSTRAINT incidents_kind_check CHECK (kind IN (
    'refused_burst', 'break_glass_unusual', 'sign_in_spraying', 'sign_in_failures', 'mass_read',
    'audit_chain_failure')),
  severity text NOT NULL CONSTRAINT incidents_severity_check CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  subject_kind text NOT NULL CONSTRAINT incidents_subject_kind_check CHECK (subject_kind IN ('account', 'address', 'location', 'network')),
  subject text NOT NULL CONSTRAINT incidents_subject_check CHECK (length(subject) BETWEEN 1 AND 300),
  -- the account involved, when the subject is one (locking acts on it)
  account_id uuid,
  status text NOT NULL DEFAULT 'open' CONSTRAINT incidents_status_check CHECK (status IN ('open', 'acknowledged', 'resolved')),
  opened_at timestamptz NOT NULL,
  last_signal_at timestamptz NOT NULL,
  signals integer NOT NULL DEFAULT 1,
  acknowledged_at timestamptz,
  acknowledged_by uuid,
  resolved_at timestamptz,
  resolved_by uuid,
  outcome text CONSTRAINT incidents_outcome_check CHECK (outcome IN ('confirmed', 'false_positive', 'contained', 'benign')),
  CONSTRAINT incidents_resolution_check CHECK ((status = 'resolved') = (resolved_at IS NOT NULL AND outcome IS NOT NULL))
);
CREATE UNIQUE INDEX incidents_one_open ON incidents (kind, subject_kind, subject) WHERE status <> 'resolved';
CREATE INDEX incidents_recent_idx ON incidents (last_signal_at DESC);

CREATE TABLE incident_signals (
  -- kind, subject and window start: the same window evaluated again (or by another replica) is one signal
  key text PRIMARY KEY CONSTRAINT incident_signals_key_length CHECK (length(key) <= 500),
  incident_id uuid REFERENCES incidents (id),
  detected_at timestamptz NOT NULL
);

CREATE TABLE incident_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- the timeline's order when several entries share a moment (one transaction's)
  seq bigint GENERATED ALWAYS AS IDENTITY,
  incident_id uuid NOT NULL REFERENCES incidents (id),
  at timestamptz NOT NULL,
  kind text NOT NULL CONSTRAINT incident_events_kind_check CHECK (kind IN (
    'signal', 'alert_sent', 'account_locked', 'account_unlocked', 'acknowledged', 'note', 'resolved')),
  actor_id uuid,
  detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_events_incident_idx ON incident_events (incident_id, seq);

-- Owner: platform (identity). A locked account cannot sign in and its sessions end, until an
-- administrator unlocks it (incident response).
ALTER TABLE users
  ADD COLUMN locked_at timestamptz,
  ADD COLUMN locked_reason text CONSTRAINT users_locked_reason_check CHECK (length(locked_reason) BETWEEN 1 AND 300);

-- Owner: notifications. Incident alerts are a staff message of their own kind.
ALTER TABLE notification_staff_jobs
  DROP CONSTRAINT notification_staff_jobs_kind_check,
  ADD CONSTRAINT notification_staff_jobs_kind_check CHECK (kind IN ('compliance_alert', 'security_incident'));

-- Owner: platform (audit). The detectors read a window of a few actions (refusals, sign-ins,
-- break-the-glass) by time.
CREATE INDEX audit_events_action_time_idx ON audit_events (action, occurred_at);
