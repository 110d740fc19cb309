-- Owner: waitlist module. Offer links: every message that carries an offer (an email, an SMS) gets
-- a token of its own, issued as the message is sent; only its sha-256 is kept here, so a token is
-- only ever in the message that carried it. The offer row keeps no token.
CREATE TABLE waitlist_offer_links (
  token_hash bytea PRIMARY KEY,
  offer_id uuid NOT NULL CONSTRAINT waitlist_offer_links_offer_fk REFERENCES waitlist_offers (id),
  channel text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX waitlist_offer_links_offer_idx ON waitlist_offer_links (offer_id);
-- links made before links had a table of their own stay valid
INSERT INTO waitlist_offer_links (token_hash, offer_id, channel)
  SELECT token_hash, id, 'message' FROM waitlist_offers;
ALTER TABLE waitlist_offers DROP COLUMN token_hash;

-- Owner: notifications module. A waitlist offer is a message of its own kind.
ALTER TABLE notification_jobs DROP CONSTRAINT notification_jobs_kind_check;
ALTER TABLE notification_jobs ADD CONSTRAINT notification_jobs_kind_check
  CHECK (kind IN ('confirmation', 'reminder', 'cancellation', 'reschedule', 'waitlist_offer'));
