-- Owner: analytics/quality. The satisfaction survey of a completed visit: one per appointment,
-- answerable once, until it expires. The visit's patient, location and physician are copied here
-- when the first survey message is sent (a read model: the survey never reads scheduling's tables).
CREATE TABLE satisfaction_surveys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  appointment_id uuid NOT NULL CONSTRAINT satisfaction_surveys_one_per_visit UNIQUE,
  patient_id uuid NOT NULL,
  location_id uuid NOT NULL,
  physician_id uuid NOT NULL,
  visit_start timestamptz NOT NULL,
  sent_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  rating smallint CONSTRAINT satisfaction_surveys_rating_check CHECK (rating BETWEEN 1 AND 5),
  comment text CONSTRAINT satisfaction_surveys_comment_check CHECK (length(comment) <= 2000),
  answered_at timestamptz,
  -- an answer is a rating and its moment, together; a comment never comes without them
  CONSTRAINT satisfaction_surveys_answer_check
    CHECK ((rating IS NULL) = (answered_at IS NULL) AND (comment IS NULL OR rating IS NOT NULL)),
  CONSTRAINT satisfaction_surveys_expiry_check CHECK (expires_at > sent_at)
);
CREATE INDEX satisfaction_surveys_location_idx ON satisfaction_surveys (location_id, visit_start)
  WHERE answered_at IS NOT NULL;
CREATE INDEX satisfaction_surveys_physician_idx ON satisfaction_surveys (physician_id, visit_start)
  WHERE answered_at IS NOT NULL;

-- Every message carries a link of its own; only the token's sha-256 is kept.
CREATE TABLE satisfaction_survey_links (
  token_hash bytea PRIMARY KEY CONSTRAINT satisfaction_survey_links_hash_check CHECK (length(token_hash) = 32),
  survey_id uuid NOT NULL CONSTRAINT satisfaction_survey_links_survey_fk REFERENCES satisfaction_surveys (id),
  channel text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX satisfaction_survey_links_survey_idx ON satisfaction_survey_links (survey_id);

-- Owner: analytics/quality. Compliance monitoring: the thresholds (one row, edited by compliance
-- officers and administrators) and the alerts raised when one is crossed, each once.
CREATE TABLE compliance_thresholds (
  id integer PRIMARY KEY CONSTRAINT compliance_thresholds_single CHECK (id = 1),
  -- a break-the-glass access not reviewed within this many hours raises an alert
  break_glass_review_hours integer NOT NULL
    CONSTRAINT compliance_thresholds_review_check CHECK (break_glass_review_hours BETWEEN 1 AND 720),
  -- this many refused accesses by one account within the window raise an alert
  refusals_per_account integer NOT NULL
    CONSTRAINT compliance_thresholds_refusals_check CHECK (refusals_per_account BETWEEN 1 AND 10000),
  refusal_window_hours integer NOT NULL
    CONSTRAINT compliance_thresholds_window_check CHECK (refusal_window_hours BETWEEN 1 AND 720),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid
);
INSERT INTO compliance_thresholds (id, break_glass_review_hours, refusals_per_account, refusal_window_hours)
  VALUES (1, 24, 5, 24);

CREATE TABLE compliance_alerts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CONSTRAINT compliance_alerts_kind_check
    CHECK (kind IN ('break_glass_unreviewed', 'refusals', 'audit_chain_broken')),
  -- what the alert is about (a grant, an account's window, a chain's event): raised once per subject
  subject text NOT NULL CONSTRAINT compliance_alerts_subject_check CHECK (length(subject) BETWEEN 1 AND 200),
  detail jsonb NOT NULL DEFAULT '{}',
  raised_at timestamptz NOT NULL,
  acknowledged_at timestamptz,
  acknowledged_by uuid,
  CONSTRAINT compliance_alerts_once UNIQUE (kind, subject)
);
CREATE INDEX compliance_alerts_open_idx ON compliance_alerts (raised_at DESC) WHERE acknowledged_at IS NULL;

-- Owner: notifications module. The survey after a completed visit is a message of its own kind.
ALTER TABLE notification_jobs
  DROP CONSTRAINT notification_jobs_kind_check,
  ADD CONSTRAINT notification_jobs_kind_check
    CHECK (kind IN ('confirmation', 'reminder', 'cancellation', 'reschedule', 'waitlist_offer', 'reschedule_offer', 'survey'));
