-- Owner: platform (src/platform/residency). Data residency: each location's region
-- (locations.data_residency) decides where the patient content it holds may live and who it may
-- be sent to. The tables of location-scoped patient content that no cross-location constraint
-- guards — eligibility checks (0050), prescriptions and rides (0052) — are list-partitioned by
-- region, one partition per region, which `residency_apply` moves into the region's tablespace
-- (ROUNDS_RESIDENCY_TABLESPACES). Appointments (and the care team's notes on them, 0055) stay one
-- table: their exclusion constraints guard physicians and patients across every location, and
-- many tables reference them. Nothing references the three partitioned tables.
--
-- A row's region is its location's, written with the row and moved with the location: a location
-- that changes region moves its rows to the new region's partition in the same transaction.
-- Partitioned unique keys must hold the partition key: the "one check per appointment" and "one
-- live ride per appointment" rules become per (appointment, region).
-- `withheld`: a partner limited to other regions (ROUNDS_<PARTNER>_REGIONS) is never sent the row.

-- What the operator configured, as the last `residency_apply` wrote it (the report reads the
-- catalogue for where data actually is).
CREATE TABLE residency_regions (
  region text PRIMARY KEY CONSTRAINT residency_regions_region_check CHECK (region ~ '^[a-z]{2}(-[a-z0-9]+)?$'),
  tablespace text CONSTRAINT residency_regions_tablespace_check CHECK (tablespace ~ '^[a-z_][a-z0-9_]{0,62}$'),
  applied_at timestamptz NOT NULL DEFAULT now()
);

-- Each region's partition of each partitioned table.
CREATE TABLE residency_partitions (
  parent text NOT NULL,
  region text NOT NULL,
  partition text NOT NULL UNIQUE,
  PRIMARY KEY (parent, region)
);

-- ── eligibility_checks ──
ALTER TABLE eligibility_checks RENAME TO eligibility_checks_0055;
CREATE TABLE eligibility_checks (
  LIKE eligibility_checks_0055 INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
  region text NOT NULL
) PARTITION BY LIST (region);
ALTER TABLE eligibility_checks DROP CONSTRAINT eligibility_checks_status_check;
ALTER TABLE eligibility_checks ADD CONSTRAINT eligibility_checks_status_check
  CHECK (status IN ('pending', 'verified_active', 'inactive', 'not_found', 'not_verified', 'withheld'));

-- ── prescriptions ──
ALTER TABLE prescriptions RENAME TO prescriptions_0055;
CREATE TABLE prescriptions (
  LIKE prescriptions_0055 INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
  region text NOT NULL
) PARTITION BY LIST (region);
ALTER TABLE prescriptions DROP CONSTRAINT prescriptions_status_check;
ALTER TABLE prescriptions ADD CONSTRAINT prescriptions_status_check
  CHECK (status IN ('not_sent', 'accepted', 'filled', 'ready', 'picked_up', 'rejected', 'withheld'));

-- ── rides ──
ALTER TABLE rides RENAME TO rides_0055;
CREATE TABLE rides (
  LIKE rides_0055 INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
  region text NOT NULL
) PARTITION BY LIST (region);
ALTER TABLE rides DROP CONSTRAINT rides_status_check;
ALTER TABLE rides ADD CONSTRAINT rides_status_check
  CHECK (status IN ('not_sent', 'requested', 'scheduled', 'completed', 'cancelled', 'withheld'));

-- SIU messages about appointments of a region the HL7 targets may not hear of (ROUNDS_HL7_REGIONS).
ALTER TABLE hl7_messages DROP CONSTRAINT hl7_messages_status_check;
ALTER TABLE hl7_messages ADD CONSTRAINT hl7_messages_status_check
  CHECK (status IN ('pending', 'acknowledged', 'failed', 'withheld'));

-- A billing batch holds the visits of one region ('' : batches made before this migration).
ALTER TABLE billing_batches ADD COLUMN region text NOT NULL DEFAULT '';
ALTER TABLE billing_batches DROP CONSTRAINT billing_batches_range_key;
ALTER TABLE billing_batches ADD CONSTRAINT billing_batches_range_key UNIQUE (format, from_date, to_date, region);

-- A region's partitions, created the first time a location of that region appears, in the
-- region's tablespace when it is configured and exists. SECURITY DEFINER: the application's role
-- owns no table (0018) and creates a partition only through this.
CREATE FUNCTION residency_ensure_partitions(r text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  t text;
  p text;
  ts text;
BEGIN
  IF r !~ '^[a-z]{2}(-[a-z0-9]+)?$' THEN
    RAISE EXCEPTION 'not a region tag: %', r USING ERRCODE = 'check_violation';
  END IF;
  IF (SELECT count(*) FROM residency_partitions WHERE region = r) = 3 THEN RETURN; END IF;
  -- two locations of a new region created at once: the second waits and finds the partitions
  PERFORM pg_advisory_xact_lock(7402156);
  SELECT x.tablespace INTO ts FROM residency_regions x JOIN pg_tablespace s ON s.spcname = x.tablespace
  WHERE x.region = r;
  FOREACH t IN ARRAY ARRAY['eligibility_checks', 'prescriptions', 'rides'] LOOP
    CONTINUE WHEN EXISTS (SELECT 1 FROM residency_partitions WHERE parent = t AND region = r);
    p := t || '_' || replace(r, '-', '_');
    IF EXISTS (SELECT 1 FROM pg_class WHERE relname = p) THEN p := p || '_' || left(md5(r), 6); END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES IN (%L)', p, t, r)
      || CASE WHEN ts IS NULL THEN '' ELSE format(' TABLESPACE %I', ts) END;
    INSERT INTO residency_partitions (parent, region, partition) VALUES (t, r, p);
  END LOOP;
END $$;

-- only through a location's trigger: the application makes no partition of its own accord
REVOKE EXECUTE ON FUNCTION residency_ensure_partitions(text) FROM PUBLIC;

-- A location's region is where its rows live: created with it, moved with it.
CREATE FUNCTION residency_follow_location() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM residency_ensure_partitions(NEW.data_residency);
  IF TG_OP = 'UPDATE' AND OLD.data_residency <> NEW.data_residency THEN
    UPDATE eligibility_checks SET region = NEW.data_residency WHERE location_id = NEW.id;
    UPDATE prescriptions SET region = NEW.data_residency WHERE location_id = NEW.id;
    UPDATE rides SET region = NEW.data_residency WHERE location_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER locations_residency AFTER INSERT OR UPDATE OF data_residency ON locations
  FOR EACH ROW EXECUTE FUNCTION residency_follow_location();

-- Places every region's partitions (and their indexes) where the configuration says: `placement`
-- maps region → tablespace; a region left out goes back to the default tablespace; a tablespace
-- that does not exist is left alone (the report says so). Idempotent, one replica at a time.
-- Returns what it moved.
CREATE FUNCTION residency_apply(placement jsonb)
RETURNS TABLE (relation text, region text, tablespace text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
  p record;
  i record;
  want text;
  have text;
BEGIN
  PERFORM pg_advisory_xact_lock(7402156);
  UPDATE residency_regions SET tablespace = NULL, applied_at = now()
  WHERE NOT placement ? residency_regions.region;
  INSERT INTO residency_regions (region, tablespace)
  SELECT e.key, e.value FROM jsonb_each_text(placement) e
  ON CONFLICT ON CONSTRAINT residency_regions_pkey
  DO UPDATE SET tablespace = EXCLUDED.tablespace, applied_at = now();
  FOR p IN SELECT rp.partition, rp.region, x.tablespace AS configured
           FROM residency_partitions rp LEFT JOIN residency_regions x ON x.region = rp.region
           ORDER BY rp.partition LOOP
    want := CASE
      WHEN p.configured IS NULL THEN 'pg_default'
      WHEN EXISTS (SELECT 1 FROM pg_tablespace WHERE spcname = p.configured) THEN p.configured
    END;
    CONTINUE WHEN want IS NULL;
    FOR i IN SELECT c.relname, c.relkind, COALESCE(s.spcname, 'pg_default') AS spc
             FROM pg_class c LEFT JOIN pg_tablespace s ON s.oid = c.reltablespace
             WHERE c.oid = p.partition::regclass
                OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = p.partition::regclass) LOOP
      have := i.spc;
      CONTINUE WHEN have = want;
      IF i.relkind = 'i' THEN
        EXECUTE format('ALTER INDEX %I SET TABLESPACE %I', i.relname, want);
      ELSE
        EXECUTE format('ALTER TABLE %I SET TABLESPACE %I', i.relname, want);
      END IF;
      relation := i.relname;
      region := p.region;
      tablespace := want;
      RETURN NEXT;
    END LOOP;
  END LOOP;
END $$;

-- Every region a location has today gets its partitions; the rows come over with their region.
SELECT residency_ensure_partitions(r) FROM (SELECT DISTINCT data_residency AS r FROM locations) x;
SELECT residency_ensure_partitions('us');

INSERT INTO eligibility_checks SELECT c.*, COALESCE(l.data_residency, 'us')
  FROM eligibility_checks_0055 c LEFT JOIN locations l ON l.id = c.location_id;
INSERT INTO prescriptions SELECT p.*, l.data_residency
  FROM prescriptions_0055 p JOIN locations l ON l.id = p.location_id;
INSERT INTO rides SELECT r.*, l.data_residency
  FROM rides_0055 r JOIN locations l ON l.id = r.location_id;
DROP TABLE eligibility_checks_0055;
DROP TABLE prescriptions_0055;
DROP TABLE rides_0055;

ALTER TABLE eligibility_checks ADD PRIMARY KEY (id, region);
ALTER TABLE eligibility_checks ADD CONSTRAINT eligibility_checks_appointment_unique UNIQUE (appointment_id, region);
CREATE INDEX eligibility_checks_due_idx ON eligibility_checks (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX eligibility_checks_patient_idx ON eligibility_checks (patient_id, checked_at DESC);
CREATE INDEX eligibility_checks_location_idx ON eligibility_checks (location_id);

ALTER TABLE prescriptions ADD PRIMARY KEY (id, region);
ALTER TABLE prescriptions ADD CONSTRAINT prescriptions_appointment_fk FOREIGN KEY (appointment_id) REFERENCES appointments (id);
ALTER TABLE prescriptions ADD CONSTRAINT prescriptions_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (id);
ALTER TABLE prescriptions ADD CONSTRAINT prescriptions_physician_fk FOREIGN KEY (physician_id) REFERENCES physicians (id);
ALTER TABLE prescriptions ADD CONSTRAINT prescriptions_location_fk FOREIGN KEY (location_id) REFERENCES locations (id);
CREATE INDEX prescriptions_patient_idx ON prescriptions (patient_id, created_at DESC);
CREATE INDEX prescriptions_appointment_idx ON prescriptions (appointment_id);
CREATE INDEX prescriptions_due_idx ON prescriptions (next_attempt_at) WHERE pending IS NOT NULL;
CREATE INDEX prescriptions_location_idx ON prescriptions (location_id);

ALTER TABLE rides ADD PRIMARY KEY (id, region);
ALTER TABLE rides ADD CONSTRAINT rides_appointment_fk FOREIGN KEY (appointment_id) REFERENCES appointments (id);
ALTER TABLE rides ADD CONSTRAINT rides_patient_fk FOREIGN KEY (patient_id) REFERENCES patients (id);
ALTER TABLE rides ADD CONSTRAINT rides_location_fk FOREIGN KEY (location_id) REFERENCES locations (id);
ALTER TABLE rides ADD CONSTRAINT rides_from_location_fk FOREIGN KEY (from_location_id) REFERENCES locations (id);
ALTER TABLE rides ADD CONSTRAINT rides_from_appointment_fk FOREIGN KEY (from_appointment_id) REFERENCES appointments (id);
CREATE UNIQUE INDEX rides_one_per_appointment ON rides (appointment_id, region) WHERE status <> 'cancelled';
CREATE INDEX rides_location_day_idx ON rides (location_id, pickup_at);
CREATE INDEX rides_patient_idx ON rides (patient_id, pickup_at DESC);
CREATE INDEX rides_due_idx ON rides (next_attempt_at) WHERE pending IS NOT NULL;

-- The application may ask for the placement to be applied, and reads where data lives.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rounds_app') THEN
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON eligibility_checks, prescriptions, rides TO rounds_app';
    EXECUTE 'REVOKE INSERT, UPDATE, DELETE ON residency_partitions, residency_regions FROM rounds_app';
  END IF;
END;
$$;
