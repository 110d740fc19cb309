/** What the bench reads about the seeded network before it measures anything. */
import type pg from "pg";

export interface BenchNetwork {
  /** New-patient appointment types, by code. */
  types: Array<{ id: string; specialty: string }>;
  physicianIds: string[];
  /** Patients with nothing booked in the benchmark's weeks: their own diaries never conflict. */
  patientIds: string[];
  activeAppointmentsNext14Days: number | undefined;
}

export async function readNetwork(direct: pg.Pool): Promise<BenchNetwork> {
  const types = (
    await direct.query<{ id: string; specialty: string }>(
      "SELECT id, specialty FROM appointment_types WHERE visit_kind = 'new' AND active ORDER BY code",
    )
  ).rows;
  const physicianIds = (
    await direct.query<{ id: string }>("SELECT id FROM physicians WHERE active ORDER BY npi")
  ).rows.map((r) => r.id);
  const patientIds = (
    await direct.query<{ id: string }>(
      `SELECT id FROM patients p WHERE NOT EXISTS (
         SELECT 1 FROM appointments a WHERE a.patient_id = p.id AND a.active AND a.ends_at > now() - interval '1 day'
           AND a.starts_at < now() + interval '16 days')
       ORDER BY mrn LIMIT 20000`,
    )
  ).rows.map((r) => r.id);
  const booked = await direct.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM appointments WHERE active AND starts_at > now() AND starts_at < now() + interval '14 days'",
  );
  return { types, physicianIds, patientIds, activeAppointmentsNext14Days: booked.rows[0]?.n };
}

/** The search window every part uses: from an hour from now, 14 days. */
export function searchWindow(): { from: string; to: string } {
  return {
    from: new Date(Date.now() + 3_600_000).toISOString(),
    to: new Date(Date.now() + 14 * 86_400_000).toISOString(),
  };
}
