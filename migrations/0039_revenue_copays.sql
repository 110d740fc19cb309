-- Owner: analytics module (reports). The revenue report's split of each fee into the patient's
-- share (the copay the pricing recorder kept for the appointment, read through pricing's
-- interface) and the payer's share. Fed by the copay projection (src/services/analytics/reports/
-- copays.ts) from the same schedule events as analytics_visits, never further than the price
-- recorder has got, so a booking is split once its copay is known.

-- One row per appointment whose copay is known: the key it was counted under and what it added.
CREATE TABLE analytics_visit_copays (
  appointment_id uuid PRIMARY KEY,
  day date NOT NULL,
  location_id uuid NOT NULL,
  physician_id uuid NOT NULL,
  appointment_type_id uuid NOT NULL,
  specialty text NOT NULL,
  outcome text NOT NULL CONSTRAINT analytics_visit_copays_outcome_check
    CHECK (outcome IN ('open', 'completed', 'no_show', 'cancelled', 'late_cancelled', 'rescheduled')),
  copay_cents integer NOT NULL CONSTRAINT analytics_visit_copays_copay_check CHECK (copay_cents >= 0)
);

-- Copays summed per day, location, physician and appointment type (the fee schedule is applied
-- when a report is read, as for analytics_daily): "booked" counts every appointment that was not
-- moved elsewhere, "completed" the realised ones.
CREATE TABLE analytics_daily_copays (
  day date NOT NULL,
  location_id uuid NOT NULL,
  physician_id uuid NOT NULL,
  appointment_type_id uuid NOT NULL,
  specialty text NOT NULL,
  booked_priced integer NOT NULL DEFAULT 0,
  booked_copay_cents bigint NOT NULL DEFAULT 0,
  completed_priced integer NOT NULL DEFAULT 0,
  completed_copay_cents bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (day, location_id, physician_id, appointment_type_id)
);
CREATE INDEX analytics_daily_copays_location_idx ON analytics_daily_copays (location_id, day);

-- How far the copay projection has followed the schedule events (one row; null: never built).
CREATE TABLE analytics_copay_projection (
  id integer PRIMARY KEY CONSTRAINT analytics_copay_projection_single CHECK (id = 1),
  last_seq bigint
);
INSERT INTO analytics_copay_projection (id, last_seq) VALUES (1, NULL);
