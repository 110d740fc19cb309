/**
 * The eligibility adapter's operations: patients' coverage (read and edited by whoever may read or
 * update the patient), each appointment's eligibility (read with the appointment; checked on demand
 * by the location's staff), and the insurer's copay shown before booking. Each authorizes through
 * the policy table, owns its transactions and writes its audit event; the exchange with the payer
 * happens between transactions.
 */
import { randomUUID } from "node:crypto";
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Executor } from "../../platform/db.js";
import { problems } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { patient as patientTarget } from "../../platform/policy.js";
import { auditWithheld } from "../../platform/residency/index.js";
import { patientService } from "../../services/patients/index.js";
import { type AppointmentFacts, appointmentFacts } from "../../services/scheduling/index.js";
import { attempt, auditDetail, factsFor, serviceTypeOf, toEligibility } from "./checks.js";
import type { PayerClient } from "./payer.js";
import { type CoverageRow, eligibilityRepository as repo } from "./repository.js";
import type { Coverage, CoverageInput, EligibilityDto, InsurerCopay } from "./schema.js";
import { benefitFor } from "./x12.js";

export interface EligibilityDeps extends ServiceDeps {
  payer: PayerClient;
  /** How long an on-demand check holds the appointment's check: more than the payer's timeout. */
  leaseMs: number;
}

/** How recent an active 271 must be for its copay to be shown before booking. */
export const INSURER_COPAY_DAYS = 30;

const toCoverage = (r: CoverageRow): Coverage => ({
  patientId: r.patient_id,
  payerCode: r.payer_id,
  payerName: r.payer_name,
  memberNumber: r.member_id,
  groupNumber: r.group_number,
  planName: r.plan_name,
  updatedAt: r.updated_at.toISOString(),
});

const appointmentTarget = (a: AppointmentFacts, field = "params.id") => ({
  kind: "appointment" as const,
  id: a.id,
  patientId: a.patientId,
  physicianId: a.physicianId,
  locationId: a.locationId,
  field,
});

