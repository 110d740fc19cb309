-- Owner: rescheduling. A "what if" for a physician's schedule change: the change as proposed, the
-- appointments it would make impossible with their ranked alternatives, and, once applied, what
-- became of each. The physician's plan stamp at preview time tells an apply whether the facts moved.
CREATE TABLE reschedule_plans (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  physician_id uuid NOT NULL REFERENCES physicians (id),
  change jsonb NOT NULL,
  plan_stamp uuid NOT NULL,
  status text NOT NULL DEFAULT 'proposed',
  items jsonb NOT NULL,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  applied_by uuid,
  applied_at timestamptz,
  CONSTRAINT reschedule_plans_status CHECK (status IN ('proposed', 'applied')),
  CONSTRAINT reschedule_plans_applied CHECK ((status = 'applied') = (applied_at IS NOT NULL)),
  CONSTRAINT reschedule_plans_expiry CHECK (expires_at > created_at)
);
CREATE INDEX reschedule_plans_physician ON reschedule_plans (physician_id, created_at DESC);

-- one row per affected appointment and its final state: what staff at a location work through
CREATE TABLE reschedule_outcomes (
  plan_id uuid NOT NULL REFERENCES reschedule_plans (id),
  appointment_id uuid NOT NULL REFERENCES appointments (id),
  location_id uuid NOT NULL REFERENCES locations (id),
  patient_id uuid NOT NULL REFERENCES patients (id),
  starts_at timestamptz NOT NULL,
  policy text NOT NULL,
  state text NOT NULL,
  new_appointment_id uuid REFERENCES appointments (id),
  note text,
  resolved_at timestamptz,
  PRIMARY KEY (plan_id, appointment_id),
  CONSTRAINT reschedule_outcomes_policy CHECK (policy IN ('auto_move', 'staff')),
  CONSTRAINT reschedule_outcomes_state CHECK (state IN ('moved', 'needs_attention')),
  CONSTRAINT reschedule_outcomes_moved CHECK ((state = 'moved') = (new_appointment_id IS NOT NULL))
);
CREATE INDEX reschedule_outcomes_attention ON reschedule_outcomes (location_id) WHERE state = 'needs_attention';
