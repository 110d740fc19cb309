-- Owner: scheduling module. What can be booked, how long it takes and what it needs.
CREATE TABLE appointment_types (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL CONSTRAINT appointment_types_code_key UNIQUE
    CONSTRAINT appointment_types_code_format CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{1,31}$'),
  name text NOT NULL,
  specialty text NOT NULL CONSTRAINT appointment_types_specialty_fk REFERENCES specialties (code),
  duration_minutes integer NOT NULL CONSTRAINT appointment_types_duration_range CHECK (duration_minutes BETWEEN 5 AND 480),
  slot_interval_minutes integer NOT NULL DEFAULT 15
    CONSTRAINT appointment_types_interval_range CHECK (slot_interval_minutes BETWEEN 5 AND 240),
  room_kind text CONSTRAINT appointment_types_room_kind_check
    CHECK (room_kind IN ('exam', 'procedure', 'imaging', 'consult', 'lab', 'telehealth', 'therapy')),
  equipment_kinds text[] NOT NULL DEFAULT '{}',
  telehealth_allowed boolean NOT NULL DEFAULT false,
  visit_kind text NOT NULL CONSTRAINT appointment_types_visit_kind_check CHECK (visit_kind IN ('new', 'follow_up', 'procedure')),
  base_price_cents integer NOT NULL DEFAULT 0 CHECK (base_price_cents >= 0),
  billing_code text,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX appointment_types_specialty_idx ON appointment_types (specialty, code);
