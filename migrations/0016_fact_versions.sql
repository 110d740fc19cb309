-- Owner: platform (facts). One stamp per family of facts that processes cache, renewed by a
-- statement-level trigger whenever any of the family's tables changes, through the API or not.
-- A booking reads the stamp inside its transaction (folded into a statement it already makes) and
-- rebuilds its cached copy when the stamp moved, so every replica books against current facts.
-- A random stamp (not a counter) never repeats, not even in another database.
CREATE TABLE fact_versions (
  family text PRIMARY KEY,
  stamp uuid NOT NULL DEFAULT gen_random_uuid(),
  changed_at timestamptz NOT NULL DEFAULT now()
);
-- facilities: locations (time zones, opening hours, coordinates), departments, rooms, equipment
-- and travel times, which the availability engine reads as one network snapshot
INSERT INTO fact_versions (family) VALUES ('facilities');

-- runs as the table owner, so an application role needs only SELECT on fact_versions
CREATE FUNCTION fact_versions_renew() RETURNS trigger LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  UPDATE fact_versions SET stamp = gen_random_uuid(), changed_at = now() WHERE family = TG_ARGV[0];
  RETURN NULL;
END $$;

CREATE TRIGGER locations_renew_facilities AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON locations
  FOR EACH STATEMENT EXECUTE FUNCTION fact_versions_renew('facilities');
CREATE TRIGGER departments_renew_facilities AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON departments
  FOR EACH STATEMENT EXECUTE FUNCTION fact_versions_renew('facilities');
CREATE TRIGGER rooms_renew_facilities AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rooms
  FOR EACH STATEMENT EXECUTE FUNCTION fact_versions_renew('facilities');
CREATE TRIGGER equipment_renew_facilities AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON equipment
  FOR EACH STATEMENT EXECUTE FUNCTION fact_versions_renew('facilities');
CREATE TRIGGER travel_times_renew_facilities AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON travel_times
  FOR EACH STATEMENT EXECUTE FUNCTION fact_versions_renew('facilities');
