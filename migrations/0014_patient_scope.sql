-- What puts a patient in a staff member's scope (ARCHITECTURE.md, "Patient scope").

-- Owner: patients module. Where a patient registered or had their identity verified at the front
-- desk (exact MRN and birth date); staff of that location reach the record from then on.
CREATE TABLE patient_registrations (
  patient_id uuid NOT NULL CONSTRAINT patient_registrations_patient_fk REFERENCES patients (id),
  location_id uuid NOT NULL CONSTRAINT patient_registrations_location_fk REFERENCES locations (id),
  registered_by uuid,
  registered_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (patient_id, location_id)
);
CREATE INDEX patient_registrations_location_idx ON patient_registrations (location_id);

-- Owner: scheduling module. Who cancelled and when: a booking its own author cancels within a day
-- does not put the patient in anyone's scope.
ALTER TABLE appointments ADD COLUMN cancelled_by uuid, ADD COLUMN cancelled_at timestamptz;

CREATE FUNCTION appointments_stamp_cancellation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'cancelled' AND OLD.status IS DISTINCT FROM 'cancelled' THEN
    NEW.cancelled_at := now();
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER appointments_stamp_cancellation BEFORE UPDATE OF status ON appointments
  FOR EACH ROW EXECUTE FUNCTION appointments_stamp_cancellation();

CREATE INDEX appointments_patient_location_idx ON appointments (patient_id, location_id);
