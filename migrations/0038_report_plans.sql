-- Owner: analytics module. Physician utilisation against the plans (issue 15, reports part 2).

-- When each visit ran, so that the planned time it took can be cut from the physician's blocks.
-- The projection is rebuilt (cursor reset) to fill them for the visits already read.
ALTER TABLE analytics_visits ADD COLUMN starts_at timestamptz, ADD COLUMN ends_at timestamptz;
CREATE INDEX analytics_visits_physician_start_idx ON analytics_visits (physician_id, starts_at);
UPDATE analytics_projection SET last_seq = NULL;

-- Pre-aggregated planned time per local day, location and physician, from the physicians' plans
-- (read through their service), the visits above and the travel matrix: what the utilisation
-- report joins to the daily facts. Minutes: planned before time off, blocked by approved time off,
-- travel into the location's blocks, free (available) and the free stretches at least as long as
-- the shortest appointment type the block offers (fillable gaps).
CREATE TABLE analytics_daily_plans (
  day date NOT NULL,
  location_id uuid NOT NULL,
  physician_id uuid NOT NULL,
  -- the physician's primary specialty (department heads' scope)
  specialty text NOT NULL,
  planned_minutes integer NOT NULL DEFAULT 0,
  time_off_minutes integer NOT NULL DEFAULT 0,
  travel_minutes integer NOT NULL DEFAULT 0,
  available_minutes integer NOT NULL DEFAULT 0,
  gap_minutes integer NOT NULL DEFAULT 0,
  gaps integer NOT NULL DEFAULT 0,
  PRIMARY KEY (day, location_id, physician_id)
);
CREATE INDEX analytics_daily_plans_location_idx ON analytics_daily_plans (location_id, day);
CREATE INDEX analytics_daily_plans_physician_idx ON analytics_daily_plans (physician_id, day);

-- The days whose planned time has been computed for every physician, and the physician-days a
-- schedule change has since made stale (both recomputed before a report reads them).
CREATE TABLE analytics_plan_days (
  day date PRIMARY KEY,
  computed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE analytics_plan_stale (
  day date NOT NULL,
  physician_id uuid NOT NULL,
  PRIMARY KEY (day, physician_id)
);
