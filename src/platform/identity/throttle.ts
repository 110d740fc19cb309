/**
 * Sign-in throttling per account and per client address. The counters live in `login_throttle`,
 * so every replica shares them; ARCHITECTURE.md ("Notifications: the module's shape and its
 * plumbing") says why no rate-limit library does this job. Only failed sign-ins count against an
 * address, so a front desk behind one hospital address does not lock itself out.
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
     * Counts the attempt before its password is checked, so parallel guesses all meet the limit.
     * Over the limit the attempt is taken back and the answer is when to try again.
     */
    async claim(db: Executor, keys: ThrottleKeys): Promise<Date | undefined> {
      const account = await repo.claimAttempt(db, keys.account);
      const address = await repo.claimAttempt(db, keys.address);
      const now = clock();
      const retryAt =
        throttledUntil(account, ACCOUNT_FAILURE_LIMIT, now) ??
        throttledUntil(address, ADDRESS_FAILURE_LIMIT, now);
      if (retryAt) {
        await repo.releaseAttempt(db, keys.account);
        await repo.releaseAttempt(db, keys.address);
      }
      return retryAt;
    },

    /** The claimed attempt failed: it stays counted, and a counter at its limit locks. */
    async failed(tx: Executor, keys: ThrottleKeys): Promise<void> {
      await repo.lockIfReached(tx, keys.account, ACCOUNT_FAILURE_LIMIT, LOCK_MINUTES);
      await repo.lockIfReached(tx, keys.address, ADDRESS_FAILURE_LIMIT, LOCK_MINUTES);
    },

    /** The claimed attempt succeeded: the account starts afresh, the address gets its attempt back. */
    async succeeded(tx: Executor, keys: ThrottleKeys): Promise<void> {
      await repo.clearFailures(tx, keys.account);
      await repo.releaseAttempt(tx, keys.address);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
