-- Owner: platform (rate limits). Request counters per account and per client address for sign-in,
-- search and booking, shared by every replica: one row per key and fixed one-minute window, moved
-- on by the same upsert that counts (src/platform/rate-limit.ts). Rows of past windows are
-- overwritten when their key comes back and swept by the server now and then.
CREATE TABLE rate_limit_counters (
  key text PRIMARY KEY CONSTRAINT rate_limit_counters_key_length CHECK (char_length(key) <= 400),
  window_start timestamptz NOT NULL,
  hits integer NOT NULL CONSTRAINT rate_limit_counters_hits_positive CHECK (hits > 0)
);
CREATE INDEX rate_limit_counters_window_idx ON rate_limit_counters (window_start);
