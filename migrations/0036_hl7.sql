-- Owner: hl7 (src/integrations/hl7). HL7 v2 over MLLP: the SIU messages queued for the EMR's
-- endpoints (a durable outbox read in order per appointment and target), the cursor into
-- schedule_events that fills it, and the lab results that arrive by ORU^R01.

-- How far schedule events have been turned into SIU messages; locked while the next batch is
-- queued, so that one replica at a time advances it.
CREATE TABLE hl7_cursor (
  name text PRIMARY KEY,
  seq bigint NOT NULL CONSTRAINT hl7_cursor_seq_check CHECK (seq >= 0)
);

CREATE TABLE hl7_messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- the MLLP endpoint, host:port (ROUNDS_HL7_TARGETS)
  target text NOT NULL CONSTRAINT hl7_messages_target_check CHECK (target ~ '^[A-Za-z0-9.:\[\]-]{1,253}:[0-9]{1,5}$'),
  -- the schedule event it reports, and the first appointment of its chain of reschedules (the
  -- placer appointment id the EMR knows): messages of one chain go out in event order
  event_seq bigint NOT NULL,
  appointment_id uuid NOT NULL,
  chain_id uuid NOT NULL,
  trigger text NOT NULL CONSTRAINT hl7_messages_trigger_check CHECK (trigger IN ('S12', 'S13', 'S14', 'S15', 'S17', 'S26')),
  -- MSH-10: the same on every resend, so the receiver can drop a duplicate
  control_id text NOT NULL CONSTRAINT hl7_messages_control_id_unique UNIQUE,
  body text NOT NULL,
  -- pending: not yet acknowledged (never sent, or sent and answered AE/AR or not at all: retried);
  -- acknowledged: answered AA/CA; failed: given up after the last attempt (an administrator may resend)
  status text NOT NULL DEFAULT 'pending' CONSTRAINT hl7_messages_status_check CHECK (status IN ('pending', 'acknowledged', 'failed')),
  attempts integer NOT NULL DEFAULT 0 CONSTRAINT hl7_messages_attempts_check CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- a sender holds the message until then (a crashed sender's claim runs out)
  claimed_until timestamptz,
  last_sent_at timestamptz,
  ack_code text CONSTRAINT hl7_messages_ack_code_check CHECK (ack_code IN ('AA', 'AE', 'AR', 'CA', 'CE', 'CR')),
  last_error text CONSTRAINT hl7_messages_last_error_check CHECK (length(last_error) <= 1000),
  created_at timestamptz NOT NULL DEFAULT now(),
  acknowledged_at timestamptz,
  CONSTRAINT hl7_messages_one_per_event UNIQUE (target, event_seq),
  CONSTRAINT hl7_messages_acknowledged_check CHECK ((status = 'acknowledged') = (acknowledged_at IS NOT NULL))
);
CREATE INDEX hl7_messages_chain_idx ON hl7_messages (target, chain_id, event_seq);
CREATE INDEX hl7_messages_due_idx ON hl7_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX hl7_messages_created_idx ON hl7_messages (created_at DESC);

-- One observation (OBX) of a lab result received by ORU^R01, kept as the EMR sent it.
CREATE TABLE hl7_lab_results (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  patient_id uuid NOT NULL CONSTRAINT hl7_lab_results_patient_fk REFERENCES patients (id),
  -- MSH-10 of the message and the OBX set id: a resent message is stored once
  control_id text NOT NULL,
  set_id integer NOT NULL,
  order_code text,
  order_name text,
  code text NOT NULL,
  name text,
  value text,
  units text,
  reference_range text,
  abnormal_flag text,
  result_status text,
  observed_at timestamptz,
  received_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT hl7_lab_results_once UNIQUE (control_id, set_id)
);
CREATE INDEX hl7_lab_results_patient_idx ON hl7_lab_results (patient_id, observed_at DESC);

-- Owner: patients. An A40 merge retires the record the EMR merged away; it points to the survivor.
ALTER TABLE patients ADD COLUMN merged_into uuid CONSTRAINT patients_merged_into_fk REFERENCES patients (id);
ALTER TABLE patients ADD CONSTRAINT patients_merged_inactive CHECK (merged_into IS NULL OR (NOT active AND merged_into <> id));
