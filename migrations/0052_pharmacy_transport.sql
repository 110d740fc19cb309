-- Owners: pharmacy (src/integrations/pharmacy) and transport (src/integrations/transport).
-- Prescriptions made during a visit, sent to the pharmacy network as FHIR MedicationRequests,
-- and rides to appointments, sent to the transport service as a FHIR ServiceRequest with its
-- Task. Each row is its own durable outbox entry: `pending` names what the far side has not yet
-- been told (claimed with SKIP LOCKED and a lease, retried with back-off), `status` what it
-- answered last. The far side is only ever called after the row's transaction has committed, so
-- it never holds up, or fails, a visit or a booking.

-- The pharmacy a patient wants their prescriptions sent to, per location (the network's
-- Organization id, its name and address as the network gave them when it was chosen).
CREATE TABLE patient_pharmacies (
  patient_id uuid NOT NULL REFERENCES patients (id),
  location_id uuid NOT NULL REFERENCES locations (id),
  pharmacy_id text NOT NULL CONSTRAINT patient_pharmacies_pharmacy_id_check CHECK (pharmacy_id ~ '^[A-Za-z0-9\-.]{1,64}$'),
  pharmacy_name text NOT NULL CONSTRAINT patient_pharmacies_name_check CHECK (length(pharmacy_name) BETWEEN 1 AND 200),
  pharmacy_address text CONSTRAINT patient_pharmacies_address_check CHECK (length(pharmacy_address) <= 300),
  chosen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (patient_id, location_id)
);

CREATE TABLE prescriptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  appointment_id uuid NOT NULL REFERENCES appointments (id),
  patient_id uuid NOT NULL REFERENCES patients (id),
  physician_id uuid NOT NULL REFERENCES physicians (id),
  location_id uuid NOT NULL REFERENCES locations (id),
  -- RxNorm
  medication_code text NOT NULL CONSTRAINT prescriptions_code_check CHECK (medication_code ~ '^[0-9]{1,12}$'),
  medication_name text NOT NULL CONSTRAINT prescriptions_name_check CHECK (length(medication_name) BETWEEN 1 AND 200),
  dose text NOT NULL CONSTRAINT prescriptions_dose_check CHECK (length(dose) BETWEEN 1 AND 200),
  quantity integer NOT NULL CONSTRAINT prescriptions_quantity_check CHECK (quantity BETWEEN 1 AND 1000),
  refills integer NOT NULL CONSTRAINT prescriptions_refills_check CHECK (refills BETWEEN 0 AND 12),
  notes text CONSTRAINT prescriptions_notes_check CHECK (length(notes) <= 1000),
  pharmacy_id text NOT NULL,
  pharmacy_name text NOT NULL,
  pharmacy_address text,
  -- not_sent: the network has not taken it yet (retried); then as the network reports it
  status text NOT NULL DEFAULT 'not_sent' CONSTRAINT prescriptions_status_check
    CHECK (status IN ('not_sent', 'accepted', 'filled', 'ready', 'picked_up', 'rejected')),
  -- the MedicationRequest's id at the network once it took it
  remote_id text,
  -- send: not yet taken; poll: follow its status; null: nothing more to do
  pending text CONSTRAINT prescriptions_pending_check CHECK (pending IN ('send', 'poll')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  claimed_until timestamptz,
  last_error text CONSTRAINT prescriptions_last_error_check CHECK (length(last_error) <= 500),
  prescribed_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX prescriptions_patient_idx ON prescriptions (patient_id, created_at DESC);
CREATE INDEX prescriptions_appointment_idx ON prescriptions (appointment_id);
CREATE INDEX prescriptions_due_idx ON prescriptions (next_attempt_at) WHERE pending IS NOT NULL;

-- Whether a patient needs transport: their own preference, or a flag set by a location's staff.
CREATE TABLE transport_needs (
  patient_id uuid PRIMARY KEY REFERENCES patients (id),
  needed boolean NOT NULL,
  source text NOT NULL CONSTRAINT transport_needs_source_check CHECK (source IN ('patient', 'staff')),
  note text CONSTRAINT transport_needs_note_check CHECK (length(note) <= 500),
  set_by uuid NOT NULL,
  set_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rides (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- the appointment it takes the patient to (follows the appointment when it is moved)
  appointment_id uuid NOT NULL REFERENCES appointments (id),
  patient_id uuid NOT NULL REFERENCES patients (id),
  location_id uuid NOT NULL REFERENCES locations (id),
  -- home: from the patient's address; location: from an earlier appointment the same day
  origin text NOT NULL CONSTRAINT rides_origin_check CHECK (origin IN ('home', 'location')),
  from_location_id uuid REFERENCES locations (id),
  from_appointment_id uuid REFERENCES appointments (id),
  pickup_at timestamptz NOT NULL,
  travel_minutes integer NOT NULL,
  status text NOT NULL DEFAULT 'not_sent' CONSTRAINT rides_status_check
    CHECK (status IN ('not_sent', 'requested', 'scheduled', 'completed', 'cancelled')),
  -- the ServiceRequest and Task ids at the transport service
  remote_id text,
  task_id text,
  -- what the transport service has not yet been told: create, update (moved), cancel; poll: follow
  pending text CONSTRAINT rides_pending_check CHECK (pending IN ('create', 'update', 'cancel', 'poll')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  claimed_until timestamptz,
  last_error text CONSTRAINT rides_last_error_check CHECK (length(last_error) <= 500),
  requested_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT rides_origin_location_check CHECK ((origin = 'location') = (from_location_id IS NOT NULL))
);
-- one live ride per appointment
CREATE UNIQUE INDEX rides_one_per_appointment ON rides (appointment_id) WHERE status <> 'cancelled';
CREATE INDEX rides_location_day_idx ON rides (location_id, pickup_at);
CREATE INDEX rides_patient_idx ON rides (patient_id, pickup_at DESC);
CREATE INDEX rides_due_idx ON rides (next_attempt_at) WHERE pending IS NOT NULL;

-- How far schedule events have been read for rides (cancelled and moved appointments).
CREATE TABLE transport_cursor (
  id integer PRIMARY KEY CONSTRAINT transport_cursor_one CHECK (id = 1),
  seq bigint NOT NULL CONSTRAINT transport_cursor_seq_check CHECK (seq >= 0)
);
INSERT INTO transport_cursor (id, seq) SELECT 1, COALESCE(max(seq), 0) FROM schedule_events;
