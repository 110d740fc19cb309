/**
 * Partners limited to regions (ROUNDS_<PARTNER>_REGIONS): a location's data is never sent to a
 * partner outside the location's region. The item is withheld with the reason (not an error, not
 * retried) and the withholding is audited as the system's.
 */
import { type AuditContext, auditService } from "../audit/index.js";
import type { ResidencyPartner } from "../config.js";
import type { Executor } from "../db.js";

const PARTNER_NAMES: Record<ResidencyPartner, string> = {
  hl7: "the HL7 target",
  pharmacy: "the pharmacy network",
  transport: "the transport service",
  payer: "the payer",
  emr: "the EMR",
};

/** The regions a partner may receive data of; undefined: every region. */
export type PartnerRegions = readonly string[] | undefined;

/** Why data of `region` is not sent to the partner, or undefined when it may be. */
export function withheldReason(
  partner: ResidencyPartner,
  regions: PartnerRegions,
  region: string,
): string | undefined {
  if (!regions || regions.includes(region)) return undefined;
  return (
    `withheld: data of region ${region} is not sent to ${PARTNER_NAMES[partner]}, ` +
    `limited to ${regions.join(", ")} (ROUNDS_${partner.toUpperCase()}_REGIONS)`
  );
}

/** What was withheld from whom, for the audit trail. */
export interface Withholding {
  partner: ResidencyPartner;
  region: string;
  reason: string;
  resourceType: string;
  resourceId: string;
  patientId?: string | null;
  locationId?: string | null;
}

const SYSTEM: AuditContext = { userId: null, role: "system", requestId: "residency", clientAddress: null };

/** Records a withholding in the caller's transaction (the partner's sender, as the system). */
export function auditWithheld(tx: Executor, w: Withholding, ctx: AuditContext = SYSTEM): Promise<void> {
  return auditService.record(tx, ctx, {
    action: "residency.withheld",
    resourceType: w.resourceType,
    resourceId: w.resourceId,
    patientId: w.patientId ?? null,
    locationId: w.locationId ?? null,
    detail: { partner: w.partner, region: w.region, reason: w.reason },
  });
}
