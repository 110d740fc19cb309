-- Owner: telehealth (src/integrations/telehealth). The join link of each video visit, issued by the
-- configured provider inside the booking transaction, so no booked video visit is ever without one.
-- A rescheduled visit keeps its link (the row moves to the new appointment); a cancelled one keeps
-- the row, revoked, so its page can say the visit was cancelled.
CREATE TABLE telehealth_links (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- the appointment the link belongs to now: the newest of a chain of reschedules
  appointment_id uuid NOT NULL CONSTRAINT telehealth_links_appointment_fk REFERENCES appointments (id)
    CONSTRAINT telehealth_links_one_per_appointment UNIQUE,
  -- the provider that issued it ('builtin', or a plugged-in one's name)
  provider text NOT NULL CONSTRAINT telehealth_links_provider_check CHECK (provider ~ '^[a-z][a-z0-9_-]{0,39}$'),
  join_url text NOT NULL CONSTRAINT telehealth_links_join_url_check CHECK (join_url ~ '^https?://' AND length(join_url) <= 2000),
  -- the built-in provider's room token (at least 128 random bits, the last part of /visit/<token>);
  -- a remote provider's own room id
  token text NOT NULL CONSTRAINT telehealth_links_token_unique UNIQUE
    CONSTRAINT telehealth_links_token_check CHECK (length(token) BETWEEN 22 AND 200),
  issued_at timestamptz NOT NULL DEFAULT now(),
  moved_at timestamptz,
  revoked_at timestamptz
);
