/** What the EMR simulator copies of Rounds' patients (read-only: the patients module owns them). */
import { sql } from "kysely";
import type { Executor } from "../../platform/db.js";
import type { SeedPatient } from "./simulator.js";

/** Rounds' patient with this MRN, as the simulator seeds it; undefined when none has it. */
export const seedPatients =
  (db: Executor) =>
  async (mrn: string): Promise<SeedPatient | undefined> => {
    const r = await sql<{
      mrn: string;
      given_name: string;
      family_name: string;
      birth_date: string | Date;
      sex: SeedPatient["sex"];
    }>`SELECT mrn, given_name, family_name, birth_date::text AS birth_date, sex FROM patients WHERE mrn = ${mrn}`.execute(
      db,
    );
    const p = r.rows[0];
    return p
      ? {
          mrn: p.mrn,
          givenName: p.given_name,
          familyName: p.family_name,
          birthDate: String(p.birth_date).slice(0, 10),
          sex: p.sex,
        }
      : undefined;
  };