export function createEligibility({ db, clock, policies, payer, leaseMs }: EligibilityDeps) {
  const inTransaction = <T>(work: (tx: Executor) => Promise<T>): Promise<T> => db.transaction().execute(work);
  const now = () => clock.now();

  async function appointmentOf(tx: Executor, id: string): Promise<AppointmentFacts> {
    const a = await appointmentFacts.get(tx, id);
    if (!a) throw problems.notFound("appointment");
    return a;
  }

  /** An appointment the worker has not reached: pending when there is coverage to check it with. */
  async function unchecked(tx: Executor, a: AppointmentFacts): Promise<EligibilityDto> {
    const dto = toEligibility(a.id, undefined);
    const booked = a.status === "booked" || a.status === "checked_in";
    if (booked && (await repo.coverageOf(tx, a.patientId)))
      return { ...dto, status: "pending", reason: null };
    return { ...dto, reason: booked ? "no insurance coverage on file" : dto.reason };
  }

  return {
    async coverageOf(actor: Actor, patientId: string): Promise<Coverage | null> {
      return inTransaction(async (tx) => {
        const access = await policies.authorize(tx, actor, "read", patientTarget(patientId));
        const row = await repo.coverageOf(tx, patientId);
        await auditService.record(tx, auditContextOf(actor), {
          action: "patient.coverage.read",
          resourceType: "patient",
          resourceId: patientId,
          patientId,
          detail: { access, onFile: Boolean(row) },
        });
        return row ? toCoverage(row) : null;
      });
    },

    /** Sets the coverage; the patient's upcoming appointments are checked again with it. */
    async putCoverage(actor: Actor, patientId: string, input: CoverageInput): Promise<Coverage> {
      return inTransaction(async (tx) => {
        const access = await policies.authorize(tx, actor, "update", patientTarget(patientId));
        await patientService.get(tx, patientId);
        const before = await repo.coverageOf(tx, patientId);
        const row = await repo.putCoverage(
          tx,
          {
            patient_id: patientId,
            payer_id: input.payerCode,
            payer_name: input.payerName,
            member_id: input.memberNumber,
            group_number: input.groupNumber,
            plan_name: input.planName,
            updated_by: actor.userId,
          },
          now(),
        );
        const requeued = await repo.requeuePatient(tx, patientId, now());
        await auditService.record(tx, auditContextOf(actor), {
          action: "patient.coverage.updated",
          resourceType: "patient",
          resourceId: patientId,
          patientId,
          detail: {
            access,
            payerCode: input.payerCode,
            changed: before
              ? (["payer_id", "payer_name", "member_id", "group_number", "plan_name"] as const).filter(
                  (k) => before[k] !== row[k],
                )
              : "created",
            requeued,
          },
        });
        return toCoverage(row);
      });
    },

    async removeCoverage(actor: Actor, patientId: string): Promise<void> {
      await inTransaction(async (tx) => {
        const access = await policies.authorize(tx, actor, "update", patientTarget(patientId));
        if (!(await repo.deleteCoverage(tx, patientId))) throw problems.notFound("coverage", "params.id");
        await auditService.record(tx, auditContextOf(actor), {
          action: "patient.coverage.removed",
          resourceType: "patient",
          resourceId: patientId,
          patientId,
          detail: { access },
        });
      });
    },

    /** The appointment's eligibility: whoever may read the appointment. */
    async eligibilityOf(actor: Actor, appointmentId: string): Promise<EligibilityDto> {
      return inTransaction(async (tx) => {
        const a = await appointmentOf(tx, appointmentId);
        const access = await policies.authorize(tx, actor, "read", appointmentTarget(a));
        const row = await repo.checkOf(tx, a.id);
        const dto = row ? toEligibility(a.id, row) : await unchecked(tx, a);
        await auditService.record(tx, auditContextOf(actor), {
          action: "appointment.eligibility.read",
          resourceType: "appointment",
          resourceId: a.id,
          patientId: a.patientId,
          locationId: a.locationId,
          detail: { access, status: dto.status },
        });
        return dto;
      });
    },

    /**
     * Checks now (staff of the appointment's location): the answer is stored and returned; a payer
     * that fails or is slow leaves it "not verified", retried by the worker.
     */
    async checkNow(actor: Actor, appointmentId: string): Promise<EligibilityDto> {
      const claim = randomUUID();
      const prepared = await inTransaction(async (tx) => {
        const a = await appointmentOf(tx, appointmentId);
        const access = await policies.authorize(tx, actor, "check_eligibility", appointmentTarget(a));
        if (a.status !== "booked" && a.status !== "checked_in")
          throw problems.conflict(
            "not_booked",
            `Only a booked appointment is checked; this one is ${a.status}`,
            "params.id",
          );
        const serviceType = await serviceTypeOf(tx, a.appointmentTypeId);
        const check = await repo.claimNow(
          tx,
          {
            appointment_id: a.id,
            patient_id: a.patientId,
            location_id: a.locationId,
            service_type: serviceType,
          },
          now(),
          leaseMs,
          claim,
        );
        const facts = await factsFor(tx, check, await repo.coverageOf(tx, a.patientId), a.start);
        return { a, access, facts };
      });
      const outcome = await attempt(payer, prepared.facts, now);
      return inTransaction(async (tx) => {
        const { a } = prepared;
        const row = await repo.finish(tx, prepared.facts.check.id, claim, outcome);
        await auditService.record(tx, auditContextOf(actor), {
          action: "appointment.eligibility.checked",
          resourceType: "appointment",
          resourceId: a.id,
          patientId: a.patientId,
          locationId: a.locationId,
          outcome: outcome.status === "not_verified" ? "failure" : "success",
          detail: {
            access: prepared.access,
            ...auditDetail(outcome, prepared.facts.check.service_type, "staff"),
          },
        });
        if (outcome.status === "withheld")
          await auditWithheld(
            tx,
            {
              partner: "payer",
              region: prepared.facts.check.region,
              reason: outcome.reason ?? "withheld",
              resourceType: "appointment",
              resourceId: a.id,
              patientId: a.patientId,
              locationId: a.locationId,
            },
            auditContextOf(actor),
          );
        return toEligibility(a.id, row ?? (await repo.checkOf(tx, a.id)));
      });
    },

    /**
     * The copay a recent active 271 gave the patient for this appointment type's service type
     * (whoever may book for the patient; the copay shown before booking, "from your insurer").
     */
    async insurerCopay(actor: Actor, patientId: string, appointmentTypeId: string): Promise<InsurerCopay> {
      return inTransaction(async (tx) => {
        await policies.authorize(tx, actor, "book", patientTarget(patientId, "params.id"));
        const serviceType = await serviceTypeOf(tx, appointmentTypeId, "query.appointmentTypeId");
        const since = new Date(now().getTime() - INSURER_COPAY_DAYS * 86_400_000);
        const coverage = await repo.coverageOf(tx, patientId);
        let copay: InsurerCopay["copay"] = null;
        for (const r of coverage ? await repo.activeSince(tx, patientId, since) : []) {
          // an answer about another member (the coverage changed since) no longer holds
          if (r.member_id !== coverage?.member_id || r.payer_id !== coverage.payer_id) continue;
          const benefits = typeof r.benefits === "string" ? JSON.parse(r.benefits) : r.benefits;
          const b = benefitFor(benefits, "copay", serviceType);
          if (!b) continue;
          copay = {
            copayCents: b.amountCents,
            serviceType,
            payerName: r.payer_name,
            planName: r.plan_name,
            checkedAt: r.checked_at!.toISOString(),
          };
          break;
        }
        await auditService.record(tx, auditContextOf(actor), {
          action: "patient.coverage.copay_read",
          resourceType: "patient",
          resourceId: patientId,
          patientId,
          detail: { appointmentTypeId, serviceType, copayCents: copay?.copayCents ?? null },
        });
        return { copay };
      });
    },
  };
}
export type Eligibility = ReturnType<typeof createEligibility>;
