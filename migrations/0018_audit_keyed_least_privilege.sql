-- Owner: platform (audit). The audit chain becomes keyed, and the application gets a role of its own.

-- Which algorithm hashed each event: events written before this migration keep their plain
-- SHA-256 ('sha256'); every event written since is HMAC-SHA256 under a key the database never
-- holds ('hmac-sha256'). Verification accepts unkeyed events only before a chain's first keyed one.
ALTER TABLE audit_events
  ADD COLUMN hash_alg text NOT NULL DEFAULT 'sha256'
  CONSTRAINT audit_events_hash_alg_check CHECK (hash_alg IN ('sha256', 'hmac-sha256'));

-- rounds_app: what the application may do, and no more. It owns nothing, so it cannot ALTER a
-- table, disable a trigger or change a grant; on the audit trail it may only append and read.
-- Roles belong to the whole cluster: created once, here when the migrating role may create roles
-- (otherwise an administrator creates it; see README), and granted in every database.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rounds_app') THEN
    BEGIN
      CREATE ROLE rounds_app NOLOGIN;
    EXCEPTION
      -- another database of the cluster migrating at the same moment created it
      WHEN duplicate_object OR unique_violation THEN NULL;
      WHEN insufficient_privilege THEN
        RAISE NOTICE 'rounds_app not created: this role may not create roles (see README, "Database roles")';
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rounds_app') THEN
    EXECUTE 'GRANT USAGE ON SCHEMA public TO rounds_app';
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO rounds_app';
    EXECUTE 'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO rounds_app';
    EXECUTE 'REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM rounds_app';
    EXECUTE 'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM rounds_app';
    -- tables later migrations create (as this same owner) are the application's to use too
    EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO rounds_app';
    EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO rounds_app';
  END IF;
END;
$$;
