/**
 * The telehealth provider interface: what Rounds asks of whatever hosts its video visits. The
 * built-in provider (`builtin.ts`) is one implementation; a real platform plugs in behind the same
 * interface (an adapter that translates, owning no business rule) and is chosen by configuration
 * (`ROUNDS_TELEHEALTH_PROVIDER`, `telehealthProvider` in `src/server.ts`).
 *
 * When Rounds calls it:
 * - `issue` inside the transaction that books a video visit (a direct booking, a hold being
 *   booked, a visit moved to a video option): the link is stored in that same transaction, so a
 *   booked video visit is never without one, whatever crashes. An adapter to a remote platform
 *   must therefore answer quickly and be idempotent on `visit.key` (stable across retries of the
 *   same booking); a room it made for a booking that then rolled back is never linked to anything.
 * - `revoke` inside the transaction that cancels the visit (or moves it to an in-person option).
 *   A remote adapter closes the room; the built-in one has nothing to close (its page reads the
 *   revocation from the database).
 * A rescheduled video visit keeps its link: the patient's calendar entry, earlier messages and
 * the new confirmation all carry the same one. Neither call receives the patient's identity.
 */

/** The visit a link is for: no patient details, only what a room needs. */
export interface VisitRequest {
  /** Stable for the booking: the appointment's id (a remote platform's idempotency key). */
  key: string;
  start: Date;
  end: Date;
}

/** What a provider answers for a visit. */
export interface IssuedLink {
  /** The link patients and clinicians open (https, or http on a development machine). */
  joinUrl: string;
  /** The provider's unique, unguessable name for the room (the built-in provider's token). */
  token: string;
}

export interface TelehealthProvider {
  /** Stored with each link ('builtin', or the adapter's own name: lowercase letters, digits, - and _). */
  readonly name: string;
  issue(visit: VisitRequest): Promise<IssuedLink>;
  revoke(link: IssuedLink): Promise<void>;
}
