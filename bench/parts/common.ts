/** What every part of the bench shares: its options, the benchmark administrator, and statistics. */

export interface BenchOptions {
  /** PostgreSQL server, without a database: `postgres://user@host:port`. */
  server: string;
  database: string;
  databaseUrl: string;
  reuse: boolean;
  scale: "small" | "large";
  requests: number;
  clients: number;
  seconds: number;
  only: ReadonlySet<string>;
  runs: number;
  /** Who the bench signs in as: its own administrator, or the demo's on the small network. */
  admin: { email: string; password: string };
}

export const ADMIN = { email: "bench.admin@rounds.test", password: "bench-password-123" };

/** The `p`th percentile of `xs` (nearest rank). */
export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
/** Milliseconds to one decimal. */
export const ms = (n: number) => Math.round(n * 10) / 10;
export const log = (...m: unknown[]) => console.error("[bench]", ...m);
export const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));
