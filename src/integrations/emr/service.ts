/**
 * Records and lab results at any location: a physician reads the EMR record of a patient booked
 * with them (the policy's "care" ground, or a break-the-glass grant), from whichever of their
 * locations they are at. The record is read from the EMR through the FHIR client at the time of
 * the view (nothing is copied into Rounds), found by the patient's MRN and compared with Rounds'
 * demographics (mismatches shown), merged with lab results Rounds received itself (the
 * optional local source, HL7 ORU), and every view — also one the EMR could not answer — is
 * audited with the location it was made from.
 */
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Executor } from "../../platform/db.js";
import { problems } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { type Ground, patient as patientTarget } from "../../platform/policy.js";
import { auditWithheld, withheldReason } from "../../platform/residency/index.js";
import { locationService } from "../../services/locations/index.js";
import { patientService } from "../../services/patients/index.js";
import type { Physicians } from "../../services/physicians/index.js";
import { type EmrClient, NO_RECORD } from "./client.js";
import type { LabResult, PatientRecords, RecordsQuery } from "./schema.js";
import { recordsView } from "./view.js";

/** Lab results Rounds holds itself (HL7 ORU^R01), merged into the view; none by default. */
export type LocalLabResults = (db: Executor, patientId: string) => Promise<LabResult[]>;

export interface RecordsDeps extends ServiceDeps {
  emr: EmrClient;
  /** Whether `emr` is the built-in simulator (shown in the view). */
  source: "emr" | "simulator";
  /** Where a physician works: checks the location they say they are at. */
  physicians: Pick<Physicians, "templates" | "overrides">;
  localLabResults?: LocalLabResults | undefined;
  /** The regions whose locations may ask the EMR (ROUNDS_EMR_REGIONS); undefined: every region. */
  regions?: readonly string[] | undefined;
}

export function createRecords({
  db,
  clock,
  policies,
  emr,
  source,
  physicians,
  localLabResults,
  regions,
}: RecordsDeps) {
  /** Why the EMR is not asked from this location (a location of a region it may not hear of). */
  async function withheldFrom(locationId: string | null): Promise<string | undefined> {
    if (!regions) return undefined;
    if (!locationId)
      return "withheld: the EMR is limited to some regions (ROUNDS_EMR_REGIONS); name the location you view from";
    return withheldReason("emr", regions, (await locationService.get(db, locationId)).dataResidency);
  }

  /** Whether the location is one of the actor's own (a physician's by their schedule, staff's by assignment). */
  async function isTheirs(actor: Actor, locationId: string): Promise<boolean> {
    if (actor.role === "location_staff") return actor.locationIds.includes(locationId);
    if (actor.role !== "physician" || !actor.physicianId) return false;
    const page = { locationId, limit: 1, offset: 0 };
    if ((await physicians.templates(actor.physicianId, page)).total > 0) return true;
    return (await physicians.overrides(actor.physicianId, page)).total > 0;
  }

  const audit = (
    actor: Actor,
    patientId: string,
    ground: Ground,
    locationId: string | null,
    outcome: "success" | "failure",
    detail: Record<string, unknown>,
  ) =>
    db.transaction().execute((tx) =>
      auditService.record(tx, auditContextOf(actor), {
        action: "patient.records.view",
        resourceType: "patient",
        resourceId: patientId,
        patientId,
        locationId,
        outcome,
        detail: { access: ground, source, ...detail },
        flagged: ground === "break_glass",
      }),
    );

  return {
    /**
     * The patient's record from the EMR. Out of scope (or no such patient): 404, the refusal
     * audited by the HTTP layer. A `locationId` that is not one of the caller's: 400. The EMR
     * down or slow: 503; answering with an error: 502 (both audited as failed views).
     */
    async view(actor: Actor, patientId: string, query: RecordsQuery): Promise<PatientRecords> {
      const [ground, known] = await db
        .transaction()
        .execute(
          async (tx) =>
            [
              await policies.authorize(tx, actor, "read_records", patientTarget(patientId)),
              await patientService.get(tx, patientId),
            ] as const,
        );
      const locationId = query.locationId ?? null;
      if (locationId && !(await isTheirs(actor, locationId)))
        throw problems.badRequest("query.locationId", "is not one of your locations");
      let view: ReturnType<typeof recordsView>;
      const withheld = await withheldFrom(locationId);
      if (withheld)
        await db.transaction().execute(async (tx) => {
          const region = locationId ? (await locationService.get(tx, locationId)).dataResidency : "unknown";
          await auditWithheld(
            tx,
            {
              partner: "emr",
              region,
              reason: withheld,
              resourceType: "patient",
              resourceId: patientId,
              patientId,
              locationId,
            },
            auditContextOf(actor),
          );
        });
      try {
        const [record, local] = await Promise.all([
          withheld ? Promise.resolve(NO_RECORD) : emr.read({ id: patientId, mrn: known.mrn }),
          localLabResults ? localLabResults(db, patientId) : Promise.resolve([]),
        ]);
        view = recordsView(record, local, known);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        await audit(actor, patientId, ground, locationId, "failure", {
          error: typeof code === "string" ? code : "error",
        });
        throw err;
      }
      await audit(actor, patientId, ground, locationId, "success", {
        found: view.demographics !== null,
        mismatches: view.demographics?.mismatches.map((m) => m.field) ?? [],
        problems: view.problems.length,
        allergies: view.allergies.length,
        medications: view.medications.length,
        encounters: view.encounters.length,
        labResults: view.labResults.length,
      });
      return {
        patientId,
        viewedFrom: locationId,
        fetchedAt: clock.now().toISOString(),
        source,
        withheld: withheld ?? null,
        ...view,
      };
    },
  };
}

export type Records = ReturnType<typeof createRecords>;
