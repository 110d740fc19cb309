-- Owners: locations (rooms, equipment) and rescheduling (reschedule_plans). A room or an item of
-- equipment may be out of service for a period: from `out_of_service_from` until
-- `out_of_service_until` (half-open; no end: until it is put back by hand, and then it is also
-- inactive). Availability treats the period as busy, so the resource is offered before and after
-- it and never inside; once the end has passed it is back in service without anyone acting.
ALTER TABLE rooms
  ADD COLUMN out_of_service_from timestamptz,
  ADD COLUMN out_of_service_until timestamptz,
  ADD COLUMN out_of_service_reason text,
  ADD CONSTRAINT rooms_out_of_service_window CHECK (
    (out_of_service_from IS NOT NULL OR out_of_service_until IS NULL)
    AND (out_of_service_until IS NULL OR out_of_service_until > out_of_service_from));
ALTER TABLE equipment
  ADD COLUMN out_of_service_from timestamptz,
  ADD COLUMN out_of_service_until timestamptz,
  ADD COLUMN out_of_service_reason text,
  ADD CONSTRAINT equipment_out_of_service_window CHECK (
    (out_of_service_from IS NOT NULL OR out_of_service_until IS NULL)
    AND (out_of_service_until IS NULL OR out_of_service_until > out_of_service_from));

-- A plan may be made for an item of equipment taken out of service: it names the item and neither
-- a physician nor a room. Exactly one subject is named, the one its cause implies.
ALTER TABLE reschedule_plans
  ADD COLUMN equipment_id uuid REFERENCES equipment (id),
  DROP CONSTRAINT reschedule_plans_cause,
  ADD CONSTRAINT reschedule_plans_cause
    CHECK (cause IN ('schedule', 'unavailable_today', 'room_out_of_service', 'equipment_out_of_service')),
  DROP CONSTRAINT reschedule_plans_subject,
  ADD CONSTRAINT reschedule_plans_subject CHECK (
    (cause = 'room_out_of_service') = (room_id IS NOT NULL)
    AND (cause = 'equipment_out_of_service') = (equipment_id IS NOT NULL)
    AND (physician_id IS NULL) = (room_id IS NOT NULL OR equipment_id IS NOT NULL)
  );
CREATE INDEX reschedule_plans_equipment ON reschedule_plans (equipment_id, created_at DESC)
  WHERE equipment_id IS NOT NULL;
