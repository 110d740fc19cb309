-- Owner: patients module.
CREATE TABLE patients (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  mrn text NOT NULL CONSTRAINT patients_mrn_key UNIQUE CONSTRAINT patients_mrn_format CHECK (mrn ~ '^[A-Z0-9-]{4,20}$'),
  given_name text NOT NULL,
  family_name text NOT NULL,
  birth_date date NOT NULL,
  sex text NOT NULL CONSTRAINT patients_sex_check CHECK (sex IN ('female', 'male', 'other', 'unknown')),
  email text,
  phone text,
  address_line text,
  city text,
  region text,
  postal_code text,
  latitude double precision CONSTRAINT patients_latitude_range CHECK (latitude BETWEEN -90 AND 90),
  longitude double precision CONSTRAINT patients_longitude_range CHECK (longitude BETWEEN -180 AND 180),
  preferred_location_ids uuid[] NOT NULL DEFAULT '{}',
  preferred_language text NOT NULL DEFAULT 'en',
  accessibility_needs text[] NOT NULL DEFAULT '{}',
  insurance_payer text,
  insurance_member_id text,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX patients_name_idx ON patients (family_name, given_name, birth_date);

CREATE TABLE family_links (
  guardian_id uuid NOT NULL CONSTRAINT family_links_guardian_fk REFERENCES patients (id),
  dependent_id uuid NOT NULL CONSTRAINT family_links_dependent_fk REFERENCES patients (id),
  relationship text NOT NULL CONSTRAINT family_links_relationship_check
    CHECK (relationship IN ('parent', 'legal_guardian', 'spouse', 'caregiver')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (guardian_id, dependent_id),
  CONSTRAINT family_links_distinct CHECK (guardian_id <> dependent_id)
);
CREATE INDEX family_links_dependent_idx ON family_links (dependent_id);
