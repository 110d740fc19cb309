/**
 * One eligibility attempt, shared by the worker and the staff's "check now": build the 270 from the
 * coverage on file, exchange it with the payer (outside any transaction: the booking and the
 * database never wait on the payer), read the 271, and turn it into what is stored. Also the
 * retry schedule and the stored check's shape as the API shows it.
 */
import { randomInt } from "node:crypto";
import type { Executor } from "../../platform/db.js";
import { withheldReason } from "../../platform/residency/index.js";
import { patientService } from "../../services/patients/index.js";
import { appointmentTypeCatalog } from "../../services/scheduling/index.js";
import type { PayerClient } from "./payer.js";
import type { CheckRow, CoverageRow, Outcome } from "./repository.js";
import type { EligibilityDto } from "./schema.js";
import { SERVICE_TYPE_NAMES, serviceTypeFor } from "./service-types.js";
import { type Benefit, build270, read271 } from "./x12.js";

/** Attempts of a check that could not be made before it is left "not verified" for good. */
export const MAX_ATTEMPTS = 6;

/** Back-off after the n-th failed attempt: 1, 5, 15, 60, 240 minutes. */
export function retryDelayMs(attempts: number): number {
  const minutes = [1, 5, 15, 60, 240][Math.min(Math.max(attempts, 1), 5) - 1]!;
  return minutes * 60_000;
}

/** The service type code asked for an appointment type. */
export async function serviceTypeOf(
  ex: Executor,
  appointmentTypeId: string,
  field?: string,
): Promise<string> {
  const t = await appointmentTypeCatalog.get(ex, appointmentTypeId, field);
  return serviceTypeFor({
    specialty: t.specialty,
    roomKind: t.roomKind,
    equipmentKinds: t.equipmentKinds,
    visitKind: t.visitKind,
  });
}

/** What an attempt needs, read before the exchange. */
export interface AttemptFacts {
  check: Pick<CheckRow, "id" | "attempts" | "service_type" | "region">;
  coverage: CoverageRow | undefined;
  patient: { givenName: string; familyName: string; birthDate: string };
  serviceDate: string;
}

export async function factsFor(
  ex: Executor,
  check: Pick<CheckRow, "id" | "attempts" | "service_type" | "patient_id" | "region">,
  coverage: CoverageRow | undefined,
  start: Date,
): Promise<AttemptFacts> {
  const p = await patientService.get(ex, check.patient_id);
  return {
    check,
    coverage,
    patient: { givenName: p.givenName, familyName: p.familyName, birthDate: p.birthDate },
    serviceDate: start.toISOString().slice(0, 10),
  };
}

const empty = {
  plan_name: null,
  copay_cents: null,
  deductible_cents: null,
  deductible_remaining_cents: null,
  benefits: [] as Benefit[],
};

/** Asks the payer and reads the answer; never throws. */
export async function attempt(payer: PayerClient, f: AttemptFacts, now: () => Date): Promise<Outcome> {
  const c = f.coverage;
  // a payer limited to other regions is never asked (and not again: nothing to retry)
  const withheld = withheldReason("payer", payer.regions, f.check.region);
  if (withheld)
    return {
      status: "withheld",
      reason: withheld,
      payer_id: c?.payer_id ?? null,
      payer_name: c?.payer_name ?? null,
      member_id: null,
      ...empty,
      trace: null,
      next_attempt_at: null,
      checked_at: now(),
    };
  if (!c)
    return {
      status: "not_verified",
      reason: "no insurance coverage on file",
      payer_id: null,
      payer_name: null,
      member_id: null,
      ...empty,
      trace: null,
      next_attempt_at: null,
      checked_at: now(),
    };
  const trace = `R${Date.now().toString(36).toUpperCase()}${randomInt(1e6).toString(36).toUpperCase()}`.slice(
    0,
    30,
  );
  const x270 = build270({
    trace,
    controlNumber: randomInt(1, 999_999_999),
    payer: { id: c.payer_id, name: c.payer_name },
    member: { id: c.member_id, ...f.patient, groupNumber: c.group_number },
    serviceType: f.check.service_type,
    serviceDate: f.serviceDate,
    at: now(),
  });
  const exchanged = await payer.exchange(x270);
  const at = now();
  const base = {
    payer_id: c.payer_id,
    payer_name: c.payer_name,
    member_id: c.member_id,
    trace,
    checked_at: at,
  };
  const retryAt = (retry: boolean) =>
    retry && f.check.attempts < MAX_ATTEMPTS ? new Date(at.getTime() + retryDelayMs(f.check.attempts)) : null;
  if (!exchanged.ok)
    return {
      ...base,
      ...empty,
      status: "not_verified",
      reason: exchanged.reason,
      next_attempt_at: retryAt(true),
    };
  const e = read271(exchanged.body, { trace, serviceType: f.check.service_type });
  switch (e.status) {
    case "verified_active":
      return {
        ...base,
        status: e.status,
        reason: null,
        plan_name: e.planName ?? c.plan_name,
        copay_cents: e.copayCents,
        deductible_cents: e.deductibleCents,
        deductible_remaining_cents: e.deductibleRemainingCents,
        benefits: e.benefits,
        next_attempt_at: null,
      };
    case "inactive":
      return {
        ...base,
        ...empty,
        status: e.status,
        reason: null,
        plan_name: e.planName,
        next_attempt_at: null,
      };
    case "not_found":
      return { ...base, ...empty, status: e.status, reason: e.reason, next_attempt_at: null };
    case "not_verified":
      return { ...base, ...empty, status: e.status, reason: e.reason, next_attempt_at: retryAt(e.retry) };
  }
}

export const toEligibility = (appointmentId: string, r: CheckRow | undefined): EligibilityDto => ({
  appointmentId,
  status: r?.status ?? "none",
  reason: r?.reason ?? (r ? null : "no eligibility check for this appointment"),
  serviceType: r?.service_type ?? null,
  serviceTypeName: r ? (SERVICE_TYPE_NAMES[r.service_type] ?? null) : null,
  payerName: r?.payer_name ?? null,
  memberNumber: r?.member_id ?? null,
  planName: r?.plan_name ?? null,
  copayCents: r?.copay_cents ?? null,
  deductibleCents: r?.deductible_cents ?? null,
  deductibleRemainingCents: r?.deductible_remaining_cents ?? null,
  checkedAt: r?.checked_at?.toISOString() ?? null,
  nextAttemptAt: r?.next_attempt_at?.toISOString() ?? null,
  attempts: r?.attempts ?? 0,
});

/** What the audit trail keeps of an attempt (no member id: the record has it). */
export const auditDetail = (o: Outcome, serviceType: string, by: "booking" | "staff") => ({
  status: o.status,
  reason: o.reason,
  serviceType,
  payerId: o.payer_id,
  trace: o.trace,
  copayCents: o.copay_cents,
  retryAt: o.next_attempt_at?.toISOString() ?? null,
  by,
});
