/**
 * Rate limits per account and per client address on sign-in, search and booking, shared by every
 * replica through one PostgreSQL table (`rate_limit_counters`, migration 0045). A fixed one-minute
 * window: each limited request costs one upsert that counts its keys (account and address) and
 * starts a new window when the stored one has passed. Over a limit, the request is answered 429
 * problem+json naming the limit, with Retry-After up to the window's end. The sign-in throttle
 * (identity/throttle.ts) still locks accounts after failed passwords; this bounds volume.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { sql } from "kysely";
import type { RateLimitConfig } from "./config.js";
import type { Db } from "./db.js";
import { ProblemError, problemBody } from "./errors.js";
import type { App } from "./http.js";

export type LimitedAction = "signIn" | "search" | "booking";

/** Which routes count against which limit (method and route pattern). */
const LIMITED_ROUTES: Record<string, LimitedAction> = {
  "POST /api/v1/auth/login": "signIn",
  "GET /api/v1/availability": "search",
  "POST /api/v1/holds": "booking",
  "POST /api/v1/appointments": "booking",
};

/** Whether a route counts against a rate limit (so its API document lists 429). */
export const isRateLimited = (method: string, route: string): boolean =>
  `${method} ${route}` in LIMITED_ROUTES;

const WINDOW_MS = 60_000;
const SWEEP_EVERY_MS = 10 * WINDOW_MS;

export interface RateLimitKeys {
  /** The account: the signed-in user's id, or the e-mail address a sign-in names. */
  account: string | undefined;
  address: string;
}

/** What a limited request was told: nothing (allowed) or which limit refused it and for how long. */
export interface RateLimitVerdict {
  refused?: { field: "account" | "address"; limit: number; retryAfterSeconds: number };
}

export function createRateLimits(deps: { db: Db; config: RateLimitConfig; now?: () => number }) {
  const now = deps.now ?? Date.now;
  let lastSweep = now();
  return {
    actionOf(method: string, route: string | undefined): LimitedAction | undefined {
      return route ? LIMITED_ROUTES[`${method} ${route}`] : undefined;
    },

    /** Counts one request of `action` against its keys, in one statement; says whether it is over. */
    async hit(action: LimitedAction, keys: RateLimitKeys): Promise<RateLimitVerdict> {
      const at = now();
      const windowStart = new Date(Math.floor(at / WINDOW_MS) * WINDOW_MS);
      const limits = deps.config[action];
      const rows: Array<{ key: string; field: "account" | "address"; limit: number }> = [
        { key: `${action}:address:${keys.address}`, field: "address", limit: limits.address },
      ];
      if (keys.account)
        rows.push({ key: `${action}:account:${keys.account}`, field: "account", limit: limits.account });
      // the same key order in every statement, so concurrent upserts never deadlock
      rows.sort((a, b) => (a.key < b.key ? -1 : 1));
      const values = sql.join(rows.map((r) => sql`(${r.key.slice(0, 400)}, ${windowStart}, 1)`));
      const counted = await sql<{ key: string; hits: number }>`
        INSERT INTO rate_limit_counters (key, window_start, hits) VALUES ${values}
        ON CONFLICT (key) DO UPDATE SET
          hits = CASE WHEN rate_limit_counters.window_start = excluded.window_start
                      THEN rate_limit_counters.hits + 1 ELSE 1 END,
          window_start = excluded.window_start
        RETURNING key, hits`.execute(deps.db);
      if (at - lastSweep > SWEEP_EVERY_MS) {
        lastSweep = at;
        // windows long past are dead weight; losing this race to another replica is harmless
        void sql`DELETE FROM rate_limit_counters WHERE window_start < ${new Date(at - 2 * WINDOW_MS)}`
          .execute(deps.db)
          .catch(() => {});
      }
      const retryAfterSeconds = Math.max(1, Math.ceil((windowStart.getTime() + WINDOW_MS - at) / 1000));
      for (const r of rows) {
        const hits = Number(counted.rows.find((c) => c.key === r.key.slice(0, 400))?.hits ?? 0);
        if (hits > r.limit) return { refused: { field: r.field, limit: r.limit, retryAfterSeconds } };
      }
      return {};
    },
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;

const ACTION_NAMES: Record<LimitedAction, string> = {
  signIn: "sign-in",
  search: "search",
  booking: "booking",
};

/**
 * Counts every limited request before its handler runs (after authentication, so a signed-in
 * caller counts as their account) and answers 429 over a limit. Off when ROUNDS_RATE_LIMITS=false.
 */
export function installRateLimits(app: App, limits: RateLimits): void {
  app.addHook("preHandler", async (req: FastifyRequest, reply: FastifyReply) => {
    const action = limits.actionOf(req.method, req.routeOptions.url);
    if (!action) return;
    const verdict = await limits.hit(action, { account: accountOf(req, action), address: req.ip });
    const refused = verdict.refused;
    if (!refused) return;
    const what = ACTION_NAMES[action];
    const message = `more than ${refused.limit} ${what} requests a minute from this ${refused.field}`;
    const problem = new ProblemError(429, "rate_limited", `Too many requests: ${message}`, [
      { field: refused.field, message },
    ]);
    req.log.warn({ action, field: refused.field, limit: refused.limit }, "rate limit reached");
    return reply
      .code(429)
      .header("retry-after", String(refused.retryAfterSeconds))
      .type("application/problem+json")
      .send(problemBody(problem, req.id));
  });
}

function accountOf(req: FastifyRequest, action: LimitedAction): string | undefined {
  if (action !== "signIn") return req.actor?.userId;
  const email = (req.body as { email?: unknown } | undefined)?.email;
  return typeof email === "string" ? email.trim().toLowerCase() : undefined;
}
