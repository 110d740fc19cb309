-- Owner: analytics module. The no-show model, retrained by a job: every trained version is kept
-- with its evaluation; the highest version is the one in use.
CREATE TABLE noshow_models (
  version integer PRIMARY KEY CONSTRAINT noshow_models_version_check CHECK (version > 0),
  trained_at timestamptz NOT NULL,
  -- completed and missed appointments it learned from (all of them; the evaluation held out the latest 30 %)
  trained_on integer NOT NULL CONSTRAINT noshow_models_trained_on_check CHECK (trained_on >= 0),
  -- { spec: how visits become vectors, weights: intercept first }
  model jsonb NOT NULL,
  -- AUC, Brier score, the lead-time baseline's, calibration by decile, features used
  evaluation jsonb NOT NULL
);

-- One replica trains at a time: a replica claims the single row until claimed_until, then trains.
CREATE TABLE noshow_training (
  id integer PRIMARY KEY CONSTRAINT noshow_training_single CHECK (id = 1),
  claimed_until timestamptz NOT NULL
);
INSERT INTO noshow_training (id, claimed_until) VALUES (1, '-infinity');
