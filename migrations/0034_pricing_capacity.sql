-- Owner: analytics module (pricing and capacity planning). Demand-based copays: the rules an
-- administrator sets per location, appointment type and local time band, the caps per insurance
-- plan that bound every adjustment, the patients staff flagged for financial assistance (never
-- adjusted), and the price the server computed for each booked appointment (from the booking event).
CREATE TABLE pricing_rules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  location_id uuid NOT NULL REFERENCES locations (id),
  -- null: every appointment type at the location
  appointment_type_id uuid REFERENCES appointment_types (id),
  kind text NOT NULL CONSTRAINT pricing_rules_kind CHECK (kind IN ('off_peak_discount', 'high_demand_surcharge')),
  -- ISO weekdays (1 = Monday … 7 = Sunday) and local wall-clock times of the band
  weekdays smallint[] NOT NULL CONSTRAINT pricing_rules_weekdays CHECK (
    cardinality(weekdays) BETWEEN 1 AND 7 AND weekdays <@ ARRAY[1, 2, 3, 4, 5, 6, 7]::smallint[]),
  start_time text NOT NULL CONSTRAINT pricing_rules_start_format CHECK (start_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  end_time text NOT NULL CONSTRAINT pricing_rules_end_format CHECK (end_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$'),
  -- a discount applies at or below this forecast utilisation, a surcharge at or above it
  utilisation_threshold numeric(4, 3) NOT NULL CONSTRAINT pricing_rules_threshold CHECK (utilisation_threshold BETWEEN 0 AND 1),
  percent integer NOT NULL CONSTRAINT pricing_rules_percent CHECK (percent BETWEEN 1 AND 100),
  active boolean NOT NULL DEFAULT true,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pricing_rules_band CHECK (end_time > start_time)
);
CREATE INDEX pricing_rules_location_idx ON pricing_rules (location_id, active);

-- The most a rule may add to or take off a copay, per insurance plan ('self_pay' without one;
-- 'default' for plans without their own row). No row at all: no adjustment.
CREATE TABLE pricing_caps (
  plan text PRIMARY KEY CONSTRAINT pricing_caps_plan CHECK (length(plan) BETWEEN 1 AND 200),
  max_surcharge_cents integer NOT NULL CONSTRAINT pricing_caps_surcharge CHECK (max_surcharge_cents BETWEEN 0 AND 100000000),
  max_discount_cents integer NOT NULL CONSTRAINT pricing_caps_discount CHECK (max_discount_cents BETWEEN 0 AND 100000000),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pricing_assistance (
  patient_id uuid PRIMARY KEY REFERENCES patients (id),
  set_by uuid NOT NULL,
  set_at timestamptz NOT NULL DEFAULT now()
);

-- The copay of a booked appointment as the server computed it when the booking event arrived.
CREATE TABLE appointment_prices (
  appointment_id uuid PRIMARY KEY,
  location_id uuid NOT NULL,
  base_cents integer NOT NULL CONSTRAINT appointment_prices_base CHECK (base_cents >= 0),
  price_cents integer NOT NULL CONSTRAINT appointment_prices_price CHECK (price_cents >= 0),
  rule_ids uuid[] NOT NULL DEFAULT '{}',
  plan text NOT NULL,
  utilisation numeric(5, 4) NOT NULL,
  reason text NOT NULL,
  recorded_at timestamptz NOT NULL
);
CREATE INDEX appointment_prices_location_idx ON appointment_prices (location_id);

-- How far the price recorder has read the schedule events (one row).
CREATE TABLE pricing_cursor (
  id integer PRIMARY KEY CONSTRAINT pricing_cursor_single CHECK (id = 1),
  seq bigint NOT NULL
);
INSERT INTO pricing_cursor (id, seq) VALUES (1, 0);

-- Capacity planning: physicians' contracts (where, how long and which days they may work) and
-- the proposals the solver made, kept with the figures they were shown with.
CREATE TABLE physician_contracts (
  physician_id uuid PRIMARY KEY REFERENCES physicians (id),
  home_location_id uuid NOT NULL REFERENCES locations (id),
  location_ids uuid[] NOT NULL CONSTRAINT physician_contracts_locations CHECK (cardinality(location_ids) >= 1),
  hours_per_week integer NOT NULL CONSTRAINT physician_contracts_hours CHECK (hours_per_week BETWEEN 1 AND 80),
  weekdays smallint[] NOT NULL CONSTRAINT physician_contracts_weekdays CHECK (
    cardinality(weekdays) BETWEEN 1 AND 7 AND weekdays <@ ARRAY[1, 2, 3, 4, 5, 6, 7]::smallint[]),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE capacity_plans (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  specialty text NOT NULL,
  start_date date NOT NULL,
  weeks integer NOT NULL CONSTRAINT capacity_plans_weeks CHECK (weeks BETWEEN 1 AND 8),
  status text NOT NULL DEFAULT 'proposed' CONSTRAINT capacity_plans_status CHECK (status IN ('proposed', 'applied')),
  -- inputs, the proposed assignments and today's plan side by side (coverage, travel, expected wait)
  proposal jsonb NOT NULL,
  solve_ms integer NOT NULL,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL,
  applied_at timestamptz,
  applied_by uuid
);
CREATE INDEX capacity_plans_specialty_idx ON capacity_plans (specialty, created_at DESC);
