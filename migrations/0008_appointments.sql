-- Owner: scheduling module. Holds and appointments. The database itself forbids double booking:
-- a physician, a room, an equipment item or a patient can never have two overlapping active
-- entries, whatever the number of replicas or concurrent requests.
CREATE TABLE appointments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  patient_id uuid NOT NULL CONSTRAINT appointments_patient_fk REFERENCES patients (id),
  physician_id uuid NOT NULL CONSTRAINT appointments_physician_fk REFERENCES physicians (id),
  location_id uuid NOT NULL CONSTRAINT appointments_location_fk REFERENCES locations (id),
  room_id uuid CONSTRAINT appointments_room_fk REFERENCES rooms (id),
  appointment_type_id uuid NOT NULL CONSTRAINT appointments_type_fk REFERENCES appointment_types (id),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  status text NOT NULL CONSTRAINT appointments_status_check
    CHECK (status IN ('held', 'booked', 'checked_in', 'in_progress', 'completed', 'cancelled', 'no_show', 'expired')),
  -- held, booked, checked_in, in_progress and completed occupy their time; the rest free it
  active boolean GENERATED ALWAYS AS (status IN ('held', 'booked', 'checked_in', 'in_progress', 'completed')) STORED,
  hold_expires_at timestamptz,
  telehealth boolean NOT NULL DEFAULT false,
  reason text,
  created_by uuid,
  idempotency_key text,
  rescheduled_from uuid CONSTRAINT appointments_rescheduled_from_fk REFERENCES appointments (id),
  cancel_reason text,
  override_reason text,
  checked_in_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT appointments_time_order CHECK (ends_at > starts_at),
  CONSTRAINT appointments_hold_expiry CHECK ((status = 'held') = (hold_expires_at IS NOT NULL)),
  CONSTRAINT appointments_physician_no_overlap EXCLUDE USING gist (physician_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
    WHERE (active),
  CONSTRAINT appointments_room_no_overlap EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
    WHERE (active AND room_id IS NOT NULL),
  CONSTRAINT appointments_patient_no_overlap EXCLUDE USING gist (patient_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
    WHERE (active)
);
CREATE INDEX appointments_physician_time_idx ON appointments (physician_id, starts_at) WHERE active;
CREATE INDEX appointments_location_time_idx ON appointments (location_id, starts_at);
CREATE INDEX appointments_patient_time_idx ON appointments (patient_id, starts_at);
CREATE INDEX appointments_room_time_idx ON appointments (room_id, starts_at) WHERE active AND room_id IS NOT NULL;
CREATE INDEX appointments_hold_expiry_idx ON appointments (hold_expires_at) WHERE status = 'held';
-- a retried booking with the same key returns the first one instead of booking twice
CREATE UNIQUE INDEX appointments_idempotency_key ON appointments (created_by, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- Equipment reserved by an appointment, with the appointment's time copied so that the
-- exclusion constraint can guard the item directly.
CREATE TABLE equipment_reservations (
  appointment_id uuid NOT NULL CONSTRAINT equipment_reservations_appointment_fk REFERENCES appointments (id),
  equipment_id uuid NOT NULL CONSTRAINT equipment_reservations_equipment_fk REFERENCES equipment (id),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  active boolean NOT NULL DEFAULT true,
  PRIMARY KEY (appointment_id, equipment_id),
  CONSTRAINT equipment_reservations_no_overlap EXCLUDE USING gist (equipment_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
    WHERE (active)
);
CREATE INDEX equipment_reservations_time_idx ON equipment_reservations (equipment_id, starts_at) WHERE active;
