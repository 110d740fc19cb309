-- Owner: dicom (src/integrations/dicom). The DICOM Modality Worklist: which appointment types need
-- a modality, which rooms are imaging stations (their AE title and modality), each location's own
-- AE title for the worklist, the accession number and study UID given to each imaging appointment,
-- the procedure steps modalities report by MPPS, and the queries the worklist answered.

-- The AE title a location's worklist answers to; a location without a row answers to the default
-- derived from its code (ROUNDS_<CODE>, at most 16 characters).
CREATE TABLE dicom_location_aets (
  location_id uuid PRIMARY KEY CONSTRAINT dicom_location_aets_location_fk REFERENCES locations (id),
  ae_title text NOT NULL CONSTRAINT dicom_location_aets_ae_title_unique UNIQUE
    CONSTRAINT dicom_location_aets_ae_title_check CHECK (ae_title ~ '^[A-Z0-9_-]{1,16}$'),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The modality an appointment type is performed on (CT, MR, US, DX…): its appointments are
-- published to the worklist.
CREATE TABLE dicom_type_modalities (
  appointment_type_id uuid PRIMARY KEY CONSTRAINT dicom_type_modalities_type_fk REFERENCES appointment_types (id),
  modality text NOT NULL CONSTRAINT dicom_type_modalities_modality_check CHECK (modality ~ '^[A-Z]{2,4}$'),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- An imaging room's scanner: the scheduled station AE title and its modality.
CREATE TABLE dicom_stations (
  room_id uuid PRIMARY KEY CONSTRAINT dicom_stations_room_fk REFERENCES rooms (id),
  location_id uuid NOT NULL CONSTRAINT dicom_stations_location_fk REFERENCES locations (id),
  ae_title text NOT NULL CONSTRAINT dicom_stations_ae_title_check CHECK (ae_title ~ '^[A-Z0-9_-]{1,16}$'),
  modality text NOT NULL CONSTRAINT dicom_stations_modality_check CHECK (modality ~ '^[A-Z]{2,4}$'),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX dicom_stations_ae_title_idx ON dicom_stations (ae_title);

-- What the worklist calls an imaging appointment, given once and kept: the accession number and
-- the study instance UID (2.25.<uuid as an integer>), the same in every answer.
CREATE SEQUENCE dicom_accession_seq;
CREATE TABLE dicom_procedures (
  appointment_id uuid PRIMARY KEY CONSTRAINT dicom_procedures_appointment_fk REFERENCES appointments (id),
  accession_number text NOT NULL CONSTRAINT dicom_procedures_accession_unique UNIQUE
    CONSTRAINT dicom_procedures_accession_check CHECK (length(accession_number) <= 16),
  study_uid text NOT NULL CONSTRAINT dicom_procedures_study_uid_unique UNIQUE
    CONSTRAINT dicom_procedures_study_uid_check CHECK (study_uid ~ '^2\.25\.[0-9]{1,39}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A performed procedure step a modality reported (N-CREATE, then N-SET), by its SOP instance UID.
CREATE TABLE dicom_performed_steps (
  sop_instance_uid text PRIMARY KEY CONSTRAINT dicom_performed_steps_uid_check CHECK (sop_instance_uid ~ '^[0-9.]{1,64}$'),
  appointment_id uuid NOT NULL CONSTRAINT dicom_performed_steps_appointment_fk REFERENCES appointments (id),
  status text NOT NULL CONSTRAINT dicom_performed_steps_status_check CHECK (status IN ('IN PROGRESS', 'COMPLETED', 'DISCONTINUED')),
  calling_ae_title text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dicom_performed_steps_appointment_idx ON dicom_performed_steps (appointment_id);

-- The worklist queries answered (or refused), newest first on the staff screen.
CREATE TABLE dicom_queries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  at timestamptz NOT NULL DEFAULT now(),
  calling_ae_title text NOT NULL CONSTRAINT dicom_queries_calling_check CHECK (length(calling_ae_title) <= 16),
  called_ae_title text NOT NULL CONSTRAINT dicom_queries_called_check CHECK (length(called_ae_title) <= 16),
  -- null: the network-wide AE title
  location_id uuid CONSTRAINT dicom_queries_location_fk REFERENCES locations (id),
  peer text NOT NULL CONSTRAINT dicom_queries_peer_check CHECK (length(peer) <= 100),
  -- the matching keys the modality sent (date, modality, station, patient id, accession)
  keys jsonb NOT NULL DEFAULT '{}'::jsonb,
  matches integer NOT NULL DEFAULT 0,
  outcome text NOT NULL CONSTRAINT dicom_queries_outcome_check CHECK (outcome IN ('answered', 'failed'))
);
CREATE INDEX dicom_queries_location_idx ON dicom_queries (location_id, at DESC);
