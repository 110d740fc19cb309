-- Owner: physicians module. Providers, their specialties and where/when they work.
CREATE TABLE physicians (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  npi text NOT NULL CONSTRAINT physicians_npi_key UNIQUE CONSTRAINT physicians_npi_format CHECK (npi ~ '^[0-9]{10}$'),
  given_name text NOT NULL,
  family_name text NOT NULL,
  title text NOT NULL DEFAULT 'MD',
  primary_specialty text NOT NULL CONSTRAINT physicians_primary_specialty_fk REFERENCES specialties (code),
  home_department_id uuid CONSTRAINT physicians_home_department_fk REFERENCES departments (id),
  languages text[] NOT NULL DEFAULT '{en}',
  accepts_new_patients boolean NOT NULL DEFAULT true,
  offers_telehealth boolean NOT NULL DEFAULT false,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX physicians_name_idx ON physicians (family_name, given_name);

CREATE TABLE physician_specialties (
  physician_id uuid NOT NULL REFERENCES physicians (id) ON DELETE CASCADE,
  specialty text NOT NULL CONSTRAINT physician_specialties_specialty_fk REFERENCES specialties (code),
  PRIMARY KEY (physician_id, specialty)
);
CREATE INDEX physician_specialties_specialty_idx ON physician_specialties (specialty, physician_id);

-- Recurring weekly blocks: "Dr X works at location L on Tuesdays 08:00-12:00 (local time)".
CREATE TABLE assignment_templates (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  physician_id uuid NOT NULL CONSTRAINT assignment_templates_physician_fk REFERENCES physicians (id),
  location_id uuid NOT NULL CONSTRAINT assignment_templates_location_fk REFERENCES locations (id),
  weekday smallint NOT NULL CONSTRAINT assignment_templates_weekday_range CHECK (weekday BETWEEN 1 AND 7),
  start_time time NOT NULL,
  end_time time NOT NULL,
  effective_from date NOT NULL,
  effective_to date,
  -- empty means every appointment type of the physician's specialties
  appointment_type_ids uuid[] NOT NULL DEFAULT '{}',
  notes text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT assignment_templates_time_order CHECK (end_time > start_time),
  CONSTRAINT assignment_templates_date_order CHECK (effective_to IS NULL OR effective_to >= effective_from),
  -- one physician cannot be in two template blocks at once, at any location
  CONSTRAINT assignment_templates_no_overlap EXCLUDE USING gist (
    physician_id WITH =,
    weekday WITH =,
    daterange(effective_from, effective_to, '[]') WITH &&,
    tsrange(date '2000-01-01' + start_time, date '2000-01-01' + end_time) WITH &&
  )
);
CREATE INDEX assignment_templates_location_idx ON assignment_templates (location_id, weekday);

-- Temporary assignments and rotations: for the dates in range, on the given weekdays, these
-- blocks replace the physician's template blocks for that day.
CREATE TABLE assignment_overrides (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  physician_id uuid NOT NULL CONSTRAINT assignment_overrides_physician_fk REFERENCES physicians (id),
  location_id uuid NOT NULL CONSTRAINT assignment_overrides_location_fk REFERENCES locations (id),
  kind text NOT NULL CONSTRAINT assignment_overrides_kind_check CHECK (kind IN ('temporary', 'rotation')),
  rotation_name text,
  start_date date NOT NULL,
  end_date date NOT NULL,
  weekdays smallint[] NOT NULL DEFAULT '{1,2,3,4,5}',
  start_time time NOT NULL,
  end_time time NOT NULL,
  appointment_type_ids uuid[] NOT NULL DEFAULT '{}',
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT assignment_overrides_time_order CHECK (end_time > start_time),
  CONSTRAINT assignment_overrides_date_order CHECK (end_date >= start_date),
  CONSTRAINT assignment_overrides_weekdays_valid CHECK (
    cardinality(weekdays) BETWEEN 1 AND 7 AND weekdays <@ ARRAY[1, 2, 3, 4, 5, 6, 7]::smallint[]
  )
);
CREATE INDEX assignment_overrides_physician_idx ON assignment_overrides (physician_id, start_date, end_date);
CREATE INDEX assignment_overrides_location_idx ON assignment_overrides (location_id, start_date);

CREATE TABLE time_off (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  physician_id uuid NOT NULL CONSTRAINT time_off_physician_fk REFERENCES physicians (id),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  reason text,
  status text NOT NULL DEFAULT 'approved' CONSTRAINT time_off_status_check CHECK (status IN ('requested', 'approved', 'declined')),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT time_off_order CHECK (ends_at > starts_at),
  CONSTRAINT time_off_no_overlap EXCLUDE USING gist (physician_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
    WHERE (status <> 'declined')
);
