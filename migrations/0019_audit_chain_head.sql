-- Owner: platform (audit). Appending an event takes its chain's lock and reads the chain's last
-- hash in one round trip. A function, not one plain statement: a statement's snapshot is taken
-- before it waits for the lock, so it could miss the event of the appender it waited for and fork
-- the chain; a volatile PL/pgSQL function reads with a fresh snapshot after the lock is held.
CREATE FUNCTION audit_chain_head(chains integer, lock_base bigint)
RETURNS TABLE (chain integer, prev_hash text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  c integer := (txid_current() % chains)::integer;
BEGIN
  PERFORM pg_advisory_xact_lock(lock_base + c);
  RETURN QUERY
    SELECT c, (SELECT e.hash FROM audit_events e WHERE e.chain = c ORDER BY e.seq DESC LIMIT 1);
END;
$$;
