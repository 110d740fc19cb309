import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Executor } from "../../platform/db.js";
import { problems, registerConstraint } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { type Ground, patient as patientTarget, referralTarget } from "../../platform/policy.js";
import type { Page } from "../../platform/schemas.js";
import { toIso } from "../../platform/schemas.js";
import type { Patients } from "../patients/index.js";
import type { Appointment, AppointmentType, OptionIds } from "../scheduling/index.js";
import {
  OPEN_STATUSES,
  type ReferralReach,
  type ReferralRow,
  referralRepository as repo,
} from "./repository.js";
import type {
  Referral,
  ReferralAnswer,
  ReferralBook,
  ReferralInput,
  ReferralQuery,
  ReferralStatus,
  Urgency,
} from "./schema.js";

registerConstraint("referrals_to_specialty_fk", "body.specialty", "no such specialty");
registerConstraint("referrals_to_physician_fk", "body.toPhysicianId", "no such physician");
registerConstraint("referrals_to_location_fk", "body.toLocationId", "no such location");
registerConstraint("referrals_from_location_fk", "body.fromLocationId", "no such location");
registerConstraint("referrals_appointment_key", "body.optionId", "this appointment is already linked");

/** Where the patient books a referral in the web app: the link their message carries. */
export const bookingPathOf = (id: string): string => `/patient/referrals/${id}`;

const isOpen = (status: string) => (OPEN_STATUSES as readonly string[]).includes(status);

/** A referral already answered, booked or withdrawn: a clear answer that changes nothing. */
function closed(r: ReferralRow) {
  return problems.conflict(`referral_${r.status}`, `This referral is already ${r.status}`);
}

function toReferral(r: ReferralRow, patientName: string): Referral {
  return {
    id: r.id,
    patientId: r.patient_id,
    patientName,
    referredBy: r.referred_by,
    fromPhysicianId: r.from_physician_id,
    fromLocationId: r.from_location_id,
    toLocationId: r.to_location_id,
    specialty: r.to_specialty,
    toPhysicianId: r.to_physician_id,
    reason: r.reason,
    urgency: r.urgency as Urgency,
    attachments: r.attachments,
    status: r.status as ReferralStatus,
    statusNote: r.status_note,
    appointmentId: r.appointment_id,
    bookingPath: bookingPathOf(r.id),
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
  };
}

const targetOf = (r: ReferralRow, field = "params.id") =>
  referralTarget(
    {
      id: r.id,
      patientId: r.patient_id,
      referredBy: r.referred_by,
      toLocationId: r.to_location_id,
      toPhysicianId: r.to_physician_id,
    },
    field,
  );

/** The referrals a caller may list, as alternatives (undefined: every referral). */
function reachOf(actor: Actor): ReferralReach | undefined {
  switch (actor.role) {
    case "admin":
      return undefined;
    case "patient":
      return { patientIds: actor.patientIds };
    case "location_staff":
      return { toLocationIds: actor.locationIds, referredBy: actor.userId };
    case "physician":
      return { referredBy: actor.userId, ...(actor.physicianId ? { toPhysicianId: actor.physicianId } : {}) };
    default:
      return {};
  }
}

/** What counts as "incoming" for the caller: sent to their locations, or naming them. */
function incomingOf(actor: Actor): ReferralReach {
  if (actor.role === "location_staff") return { toLocationIds: actor.locationIds };
  if (actor.role === "physician" && actor.physicianId) return { toPhysicianId: actor.physicianId };
  if (actor.role === "admin") return { toLocationIds: [] };
  return {};
}

/** What the referrals service needs besides the platform. */
export interface ReferralDeps extends ServiceDeps {
  /** Booking a referral goes through scheduling's booking path, never an insert of our own. */
  scheduling: {
    appointments: {
      book(
        actor: Actor,
        input: { optionId: string; patientId: string; reason?: string },
        idempotencyKey: string | undefined,
      ): Promise<{ appointment: Appointment; replayed: boolean }>;
      cancel(actor: Actor, id: string, reason: string): Promise<Appointment>;
    };
    catalog: { lookup: { get(db: Executor, id: string, field?: string): Promise<AppointmentType> } };
  };
  /** Opens the option ids searches hand out, to check an option fits the referral before booking. */
  optionIds: OptionIds;
  locations: { lookup: { existing(db: Executor, ids: readonly string[]): Promise<string[]> } };
  patients: { lookup: Pick<Patients["lookup"], "get"> };
}

