/**
 * The waitlist: patients (or staff for them) join for a need; freed slots are offered to them in
 * rank order by the filler (`filler.ts`); an offer is accepted through the normal booking path by
 * booking the hold the filler placed. Every operation authorizes through the policy, owns its
 * transaction and audits in it.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Actor } from "../../platform/access.js";
import { type AuditContext, auditService } from "../../platform/audit/index.js";
import type { Executor } from "../../platform/db.js";
import { ProblemError, problems, registerConstraint } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { locationTarget, patient } from "../../platform/policy.js";
import type { Page } from "../../platform/schemas.js";
import type { Appointment, Scheduling } from "../scheduling/index.js";
import { toEntry, toOffer, toOfferLink } from "./mappers.js";
import { type EntryRow, type OfferRow, waitlistRepository as repo } from "./repository.js";
import type {
  Entry,
  EntryInput,
  EntryQuery,
  Offer,
  OfferLink,
  OfferQuery,
  Stats,
  Urgency,
} from "./schema.js";

export { toEntry, toOffer } from "./mappers.js";

registerConstraint("waitlist_entries_type_fk", "body.appointmentTypeId", "no such appointment type");
registerConstraint("waitlist_entries_physician_fk", "body.physicianId", "no such physician");
registerConstraint("waitlist_entries_window_order", "body.to", "must be after from");

/**
 * The waitlist's own caller for what it does unasked (holding a freed slot, booking an accepted
 * offer's hold, releasing a lapsed one): the policy's administrator rules admit it, and the audit
 * trail names it by its fixed id.
 */
export const WAITLIST_ACTOR: Actor = {
  userId: "00000000-0000-4000-8000-00000000a171",
  role: "admin",
  email: "waitlist@rounds.invalid",
  displayName: "Waitlist",
  sessionId: "waitlist",
  patientId: null,
  patientIds: [],
  physicianId: null,
  locationIds: [],
  departmentIds: [],
  specialties: [],
  clientAddress: "127.0.0.1",
  requestId: "waitlist",
};

export const tokenHashOf = (token: string): Buffer => createHash("sha256").update(token).digest();

/** A new link token (43 characters of base64url) for one message. */
export const newLinkToken = (): string => randomBytes(32).toString("base64url");

/** What the waitlist needs besides the platform. */
export interface WaitlistDeps extends ServiceDeps {
  /** Holds, books and releases through the booking path. */
  appointments: Pick<Scheduling["appointments"], "book" | "releaseHold">;
  /** Acceptable locations are checked against the locations module. */
  locations: { lookup: { existing: (db: Executor, ids: readonly string[]) => Promise<string[]> } };
}

/** How a caller reaches an offer: signed in (by its id) or through the link in the message. */
type OfferRef = { actor: Actor; id: string } | { token: string };

const offerGone = (field: string) =>
  new ProblemError(410, "offer_expired", "This offer has expired; the slot has gone to the next patient", [
    { field, message: "the offer has expired" },
  ]);
const offerAnswered = (field: string, status: string) =>
  problems.conflict("offer_answered", `This offer was already ${status}`, field, { offerStatus: status });

