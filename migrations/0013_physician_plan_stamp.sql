-- Owner: physicians module. A stamp that changes whenever anything a physician's planned blocks
-- are made of changes (templates, temporary assignments and rotations, time off, the time zone of
-- a location they work at). Expanded plans are cached per process under this stamp, so every
-- replica notices a change on its next read. A random stamp (not a counter) can never repeat, not
-- even in another database with the same physician ids.
ALTER TABLE physicians ADD COLUMN plan_stamp uuid NOT NULL DEFAULT gen_random_uuid();

CREATE FUNCTION physicians_restamp_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE physicians SET plan_stamp = gen_random_uuid() WHERE id IN (SELECT physician_id FROM new_rows);
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE physicians SET plan_stamp = gen_random_uuid() WHERE id IN (SELECT physician_id FROM old_rows);
  ELSE
    UPDATE physicians SET plan_stamp = gen_random_uuid()
    WHERE id IN (SELECT physician_id FROM new_rows UNION SELECT physician_id FROM old_rows);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER assignment_templates_restamp_insert AFTER INSERT ON assignment_templates
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION physicians_restamp_changed();
CREATE TRIGGER assignment_templates_restamp_update AFTER UPDATE ON assignment_templates
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION physicians_restamp_changed();
CREATE TRIGGER assignment_templates_restamp_delete AFTER DELETE ON assignment_templates
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION physicians_restamp_changed();

CREATE TRIGGER assignment_overrides_restamp_insert AFTER INSERT ON assignment_overrides
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION physicians_restamp_changed();
CREATE TRIGGER assignment_overrides_restamp_update AFTER UPDATE ON assignment_overrides
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION physicians_restamp_changed();
CREATE TRIGGER assignment_overrides_restamp_delete AFTER DELETE ON assignment_overrides
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION physicians_restamp_changed();

CREATE TRIGGER time_off_restamp_insert AFTER INSERT ON time_off
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION physicians_restamp_changed();
CREATE TRIGGER time_off_restamp_update AFTER UPDATE ON time_off
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION physicians_restamp_changed();
CREATE TRIGGER time_off_restamp_delete AFTER DELETE ON time_off
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION physicians_restamp_changed();

-- a location moving to another time zone moves the wall-clock blocks of everyone who works there
CREATE FUNCTION physicians_restamp_location() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE physicians SET plan_stamp = gen_random_uuid()
  WHERE id IN (SELECT physician_id FROM assignment_templates WHERE location_id = NEW.id
               UNION SELECT physician_id FROM assignment_overrides WHERE location_id = NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER locations_restamp_physicians AFTER UPDATE OF time_zone ON locations
  FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone) EXECUTE FUNCTION physicians_restamp_location();
