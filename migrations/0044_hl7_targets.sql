-- Owner: hl7 (src/integrations/hl7). The EMR endpoints the SIU sender has seen. A target seen for
-- the first time is sent an S12 for every future booked appointment (the backfill), a batch per
-- round under the cursor's lock, before and alongside the events that follow: one replica at a
-- time, once per target across restarts.
CREATE TABLE hl7_targets (
  -- host:port, as in hl7_messages.target (a tls:// prefix is not part of it)
  target text PRIMARY KEY,
  -- the cursor when the target was first seen: events after it are sent as they come
  first_seen_seq bigint NOT NULL,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  -- the backfill's keyset position (appointment id), and when it was done
  backfill_after uuid,
  backfilled_at timestamptz,
  backfilled integer NOT NULL DEFAULT 0
);

-- A backfilled message reports no single event: it carries the appointment's latest event seq (or
-- the seq the target was first seen at), so one seq may now carry several appointments' messages.
ALTER TABLE hl7_messages DROP CONSTRAINT hl7_messages_one_per_event;
ALTER TABLE hl7_messages ADD CONSTRAINT hl7_messages_one_per_event UNIQUE (target, event_seq, appointment_id);
CREATE INDEX hl7_messages_appointment_idx ON hl7_messages (target, appointment_id, event_seq);
