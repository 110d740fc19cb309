-- Owner: scheduling module. Whether a location's extra seat (migration 0035) is also offered to
-- patients searching for themselves; off unless the location turns it on (staff always see it
-- while the rule is on).
ALTER TABLE overbooking_rules ADD COLUMN offer_to_patients boolean NOT NULL DEFAULT false;
