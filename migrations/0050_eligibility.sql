-- Owner: eligibility (src/integrations/eligibility). Insurance coverage on record for each patient,
-- and the real-time eligibility check (X12 270/271) of each booked appointment: its state, what the
-- payer's 271 said, and the retry schedule of a check that could not be made. Filled from the
-- schedule_events outbox (one replica at a time, under the cursor's lock) and by staff on demand.

-- The patient's coverage as the payer knows it: the member id the 270 names (NM1*IL), the payer
-- (NM1*PR) and the group/plan. One coverage per patient (the primary one).
CREATE TABLE patient_coverages (
  patient_id uuid PRIMARY KEY CONSTRAINT patient_coverages_patient_fk REFERENCES patients (id),
  -- the payer's id as the clearinghouse knows it (ISA08 / NM1*PR*…*PI), and its name
  payer_id text NOT NULL CONSTRAINT patient_coverages_payer_id_check CHECK (payer_id ~ '^[A-Za-z0-9]{2,15}$'),
  payer_name text NOT NULL CONSTRAINT patient_coverages_payer_name_check CHECK (length(payer_name) BETWEEN 1 AND 60),
  member_id text NOT NULL CONSTRAINT patient_coverages_member_id_check CHECK (member_id ~ '^[A-Za-z0-9-]{2,30}$'),
  group_number text CONSTRAINT patient_coverages_group_check CHECK (group_number ~ '^[A-Za-z0-9-]{1,30}$'),
  plan_name text CONSTRAINT patient_coverages_plan_check CHECK (length(plan_name) BETWEEN 1 AND 60),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid
);

-- How far booking events have been turned into checks; locked while the next batch is queued.
CREATE TABLE eligibility_cursor (
  name text PRIMARY KEY,
  seq bigint NOT NULL CONSTRAINT eligibility_cursor_seq_check CHECK (seq >= 0)
);

-- The eligibility of one appointment: the latest check's outcome (the history is in the audit trail).
CREATE TABLE eligibility_checks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  appointment_id uuid NOT NULL CONSTRAINT eligibility_checks_appointment_unique UNIQUE,
  patient_id uuid NOT NULL,
  location_id uuid NOT NULL,
  -- the X12 service type code asked for (EQ01), from the appointment type; 30 by default
  service_type text NOT NULL CONSTRAINT eligibility_checks_service_type_check CHECK (service_type ~ '^[A-Z0-9]{1,2}$'),
  -- pending: not asked yet; not_verified: the payer could not be asked or its answer not read (see
  -- reason; retried while next_attempt_at is set); verified_active / inactive / not_found: the 271
  status text NOT NULL DEFAULT 'pending' CONSTRAINT eligibility_checks_status_check
    CHECK (status IN ('pending', 'verified_active', 'inactive', 'not_found', 'not_verified')),
  reason text CONSTRAINT eligibility_checks_reason_check CHECK (length(reason) <= 500),
  -- the coverage the last inquiry named
  payer_id text,
  payer_name text,
  member_id text,
  plan_name text,
  -- for the service type asked (EB*B and EB*C of the 271), in cents
  copay_cents integer CONSTRAINT eligibility_checks_copay_check CHECK (copay_cents >= 0),
  deductible_cents integer CONSTRAINT eligibility_checks_deductible_check CHECK (deductible_cents >= 0),
  deductible_remaining_cents integer CONSTRAINT eligibility_checks_remaining_check CHECK (deductible_remaining_cents >= 0),
  -- every copay and deductible the 271 listed, by service type (the copay shown before booking)
  benefits jsonb NOT NULL DEFAULT '[]',
  -- TRN02 of the last inquiry: the 271 must echo it
  trace text,
  attempts integer NOT NULL DEFAULT 0 CONSTRAINT eligibility_checks_attempts_check CHECK (attempts >= 0),
  -- when the check is due (again); null: nothing more to do
  next_attempt_at timestamptz DEFAULT now(),
  -- a worker (or a member of staff) holds the check until then; only the holder's answer is stored
  claimed_until timestamptz,
  claim uuid,
  checked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX eligibility_checks_due_idx ON eligibility_checks (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX eligibility_checks_patient_idx ON eligibility_checks (patient_id, checked_at DESC);
