-- Owner: waitlist module. Patients waiting for a need, the offers of freed slots made to them,
-- and the filler's place in the schedule-event outbox.
CREATE TABLE waitlist_entries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  patient_id uuid NOT NULL CONSTRAINT waitlist_entries_patient_fk REFERENCES patients (id),
  appointment_type_id uuid NOT NULL CONSTRAINT waitlist_entries_type_fk REFERENCES appointment_types (id),
  specialty text,
  physician_id uuid CONSTRAINT waitlist_entries_physician_fk REFERENCES physicians (id),
  -- empty: any location (within max_distance_km when given)
  location_ids uuid[] NOT NULL DEFAULT '{}',
  max_distance_km integer CONSTRAINT waitlist_entries_distance_check CHECK (max_distance_km > 0),
  telehealth_ok boolean NOT NULL DEFAULT false,
  window_from timestamptz NOT NULL,
  window_to timestamptz NOT NULL,
  -- morning (before 12:00), afternoon (12:00-17:00), evening (from 17:00), local time; empty: any
  times_of_day text[] NOT NULL DEFAULT '{}',
  urgency text NOT NULL DEFAULT 'routine'
    CONSTRAINT waitlist_entries_urgency_check CHECK (urgency IN ('routine', 'soon', 'urgent')),
  status text NOT NULL DEFAULT 'waiting'
    CONSTRAINT waitlist_entries_status_check CHECK (status IN ('waiting', 'offered', 'booked', 'withdrawn', 'expired')),
  note text,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT waitlist_entries_window_order CHECK (window_to > window_from),
  CONSTRAINT waitlist_entries_need CHECK (specialty IS NOT NULL OR physician_id IS NOT NULL)
);
CREATE INDEX waitlist_entries_waiting_idx ON waitlist_entries (window_from, window_to) WHERE status = 'waiting';
CREATE INDEX waitlist_entries_patient_idx ON waitlist_entries (patient_id, created_at DESC);

CREATE TABLE waitlist_offers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  entry_id uuid NOT NULL CONSTRAINT waitlist_offers_entry_fk REFERENCES waitlist_entries (id),
  -- the hold the scheduling service placed for the patient; one offer per hold
  appointment_id uuid NOT NULL CONSTRAINT waitlist_offers_appointment_fk REFERENCES appointments (id)
    CONSTRAINT waitlist_offers_one_per_hold UNIQUE,
  patient_id uuid NOT NULL CONSTRAINT waitlist_offers_patient_fk REFERENCES patients (id),
  location_id uuid NOT NULL CONSTRAINT waitlist_offers_location_fk REFERENCES locations (id),
  -- sha-256 of the accept link's token; the token itself is only ever in the message
  token_hash bytea NOT NULL CONSTRAINT waitlist_offers_token_unique UNIQUE,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  -- when the slot became free (the cancellation's event), for the time-to-fill figure
  freed_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'offered'
    CONSTRAINT waitlist_offers_status_check CHECK (status IN ('offered', 'accepted', 'declined', 'expired')),
  responded_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT waitlist_offers_responded CHECK ((status = 'offered') = (responded_at IS NULL))
);
-- one open offer per entry, whichever replica makes it
CREATE UNIQUE INDEX waitlist_offers_one_open_per_entry ON waitlist_offers (entry_id) WHERE status = 'offered';
CREATE INDEX waitlist_offers_expiry_idx ON waitlist_offers (expires_at) WHERE status = 'offered';
CREATE INDEX waitlist_offers_location_idx ON waitlist_offers (location_id, created_at);

CREATE TABLE waitlist_cursor (
  consumer text PRIMARY KEY,
  last_seq bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- start after the existing history: an upgrade must not offer slots freed long ago
INSERT INTO waitlist_cursor (consumer, last_seq) SELECT 'filler', coalesce(max(seq), 0) FROM schedule_events;
