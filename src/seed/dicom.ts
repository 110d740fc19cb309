/**
 * Demo imaging: the appointment types that need a modality (CT, MR, US, X-ray as DX, mammography
 * MG, bone density BMD), and every imaging room with a fixed scanner registered as a station with
 * its AE title (e.g. MR1_SPEC-01), so the staff screen's worklist shows the day's imaging
 * appointments. Deterministic.
 */
import { sql } from "kysely";
import type { Executor } from "../platform/db.js";

/** Appointment-type code suffix → modality. */
const TYPE_MODALITY: Record<string, string> = {
  MRI: "MR",
  CT: "CT",
  XR: "DX",
  US: "US",
  OBUS: "US",
  ECHO: "US",
  MAMMO: "MG",
  DEXA: "BMD",
};
/** Fixed equipment kind → the modality of the room it stands in. */
const EQUIPMENT_MODALITY: Record<string, string> = {
  mri: "MR",
  ct: "CT",
  xray: "DX",
  ultrasound: "US",
  echo: "US",
  mammography: "MG",
  dexa: "BMD",
};

export async function seedDemoDicom(db: Executor): Promise<{ types: number; stations: number }> {
  const types = (
    await sql<{ id: string; code: string }>`SELECT id, code FROM appointment_types ORDER BY code, id`.execute(
      db,
    )
  ).rows.flatMap((t) => {
    const modality = TYPE_MODALITY[t.code.split("-").at(-1) ?? ""];
    return modality ? [{ id: t.id, modality }] : [];
  });
  for (const t of types)
    await sql`INSERT INTO dicom_type_modalities (appointment_type_id, modality) VALUES (${t.id}, ${t.modality})`.execute(
      db,
    );
  const rooms = (
    await sql<{ room_id: string; location_id: string; code: string; kind: string }>`
      SELECT DISTINCT ON (r.id) r.id AS room_id, r.location_id, l.code, e.kind
      FROM rooms r
      JOIN locations l ON l.id = r.location_id
      JOIN equipment e ON e.room_id = r.id AND NOT e.mobile
      WHERE r.kind = 'imaging' AND e.kind IN (${sql.join(Object.keys(EQUIPMENT_MODALITY))})
      ORDER BY r.id, e.kind`.execute(db)
  ).rows.sort((a, b) => `${a.code}|${a.room_id}`.localeCompare(`${b.code}|${b.room_id}`));
  const taken = new Set<string>();
  let stations = 0;
  for (const r of rooms) {
    const modality = EQUIPMENT_MODALITY[r.kind]!;
    let n = 1;
    let title = "";
    do title = `${modality}${n++}_${r.code}`.slice(0, 16);
    while (taken.has(title));
    taken.add(title);
    await sql`INSERT INTO dicom_stations (room_id, location_id, ae_title, modality)
      VALUES (${r.room_id}, ${r.location_id}, ${title}, ${modality})`.execute(db);
    stations++;
  }
  return { types: types.length, stations };
}
