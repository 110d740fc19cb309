/** Specialties and physician profiles: the operations on the db or transaction they are given. */
import type { Executor } from "../../platform/db.js";
import { problems, registerConstraint } from "../../platform/errors.js";
import type { Page } from "../../platform/schemas.js";
import { type SearchablePhysician, toPhysician } from "./mappers.js";
import { type PhysicianRow, physicianRepository as repo } from "./repository.js";
import type {
  Physician,
  PhysicianInput,
  PhysicianPatch,
  PhysicianQuery,
  Specialty,
  SpecialtyInput,
  SpecialtyQuery,
} from "./schema.js";

registerConstraint("specialties_pkey", "body.code", "a specialty with this code already exists");
registerConstraint("specialties_name_key", "body.name", "a specialty with this name already exists");
registerConstraint("physicians_npi_key", "body.npi", "a physician with this NPI already exists");
registerConstraint("physicians_primary_specialty_fk", "body.primarySpecialty", "no such specialty");
registerConstraint("physician_specialties_specialty_fk", "body.specialties", "no such specialty");
registerConstraint("physicians_home_department_fk", "body.homeDepartmentId", "no such department");

/** The stored specialty set: the primary one is always part of it. */
function specialtySet(primary: string, others: readonly string[]): string[] {
  return [...new Set([primary, ...others])].sort();
}

async function requireSpecialties(db: Executor, primary: string, others: readonly string[]): Promise<void> {
  const known = new Set(await repo.existingSpecialties(db, specialtySet(primary, others)));
  if (!known.has(primary)) throw problems.invalid("body.primarySpecialty", `no such specialty: ${primary}`);
  const unknown = others.filter((c) => !known.has(c));
  if (unknown.length) throw problems.invalid("body.specialties", `no such specialty: ${unknown.join(", ")}`);
}

/** The physician, or a 404 on `field`; `forUpdate` locks its row (schedule writes serialise on it). */
export async function requirePhysician(
  db: Executor,
  id: string,
  field = "params.id",
  forUpdate = false,
): Promise<PhysicianRow> {
  const row = await repo.get(db, id, forUpdate);
  if (!row) throw problems.notFound("physician", field);
  return row;
}

function physicianColumns(p: PhysicianPatch) {
  const row = {
    npi: p.npi,
    given_name: p.givenName,
    family_name: p.familyName,
    title: p.title,
    primary_specialty: p.primarySpecialty,
    home_department_id: p.homeDepartmentId,
    languages: p.languages,
    accepts_new_patients: p.acceptsNewPatients,
    offers_telehealth: p.offersTelehealth,
    active: p.active,
  };
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined)) as Partial<typeof row>;
}

/** Specialties and profiles; the factory in service.ts authorizes and owns the transaction. */
export const profileRecords = {
  async specialties(db: Executor, query: SpecialtyQuery): Promise<Page<Specialty>> {
    const { rows, total } = await repo.specialties(db, query);
    return { items: rows, total, limit: query.limit, offset: query.offset };
  },
  createSpecialty(db: Executor, input: SpecialtyInput): Promise<Specialty> {
    return repo.insertSpecialty(db, input);
  },

  async list(db: Executor, query: PhysicianQuery): Promise<Page<Physician>> {
    const { rows, total } = await repo.list(db, query);
    const specialties = await repo.specialtiesOf(
      db,
      rows.map((r) => r.id),
    );
    return {
      items: rows.map((r) => toPhysician(r, specialties.get(r.id) ?? [])),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  },
  /**
   * Physicians as a search needs them, each with its plan stamp, in one query (specialties are not
   * read): those named (unknown ids are left out), or every active one of a specialty.
   */
  async forSearch(
    db: Executor,
    which: { ids: readonly string[] } | { specialty: string },
  ): Promise<SearchablePhysician[]> {
    const rows =
      "ids" in which ? await repo.byIds(db, which.ids) : await repo.activeInSpecialty(db, which.specialty);
    return rows.map((r) => ({
      id: r.id,
      givenName: r.given_name,
      familyName: r.family_name,
      title: r.title,
      languages: r.languages,
      acceptsNewPatients: r.accepts_new_patients,
      offersTelehealth: r.offers_telehealth,
      active: r.active,
      planStamp: r.plan_stamp,
    }));
  },
  async get(db: Executor, id: string): Promise<Physician> {
    const row = await requirePhysician(db, id);
    return toPhysician(row, (await repo.specialtiesOf(db, [id])).get(id) ?? []);
  },
  async create(db: Executor, input: PhysicianInput): Promise<Physician> {
    await requireSpecialties(db, input.primarySpecialty, input.specialties);
    const specialties = specialtySet(input.primarySpecialty, input.specialties);
    const row = await repo.insert(db, physicianColumns(input) as Parameters<typeof repo.insert>[1]);
    await repo.replaceSpecialties(db, row.id, specialties);
    return toPhysician(row, specialties);
  },
  async update(db: Executor, id: string, patch: PhysicianPatch): Promise<Physician> {
    const current = await requirePhysician(db, id, "params.id", true);
    let specialties = (await repo.specialtiesOf(db, [id])).get(id) ?? [];
    if (patch.primarySpecialty !== undefined || patch.specialties !== undefined) {
      const primary = patch.primarySpecialty ?? current.primary_specialty;
      const others = patch.specialties ?? specialties;
      await requireSpecialties(db, primary, others);
      specialties = specialtySet(primary, others);
    }
    const row = await repo.update(db, id, physicianColumns(patch));
    if (patch.primarySpecialty !== undefined || patch.specialties !== undefined) {
      await repo.replaceSpecialties(db, id, specialties);
    }
    return toPhysician(row!, specialties);
  },
};
