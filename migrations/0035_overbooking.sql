-- Owner: scheduling module. Overbooking: an optional rule per location (off unless its staff or an
-- administrator turn it on) that offers one extra seat in a physician's session when the session's
-- expected no-shows exceed the threshold. An extra seat is an explicit capacity of 2 for exactly
-- one slot: a second appointment at the same physician, room, start and end as a booked one. The
-- database keeps "bookings never collide" for everything else: at most one ordinary and one extra
-- appointment per slot, overlapping appointments of a physician or a room share their start and
-- end exactly, a room is never shared by two physicians, and patients and equipment keep their own
-- constraints unchanged.
CREATE TABLE overbooking_rules (
  location_id uuid PRIMARY KEY CONSTRAINT overbooking_rules_location_fk REFERENCES locations (id),
  enabled boolean NOT NULL,
  -- expected no-shows of one physician's session (the sum of its appointments' no-show risks)
  threshold numeric(5, 2) NOT NULL CONSTRAINT overbooking_rules_threshold_check CHECK (threshold > 0 AND threshold <= 20),
  updated_at timestamptz NOT NULL,
  updated_by uuid
);

ALTER TABLE appointments ADD COLUMN extra_seat boolean NOT NULL DEFAULT false;

ALTER TABLE appointments
  DROP CONSTRAINT appointments_physician_no_overlap,
  DROP CONSTRAINT appointments_room_no_overlap;
ALTER TABLE appointments
  -- the ordinary appointments of a physician or a room never overlap, as before
  ADD CONSTRAINT appointments_physician_no_overlap EXCLUDE USING gist (physician_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
    WHERE (active AND NOT extra_seat),
  ADD CONSTRAINT appointments_room_no_overlap EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
    WHERE (active AND room_id IS NOT NULL AND NOT extra_seat),
  -- nor do the extra seats: a slot holds at most two
  ADD CONSTRAINT appointments_physician_one_extra_seat EXCLUDE USING gist (physician_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
    WHERE (active AND extra_seat),
  ADD CONSTRAINT appointments_room_one_extra_seat EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
    WHERE (active AND room_id IS NOT NULL AND extra_seat),
  -- an extra seat is the very slot it doubles: same start, same end, same place, same physician.
  -- These compare an extra seat with an ordinary booking only (`extra_seat WITH <>`): two ordinary
  -- bookings are kept apart by the constraints above alone, so that a booking racing another for
  -- the same room meets `appointments_room_no_overlap`, the one its insert waits on and steps
  -- aside from (ON CONFLICT), and not another constraint's error.
  ADD CONSTRAINT appointments_physician_same_slot_start EXCLUDE USING gist (physician_id WITH =, tstzrange(starts_at, ends_at) WITH &&, starts_at WITH <>, extra_seat WITH <>)
    WHERE (active),
  ADD CONSTRAINT appointments_physician_same_slot_end EXCLUDE USING gist (physician_id WITH =, tstzrange(starts_at, ends_at) WITH &&, ends_at WITH <>, extra_seat WITH <>)
    WHERE (active),
  ADD CONSTRAINT appointments_physician_same_slot_place EXCLUDE USING gist (physician_id WITH =, tstzrange(starts_at, ends_at) WITH &&, location_id WITH <>, extra_seat WITH <>)
    WHERE (active),
  ADD CONSTRAINT appointments_room_same_slot_start EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at) WITH &&, starts_at WITH <>, extra_seat WITH <>)
    WHERE (active AND room_id IS NOT NULL),
  ADD CONSTRAINT appointments_room_same_slot_end EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at) WITH &&, ends_at WITH <>, extra_seat WITH <>)
    WHERE (active AND room_id IS NOT NULL),
  ADD CONSTRAINT appointments_room_one_physician EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at) WITH &&, physician_id WITH <>, extra_seat WITH <>)
    WHERE (active AND room_id IS NOT NULL);
