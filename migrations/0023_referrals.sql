-- Owner: referrals module. A patient referred by a physician or staff member to a specialty at
-- another location of the network (optionally to one physician there). The receiving location's
-- staff answer and book it; the appointment booked for it is linked once.
CREATE TABLE referrals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  patient_id uuid NOT NULL CONSTRAINT referrals_patient_fk REFERENCES patients (id),
  referred_by uuid NOT NULL CONSTRAINT referrals_referred_by_fk REFERENCES users (id),
  from_physician_id uuid CONSTRAINT referrals_from_physician_fk REFERENCES physicians (id),
  from_location_id uuid CONSTRAINT referrals_from_location_fk REFERENCES locations (id),
  to_location_id uuid NOT NULL CONSTRAINT referrals_to_location_fk REFERENCES locations (id),
  to_specialty text NOT NULL CONSTRAINT referrals_to_specialty_fk REFERENCES specialties (code),
  to_physician_id uuid CONSTRAINT referrals_to_physician_fk REFERENCES physicians (id),
  reason text NOT NULL CONSTRAINT referrals_reason_length CHECK (char_length(reason) BETWEEN 1 AND 2000),
  urgency text NOT NULL CONSTRAINT referrals_urgency_known CHECK (urgency IN ('routine', 'soon', 'urgent')),
  -- references only (a URL or a document id), never the documents themselves
  attachments text[] NOT NULL DEFAULT '{}'
    CONSTRAINT referrals_attachments_bound CHECK (cardinality(attachments) <= 20),
  status text NOT NULL DEFAULT 'sent'
    CONSTRAINT referrals_status_known CHECK (status IN ('sent', 'accepted', 'booked', 'declined', 'cancelled')),
  status_note text CONSTRAINT referrals_status_note_length CHECK (char_length(status_note) <= 1000),
  answered_by uuid CONSTRAINT referrals_answered_by_fk REFERENCES users (id),
  appointment_id uuid CONSTRAINT referrals_appointment_fk REFERENCES appointments (id)
    CONSTRAINT referrals_appointment_key UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- booked means linked to its appointment, and only booked referrals are
  CONSTRAINT referrals_booked_has_appointment CHECK ((status = 'booked') = (appointment_id IS NOT NULL))
);
CREATE INDEX referrals_to_location_idx ON referrals (to_location_id, status, created_at);
CREATE INDEX referrals_patient_idx ON referrals (patient_id);
CREATE INDEX referrals_referred_by_idx ON referrals (referred_by, created_at);
