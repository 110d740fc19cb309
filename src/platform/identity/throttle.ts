/**
 * Sign-in throttling per account and per client address. The counters live in `login_throttle`,
 * so every replica shares them; ARCHITECTURE.md ("Notifications: the module's shape and its
 * plumbing") says why no rate-limit library does this job. Only failed sign-ins count against an
 * address — not successful ones, and not ones still being checked — so a whole front desk signing
 * in at once behind one hospital address is never refused. An account counts every attempt the
 * moment it starts, so parallel guesses at one password all meet its limit.
 */
import type { Executor } from "../db.js";
import { identityRepository as repo } from "./repository.js";

const ACCOUNT_FAILURE_LIMIT = 5;
const ADDRESS_FAILURE_LIMIT = 20;
const LOCK_MINUTES = 15;

/** The two counters one sign-in attempt counts against. */
export interface ThrottleKeys {
  account: string;
  address: string;
}

/** When a throttled key may try again, or undefined when it may try now. */
function throttledUntil(
  c: { attempts: number; lockedUntil: Date | null },
  limit: number,
  now: number,
): Date | undefined {
  if (c.lockedUntil && c.lockedUntil.getTime() > now) return c.lockedUntil;
  // more attempts than the limit but no lock yet: earlier guesses are still being checked
  if (c.attempts > limit) return new Date(now + LOCK_MINUTES * 60_000);
  return undefined;
}

export function createLoginThrottle(clock: () => number = Date.now) {
  return {
    keysFor(email: string, clientAddress: string): ThrottleKeys {
      return { account: `account:${email.toLowerCase()}`, address: `address:${clientAddress}` };
    },

    /**
     * Counts the attempt against its account before the password is checked, so parallel guesses
     * all meet the account's limit; the address is only looked at (its failures so far). Refused,
     * the account's attempt is taken back and the answer is when to try again.
     */
    async claim(db: Executor, keys: ThrottleKeys): Promise<Date | undefined> {
      const address = await repo.peekAttempts(db, keys.address);
      const now = clock();
      const byAddress =
        address.lockedUntil && address.lockedUntil.getTime() > now
          ? address.lockedUntil
          : address.attempts >= ADDRESS_FAILURE_LIMIT
            ? new Date(now + LOCK_MINUTES * 60_000)
            : undefined;
      if (byAddress) return byAddress;
      const account = await repo.claimAttempt(db, keys.account);
      const retryAt = throttledUntil(account, ACCOUNT_FAILURE_LIMIT, now);
      if (retryAt) await repo.releaseAttempt(db, keys.account);
      return retryAt;
    },

    /** The claimed attempt failed: it stays counted, the address counts it, a counter at its limit locks. */
    async failed(tx: Executor, keys: ThrottleKeys): Promise<void> {
      await repo.claimAttempt(tx, keys.address);
      await repo.lockIfReached(tx, keys.account, ACCOUNT_FAILURE_LIMIT, LOCK_MINUTES);
      await repo.lockIfReached(tx, keys.address, ADDRESS_FAILURE_LIMIT, LOCK_MINUTES);
    },

    /** The claimed attempt succeeded: the account starts afresh; the address never counted it. */
    async succeeded(tx: Executor, keys: ThrottleKeys): Promise<void> {
      await repo.clearFailures(tx, keys.account);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
