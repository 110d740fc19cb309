-- Owner: scheduling module (one column). When the visit started (in_progress), so that reports
-- can measure check-in to start; set by the status transition, null for visits that never started.
ALTER TABLE appointments ADD COLUMN started_at timestamptz;

-- Owner: analytics module. The reports' read model, fed from schedule events through scheduling's
-- interface (never its tables). One row per appointment as the reports see it: the source of the
-- deltas applied to the daily facts below when an appointment changes.
CREATE TABLE analytics_visits (
  appointment_id uuid PRIMARY KEY,
  -- the location's local date of the start
  day date NOT NULL,
  location_id uuid NOT NULL,
  physician_id uuid NOT NULL,
  appointment_type_id uuid NOT NULL,
  specialty text NOT NULL,
  -- open (booked, checked in, in progress), completed, no_show, cancelled, late_cancelled, rescheduled
  outcome text NOT NULL CONSTRAINT analytics_visits_outcome_check
    CHECK (outcome IN ('open', 'completed', 'no_show', 'cancelled', 'late_cancelled', 'rescheduled')),
  minutes integer NOT NULL CONSTRAINT analytics_visits_minutes_check CHECK (minutes > 0),
  -- booked to start, in minutes (never negative)
  lead_minutes integer NOT NULL CONSTRAINT analytics_visits_lead_check CHECK (lead_minutes >= 0),
  -- checked in to started, in minutes; null until both are known
  wait_minutes integer CONSTRAINT analytics_visits_wait_check CHECK (wait_minutes >= 0),
  -- where the patient came from: the location of the appointment this one replaced when it was
  -- elsewhere, and the patient's home area (city)
  from_location_id uuid,
  home_area text
);

-- Pre-aggregated daily facts per location, physician and appointment type: what every report
-- sums over a date range (a network's year is a few hundred thousand rows at most).
CREATE TABLE analytics_daily (
  day date NOT NULL,
  location_id uuid NOT NULL,
  physician_id uuid NOT NULL,
  appointment_type_id uuid NOT NULL,
  specialty text NOT NULL,
  appointments integer NOT NULL DEFAULT 0,
  open integer NOT NULL DEFAULT 0,
  completed integer NOT NULL DEFAULT 0,
  no_shows integer NOT NULL DEFAULT 0,
  cancelled integer NOT NULL DEFAULT 0,
  late_cancelled integer NOT NULL DEFAULT 0,
  rescheduled integer NOT NULL DEFAULT 0,
  -- minutes of appointments that kept their time (open, completed, no-show)
  booked_minutes integer NOT NULL DEFAULT 0,
  completed_minutes integer NOT NULL DEFAULT 0,
  no_show_minutes integer NOT NULL DEFAULT 0,
  -- minutes freed by cancellations (late ones included; not reschedules)
  cancelled_minutes integer NOT NULL DEFAULT 0,
  lead_minutes_sum bigint NOT NULL DEFAULT 0,
  lead_count integer NOT NULL DEFAULT 0,
  wait_minutes_sum bigint NOT NULL DEFAULT 0,
  wait_count integer NOT NULL DEFAULT 0,
  PRIMARY KEY (day, location_id, physician_id, appointment_type_id)
);
CREATE INDEX analytics_daily_location_idx ON analytics_daily (location_id, day);
CREATE INDEX analytics_daily_physician_idx ON analytics_daily (physician_id, day);

-- Patient flow per day: from another location (rescheduled there) or from a home area, to a location.
CREATE TABLE analytics_daily_flows (
  day date NOT NULL,
  -- 'location' (rescheduled from it) or 'area' (the patient's home area)
  source_kind text NOT NULL CONSTRAINT analytics_daily_flows_kind_check CHECK (source_kind IN ('location', 'area')),
  source text NOT NULL,
  location_id uuid NOT NULL,
  specialty text NOT NULL,
  physician_id uuid NOT NULL,
  visits integer NOT NULL DEFAULT 0,
  PRIMARY KEY (day, source_kind, source, location_id, physician_id, specialty)
);
CREATE INDEX analytics_daily_flows_location_idx ON analytics_daily_flows (location_id, day);

-- The fee schedule: per location and appointment type, the fee and the billing code (admins edit it).
CREATE TABLE analytics_fees (
  location_id uuid NOT NULL,
  appointment_type_id uuid NOT NULL,
  fee_cents integer NOT NULL CONSTRAINT analytics_fees_fee_check CHECK (fee_cents >= 0),
  billing_code text NOT NULL CONSTRAINT analytics_fees_code_check CHECK (billing_code ~ '^[A-Za-z0-9.\-]{1,20}$'),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (location_id, appointment_type_id)
);

-- How far the read model has followed the schedule events (one row).
CREATE TABLE analytics_projection (
  id integer PRIMARY KEY CONSTRAINT analytics_projection_single CHECK (id = 1),
  -- null: never built (the first pass reads every appointment)
  last_seq bigint
);
INSERT INTO analytics_projection (id, last_seq) VALUES (1, NULL);
