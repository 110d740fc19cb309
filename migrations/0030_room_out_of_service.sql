-- Owner: rescheduling. A plan may be made for a room taken out of service (by its location's staff
-- or an administrator) instead of a physician's schedule change: it names the room, and no
-- physician (its appointments may be anyone's). Exactly one of the two is named.
ALTER TABLE reschedule_plans
  ALTER COLUMN physician_id DROP NOT NULL,
  ADD COLUMN room_id uuid REFERENCES rooms (id),
  DROP CONSTRAINT reschedule_plans_cause,
  ADD CONSTRAINT reschedule_plans_cause CHECK (cause IN ('schedule', 'unavailable_today', 'room_out_of_service')),
  ADD CONSTRAINT reschedule_plans_subject CHECK (
    (cause = 'room_out_of_service') = (room_id IS NOT NULL)
    AND (physician_id IS NULL) = (room_id IS NOT NULL)
  );
CREATE INDEX reschedule_plans_room ON reschedule_plans (room_id, created_at DESC) WHERE room_id IS NOT NULL;
