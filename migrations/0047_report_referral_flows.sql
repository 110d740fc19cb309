-- Owner: analytics module. Referral flows in the patient-flow report (issue 15).

-- The location that referred the patient (a booked referral, read through the referrals module's
-- interface): a visit row keeps it so that a change takes away exactly the flow it added.
-- The projection is rebuilt (cursor reset) to fill it for the visits already read.
ALTER TABLE analytics_visits ADD COLUMN referred_from uuid;
UPDATE analytics_projection SET last_seq = NULL;

ALTER TABLE analytics_daily_flows DROP CONSTRAINT analytics_daily_flows_kind_check;
ALTER TABLE analytics_daily_flows ADD CONSTRAINT analytics_daily_flows_kind_check
  CHECK (source_kind IN ('location', 'area', 'referral'));
