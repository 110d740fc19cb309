import { type Generated, type Selectable, sql } from "kysely";
import type { Executor } from "../../platform/db.js";
import { pageOf } from "../../platform/paging.js";

// A type alias (not an interface) so Kysely can index it.
export type WaitlistTables = {
  waitlist_entries: {
    id: Generated<string>;
    patient_id: string;
    appointment_type_id: string;
    specialty: string | null;
    physician_id: string | null;
    location_ids: string[];
    max_distance_km: number | null;
    telehealth_ok: boolean;
    window_from: Date;
    window_to: Date;
    times_of_day: string[];
    urgency: string;
    status: Generated<string>;
    note: string | null;
    created_by: string | null;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  waitlist_offers: {
    id: Generated<string>;
    entry_id: string;
    appointment_id: string;
    patient_id: string;
    location_id: string;
    starts_at: Date;
    ends_at: Date;
    expires_at: Date;
    freed_at: Date;
    status: Generated<string>;
    responded_at: Date | null;
    created_at: Generated<Date>;
  };
  waitlist_offer_links: {
    token_hash: Buffer;
    offer_id: string;
    channel: string;
    created_at: Generated<Date>;
  };
  waitlist_cursor: { consumer: string; last_seq: number | string; updated_at: Generated<Date> };
};

export type EntryRow = Selectable<WaitlistTables["waitlist_entries"]>;
export type OfferRow = Selectable<WaitlistTables["waitlist_offers"]>;
type NewEntry = Omit<WaitlistTables["waitlist_entries"], "id" | "status" | "created_at" | "updated_at">;
type NewOffer = Pick<
  OfferRow,
  | "entry_id"
  | "appointment_id"
  | "patient_id"
  | "location_id"
  | "starts_at"
  | "ends_at"
  | "expires_at"
  | "freed_at"
>;

const q = (db: Executor) => db.withTables<WaitlistTables>();
/** Matches no patient: an empty scope lists nothing. */
const NO_ONE = "00000000-0000-0000-0000-000000000000";

const OFFER_COLUMNS = [
  "id",
  "entry_id",
  "appointment_id",
  "patient_id",
  "location_id",
  "starts_at",
  "ends_at",
  "expires_at",
  "freed_at",
  "status",
  "responded_at",
  "created_at",
] as const;

export const waitlistRepository = {
  insertEntry: (db: Executor, row: NewEntry) =>
    q(db).insertInto("waitlist_entries").values(row).returningAll().executeTakeFirstOrThrow(),

  entry: (db: Executor, id: string, forUpdate = false) => {
    const query = q(db).selectFrom("waitlist_entries").selectAll().where("id", "=", id);
    return (forUpdate ? query.forUpdate() : query).executeTakeFirst();
  },

  async listEntries(
    db: Executor,
    f: {
      patientIds?: string[] | undefined;
      locationIds?: string[] | undefined;
      anywherePatientIds?: string[] | undefined;
      status?: string[] | undefined;
      limit: number;
      offset: number;
    },
  ) {
    let query = q(db).selectFrom("waitlist_entries");
    if (f.patientIds) query = query.where("patient_id", "in", f.patientIds.length ? f.patientIds : [NO_ONE]);
    // a location's waitlist: entries naming it, and the open-to-anywhere entries of the patients
    // the caller reaches (all of them for an administrator)
    if (f.locationIds) {
      const named = sql<boolean>`location_ids && ${sql.val(f.locationIds)}::uuid[]`;
      const anywhere = f.anywherePatientIds
        ? sql<boolean>`(cardinality(location_ids) = 0 AND patient_id = ANY(${sql.val(f.anywherePatientIds)}::uuid[]))`
        : sql<boolean>`cardinality(location_ids) = 0`;
      query = query.where((eb) => eb.or([named, anywhere]));
    }
    if (f.status?.length) query = query.where("status", "in", f.status);
    return pageOf(
      query,
      query
        .selectAll()
        .orderBy(sql`CASE urgency WHEN 'urgent' THEN 0 WHEN 'soon' THEN 1 ELSE 2 END`)
        .orderBy("created_at")
        .orderBy("id"),
      f,
    );
  },

  setEntry: (db: Executor, id: string, patch: { status?: string; urgency?: string }) =>
    q(db)
      .updateTable("waitlist_entries")
      .set({ ...patch, updated_at: sql<Date>`now()` })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow(),

  /**
   * Waiting entries whose window covers the time, for the physician (when they named one). For
   * time a schedule change opened (`openedAt`): entries whose window overlaps it and that were
   * already waiting then (one who joined later saw that time open when they joined).
   */
  waitingFor: (
    db: Executor,
    physician: { id: string; specialties: readonly string[] },
    start: Date,
    end: Date,
    limit = 50,
    openedAt?: Date,
  ) => {
    const overlap = openedAt !== undefined;
    let query = q(db)
      .selectFrom("waitlist_entries")
      .selectAll()
      .where("status", "=", "waiting")
      .where("window_from", overlap ? "<" : "<=", overlap ? end : start)
      .where("window_to", overlap ? ">" : ">=", overlap ? start : end);
    if (openedAt) query = query.where("created_at", "<=", openedAt);
    return (
      query
        // named this physician, or any physician of a specialty they have
        .where((eb) =>
          eb.or([
            eb("physician_id", "=", physician.id),
            eb.and([
              eb("physician_id", "is", null),
              eb("specialty", "in", physician.specialties.length ? [...physician.specialties] : [""]),
            ]),
          ]),
        )
        .orderBy(sql`CASE urgency WHEN 'urgent' THEN 0 WHEN 'soon' THEN 1 ELSE 2 END`)
        .orderBy("created_at")
        .limit(limit)
        .execute()
    );
  },

  insertOffer: (db: Executor, row: NewOffer) =>
    q(db).insertInto("waitlist_offers").values(row).returning(OFFER_COLUMNS).executeTakeFirstOrThrow(),

  offer: (db: Executor, id: string, forUpdate = false) => {
    const query = q(db).selectFrom("waitlist_offers").select(OFFER_COLUMNS).where("id", "=", id);
    return (forUpdate ? query.forUpdate() : query).executeTakeFirst();
  },

  /** The offer a link names (any of the links its messages carried). */
  offerByToken: (db: Executor, tokenHash: Buffer, forUpdate = false) => {
    const query = q(db)
      .selectFrom("waitlist_offers")
      .select(OFFER_COLUMNS)
      .where("id", "in", (eb) =>
        eb.selectFrom("waitlist_offer_links").select("offer_id").where("token_hash", "=", tokenHash),
      );
    return (forUpdate ? query.forUpdate() : query).executeTakeFirst();
  },

  insertLink: (db: Executor, row: { token_hash: Buffer; offer_id: string; channel: string }) =>
    q(db).insertInto("waitlist_offer_links").values(row).execute(),

  async listOffers(
    db: Executor,
    f: {
      patientIds?: string[] | undefined;
      locationIds?: string[] | undefined;
      entryId?: string | undefined;
      status?: string[] | undefined;
      limit: number;
      offset: number;
    },
  ) {
    let query = q(db).selectFrom("waitlist_offers");
    if (f.entryId) query = query.where("entry_id", "=", f.entryId);
    if (f.patientIds) query = query.where("patient_id", "in", f.patientIds.length ? f.patientIds : [NO_ONE]);
    if (f.locationIds)
      query = query.where("location_id", "in", f.locationIds.length ? f.locationIds : [NO_ONE]);
    if (f.status?.length) query = query.where("status", "in", f.status);
    return pageOf(query, query.select(OFFER_COLUMNS).orderBy("created_at", "desc").orderBy("id"), f);
  },

  /** Answers an open offer; undefined when it was no longer open (answered, expired or lapsed). */
  respond: (db: Executor, id: string, status: "accepted" | "declined" | "expired", now: Date) =>
    q(db)
      .updateTable("waitlist_offers")
      .set({ status, responded_at: now })
      .where("id", "=", id)
      .where("status", "=", "offered")
      .returning(OFFER_COLUMNS)
      .executeTakeFirst(),

  /** An accepted offer whose hold could not be booked after all: it ends as expired. */
  reopenAsExpired: (db: Executor, id: string) =>
    q(db)
      .updateTable("waitlist_offers")
      .set({ status: "expired" })
      .where("id", "=", id)
      .where("status", "=", "accepted")
      .execute(),

  /** Whether the entry was already offered a slot overlapping this time (and let it go). */
  async offeredBefore(db: Executor, entryId: string, start: Date, end: Date): Promise<boolean> {
    const row = await q(db)
      .selectFrom("waitlist_offers")
      .select("id")
      .where("entry_id", "=", entryId)
      .where("starts_at", "<", end)
      .where("ends_at", ">", start)
      .executeTakeFirst();
    return row !== undefined;
  },

  /** Open offers past their expiry, locked so that one replica expires each. */
  lapsedOffers: (db: Executor, now: Date, limit = 50) =>
    q(db)
      .selectFrom("waitlist_offers")
      .select(OFFER_COLUMNS)
      .where("status", "=", "offered")
      .where("expires_at", "<=", now)
      .orderBy("expires_at")
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute(),

  /** Takes the filler's cursor; the row stays locked until the transaction ends. */
  async lockCursor(db: Executor): Promise<number> {
    const row = await q(db)
      .selectFrom("waitlist_cursor")
      .select("last_seq")
      .where("consumer", "=", "filler")
      .forUpdate()
      .executeTakeFirstOrThrow();
    return Number(row.last_seq);
  },

  advanceCursor: (db: Executor, seq: number) =>
    q(db)
      .updateTable("waitlist_cursor")
      .set({ last_seq: seq, updated_at: sql<Date>`now()` })
      .where("consumer", "=", "filler")
      .execute(),

  /** Entries still waiting for a specialty (naming it, or one of its physicians) whose window ends after `after`. */
  waitingForSpecialty: (
    db: Executor,
    f: { specialty: string; physicianIds: readonly string[]; after: Date },
  ) =>
    q(db)
      .selectFrom("waitlist_entries")
      .select(["patient_id", "appointment_type_id", "location_ids", "urgency"])
      .where("status", "=", "waiting")
      .where("window_to", ">", f.after)
      .where((eb) =>
        eb.or([
          eb("specialty", "=", f.specialty),
          ...(f.physicianIds.length ? [eb("physician_id", "in", [...f.physicianIds])] : []),
        ]),
      )
      .orderBy("created_at")
      .orderBy("id")
      .execute(),

  /** Per location: offers made in the range and accepted, and the median hours from the slot freeing to acceptance. */
  async fillsByLocation(
    db: Executor,
    f: { locationIds?: readonly string[] | undefined; from: Date; to: Date },
  ) {
    const r = await sql<{ location_id: string; filled: string; median: number | null }>`
      SELECT location_id, count(*) AS filled,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM responded_at - freed_at) / 3600) AS median
      FROM waitlist_offers
      WHERE status = 'accepted' AND created_at >= ${f.from} AND created_at < ${f.to}${
        f.locationIds ? sql` AND location_id = ANY(${sql.val([...f.locationIds])}::uuid[])` : sql``
      }
      GROUP BY location_id`.execute(db);
    return r.rows.map((x) => ({
      locationId: x.location_id,
      filled: Number(x.filled),
      medianHours: x.median === null ? null : Math.round(Number(x.median) * 10) / 10,
    }));
  },

  async stats(db: Executor, f: { locationIds?: string[] | undefined; from: Date; to: Date }) {
    const where = sql`created_at >= ${f.from} AND created_at < ${f.to}${
      f.locationIds ? sql` AND location_id = ANY(${sql.val(f.locationIds)}::uuid[])` : sql``
    }`;
    const r = await sql<{
      sent: string;
      accepted: string;
      declined: string;
      expired: string;
      open: string;
      median: number | null;
    }>`
      SELECT count(*) AS sent,
        count(*) FILTER (WHERE status = 'accepted') AS accepted,
        count(*) FILTER (WHERE status = 'declined') AS declined,
        count(*) FILTER (WHERE status = 'expired') AS expired,
        count(*) FILTER (WHERE status = 'offered') AS open,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM responded_at - freed_at) / 60)
          FILTER (WHERE status = 'accepted') AS median
      FROM waitlist_offers WHERE ${where}`.execute(db);
    const row = r.rows[0]!;
    return {
      offersSent: Number(row.sent),
      accepted: Number(row.accepted),
      declined: Number(row.declined),
      expired: Number(row.expired),
      open: Number(row.open),
      medianMinutesToFill: row.median === null ? null : Math.round(Number(row.median) * 10) / 10,
    };
  },
};
