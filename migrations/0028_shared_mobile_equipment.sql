-- Owners: locations (equipment) and scheduling (equipment_reservations). Mobile equipment shared
-- across the network: a mobile item that `travels` belongs to its home location (location_id) but
-- may be booked at any location, which reserves it for the appointment and for bringing it there
-- (transport before) and taking it on (transport after), from the travel matrix between the
-- places it was and will be. The database guards "never in two places at once" across every
-- location: no two active reservations of one item overlap, transport included.
ALTER TABLE equipment ADD COLUMN travels boolean NOT NULL DEFAULT false;
-- only an item without a fixed room can leave its location
ALTER TABLE equipment ADD CONSTRAINT equipment_travels_mobile CHECK (NOT travels OR mobile);

ALTER TABLE equipment_reservations
  ADD COLUMN transport_before_minutes integer NOT NULL DEFAULT 0
    CONSTRAINT equipment_reservations_transport_before_range CHECK (transport_before_minutes BETWEEN 0 AND 1440),
  ADD COLUMN transport_after_minutes integer NOT NULL DEFAULT 0
    CONSTRAINT equipment_reservations_transport_after_range CHECK (transport_after_minutes BETWEEN 0 AND 1440),
  ADD COLUMN reserved_from timestamptz,
  ADD COLUMN reserved_until timestamptz;

-- the reserved interval is the appointment's with the transport around it, kept by the database
-- itself (timestamptz arithmetic is not immutable, so it cannot be an index expression)
CREATE FUNCTION equipment_reservations_reserved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.reserved_from := NEW.starts_at - make_interval(mins => NEW.transport_before_minutes);
  NEW.reserved_until := NEW.ends_at + make_interval(mins => NEW.transport_after_minutes);
  RETURN NEW;
END $$;
CREATE TRIGGER equipment_reservations_reserved BEFORE INSERT OR UPDATE ON equipment_reservations
  FOR EACH ROW EXECUTE FUNCTION equipment_reservations_reserved();

UPDATE equipment_reservations SET reserved_from = starts_at, reserved_until = ends_at;
ALTER TABLE equipment_reservations
  ALTER COLUMN reserved_from SET NOT NULL,
  ALTER COLUMN reserved_until SET NOT NULL;

-- the same guard as before (the reserved interval contains the appointment), now with transport
ALTER TABLE equipment_reservations DROP CONSTRAINT equipment_reservations_no_overlap;
ALTER TABLE equipment_reservations ADD CONSTRAINT equipment_reservations_no_overlap
  EXCLUDE USING gist (equipment_id WITH =, tstzrange(reserved_from, reserved_until) WITH &&) WHERE (active);
