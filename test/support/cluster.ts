/**
 * PostgreSQL clusters of a test's own (the PITR drill, TLS to PostgreSQL): the server's binaries,
 * run as the `postgres` user, since initdb and postgres refuse to run as root. The machine's own
 * server is never touched; each cluster lives in a temporary directory on a free port
 * (`freePort` in servers.ts).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

export const run = promisify(execFile);
export const PG_BIN = "/usr/lib/postgresql/15/bin";

/** A PostgreSQL tool (`initdb`, `pg_ctl`, `pg_basebackup`, …) as the `postgres` user. */
export const asPostgres = (tool: string, args: string[]) =>
  run("runuser", ["-u", "postgres", "--", join(PG_BIN, tool), ...args]);