/**
 * Referrals across locations: made by a physician or staff member for a patient in their scope,
 * answered and booked by the receiving location's staff (or booked by the patient), followed by
 * the referrer. Every operation authorizes through the policy, owns its transaction and audits.
 */
export function createReferrals({ db, policies, scheduling, optionIds, locations, patients }: ReferralDeps) {
  const inTransaction = <T>(work: (tx: Executor) => Promise<T>): Promise<T> => db.transaction().execute(work);

  async function present(tx: Executor, r: ReferralRow): Promise<Referral> {
    const p = await patients.lookup.get(tx, r.patient_id);
    return toReferral(r, `${p.givenName} ${p.familyName}`);
  }

  function audit(tx: Executor, actor: Actor, action: string, r: ReferralRow, ground?: Ground, detail = {}) {
    return auditService.record(tx, auditContextOf(actor), {
      action,
      resourceType: "referral",
      resourceId: r.id,
      patientId: r.patient_id,
      detail: { ...(ground ? { access: ground } : {}), status: r.status, ...detail },
    });
  }

  /** The referral, or 404 naming `field` whether it does not exist or is out of reach. */
  async function reach(
    tx: Executor,
    actor: Actor,
    id: string,
    action: "read" | "answer" | "cancel" | "book",
    forUpdate = false,
  ): Promise<{ row: ReferralRow; ground: Ground }> {
    const row = await repo.get(tx, id, forUpdate);
    if (!row) throw problems.notFound("referral");
    const ground = await policies.authorize(tx, actor, action, targetOf(row));
    return { row, ground };
  }

  /** Accepts or declines an open referral (receiving staff). */
  const answer = (actor: Actor, id: string, decision: "accepted" | "declined", input: ReferralAnswer) =>
    inTransaction(async (tx) => {
      const { row, ground } = await reach(tx, actor, id, "answer", true);
      const allowed = decision === "accepted" ? row.status === "sent" : isOpen(row.status);
      if (!allowed) throw closed(row);
      const updated = await repo.update(tx, id, {
        status: decision,
        status_note: input.note ?? null,
        answered_by: actor.userId,
      });
      await audit(tx, actor, `referral.${decision === "accepted" ? "accept" : "decline"}`, updated, ground);
      return present(tx, updated);
    });

  return {
    /** Refers a patient in the caller's scope to a specialty at another location. */
    create: (actor: Actor, input: ReferralInput): Promise<Referral> =>
      inTransaction(async (tx) => {
        const ground = await policies.authorize(
          tx,
          actor,
          "refer",
          patientTarget(input.patientId, "body.patientId"),
        );
        const named = [input.toLocationId, ...(input.fromLocationId ? [input.fromLocationId] : [])];
        const known = new Set(await locations.lookup.existing(tx, named));
        if (!known.has(input.toLocationId)) throw problems.invalid("body.toLocationId", "no such location");
        if (input.fromLocationId && !known.has(input.fromLocationId))
          throw problems.invalid("body.fromLocationId", "no such location");
        const fromLocationId =
          input.fromLocationId ?? (actor.role === "location_staff" ? (actor.locationIds[0] ?? null) : null);
        const row = await repo.insert(tx, {
          patient_id: input.patientId,
          referred_by: actor.userId,
          from_physician_id: actor.physicianId,
          from_location_id: fromLocationId,
          to_location_id: input.toLocationId,
          to_specialty: input.specialty,
          to_physician_id: input.toPhysicianId ?? null,
          reason: input.reason,
          urgency: input.urgency,
          attachments: input.attachments,
          status_note: null,
          answered_by: null,
          appointment_id: null,
        });
        await audit(tx, actor, "referral.create", row, ground, { toLocationId: row.to_location_id });
        return present(tx, row);
      }),

    get: (actor: Actor, id: string): Promise<Referral> =>
      inTransaction(async (tx) => {
        const { row, ground } = await reach(tx, actor, id, "read");
        await audit(tx, actor, "referral.read", row, ground);
        return present(tx, row);
      }),

    /** The referrals within the caller's reach: the receiving staff's queue, the referrer's list, the patient's own. */
    list: (actor: Actor, query: ReferralQuery): Promise<Page<Referral>> =>
      inTransaction(async (tx) => {
        const { rows, total } = await repo.list(tx, {
          reach: reachOf(actor),
          direction: query.direction,
          incoming: incomingOf(actor),
          referredBy: actor.userId,
          statuses: query.status,
          patientId: query.patientId,
          toLocationId: query.toLocationId,
          limit: query.limit,
          offset: query.offset,
        });
        const items = await Promise.all(rows.map((r) => present(tx, r)));
        await auditService.record(tx, auditContextOf(actor), {
          action: "referral.list",
          resourceType: "referral",
          patientId: query.patientId ?? null,
          detail: { query: { ...query }, ids: rows.map((r) => r.id) },
        });
        return { items, total, limit: query.limit, offset: query.offset };
      }),

    accept: (actor: Actor, id: string, input: ReferralAnswer) => answer(actor, id, "accepted", input),
    decline: (actor: Actor, id: string, input: ReferralAnswer) => answer(actor, id, "declined", input),

    /** The referrer (or an administrator) withdraws an open referral. */
    cancel: (actor: Actor, id: string, reason: string): Promise<Referral> =>
      inTransaction(async (tx) => {
        const { row, ground } = await reach(tx, actor, id, "cancel", true);
        if (!isOpen(row.status)) throw closed(row);
        const updated = await repo.update(tx, id, { status: "cancelled", status_note: reason });
        await audit(tx, actor, "referral.cancel", updated, ground);
        return present(tx, updated);
      }),

    /**
     * Books an option of a search for the referral's patient through scheduling's booking path, then
     * links the appointment. The option must be at the receiving location (with the named physician,
     * if any) and of the referred specialty. Should the referral close in between, the appointment
     * is cancelled again and the answer is the referral's state.
     */
    async book(actor: Actor, id: string, input: ReferralBook): Promise<Referral> {
      const row = await inTransaction(async (tx) => {
        const { row } = await reach(tx, actor, id, "book");
        if (!isOpen(row.status)) throw closed(row);
        const opened = optionIds.open(input.optionId);
        // an id that is not ours, or expired, is for the booking path to answer as it always does
        if (opened.ok) {
          const o = opened.option;
          if (o.locationId !== row.to_location_id)
            throw problems.invalid(
              "body.optionId",
              "the option is not at the location the patient is referred to",
            );
          if (row.to_physician_id && o.physicianId !== row.to_physician_id)
            throw problems.invalid(
              "body.optionId",
              "the option is not with the physician the patient is referred to",
            );
          const type = await scheduling.catalog.lookup.get(tx, o.appointmentTypeId, "body.optionId");
          if (type.specialty !== row.to_specialty)
            throw problems.invalid("body.optionId", `the option is not a ${row.to_specialty} visit`);
        }
        return row;
      });
      const { appointment } = await scheduling.appointments.book(
        actor,
        { optionId: input.optionId, patientId: row.patient_id, reason: row.reason.slice(0, 1000) },
        undefined,
      );
      const linked = await inTransaction(async (tx) => {
        const { row: now, ground } = await reach(tx, actor, id, "book", true);
        if (!isOpen(now.status)) return { ok: false as const, closedAs: now };
        const updated = await repo.update(tx, id, { status: "booked", appointment_id: appointment.id });
        await audit(tx, actor, "referral.book", updated, ground, { appointmentId: appointment.id });
        return { ok: true as const, referral: await present(tx, updated) };
      });
      if (linked.ok) return linked.referral;
      await scheduling.appointments.cancel(actor, appointment.id, "The referral was closed while booking");
      throw closed(linked.closedAs);
    },
  };
}

/** The referrals service as the composition root wires it. */
export type Referrals = ReturnType<typeof createReferrals>;

/** What only referrals know for the access policy's patient scope: open referrals to a location. */
export const referralScopeFacts = {
  referredTo: repo.openTo,
  patientIdsReferredTo: repo.openPatientIds,
};

/** Where booked referrals came from, by appointment: the reports' referral flows read it. */
export const referralOrigins = { of: repo.originsOf };
