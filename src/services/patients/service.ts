import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Executor } from "../../platform/db.js";
import { problems, registerConstraint } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import {
  locationTarget,
  mayEver,
  type PatientAction,
  type PatientGround,
  patient as patientTarget,
} from "../../platform/policy.js";
import type { Page } from "../../platform/schemas.js";
import { patientColumns, toFamilyLink, toPatient, toRelative } from "./mappers.js";
import { patientRepository as repo } from "./repository.js";
import type {
  AddressInput,
  DependentInput,
  Family,
  FamilyLink,
  Home,
  Patient,
  PatientInput,
  PatientPatch,
  PatientQuery,
  Relative,
} from "./schema.js";

registerConstraint("patients_mrn_key", "body.mrn", "a patient with this MRN already exists");
registerConstraint("patients_mrn_format", "body.mrn", "must be 4-20 upper-case letters, digits or dashes");
registerConstraint("patients_latitude_range", "body.address.latitude", "must be between -90 and 90");
registerConstraint("patients_longitude_range", "body.address.longitude", "must be between -180 and 180");
registerConstraint(
  "family_links_pkey",
  "body.dependentId",
  "this dependent is already linked to the guardian",
);
registerConstraint("family_links_distinct", "body.dependentId", "a patient cannot be their own dependent");
registerConstraint("family_links_dependent_fk", "body.dependentId", "no such patient");

/** The oldest birth date we accept: older records are typing mistakes, not patients. */
const EARLIEST_BIRTH_DATE = "1880-01-01";

/** Today's date where it is latest on Earth (UTC+14), so a baby born "today" anywhere is accepted. */
export function latestToday(now: Date): string {
  return new Date(now.getTime() + 14 * 3_600_000).toISOString().slice(0, 10);
}

export function checkBirthDate(birthDate: string, now: Date): void {
  if (birthDate > latestToday(now))
    throw problems.invalid("body.birthDate", "a birth date cannot be in the future");
  if (birthDate < EARLIEST_BIRTH_DATE) {
    throw problems.invalid("body.birthDate", `a birth date before ${EARLIEST_BIRTH_DATE} is not plausible`);
  }
}

/** Which of these ids name a location: the locations module's to know, never its tables. */
export type LocationsKnown = (db: Executor, ids: readonly string[]) => Promise<string[]>;

async function requireLocations(
  db: Executor,
  ids: readonly string[],
  locations: LocationsKnown,
): Promise<string[]> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return wanted;
  const known = new Set(await locations(db, wanted));
  const missing = wanted.filter((id) => !known.has(id));
  if (missing.length) {
    throw problems.invalid("body.preferredLocationIds", `no such location: ${missing.join(", ")}`);
  }
  return wanted;
}

async function requirePatient(db: Executor, id: string, field = "params.id", forUpdate = false) {
  const row = await repo.get(db, id, forUpdate);
  if (!row) throw problems.notFound("patient", field);
  return row;
}

