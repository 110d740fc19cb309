/**
 * What the demo booker reads before it books: active physicians with their specialties, the
 * appointment types, and each physician's planned blocks over the booking window.
 */
import { sql } from "kysely";
import type { Executor } from "../platform/db.js";
import { physicianService } from "../services/physicians/index.js";
import type { AppointmentTypeInfo, Block, PhysicianInfo } from "../services/scheduling/availability/types.js";

const PLANS_PER_QUERY = 200;

export interface TypeInfo extends AppointmentTypeInfo {
  code: string;
  specialty: string;
}
export interface Doctor {
  info: PhysicianInfo;
  primary: string;
  specialties: string[];
}

/** Each physician's planned blocks (templates, rotations, approved time off applied), by start. */
export async function plannedBlocks(db: Executor, doctors: Doctor[], from: number, to: number) {
  const out = new Map<string, Block[]>();
  for (let i = 0; i < doctors.length; i += PLANS_PER_QUERY) {
    const ids = doctors.slice(i, i + PLANS_PER_QUERY).map((d) => d.info.id);
    const plans = await physicianService.plans(db, ids, isoDay(from), isoDay(to));
    for (const [physicianId, plan] of plans) {
      const blocks = plan.assignments.map(
        (b): Block => ({
          physicianId,
          locationId: b.locationId,
          start: Date.parse(b.start),
          end: Date.parse(b.end),
          appointmentTypeIds: b.appointmentTypeIds,
          onSite: b.onSite,
        }),
      );
      out.set(
        physicianId,
        blocks.sort((a, b) => a.start - b.start),
      );
    }
  }
  return out;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export async function activePhysicians(db: Executor): Promise<Doctor[]> {
  const rows = await sql<{
    id: string;
    languages: string[];
    accepts_new_patients: boolean;
    offers_telehealth: boolean;
    primary_specialty: string;
    specialties: string[] | null;
  }>`SELECT p.id, p.languages, p.accepts_new_patients, p.offers_telehealth, p.primary_specialty,
        (SELECT array_agg(s.specialty ORDER BY s.specialty) FROM physician_specialties s WHERE s.physician_id = p.id) AS specialties
      FROM physicians p WHERE p.active ORDER BY p.id`.execute(db);
  return rows.rows.map((r) => ({
    info: {
      id: r.id,
      languages: r.languages,
      offersTelehealth: r.offers_telehealth,
      acceptsNewPatients: r.accepts_new_patients,
    },
    primary: r.primary_specialty,
    specialties: [...new Set([r.primary_specialty, ...(r.specialties ?? [])])],
  }));
}

export async function appointmentTypes(db: Executor): Promise<TypeInfo[]> {
  const rows = await sql<{
    id: string;
    code: string;
    specialty: string;
    duration_minutes: number;
    slot_interval_minutes: number;
    room_kind: string | null;
    equipment_kinds: string[];
    telehealth_allowed: boolean;
    visit_kind: TypeInfo["visitKind"];
  }>`SELECT id, code, specialty, duration_minutes, slot_interval_minutes, room_kind, equipment_kinds,
        telehealth_allowed, visit_kind FROM appointment_types WHERE active ORDER BY code, id`.execute(db);
  return rows.rows.map((t) => ({
    id: t.id,
    code: t.code,
    specialty: t.specialty,
    durationMinutes: t.duration_minutes,
    slotIntervalMinutes: t.slot_interval_minutes,
    roomKind: t.room_kind,
    equipmentKinds: t.equipment_kinds,
    telehealthAllowed: t.telehealth_allowed,
    visitKind: t.visit_kind,
  }));
}
