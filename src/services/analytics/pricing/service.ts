/**
 * Demand-based copays: administrators keep the rules and the caps per plan, staff flag patients
 * for financial assistance, a patient (or staff booking for them) asks the price of an option a
 * search handed out, and the recorder keeps the price of every booked appointment from the
 * booking events. Every price is computed here, by `priceOf`, from facts the server reads; none
 * is ever taken from the client.
 */
import type { Actor } from "../../../platform/access.js";
import { auditService } from "../../../platform/audit/index.js";
import type { Executor } from "../../../platform/db.js";
import { ProblemError, problems } from "../../../platform/errors.js";
import { eventsAfter } from "../../../platform/events.js";
import { auditContextOf } from "../../../platform/identity/index.js";
import type { ServiceDeps } from "../../../platform/module.js";
import { locationTarget, patient } from "../../../platform/policy.js";
import { type Page, toIso } from "../../../platform/schemas.js";
import { dateTimeFormat, wallClockToEpochMs } from "../../../platform/time.js";
import type { OptionIds, VisitFacts } from "../../scheduling/index.js";
import { type Price, priceOf } from "./price.js";
import { type PriceRow, type RuleRow, pricingRepository as repo, toRule } from "./repository.js";
import type {
  AppointmentPrice,
  PriceCapDto,
  PricingRuleDto,
  Quote,
  QuoteQuery,
  RuleInput,
  RuleQuery,
} from "./schema.js";

/** Specialties whose visits are urgent care: never adjusted. */
export const URGENT_CARE_SPECIALTIES: readonly string[] = ["urgent_care", "emergency_medicine"];
/** A patient without insurance on record pays under this plan's caps. */
export const SELF_PAY = "self_pay";

/** Who records booked prices (the background recorder) in the audit trail. */
export const PRICING_ACTOR: Actor = {
  userId: "00000000-0000-4000-8000-0000000091c3",
  role: "admin",
  email: "pricing@rounds.invalid",
  displayName: "Pricing",
  sessionId: "pricing",
  patientId: null,
  patientIds: [],
  physicianId: null,
  locationIds: [],
  departmentIds: [],
  specialties: [],
  clientAddress: "127.0.0.1",
  requestId: "pricing",
};

export interface PricingDeps extends ServiceDeps {
  optionIds: OptionIds;
  /** The appointment type's base copay, specialty and length (scheduling's catalogue). */
  appointmentType(
    db: Executor,
    id: string,
    field?: string,
  ): Promise<{ basePriceCents: number; specialty: string; durationMinutes: number }>;
  timeZoneOf(db: Executor, locationId: string): Promise<string>;
  /** The patient's insurance payer, or null (the patients service). */
  payerOf(db: Executor, patientId: string): Promise<string | null>;
  /** One appointment's facts (scheduling). */
  appointment(
    db: Executor,
    id: string,
  ): Promise<
    | {
        id: string;
        patientId: string;
        physicianId: string;
        locationId: string;
        appointmentTypeId: string;
        start: Date;
        status: string;
      }
    | undefined
  >;
  /** Booked and checked-in appointments in a window (scheduling's visit history). */
  upcoming(
    db: Executor,
    filter: { from: Date; to: Date; locationIds?: readonly string[]; physicianId?: string; limit: number },
  ): Promise<VisitFacts[]>;
  /** A physician's planned minutes at a location on a local date (the physicians' plans). */
  plannedMinutes(db: Executor, physicianId: string, locationId: string, date: string): Promise<number>;
}

