/**
 * The time business rules read ("today", "expired", "upcoming"), passed to every service so a test
 * can move it. Timestamps a database writes for itself (`now()` in SQL) are not business rules.
 */
export interface Clock {
  now(): Date;
}

/** The machine's clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that reads `now` (a test's, or the notification worker's when a test moves it). */
export const clockOf = (now: () => Date): Clock => ({ now });
