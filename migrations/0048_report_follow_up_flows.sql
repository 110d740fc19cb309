-- Owner: analytics module. Follow-up flows in the patient-flow report (issue 15).

-- A follow-up visit's origin: the location of the patient's previous completed visit of the same
-- specialty (from scheduling's report facts), kept on the visit row so that a change takes away
-- exactly the flow it added. The projection is rebuilt (cursor reset) to fill it.
ALTER TABLE analytics_visits ADD COLUMN followed_from uuid;
UPDATE analytics_projection SET last_seq = NULL;

ALTER TABLE analytics_daily_flows DROP CONSTRAINT analytics_daily_flows_kind_check;
ALTER TABLE analytics_daily_flows ADD CONSTRAINT analytics_daily_flows_kind_check
  CHECK (source_kind IN ('location', 'area', 'referral', 'follow_up'));