/** A visit's local date, ISO weekday and minute of the day. */
export function localMoment(
  at: Date,
  timeZone: string,
): { date: string; weekday: number; minuteOfDay: number } {
  const parts = Object.fromEntries(
    dateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      weekday: "short",
      hourCycle: "h23",
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday ?? "") + 1;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday,
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

const nextDate = (date: string) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

const ruleDto = (r: RuleRow): PricingRuleDto => {
  const { createdAt, ...rest } = toRule(r);
  return { ...rest, weekdays: [...rest.weekdays], createdAt: toIso(createdAt) };
};

const priceDto = (r: PriceRow): AppointmentPrice => ({
  appointmentId: r.appointment_id,
  baseCents: r.base_cents,
  priceCents: r.price_cents,
  adjustmentCents: r.price_cents - r.base_cents,
  ruleIds: r.rule_ids,
  reason: r.reason as AppointmentPrice["reason"],
  plan: r.plan,
  utilisation: Number(r.utilisation),
  recordedAt: toIso(r.recorded_at),
});

export function createPricingService(deps: PricingDeps) {
  const { db, clock, policies, optionIds } = deps;

  /**
   * The forecast utilisation of the physician's day at the location: booked minutes over planned
   * minutes (1 when nothing is planned), leaving out the appointment being priced.
   */
  const utilisationOf = async (
    tx: Executor,
    v: { physicianId: string; locationId: string; date: string; timeZone: string },
    exceptId?: string,
  ): Promise<number> => {
    const planned = await deps.plannedMinutes(tx, v.physicianId, v.locationId, v.date);
    if (planned <= 0) return 1;
    const from = new Date(wallClockToEpochMs(v.date, "00:00", v.timeZone));
    const to = new Date(wallClockToEpochMs(nextDate(v.date), "00:00", v.timeZone));
    const booked = await deps.upcoming(tx, {
      from,
      to,
      locationIds: [v.locationId],
      physicianId: v.physicianId,
      limit: 500,
    });
    let minutes = 0;
    for (const b of booked)
      if (b.id !== exceptId) minutes += (await deps.appointmentType(tx, b.appointmentTypeId)).durationMinutes;
    return Math.min(1, Math.round((minutes / planned) * 10_000) / 10_000);
  };

  /** The price of a visit for a patient, from the facts the server reads now. */
  const compute = async (
    tx: Executor,
    v: { patientId: string; physicianId: string; locationId: string; appointmentTypeId: string; start: Date },
    field: string,
    exceptId?: string,
  ): Promise<Price & { plan: string; utilisation: number }> => {
    const type = await deps.appointmentType(tx, v.appointmentTypeId, field);
    const timeZone = await deps.timeZoneOf(tx, v.locationId);
    const local = localMoment(v.start, timeZone);
    const plan = (await deps.payerOf(tx, v.patientId)) ?? SELF_PAY;
    const [utilisation, financialAssistance, rows, cap] = await Promise.all([
      utilisationOf(tx, { ...v, date: local.date, timeZone }, exceptId),
      repo.assisted(tx, v.patientId),
      repo.activeAt(tx, v.locationId),
      repo.capFor(tx, plan),
    ]);
    const price = priceOf({
      baseCents: type.basePriceCents,
      locationId: v.locationId,
      appointmentTypeId: v.appointmentTypeId,
      weekday: local.weekday,
      minuteOfDay: local.minuteOfDay,
      utilisation,
      urgentCare: URGENT_CARE_SPECIALTIES.includes(type.specialty),
      financialAssistance,
      rules: rows.map(toRule),
      cap,
    });
    return { ...price, plan, utilisation };
  };

  /** Records the price of a booked appointment once (idempotent); undefined when it is not booked. */
  const record = async (tx: Executor, appointmentId: string): Promise<PriceRow | undefined> => {
    const existing = await repo.price(tx, appointmentId);
    if (existing) return existing;
    const a = await deps.appointment(tx, appointmentId);
    if (!a || !["booked", "checked_in", "completed"].includes(a.status)) return undefined;
    const p = await compute(tx, a, "appointmentId", a.id);
    const row: PriceRow = {
      appointment_id: a.id,
      location_id: a.locationId,
      base_cents: p.baseCents,
      price_cents: p.priceCents,
      rule_ids: p.ruleIds,
      plan: p.plan,
      utilisation: p.utilisation,
      reason: p.reason,
      recorded_at: clock.now(),
    };
    if (await repo.insertPrice(tx, row))
      await auditService.record(tx, auditContextOf(PRICING_ACTOR), {
        action: "pricing.recorded",
        resourceType: "appointment",
        resourceId: a.id,
        patientId: a.patientId,
        locationId: a.locationId,
        detail: { baseCents: p.baseCents, priceCents: p.priceCents, ruleIds: p.ruleIds, reason: p.reason },
      });
    return (await repo.price(tx, a.id)) ?? row;
  };

  return {
    async createRule(actor: Actor, input: RuleInput): Promise<PricingRuleDto> {
      return db.transaction().execute(async (tx) => {
        await policies.authorize(
          tx,
          actor,
          "manage_pricing",
          locationTarget(input.locationId, "body.locationId"),
        );
        await deps.timeZoneOf(tx, input.locationId).catch((err: unknown) => {
          throw err instanceof ProblemError && err.status === 404
            ? problems.notFound("location", "body.locationId")
            : err;
        });
        if (input.appointmentTypeId)
          await deps.appointmentType(tx, input.appointmentTypeId, "body.appointmentTypeId");
        const row = await repo.insertRule(tx, {
          location_id: input.locationId,
          appointment_type_id: input.appointmentTypeId,
          kind: input.kind,
          weekdays: [...input.weekdays].sort((a, b) => a - b),
          start_time: input.startTime,
          end_time: input.endTime,
          utilisation_threshold: input.utilisationThreshold,
          percent: input.percent,
          created_by: actor.userId,
        });
        await auditService.record(tx, auditContextOf(actor), {
          action: "pricing.rule_created",
          resourceType: "location",
          resourceId: input.locationId,
          locationId: input.locationId,
          detail: { ruleId: row.id, kind: input.kind, percent: input.percent },
        });
        return ruleDto(row);
      });
    },

    async setRuleActive(actor: Actor, id: string, active: boolean): Promise<PricingRuleDto> {
      return db.transaction().execute(async (tx) => {
        const row = await repo.rule(tx, id, true);
        if (!row) throw problems.notFound("pricing rule");
        await policies.authorize(tx, actor, "manage_pricing", {
          ...locationTarget(row.location_id, "params.id"),
          noun: "pricing rule",
        });
        const updated = await repo.setActive(tx, id, active);
        await auditService.record(tx, auditContextOf(actor), {
          action: active ? "pricing.rule_activated" : "pricing.rule_deactivated",
          resourceType: "location",
          resourceId: row.location_id,
          locationId: row.location_id,
          detail: { ruleId: id },
        });
        return ruleDto(updated);
      });
    },

    async rules(actor: Actor, query: RuleQuery): Promise<Page<PricingRuleDto>> {
      return db.transaction().execute(async (tx) => {
        if (query.locationId)
          await policies.authorize(
            tx,
            actor,
            "manage_pricing",
            locationTarget(query.locationId, "query.locationId"),
          );
        const { rows, total } = await repo.rules(tx, query);
        return { items: rows.map(ruleDto), total, limit: query.limit, offset: query.offset };
      });
    },

    caps: async (): Promise<PriceCapDto[]> =>
      (await repo.caps(db)).map((c) => ({
        plan: c.plan,
        maxSurchargeCents: c.max_surcharge_cents,
        maxDiscountCents: c.max_discount_cents,
      })),

    async putCap(
      actor: Actor,
      plan: string,
      cap: { maxSurchargeCents: number; maxDiscountCents: number },
    ): Promise<PriceCapDto> {
      return db.transaction().execute(async (tx) => {
        await repo.putCap(tx, plan, cap, clock.now());
        await auditService.record(tx, auditContextOf(actor), {
          action: "pricing.cap_set",
          resourceType: "pricing_cap",
          resourceId: null,
          detail: { plan, ...cap },
        });
        return { plan, ...cap };
      });
    },

    /** Staff flag (or unflag) a patient in their scope for financial assistance. */
    async setAssistance(actor: Actor, patientId: string, flagged: boolean) {
      return db.transaction().execute(async (tx) => {
        await policies.authorize(
          tx,
          actor,
          "flag_financial_assistance",
          patient(patientId, "params.patientId"),
        );
        await repo.setAssisted(tx, patientId, flagged, actor.userId, clock.now());
        await auditService.record(tx, auditContextOf(actor), {
          action: "pricing.assistance_set",
          resourceType: "patient",
          resourceId: patientId,
          patientId,
          detail: { flagged },
        });
        return { patientId, flagged };
      });
    },

    /** The copay of an option a search handed out, for a patient the caller may book for. */
    async quote(actor: Actor, q: QuoteQuery): Promise<Quote> {
      return db.transaction().execute(async (tx) => {
        await policies.authorize(tx, actor, "book", patient(q.patientId, "query.patientId"));
        const opened = optionIds.open(q.optionId, clock.now().getTime());
        if (!opened.ok) {
          if (opened.problem === "expired") {
            const message = "this option has expired; search again";
            throw new ProblemError(409, "option_expired", message, [{ field: "query.optionId", message }]);
          }
          throw problems.invalid("query.optionId", "not an option this server offered", "option_invalid");
        }
        const o = opened.option;
        const p = await compute(
          tx,
          { patientId: q.patientId, ...o, start: new Date(o.start) },
          "query.optionId",
        );
        await auditService.record(tx, auditContextOf(actor), {
          action: "pricing.quote",
          resourceType: "patient",
          resourceId: q.patientId,
          patientId: q.patientId,
          locationId: o.locationId,
          detail: { priceCents: p.priceCents, baseCents: p.baseCents, ruleIds: p.ruleIds, reason: p.reason },
        });
        return p;
      });
    },

    /** A booked appointment's copay as recorded (recorded now if the recorder has not reached it). */
    async priceOfAppointment(actor: Actor, appointmentId: string): Promise<AppointmentPrice> {
      return db.transaction().execute(async (tx) => {
        const a = await deps.appointment(tx, appointmentId);
        if (!a) throw problems.notFound("appointment", "params.appointmentId");
        await policies.authorize(tx, actor, "read", {
          kind: "appointment",
          id: a.id,
          patientId: a.patientId,
          physicianId: a.physicianId,
          locationId: a.locationId,
          field: "params.appointmentId",
        });
        const row = await record(tx, a.id);
        if (!row)
          throw problems.conflict("not_booked", "This appointment is not booked", "params.appointmentId");
        return priceDto(row);
      });
    },

    /**
     * One pass of the recorder: prices the appointments booked since the last pass, in order,
     * under the cursor's lock (one replica at a time). Returns how many it recorded.
     */
    async recordBooked(batch = 200): Promise<number> {
      let recorded = 0;
      for (;;) {
        const { read, priced } = await db.transaction().execute(async (tx) => {
          const seq = await repo.lockCursor(tx);
          const events = await eventsAfter(tx, seq, batch);
          let priced = 0;
          for (const e of events)
            if ((e.type === "appointment.booked" || e.type === "appointment.rescheduled") && e.appointmentId)
              if (await record(tx, e.appointmentId)) priced += 1;
          const last = events.at(-1);
          if (last) await repo.moveCursor(tx, last.seq);
          return { read: events.length, priced };
        });
        recorded += priced;
        if (read < batch) return recorded;
      }
    },
  };
}

export type PricingService = ReturnType<typeof createPricingService>;
