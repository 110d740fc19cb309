-- Owner: rescheduling. Offers and the report of a plan. An affected appointment may now be
-- offered to its patient: the best alternative is held for them until an answer or the offer's
-- expiry, and the outcome row carries the hold. Every outcome gets an id of its own (the offer's
-- link names it). A plan remembers what caused it: a schedule change, or the physician called
-- away for the rest of the day (which the physician and the location's staff may declare too).
ALTER TABLE reschedule_plans
  ADD COLUMN cause text NOT NULL DEFAULT 'schedule',
  ADD CONSTRAINT reschedule_plans_cause CHECK (cause IN ('schedule', 'unavailable_today'));

ALTER TABLE reschedule_outcomes
  ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN hold_id uuid REFERENCES appointments (id),
  ADD COLUMN offer_expires_at timestamptz,
  ADD COLUMN answered_at timestamptz,
  -- the patient's answer to an offer, or its running out: accepted, chose_another, declined, expired
  ADD COLUMN answer text,
  ADD CONSTRAINT reschedule_outcomes_id_key UNIQUE (id),
  DROP CONSTRAINT reschedule_outcomes_policy,
  ADD CONSTRAINT reschedule_outcomes_policy CHECK (policy IN ('auto_move', 'offer', 'staff')),
  DROP CONSTRAINT reschedule_outcomes_state,
  ADD CONSTRAINT reschedule_outcomes_state CHECK (state IN ('moved', 'offered', 'accepted', 'needs_attention')),
  DROP CONSTRAINT reschedule_outcomes_moved,
  -- moved or accepted exactly when it names the appointment it became
  ADD CONSTRAINT reschedule_outcomes_moved CHECK ((state IN ('moved', 'accepted')) = (new_appointment_id IS NOT NULL)),
  -- an open offer holds a slot until a known time; an offer was made only under the offer policy
  ADD CONSTRAINT reschedule_outcomes_offer CHECK (
    state <> 'offered' OR (hold_id IS NOT NULL AND offer_expires_at IS NOT NULL AND answered_at IS NULL)),
  ADD CONSTRAINT reschedule_outcomes_offer_policy CHECK (hold_id IS NULL OR policy = 'offer'),
  -- only an offer is answered
  ADD CONSTRAINT reschedule_outcomes_answer CHECK (
    answer IS NULL OR (answer IN ('accepted', 'chose_another', 'declined', 'expired') AND hold_id IS NOT NULL)),
  ADD CONSTRAINT reschedule_outcomes_answered CHECK ((answer IS NULL) = (answered_at IS NULL));
CREATE INDEX reschedule_outcomes_open_offers ON reschedule_outcomes (offer_expires_at) WHERE state = 'offered';
CREATE INDEX reschedule_outcomes_patient ON reschedule_outcomes (patient_id);
CREATE INDEX reschedule_outcomes_location ON reschedule_outcomes (location_id, starts_at);

-- Owner: notifications. The offer of a new time is a message of its own kind (beside the
-- waitlist's offer of a freed slot).
ALTER TABLE notification_jobs
  DROP CONSTRAINT notification_jobs_kind_check,
  ADD CONSTRAINT notification_jobs_kind_check
    CHECK (kind IN ('confirmation', 'reminder', 'cancellation', 'reschedule', 'waitlist_offer', 'reschedule_offer'));
