-- Owner: analytics module. Days to the third next available slot (issue 15, wait times).

-- From a day, the calendar days (in the location's time zone) until the third free bookable slot
-- of a new-patient type of the specialty at the location, as scheduling's availability answered
-- on that day. NULL: fewer than three free slots within the search horizon.
CREATE TABLE analytics_third_next (
  day date NOT NULL,
  location_id uuid NOT NULL,
  specialty text NOT NULL,
  appointment_type_id uuid NOT NULL,
  days integer,
  computed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (day, location_id, specialty)
);
CREATE INDEX analytics_third_next_location_idx ON analytics_third_next (location_id, day);

-- The daily run's claim: one replica's single INSERT wins the day (a stale unfinished claim is
-- taken over after an hour).
CREATE TABLE analytics_third_next_runs (
  day date PRIMARY KEY,
  claimed_at timestamptz NOT NULL,
  done boolean NOT NULL DEFAULT false
);
