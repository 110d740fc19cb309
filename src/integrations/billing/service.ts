/**
 * Billing's operations: each location's billing identity, the modifiers of appointment types, the
 * export of completed visits as a batch of claims (X12 837P or FHIR Claims) and its download, and a
 * visit's export state. Charges are derived here from scheduling's record of the visit, the
 * location's identity and fee schedule and the catalogue's code; never from what a client sends.
 */
import { createHash } from "node:crypto";
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { BillingConfig } from "../../platform/config.js";
import type { Executor } from "../../platform/db.js";
import { problems } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { type Location, locationService } from "../../services/locations/index.js";
import { appointmentFacts, appointmentTypeCatalog } from "../../services/scheduling/index.js";
import { buildClaims, visitsOfRange } from "./batch.js";
import { type Charge, chargeOf, type SkipReason } from "./coding.js";
import { claimBundle } from "./fhir-claims.js";
import { identityOf } from "./identity.js";
import { type BatchSummaryRow, type IdentityRow, billingRepository as repo } from "./repository.js";
import type {
  Batch,
  BatchQuery,
  BatchRequest,
  BillingIdentityDto,
  ChargeState,
  IdentityInput,
} from "./schema.js";
import { write837p } from "./x12.js";

/** The fee schedule (analytics' revenue reports), passed in by the composition root. */
export type FeeSchedule = (
  db: Executor,
  locationIds: readonly string[],
) => Promise<{ locationId: string; appointmentTypeId: string; feeCents: number }[]>;

export interface BillingDeps extends ServiceDeps {
  config: BillingConfig;
  fees: FeeSchedule;
  /** Where the clearinghouse reaches the billing office (the 837P's PER segment). */
  contactEmail: string;
}

/** The user id the command line's exports are audited under (`rounds billing export`). */
export const BILLING_CLI_USER = "00000000-0000-4000-8000-0000000000b1";

/** Whoever runs `rounds billing export` holds the database: an administrator, audited as such. */
export function commandLineActor(): Actor {
  return {
    userId: BILLING_CLI_USER,
    role: "admin",
    email: "billing-cli@rounds.invalid",
    displayName: "billing command line",
    sessionId: "",
    patientId: null,
    patientIds: [],
    physicianId: null,
    locationIds: [],
    departmentIds: [],
    specialties: [],
    clientAddress: "cli",
    requestId: `cli:${process.pid}`,
  };
}

const toIdentityDto = (r: IdentityRow, location: Pick<Location, "name">): BillingIdentityDto => ({
  ...identityOf(r),
  locationName: location.name,
  updatedAt: r.updated_at.toISOString(),
});

/**
 * The completed visits of the range in the batch's region: the one asked for, or the only one the
 * range holds (several and none named: 422 naming body.region).
 */
async function visitsOfRegion(tx: Executor, req: BatchRequest) {
  const all = await visitsOfRange(tx, req.from, req.to);
  const regionOf = new Map<string, string>();
  for (const id of new Set(all.map((v) => v.visit.locationId)))
    regionOf.set(id, (await locationService.get(tx, id)).dataResidency);
  const regions = [...new Set(regionOf.values())].sort();
  if (!req.region && regions.length > 1)
    throw problems.invalid(
      "body.region",
      `the range holds visits of regions ${regions.join(", ")}: export one batch per region`,
      "regions_mixed",
    );
  const region = req.region ?? regions[0] ?? "";
  return { region, visits: all.filter((v) => regionOf.get(v.visit.locationId) === region) };
}

const toBatch = (r: BatchSummaryRow, created: boolean): Batch => ({
  id: r.id,
  format: r.format,
  from: r.from_date,
  to: r.to_date,
  region: r.region || null,
  controlNumber: r.control_number,
  claimCount: r.claim_count,
  totalCents: Number(r.total_cents),
  skipped: r.skipped,
  sha256: r.content_sha256,
  createdAt: r.created_at.toISOString(),
  createdBy: r.created_by,
  created,
});