/** The operations on the db or transaction they are given; the factory below authorizes, audits and owns the transaction. */
const records = {
  async list(db: Executor, query: PatientQuery & { ids?: string[] | undefined }): Promise<Page<Patient>> {
    const { rows, total } = await repo.list(db, query);
    return { items: rows.map(toPatient), total, limit: query.limit, offset: query.offset };
  },
  /** The patient, or a 404 naming `field` (callers in other modules pass e.g. `body.patientId`). */
  async get(db: Executor, id: string, field = "params.id"): Promise<Patient> {
    return toPatient(await requirePatient(db, id, field));
  },
  async create(db: Executor, input: PatientInput, today: Date, locations: LocationsKnown): Promise<Patient> {
    checkBirthDate(input.birthDate, today);
    const preferredLocationIds = await requireLocations(db, input.preferredLocationIds, locations);
    const row = await repo.insert(db, {
      ...patientColumns({ ...input, preferredLocationIds }),
      mrn: input.mrn,
      given_name: input.givenName,
      family_name: input.familyName,
      birth_date: input.birthDate,
      sex: input.sex,
    });
    return toPatient(row);
  },
  async update(
    db: Executor,
    id: string,
    patch: PatientPatch,
    today: Date,
    locations: LocationsKnown,
  ): Promise<Patient> {
    const current = toPatient(await requirePatient(db, id, "params.id", true));
    if (patch.birthDate !== undefined) checkBirthDate(patch.birthDate, today);
    const preferredLocationIds =
      patch.preferredLocationIds === undefined
        ? undefined
        : await requireLocations(db, patch.preferredLocationIds, locations);
    // An address patch changes only the parts it names; null clears the whole address.
    let address: AddressInput | null | undefined = patch.address;
    if (patch.address) {
      address = { ...(current.address ?? {}), ...patch.address };
      if ((address.latitude == null) !== (address.longitude == null)) {
        throw problems.invalid("body.address.longitude", "give latitude and longitude together");
      }
    }
    const row = await repo.update(db, id, patientColumns({ ...patch, preferredLocationIds, address }));
    if (!row) throw problems.notFound("patient");
    return toPatient(row);
  },

  async family(db: Executor, id: string): Promise<Family> {
    await requirePatient(db, id);
    const [guardians, dependents] = await Promise.all([repo.guardians(db, id), repo.dependents(db, id)]);
    return { patientId: id, guardians: guardians.map(toRelative), dependents: dependents.map(toRelative) };
  },
  async linkDependent(db: Executor, guardianId: string, input: DependentInput): Promise<FamilyLink> {
    if (input.dependentId === guardianId) {
      throw problems.invalid("body.dependentId", "a patient cannot be their own dependent");
    }
    // Lock both records in id order so two opposite links cannot race each other in.
    const [first, second] = [guardianId, input.dependentId].sort();
    for (const pid of [first!, second!]) {
      const row = await repo.get(db, pid, true);
      if (!row && pid === guardianId) throw problems.notFound("patient");
      if (!row) throw problems.invalid("body.dependentId", "no such patient");
    }
    const existing = await repo.linksBetween(db, guardianId, input.dependentId);
    if (existing.some((l) => l.guardian_id === guardianId)) {
      throw problems.conflict(
        "duplicate",
        "this dependent is already linked to the guardian",
        "body.dependentId",
      );
    }
    const reverse = existing.find((l) => l.guardian_id === input.dependentId);
    // Spouses may act for each other; any other relationship runs one way only.
    if (reverse && (reverse.relationship !== "spouse" || input.relationship !== "spouse")) {
      throw problems.conflict(
        "reverse_link",
        `this patient is already the ${reverse.relationship.replace("_", " ")} of the guardian`,
        "body.dependentId",
      );
    }
    const row = await repo.insertLink(db, {
      guardian_id: guardianId,
      dependent_id: input.dependentId,
      relationship: input.relationship,
    });
    return toFamilyLink(row);
  },
  async unlinkDependent(db: Executor, guardianId: string, dependentId: string): Promise<void> {
    await requirePatient(db, guardianId);
    const n = await repo.deleteLink(db, guardianId, dependentId);
    if (n === 0) throw problems.notFound("family link", "params.dependentId");
  },

  /** Front desks of these locations reach the patient from now on (registration, identity check). */
  register: repo.register,
  registeredAt: repo.registeredAt,
  registeredIds: repo.registeredIds,

  /** Patients this guardian may act for (book, cancel) besides themselves. */
  dependentsOf(db: Executor, guardianId: string): Promise<string[]> {
    return repo.dependentIds(db, guardianId);
  },
  /** Home coordinates for distance ranking; null when unknown, 404 when there is no such patient. */
  async homeOf(db: Executor, id: string, field = "params.id"): Promise<Home | null> {
    const row = await repo.home(db, id);
    if (!row) throw problems.notFound("patient", field);
    return row.latitude !== null && row.longitude !== null
      ? { latitude: row.latitude, longitude: row.longitude }
      : null;
  },
};

/** What other modules may ask about a patient inside their own transactions (db or transaction first). */
export const patientService = {
  get: records.get,
  dependentsOf: records.dependentsOf,
  homeOf: records.homeOf,
  /** Home areas (cities) of many patients, for the reports' patient flow; absent: no such patient. */
  async homeAreas(db: Executor, ids: readonly string[]): Promise<Map<string, string | null>> {
    return new Map((await repo.cities(db, ids)).map((r) => [r.id, r.city]));
  },
};

