/**
 * Where physicians work: each (physician, location) pair a template that runs today or later, or
 * an assignment override still to come, places them at — in one query, paged, for the FHIR
 * PractitionerRoles and Schedules (one per pair). The same rule as the physician search's
 * `locationId` filter.
 */
import { sql } from "kysely";
import type { Executor } from "../../platform/db.js";
import { toPhysician } from "./mappers.js";
import { type PhysicianRow, physicianRepository as repo } from "./repository.js";
import type { Physician } from "./schema.js";

export interface PlacementQuery {
  physicianIds?: readonly string[] | undefined;
  locationId?: string | undefined;
  specialty?: string | undefined;
  limit: number;
  offset: number;
}

export interface Placement {
  physician: Physician;
  locationId: string;
}

export async function physicianPlacements(
  db: Executor,
  f: PlacementQuery,
): Promise<{ items: Placement[]; total: number }> {
  const where = sql`
    WHERE (${f.physicianIds === undefined} OR p.id = ANY(${[...(f.physicianIds ?? [])]}::uuid[]))
      AND (${f.locationId ?? null}::uuid IS NULL OR placed.location_id = ${f.locationId ?? null}::uuid)
      AND (${f.specialty ?? null}::text IS NULL OR EXISTS (
        SELECT 1 FROM physician_specialties ps WHERE ps.physician_id = p.id AND ps.specialty = ${f.specialty ?? null}::text))`;
  const placed = sql`
    WITH placed AS (
      SELECT physician_id, location_id FROM assignment_templates
      WHERE effective_to IS NULL OR effective_to >= current_date
      UNION
      SELECT physician_id, location_id FROM assignment_overrides
      WHERE location_id IS NOT NULL AND end_date >= current_date
    )`;
  const { rows } = await sql<PhysicianRow & { placed_at: string; total: string | number }>`
    ${placed}
    SELECT p.*, placed.location_id AS placed_at, count(*) OVER () AS total
    FROM placed JOIN physicians p ON p.id = placed.physician_id
    ${where}
    ORDER BY p.family_name, p.given_name, p.id, placed.location_id
    LIMIT ${f.limit} OFFSET ${f.offset}`.execute(db);
  let total = rows.length ? Number(rows[0]!.total) : f.offset === 0 ? 0 : undefined;
  if (total === undefined) {
    const count = await sql<{ n: string | number }>`
      ${placed}
      SELECT count(*) AS n FROM placed JOIN physicians p ON p.id = placed.physician_id ${where}`.execute(db);
    total = Number(count.rows[0]?.n ?? 0);
  }
  const specialties = await repo.specialtiesOf(db, [...new Set(rows.map((r) => r.id))]);
  return {
    items: rows.map(({ placed_at, total: _total, ...r }) => ({
      physician: toPhysician(r, specialties.get(r.id) ?? []),
      locationId: placed_at,
    })),
    total,
  };
}
