/**
 * Insurance in the demo: every insured patient's coverage on file (payer id from the fictional
 * payer's prefix, the member id from their record), and the eligibility of their upcoming
 * bookings as the built-in payer simulator answers it. A few members carry the simulator's magic
 * ids (src/integrations/eligibility/simulator.ts), so every state shows: inactive, member not
 * found, and "not verified" (a payer that timed out, an answer that could not be read) awaiting
 * its retry (a few of them: the worker asks the simulator again once the server runs).
 */
import { sql } from "kysely";
import { MAX_ATTEMPTS, serviceTypeFor } from "../integrations/eligibility/index.js";
import type { Executor } from "../platform/db.js";
import { insertAsJson } from "./insert.js";
import { PAYERS } from "./names.js";
import { Random } from "./random.js";

/** Every n-th insured patient (by MRN) gets the simulator's answer named here. */
const MAGIC: Array<[number, string]> = [
  [23, "INACTIVE"],
  [29, "NOTFOUND"],
  [37, "TIMEOUT"],
  [41, "MALFORMED"],
];
const COPAYS = [15, 20, 25, 30, 35, 40];
const DEDUCTIBLES = [500, 1000, 1500, 2000, 3000];

interface Upcoming {
  id: string;
  patient_id: string;
  location_id: string;
  region: string;
  specialty: string;
  room_kind: string | null;
  equipment_kinds: string[];
  visit_kind: "new" | "follow_up" | "procedure";
}

export async function seedDemoEligibility(
  db: Executor,
  opts: { seed: number; today: string },
): Promise<number> {
  const at = new Date(`${opts.today}T00:00:00Z`);
  const insured = await sql<{ id: string; insurance_payer: string; insurance_member_id: string }>`
    SELECT id, insurance_payer, insurance_member_id FROM patients
    WHERE insurance_payer IS NOT NULL AND insurance_member_id IS NOT NULL ORDER BY mrn`.execute(db);
  const prefix = new Map(PAYERS.map((p) => [p.name, p.prefix]));
  const memberOf = new Map<string, { payerId: string; payerName: string; memberId: string }>();
  insured.rows.forEach((p, i) => {
    const magic = MAGIC.find(([n]) => (i + 1) % n === 0)?.[1];
    const memberId = magic ? `${magic}-${p.insurance_member_id}` : p.insurance_member_id;
    memberOf.set(p.id, {
      payerId: prefix.get(p.insurance_payer) ?? "DEMO",
      payerName: p.insurance_payer,
      memberId,
    });
  });
  await insertAsJson(
    db,
    "patient_coverages",
    [...memberOf].map(([patientId, c]) => ({
      patient_id: patientId,
      payer_id: c.payerId,
      payer_name: c.payerName,
      member_id: c.memberId,
      group_number: null,
      plan_name: null,
      updated_at: at,
      updated_by: null,
    })),
  );
  const upcoming = await sql<Upcoming>`
    SELECT a.id, a.patient_id, a.location_id, l.data_residency AS region, t.specialty, t.room_kind,
      t.equipment_kinds, t.visit_kind
    FROM appointments a JOIN appointment_types t ON t.id = a.appointment_type_id
    JOIN locations l ON l.id = a.location_id
    WHERE a.status IN ('booked', 'checked_in') AND a.starts_at >= ${at}
    ORDER BY a.id`.execute(db);
  const rng = new Random(opts.seed, "eligibility");
  // a few unverified checks are due again when the server starts; the rest have run out of retries
  let retriesLeft = 6;
  const rows = upcoming.rows.flatMap((a) => {
    const c = memberOf.get(a.patient_id);
    if (!c) return [];
    const serviceType = serviceTypeFor({
      specialty: a.specialty,
      roomKind: a.room_kind,
      equipmentKinds: a.equipment_kinds,
      visitKind: a.visit_kind,
    });
    const magic = c.memberId.split("-")[0];
    const base = {
      appointment_id: a.id,
      patient_id: a.patient_id,
      location_id: a.location_id,
      region: a.region,
      service_type: serviceType,
      payer_id: c.payerId,
      payer_name: c.payerName,
      member_id: c.memberId,
      plan_name: null as string | null,
      copay_cents: null as number | null,
      deductible_cents: null as number | null,
      deductible_remaining_cents: null as number | null,
      benefits: [] as object[],
      reason: null as string | null,
      attempts: 1,
      next_attempt_at: null as Date | null,
      checked_at: at,
    };
    switch (magic) {
      case "INACTIVE":
        return [{ ...base, status: "inactive" }];
      case "NOTFOUND":
        return [{ ...base, status: "not_found", reason: "member not found (AAA 75)" }];
      case "TIMEOUT":
      case "MALFORMED":
        return [
          {
            ...base,
            status: "not_verified",
            reason:
              magic === "TIMEOUT"
                ? "the payer did not answer within 5000 ms"
                : "the payer's answer is incomplete (SE segment count)",
            ...(retriesLeft-- > 0 ? { next_attempt_at: at } : { attempts: MAX_ATTEMPTS }),
          },
        ];
      default: {
        const copay = rng.pick(COPAYS) * 100 + (serviceType === "30" || serviceType === "98" ? 0 : 2000);
        const deductible = rng.pick(DEDUCTIBLES) * 100;
        const remaining = Math.round((deductible * rng.int(0, 9)) / 10);
        const benefits = [
          { kind: "copay", serviceTypes: [serviceType], amountCents: copay, inNetwork: true },
          { kind: "deductible", serviceTypes: ["30"], amountCents: deductible, inNetwork: true },
          { kind: "deductible_remaining", serviceTypes: ["30"], amountCents: remaining, inNetwork: true },
        ];
        return [
          {
            ...base,
            status: "verified_active",
            plan_name: rng.pick(["GOLD PPO", "SILVER HMO", "BRONZE EPO"]),
            copay_cents: copay,
            deductible_cents: deductible,
            deductible_remaining_cents: remaining,
            benefits,
          },
        ];
      }
    }
  });
  return insertAsJson(db, "eligibility_checks", rows);
}