/** What the patients module knows about patient scope: where each patient registered. */
export const patientScopeFacts = {
  registeredAt: records.registeredAt,
  registeredIds: records.registeredIds,
};

/** Every read or write of a patient record leaves an audit event in the same transaction. */
function audit(
  tx: Executor,
  actor: Actor,
  action: string,
  patientId: string,
  access?: PatientGround,
  detail: Record<string, unknown> = {},
) {
  return auditService.record(tx, auditContextOf(actor), {
    action,
    resourceType: "patient",
    resourceId: patientId,
    patientId,
    actingFor: access === "guardian" ? patientId : null,
    detail: access ? { access, ...detail } : detail,
    flagged: access === "break_glass",
  });
}

/** What the patients service needs besides the platform. */
export interface PatientDeps extends ServiceDeps {
  /** Preferred locations are checked against the locations module. */
  locations: { lookup: { existing: LocationsKnown } };
}

/**
 * Patient records and family links. Every operation authorizes through the policy's patient scope
 * (out of scope answers 404), runs in its own transaction and writes its audit event there.
 */
export function createPatients({ db, clock, policies, locations }: PatientDeps) {
  const inTransaction = <T>(work: (tx: Executor) => Promise<T>): Promise<T> => db.transaction().execute(work);
  const knownLocations = locations.lookup.existing;

  /** A read of one patient's data: scope first (404 outside it), then the audit event, then the data. */
  function readPatient<T>(
    actor: Actor,
    id: string,
    auditAction: string,
    read: (tx: Executor, id: string) => Promise<T>,
    action: PatientAction = "read",
  ): Promise<T> {
    return inTransaction(async (tx) => {
      const access = await policies.authorize(tx, actor, action, patientTarget(id));
      const result = await read(tx, id);
      await audit(tx, actor, auditAction, id, access);
      return result;
    });
  }

  return {
    /** Reads for other services, inside their own transactions. */
    lookup: patientService,
    scopeFacts: patientScopeFacts,

    /** Patients within the actor's scope; a front desk's exact MRN and birth date also finds one new to it. */
    search: (actor: Actor, query: PatientQuery): Promise<Page<Patient>> =>
      inTransaction(async (tx) => {
        // a front desk verifying identity by MRN and date of birth may find a patient new to them
        const identityCheck =
          mayEver(actor, "patient", "verify_identity") &&
          query.mrn !== undefined &&
          query.birthDate !== undefined;
        const ids = identityCheck ? undefined : await policies.patientScope(tx, actor);
        const page = await records.list(tx, { ...query, ids });
        // the patient at the desk is registered there: their record stays in reach for this location
        const verified = identityCheck && page.items.length === 1 ? page.items[0]! : undefined;
        if (verified) await records.register(tx, verified.id, actor.locationIds, actor.userId);
        await auditService.record(tx, auditContextOf(actor), {
          action: "patient.search",
          resourceType: "patient",
          patientId: page.items.length === 1 ? page.items[0]!.id : null,
          detail: { query: { ...query }, found: page.items.map((p) => p.id), identityCheck },
        });
        return page;
      }),

    /** Registers a patient: a front desk at its own location(s), administrators network-wide. */
    create: (actor: Actor, input: PatientInput): Promise<Patient> =>
      inTransaction(async (tx) => {
        // through the table like every operation: a caller with locations registers at each of
        // them; one without (administrators, the HL7 interface) needs a network-wide rule
        if (!mayEver(actor, "location", "register_patients")) throw problems.forbidden();
        for (const locationId of actor.locationIds)
          await policies.authorize(tx, actor, "register_patients", locationTarget(locationId, "body"));
        const p = await records.create(tx, input, clock.now(), knownLocations);
        await records.register(tx, p.id, actor.locationIds, actor.userId);
        await audit(tx, actor, "patient.create", p.id);
        return p;
      }),

    get: (actor: Actor, id: string): Promise<Patient> =>
      readPatient(actor, id, "patient.read", (tx, pid) => records.get(tx, pid)),

    /** Patients change their own contact details and preferences; identity fields need the front desk. */
    update: (actor: Actor, id: string, patch: PatientPatch): Promise<Patient> =>
      inTransaction(async (tx) => {
        const access = await policies.authorize(tx, actor, "update", patientTarget(id));
        const identity = (["mrn", "birthDate", "sex"] as const).find((k) => patch[k] !== undefined);
        if (identity && !(await policies.permits(tx, actor, "update_identity", patientTarget(id)))) {
          throw problems.forbidden("Ask the front desk to correct your MRN, date of birth or sex");
        }
        const updated = await records.update(tx, id, patch, clock.now(), knownLocations);
        await audit(tx, actor, "patient.update", id, access, { fields: Object.keys(patch) });
        return updated;
      }),

    /** Guardians and dependents; relatives outside the actor's scope are not listed. */
    family: (actor: Actor, id: string): Promise<Family> =>
      readPatient(
        actor,
        id,
        "patient.family.read",
        async (tx, pid) => {
          const family = await records.family(tx, pid);
          const inScope = async (relatives: Relative[]) => {
            const keep = await Promise.all(
              relatives.map((r) => policies.permits(tx, actor, "read", patientTarget(r.patientId))),
            );
            return relatives.filter((_, i) => keep[i]);
          };
          return {
            ...family,
            guardians: await inScope(family.guardians),
            dependents: await inScope(family.dependents),
          };
        },
        "read_family",
      ),

    /**
     * Merges a duplicate record into the one that stays (as the EMR's master patient index did):
     * the duplicate becomes inactive and points to the survivor, which keeps its registrations.
     * Appointments and messages stay on the records they were made for.
     */
    merge: (actor: Actor, survivorId: string, mergedId: string): Promise<Patient> =>
      inTransaction(async (tx) => {
        const access = await policies.authorize(
          tx,
          actor,
          "update_identity",
          patientTarget(survivorId, "body.survivorId"),
        );
        await policies.authorize(tx, actor, "update_identity", patientTarget(mergedId, "body.mergedId"));
        if (survivorId === mergedId)
          throw problems.invalid("body.mergedId", "a record cannot be merged into itself");
        const [survivor, merged] = await Promise.all([
          requirePatient(tx, survivorId, "body.survivorId", true),
          requirePatient(tx, mergedId, "body.mergedId", true),
        ]);
        if (merged.merged_into)
          throw problems.conflict("already_merged", "This record was already merged", "body.mergedId");
        if (survivor.merged_into)
          throw problems.conflict(
            "merged_record",
            "A record cannot be merged into a retired one",
            "body.survivorId",
          );
        await repo.merge(tx, mergedId, survivorId, clock.now());
        await audit(tx, actor, "patient.merge", survivorId, access, { mergedId });
        await audit(tx, actor, "patient.merged_into", mergedId, access, { survivorId });
        return records.get(tx, survivorId);
      }),

    linkDependent: (actor: Actor, guardianId: string, input: DependentInput): Promise<FamilyLink> =>
      inTransaction(async (tx) => {
        const access = await policies.authorize(tx, actor, "link_family", patientTarget(guardianId));
        // linking hands the dependent's record to the guardian's account: the caller must reach both
        await policies.authorize(
          tx,
          actor,
          "link_family",
          patientTarget(input.dependentId, "body.dependentId"),
        );
        const link = await records.linkDependent(tx, guardianId, input);
        await audit(tx, actor, "patient.family.link", guardianId, access, { dependentId: input.dependentId });
        return link;
      }),

    unlinkDependent: (actor: Actor, guardianId: string, dependentId: string): Promise<void> =>
      inTransaction(async (tx) => {
        const access = await policies.authorize(tx, actor, "link_family", patientTarget(guardianId));
        await policies.authorize(tx, actor, "link_family", patientTarget(dependentId, "params.dependentId"));
        await records.unlinkDependent(tx, guardianId, dependentId);
        await audit(tx, actor, "patient.family.unlink", guardianId, access, { dependentId });
      }),
  };
}

/** The patients service as the composition root wires it. */
export type Patients = ReturnType<typeof createPatients>;
