/**
 * Account locks (incident response): a locked account cannot sign in and its sessions end, until
 * an administrator unlocks it. These run inside the caller's transaction; the caller authorizes
 * and audits (the incidents service records each lock on the incident's timeline too).
 */
import type { Executor } from "../db.js";
import { identityRepository as repo } from "./repository.js";

export const accountLocks = {
  /** Locks the account and ends its sessions; false when it was locked already. */
  async lock(ex: Executor, userId: string, reason: string): Promise<boolean> {
    const locked = await repo.lockUser(ex, userId, reason);
    if (locked) await repo.revokeSessionsOf(ex, userId);
    return locked;
  },

  /** Unlocks the account; false when it was not locked. */
  unlock: (ex: Executor, userId: string): Promise<boolean> => repo.unlockUser(ex, userId),

  /** Each existing account's email, role and whether it is locked now. */
  async states(ex: Executor, ids: readonly string[]) {
    const out = new Map<string, { email: string; role: string; locked: boolean }>();
    for (const id of new Set(ids)) {
      const u = await repo.userById(ex, id);
      if (u) out.set(id, { email: u.email, role: u.role, locked: u.locked_at !== null });
    }
    return out;
  },

  /** The account signing in with this email, if any (a failed sign-in names an email). */
  async idOfEmail(ex: Executor, email: string): Promise<string | undefined> {
    return (await repo.userByEmail(ex, email))?.id;
  },
};

export type AccountLocks = typeof accountLocks;