export function createWaitlistService({ db, clock, policies, appointments, locations }: WaitlistDeps) {
  /** The entry, if the actor may act for its patient; otherwise a 404 naming the field. */
  async function requireEntry(
    tx: Executor,
    actor: Actor,
    id: string,
    action: "book" | "triage_waitlist",
  ): Promise<EntryRow> {
    const row = await repo.entry(tx, id, true);
    if (!row) throw problems.notFound("waitlist entry");
    await policies.authorize(tx, actor, action, { ...patient(row.patient_id), noun: "waitlist entry" });
    return row;
  }

  /** The open offer a reference names, locked; 404 outside the caller's scope, 409/410 once closed. */
  async function openOffer(tx: Executor, ref: OfferRef): Promise<{ row: OfferRow; ctx: AuditContext }> {
    const field = "actor" in ref ? "params.id" : "params.token";
    const row =
      "actor" in ref
        ? await repo.offer(tx, ref.id, true)
        : await repo.offerByToken(tx, tokenHashOf(ref.token), true);
    if (!row) throw problems.notFound("waitlist offer", field);
    if ("actor" in ref)
      await policies.authorize(tx, ref.actor, "book", { ...patient(row.patient_id), noun: "waitlist offer" });
    if (row.status === "expired") throw offerGone(field);
    if (row.status !== "offered") throw offerAnswered(field, row.status);
    if (row.expires_at.getTime() <= clock.now().getTime()) throw offerGone(field);
    // a link is its own credential: the trail records it as the waitlist acting on the patient's answer
    const ctx =
      "actor" in ref ? auditContextOf(ref.actor) : { ...auditContextOf(WAITLIST_ACTOR), role: "patient" };
    return { row, ctx };
  }

  const withdrawOffer = async (tx: Executor, offerRow: OfferRow, status: "declined" | "expired") => {
    await repo.respond(tx, offerRow.id, status, clock.now());
    return repo.setEntry(tx, offerRow.entry_id, { status: "waiting" });
  };

  /** Gives the held slot back (its release is a freeing event: the next patient's offer). */
  const release = async (appointmentId: string) => {
    try {
      await appointments.releaseHold(WAITLIST_ACTOR, appointmentId);
    } catch (err) {
      // already booked, released or lapsed: nothing left to give back
      if (!(err instanceof ProblemError && err.status === 404)) throw err;
    }
  };

  return {
    async join(actor: Actor, input: EntryInput): Promise<Entry> {
      return db.transaction().execute(async (tx) => {
        await policies.authorize(tx, actor, "book", patient(input.patientId, "body.patientId"));
        if (input.urgency && input.urgency !== "routine")
          if (!(await policies.permits(tx, actor, "triage_waitlist", patient(input.patientId))))
            throw problems.invalid("body.urgency", "urgency is set by the care team");
        const locationIds = [...new Set(input.locationIds)];
        const known = new Set(await locations.lookup.existing(tx, locationIds));
        const missing = locationIds.filter((id) => !known.has(id));
        if (missing.length)
          throw problems.invalid("body.locationIds", `no such location: ${missing.join(", ")}`);
        const row = await repo.insertEntry(tx, {
          patient_id: input.patientId,
          appointment_type_id: input.appointmentTypeId,
          specialty: input.specialty ?? null,
          physician_id: input.physicianId ?? null,
          location_ids: locationIds,
          max_distance_km: input.maxDistanceKm ?? null,
          telehealth_ok: input.telehealthOk,
          window_from: new Date(input.from),
          window_to: new Date(input.to),
          times_of_day: [...new Set(input.timesOfDay)],
          urgency: input.urgency ?? "routine",
          note: input.note ?? null,
          created_by: actor.userId,
        });
        await auditService.record(tx, auditContextOf(actor), {
          action: "waitlist.join",
          resourceType: "waitlist_entry",
          resourceId: row.id,
          patientId: row.patient_id,
          detail: { urgency: row.urgency },
        });
        return toEntry(row);
      });
    },

    /** A location's waitlist (staff), or the entries of the patients the caller reaches. */
    async list(actor: Actor, q: EntryQuery): Promise<Page<Entry>> {
      return db.transaction().execute(async (tx) => {
        if (q.locationId)
          await policies.authorize(
            tx,
            actor,
            "manage_waitlist",
            locationTarget(q.locationId, "query.locationId"),
          );
        const scope = await policies.patientScope(tx, actor);
        const { rows, total } = await repo.listEntries(tx, {
          patientIds: q.locationId ? undefined : scope,
          locationIds: q.locationId ? [q.locationId] : undefined,
          anywherePatientIds: scope,
          status: q.status,
          limit: q.limit,
          offset: q.offset,
        });
        await auditService.record(tx, auditContextOf(actor), {
          action: "waitlist.list",
          resourceType: "waitlist_entry",
          locationId: q.locationId ?? null,
          detail: { count: rows.length, ids: rows.map((r) => r.id) },
        });
        return { items: rows.map(toEntry), total, limit: q.limit, offset: q.offset };
      });
    },

    async setUrgency(actor: Actor, id: string, urgency: Urgency): Promise<Entry> {
      return db.transaction().execute(async (tx) => {
        const current = await requireEntry(tx, actor, id, "triage_waitlist");
        const row = await repo.setEntry(tx, id, { urgency });
        await auditService.record(tx, auditContextOf(actor), {
          action: "waitlist.urgency",
          resourceType: "waitlist_entry",
          resourceId: id,
          patientId: row.patient_id,
          detail: { from: current.urgency, to: urgency },
        });
        return toEntry(row);
      });
    },

    /** Leaves the waitlist; an open offer goes with it and its slot to the next patient. */
    async withdraw(actor: Actor, id: string): Promise<Entry> {
      let held: string | undefined;
      const entry = await db.transaction().execute(async (tx) => {
        const current = await requireEntry(tx, actor, id, "book");
        if (!["waiting", "offered"].includes(current.status))
          throw problems.conflict(
            "invalid_transition",
            `A ${current.status} entry cannot be withdrawn`,
            "params.id",
          );
        const open = (await repo.listOffers(tx, { entryId: id, status: ["offered"], limit: 1, offset: 0 }))
          .rows[0];
        if (open) {
          await repo.respond(tx, open.id, "declined", clock.now());
          held = open.appointment_id;
        }
        const row = await repo.setEntry(tx, id, { status: "withdrawn" });
        await auditService.record(tx, auditContextOf(actor), {
          action: "waitlist.withdraw",
          resourceType: "waitlist_entry",
          resourceId: id,
          patientId: row.patient_id,
        });
        return toEntry(row);
      });
      if (held) await release(held);
      return entry;
    },

    /** Offers made to the patients the caller reaches, or (staff) at one of their locations. */
    async offers(actor: Actor, q: OfferQuery): Promise<Page<Offer>> {
      return db.transaction().execute(async (tx) => {
        if (q.locationId)
          await policies.authorize(
            tx,
            actor,
            "manage_waitlist",
            locationTarget(q.locationId, "query.locationId"),
          );
        const { rows, total } = await repo.listOffers(tx, {
          patientIds: q.locationId ? undefined : await policies.patientScope(tx, actor),
          locationIds: q.locationId ? [q.locationId] : undefined,
          status: q.status,
          limit: q.limit,
          offset: q.offset,
        });
        await auditService.record(tx, auditContextOf(actor), {
          action: "waitlist.offers",
          resourceType: "waitlist_offer",
          locationId: q.locationId ?? null,
          detail: { count: rows.length, ids: rows.map((r) => r.id) },
        });
        const items = await Promise.all(rows.map((r) => toOffer(tx, r)));
        return { items, total, limit: q.limit, offset: q.offset };
      });
    },

    /** What an offer link shows, answered or not: the slot and the offer's state, no patient. */
    async byToken(token: string): Promise<OfferLink> {
      const row = await repo.offerByToken(db, tokenHashOf(token));
      if (!row) throw problems.notFound("waitlist offer", "params.token");
      return toOfferLink(db, row, clock.now());
    },

    /**
     * A new link for a message about an open offer (the notification worker asks as it sends one);
     * undefined once the offer is answered or past its time. The token leaves here only to go into
     * that message: the database keeps its hash.
     */
    async issueLink(
      offerId: string,
      channel: string,
    ): Promise<{ token: string; expiresAt: Date } | undefined> {
      return db.transaction().execute(async (tx) => {
        const row = await repo.offer(tx, offerId, true);
        if (row?.status !== "offered" || row.expires_at.getTime() <= clock.now().getTime()) return undefined;
        const token = newLinkToken();
        await repo.insertLink(tx, { token_hash: tokenHashOf(token), offer_id: row.id, channel });
        return { token, expiresAt: row.expires_at };
      });
    },

    /**
     * Books the offer's hold for its patient. Exactly one answer wins: the offer row is closed
     * under its lock first; if the hold can no longer be booked the offer is expired, not reopened.
     */
    async accept(ref: OfferRef): Promise<{ offer: Offer; appointment: Appointment; link: OfferLink }> {
      const claimed = await db.transaction().execute(async (tx) => {
        const { row, ctx } = await openOffer(tx, ref);
        const accepted = (await repo.respond(tx, row.id, "accepted", clock.now()))!;
        await repo.setEntry(tx, row.entry_id, { status: "booked" });
        await auditService.record(tx, ctx, {
          action: "waitlist.accept",
          resourceType: "waitlist_offer",
          resourceId: row.id,
          patientId: row.patient_id,
          locationId: row.location_id,
          detail: { appointmentId: row.appointment_id, via: "actor" in ref ? "sign-in" : "link" },
        });
        return accepted;
      });
      try {
        const { appointment } = await appointments.book(
          WAITLIST_ACTOR,
          { holdId: claimed.appointment_id, patientId: claimed.patient_id },
          `waitlist-${claimed.id}`,
        );
        return {
          offer: await toOffer(db, claimed),
          appointment,
          link: await toOfferLink(db, claimed, clock.now()),
        };
      } catch (err) {
        if (!(err instanceof ProblemError && (err.status === 409 || err.status === 404))) throw err;
        // the hold lapsed or was released in the meantime: the offer is over, the entry waits on
        await db.transaction().execute(async (tx) => {
          await repo.reopenAsExpired(tx, claimed.id);
          await repo.setEntry(tx, claimed.entry_id, { status: "waiting" });
        });
        throw offerGone("actor" in ref ? "params.id" : "params.token");
      }
    },

    /** Turns the offer down: the entry keeps waiting and the slot goes to the next patient. */
    async decline(ref: OfferRef): Promise<{ offer: Offer; link: OfferLink }> {
      const declined = await db.transaction().execute(async (tx) => {
        const { row, ctx } = await openOffer(tx, ref);
        await withdrawOffer(tx, row, "declined");
        await auditService.record(tx, ctx, {
          action: "waitlist.decline",
          resourceType: "waitlist_offer",
          resourceId: row.id,
          patientId: row.patient_id,
          locationId: row.location_id,
          detail: { via: "actor" in ref ? "sign-in" : "link" },
        });
        return (await repo.offer(tx, row.id))!;
      });
      await release(declined.appointment_id);
      return { offer: await toOffer(db, declined), link: await toOfferLink(db, declined, clock.now()) };
    },

    /** Offers sent, answered and expired, and the median time from a slot freeing to its booking. */
    async stats(
      actor: Actor,
      q: { locationId?: string | undefined; from?: string | undefined; to?: string | undefined },
    ): Promise<Stats> {
      const to = q.to ? new Date(q.to) : clock.now();
      const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * 86_400_000);
      if (to <= from) throw problems.invalid("query.to", "must be after from");
      return db.transaction().execute(async (tx) => {
        let locationIds: string[] | undefined;
        if (q.locationId) {
          await policies.authorize(
            tx,
            actor,
            "manage_waitlist",
            locationTarget(q.locationId, "query.locationId"),
          );
          locationIds = [q.locationId];
        } else {
          const scope = policies.appointmentScope(actor);
          if (!scope || scope.patientIds || scope.physicianIds) throw problems.forbidden();
          locationIds = scope.locationIds;
        }
        const figures = await repo.stats(tx, { locationIds, from, to });
        await auditService.record(tx, auditContextOf(actor), {
          action: "waitlist.stats",
          resourceType: "waitlist_offer",
          locationId: q.locationId ?? null,
        });
        return figures;
      });
    },

    /** For the filler: closes an offer that ran out (the caller releases its hold). */
    withdrawOffer,
    release,
  };
}

/** The waitlist service as the composition root wires it. */
export type WaitlistService = ReturnType<typeof createWaitlistService>;