export function createBilling({ db, clock, policies, config, fees, contactEmail }: BillingDeps) {
  const inTransaction = <T>(work: (tx: Executor) => Promise<T>): Promise<T> => db.transaction().execute(work);
  const location = (id: string, field: string) => ({ kind: "location" as const, id, field });

  /** The charges of the visits given, and the visits that cannot be billed and why. */
  async function chargesOf(tx: Executor, visits: Awaited<ReturnType<typeof visitsOfRange>>) {
    const locationIds = [...new Set(visits.map((v) => v.visit.locationId))];
    const typeIds = [...new Set(visits.map((v) => v.visit.appointmentTypeId))];
    const [identities, feeRows, types, modifiers] = await Promise.all([
      repo.identities(tx, locationIds),
      fees(tx, locationIds),
      appointmentTypeCatalog.byIds(tx, typeIds),
      repo.modifiers(tx, typeIds),
    ]);
    const identityAt = new Map(identities.map((r) => [r.location_id, identityOf(r)]));
    const fee = new Map(feeRows.map((f) => [`${f.locationId}/${f.appointmentTypeId}`, f.feeCents]));
    const code = new Map(types.map((t) => [t.id, t.billingCode]));
    const charges: Charge[] = [];
    const skipped: { appointmentId: string; reason: SkipReason }[] = [];
    for (const { visit, serviceDate } of visits) {
      const outcome = chargeOf({
        visit,
        serviceDate,
        identity: identityAt.get(visit.locationId),
        procedureCode: code.get(visit.appointmentTypeId) ?? null,
        typeModifiers: modifiers.get(visit.appointmentTypeId) ?? [],
        feeCents: fee.get(`${visit.locationId}/${visit.appointmentTypeId}`),
      });
      if ("charge" in outcome) charges.push(outcome.charge);
      else skipped.push({ appointmentId: visit.id, reason: outcome.skipped });
    }
    return { charges, skipped, identityAt };
  }

  return {
    /** Every location's billing identity the caller may manage. */
    identities: (actor: Actor): Promise<BillingIdentityDto[]> =>
      inTransaction(async (tx) => {
        const out: BillingIdentityDto[] = [];
        for (const r of await repo.identities(tx))
          if (
            await policies.permits(tx, actor, "manage_billing", location(r.location_id, "params.locationId"))
          )
            out.push(toIdentityDto(r, await locationService.get(tx, r.location_id)));
        return out.sort((a, b) => a.locationName.localeCompare(b.locationName));
      }),

    /** Sets a location's billing identity (its place of service, facility NPI, tax id, address). */
    setIdentity: (actor: Actor, locationId: string, input: IdentityInput): Promise<BillingIdentityDto> =>
      inTransaction(async (tx) => {
        await policies.authorize(tx, actor, "manage_billing", location(locationId, "params.locationId"));
        if (!(await locationService.existing(tx, [locationId])).length)
          throw problems.notFound("location", "params.locationId");
        const row = await repo.upsertIdentity(tx, {
          location_id: locationId,
          place_of_service: input.placeOfService,
          telehealth_place_of_service: input.telehealthPlaceOfService,
          facility_npi: input.facilityNpi,
          tax_id: input.ein,
          billing_name: input.billingName,
          address_line: input.addressLine,
          city: input.city,
          region: input.region,
          postal_code: input.postalCode,
        });
        await auditService.record(tx, auditContextOf(actor), {
          action: "billing.identity.set",
          resourceType: "location",
          resourceId: locationId,
          locationId,
          detail: { placeOfService: input.placeOfService, facilityNpi: input.facilityNpi },
        });
        return toIdentityDto(row, await locationService.get(tx, locationId));
      }),

    /** Sets the modifiers an appointment type's procedure code is billed with (route admission: administrators). */
    setModifiers: (actor: Actor, appointmentTypeId: string, modifiers: string[]) =>
      inTransaction(async (tx) => {
        const type = await appointmentTypeCatalog.get(tx, appointmentTypeId, "params.appointmentTypeId");
        await repo.setModifiers(tx, appointmentTypeId, modifiers);
        await auditService.record(tx, auditContextOf(actor), {
          action: "billing.modifiers.set",
          resourceType: "appointment_type",
          resourceId: appointmentTypeId,
          detail: { modifiers },
        });
        return { appointmentTypeId, procedureCode: type.billingCode, modifiers };
      }),

    /**
     * Exports the completed visits of the range not yet exported in the format, as one batch. The
     * same range and format again returns the batch already made and changes nothing; the unique
     * range and the once-per-format charge decide between concurrent requests on any replica.
     */
    exportBatch: (actor: Actor, req: BatchRequest): Promise<Batch> =>
      inTransaction(async (tx) => {
        const ctx = auditContextOf(actor);
        // a batch never mixes regions: one per region, named when the range holds several
        const { region, visits } = await visitsOfRegion(tx, req);
        const controlNumber = await repo.nextControlNumber(tx);
        const claimed = await repo.claimRange(tx, {
          format: req.format,
          from_date: req.from,
          to_date: req.to,
          control_number: controlNumber,
          created_by: actor.userId,
          region,
        });
        if (!claimed) {
          const existing = await repo.batchOfRange(tx, req.format, req.from, req.to, region);
          if (!existing) throw problems.conflict("retry", "The export collided with another; try again");
          await auditService.record(tx, ctx, {
            action: "billing.batch.export",
            resourceType: "billing_batch",
            resourceId: existing.id,
            detail: { format: req.format, from: req.from, to: req.to, region, created: false },
          });
          return toBatch(existing, false);
        }
        for (const id of new Set(visits.map((v) => v.visit.locationId)))
          await policies.authorize(tx, actor, "manage_billing", location(id, "body.from"));
        const { charges, skipped } = await chargesOf(tx, visits);
        const mine = await repo.claimCharges(
          tx,
          charges.map((c) => ({
            batch_id: claimed.id,
            format: req.format,
            appointment_id: c.appointmentId,
            location_id: c.locationId,
            claim_id: c.claimId,
            service_date: c.serviceDate,
            procedure_code: c.procedureCode,
            modifiers: c.modifiers,
            place_of_service: c.placeOfService,
            amount_cents: c.amountCents,
          })),
        );
        const exported = charges.filter((c) => mine.has(c.appointmentId));
        if (!exported.length)
          throw problems.conflict(
            "nothing_to_export",
            `No completed visit from ${req.from} to ${req.to} is left to export as ${req.format}`,
            "body.from",
            { skipped },
          );
        const claims = await buildClaims(tx, exported);
        const now = clock.now();
        const content =
          req.format === "x12-837p"
            ? write837p(
                {
                  submitterId: config.submitterId,
                  submitterName: config.submitterId,
                  contactEmail,
                  receiverId: config.receiverId,
                  usage: config.usage,
                  controlNumber,
                  createdAt: now,
                },
                claims,
              )
            : `${JSON.stringify(claimBundle(claimed.id, claims, now), null, 2)}\n`;
        const totalCents = exported.reduce((s, c) => s + c.amountCents, 0);
        const row = await repo.finish(tx, claimed.id, {
          claim_count: exported.length,
          total_cents: totalCents,
          skipped,
          content,
          content_sha256: createHash("sha256").update(content).digest("hex"),
        });
        await auditService.record(tx, ctx, {
          action: "billing.batch.export",
          resourceType: "billing_batch",
          resourceId: claimed.id,
          detail: {
            format: req.format,
            from: req.from,
            to: req.to,
            created: true,
            claims: exported.length,
            totalCents,
            skipped: skipped.length,
            controlNumber,
          },
        });
        return toBatch(row, true);
      }),

    /** Batches, newest first (route admission: administrators). */
    batches: async (q: BatchQuery) => {
      const { rows, total } = await repo.list(db, q);
      return { items: rows.map((r) => toBatch(r, false)), total, limit: q.limit, offset: q.offset };
    },

    batch: async (id: string): Promise<Batch> => {
      const row = await repo.get(db, id);
      if (!row) throw problems.notFound("billing batch");
      return toBatch(row, false);
    },

    /** A batch's document as exported; every download is audited (it names patients). */
    download: (actor: Actor, id: string) =>
      inTransaction(async (tx) => {
        const row = await repo.content(tx, id);
        if (!row) throw problems.notFound("billing batch");
        await auditService.record(tx, auditContextOf(actor), {
          action: "billing.batch.download",
          resourceType: "billing_batch",
          resourceId: id,
          detail: { format: row.format },
        });
        return row;
      }),

    /** Whether, where and how a visit was exported: whoever may read the appointment. */
    chargeState: (actor: Actor, appointmentId: string): Promise<ChargeState> =>
      inTransaction(async (tx) => {
        const a = await appointmentFacts.get(tx, appointmentId);
        if (!a) throw problems.notFound("appointment");
        const access = await policies.authorize(tx, actor, "read", {
          kind: "appointment",
          id: a.id,
          patientId: a.patientId,
          physicianId: a.physicianId,
          locationId: a.locationId,
          field: "params.id",
        });
        const rows = await repo.chargesOf(tx, appointmentId);
        await auditService.record(tx, auditContextOf(actor), {
          action: "appointment.billing.read",
          resourceType: "appointment",
          resourceId: appointmentId,
          patientId: a.patientId,
          locationId: a.locationId,
          detail: { access, exports: rows.length },
        });
        return {
          appointmentId,
          exports: rows.map((r) => ({
            format: r.format as ChargeState["exports"][number]["format"],
            batchId: r.batch_id,
            exportedAt: r.created_at.toISOString(),
            procedureCode: r.procedure_code,
            modifiers: r.modifiers,
            placeOfService: r.place_of_service,
            amountCents: r.amount_cents,
          })),
        };
      }),
  };
}
export type Billing = ReturnType<typeof createBilling>;
