-- Owner: billing (src/integrations/billing). Each location's billing identity, the modifiers each
-- appointment type is billed with, and the export batches with the charges each one carries. A
-- charge is derived from a completed appointment when it is exported; the database guarantees
-- that a range is exported once per format (the same batch is returned again) and that a visit
-- is claimed in at most one batch per format, whatever the number of concurrent exports.

-- The billing identity of a location: where its claims say the service was given and who bills.
CREATE TABLE billing_identities (
  location_id uuid PRIMARY KEY CONSTRAINT billing_identities_location_fk REFERENCES locations (id),
  -- CMS place-of-service code of visits in person (11 office, 19/22 outpatient hospital…)
  place_of_service text NOT NULL CONSTRAINT billing_identities_pos_format CHECK (place_of_service ~ '^[0-9]{2}$'),
  -- where a video visit is billed: 02 telehealth other than the patient's home, 10 the patient's home
  telehealth_place_of_service text NOT NULL DEFAULT '02'
    CONSTRAINT billing_identities_telehealth_pos_check CHECK (telehealth_place_of_service IN ('02', '10')),
  -- the facility's NPI (Luhn-checked by the service, prefix 80840) and its employer identification number
  facility_npi text NOT NULL CONSTRAINT billing_identities_npi_format CHECK (facility_npi ~ '^[0-9]{10}$'),
  tax_id text NOT NULL CONSTRAINT billing_identities_tax_id_format CHECK (tax_id ~ '^[0-9]{9}$'),
  billing_name text NOT NULL CONSTRAINT billing_identities_name_check CHECK (length(billing_name) BETWEEN 2 AND 60),
  address_line text NOT NULL,
  city text NOT NULL,
  region text NOT NULL CONSTRAINT billing_identities_region_format CHECK (region ~ '^[A-Z]{2}$'),
  postal_code text NOT NULL CONSTRAINT billing_identities_postal_format CHECK (postal_code ~ '^[0-9]{5}([0-9]{4})?$'),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The modifiers an appointment type's procedure code (the catalogue's CPT/HCPCS code) is billed
-- with; telehealth's 95 is added to video visits by the charge builder, never stored here.
CREATE TABLE billing_type_modifiers (
  appointment_type_id uuid PRIMARY KEY CONSTRAINT billing_type_modifiers_type_fk REFERENCES appointment_types (id),
  modifiers text[] NOT NULL DEFAULT '{}'
    CONSTRAINT billing_type_modifiers_count CHECK (cardinality(modifiers) <= 3),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The interchange control numbers of X12 batches (ISA13/GS06/ST02): never reused.
CREATE SEQUENCE billing_control_numbers START 1001 MAXVALUE 999999999 NO CYCLE;

-- One export: a format and a range of service dates (the location's local dates). The same range
-- and format is one batch: a second request returns it (the unique constraint decides races).
CREATE TABLE billing_batches (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  format text NOT NULL CONSTRAINT billing_batches_format_check CHECK (format IN ('x12-837p', 'fhir-claim')),
  from_date date NOT NULL,
  to_date date NOT NULL,
  control_number integer NOT NULL,
  claim_count integer NOT NULL DEFAULT 0,
  total_cents bigint NOT NULL DEFAULT 0,
  -- completed visits in the range that could not be billed (no identity, fee or procedure code)
  skipped jsonb NOT NULL DEFAULT '[]',
  content text NOT NULL DEFAULT '',
  content_sha256 text NOT NULL DEFAULT '',
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT billing_batches_range_order CHECK (to_date >= from_date),
  CONSTRAINT billing_batches_range_key UNIQUE (format, from_date, to_date)
);
CREATE INDEX billing_batches_created_idx ON billing_batches (created_at DESC);

-- The charges a batch claims, as derived when it was exported (what the document says).
CREATE TABLE billing_charges (
  batch_id uuid NOT NULL CONSTRAINT billing_charges_batch_fk REFERENCES billing_batches (id),
  format text NOT NULL,
  appointment_id uuid NOT NULL CONSTRAINT billing_charges_appointment_fk REFERENCES appointments (id),
  location_id uuid NOT NULL,
  claim_id text NOT NULL,
  service_date date NOT NULL,
  procedure_code text NOT NULL,
  modifiers text[] NOT NULL,
  place_of_service text NOT NULL,
  amount_cents integer NOT NULL CONSTRAINT billing_charges_amount_check CHECK (amount_cents >= 0),
  PRIMARY KEY (batch_id, appointment_id),
  -- a visit is claimed once per format
  CONSTRAINT billing_charges_once_per_format UNIQUE (appointment_id, format)
);
CREATE INDEX billing_charges_appointment_idx ON billing_charges (appointment_id);
