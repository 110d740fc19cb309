/**
 * What one location's backup holds, table by table, in the order a restore writes them (parents
 * first). `own` rows belong to the location: a restore puts them back as they were (insert or
 * update). `shared` rows belong to the network and are only referenced (the catalogue, patients
 * and physicians seen there, notification history): a restore adds those that are missing and
 * never changes one that exists, since the network's copy is newer than any one location's backup.
 * Derived tables (analytics projections, the event log) and accounts are not part of it.
 */
export interface ScopedTable {
  table: string;
  mode: "own" | "shared";
  /** The SQL condition selecting the location's rows; `$L` stands for the location id. */
  where: string;
  /** The column naming a row's location: a row here with the same key under another location is a collision. */
  locationColumn?: string;
}

const APPOINTMENTS = "(SELECT id FROM appointments WHERE location_id = $L)";
const PHYSICIANS = `(SELECT physician_id FROM appointments WHERE location_id = $L
  UNION SELECT physician_id FROM assignment_templates WHERE location_id = $L
  UNION SELECT physician_id FROM assignment_overrides WHERE location_id = $L)`;
const PATIENTS = `(SELECT patient_id FROM appointments WHERE location_id = $L
  UNION SELECT patient_id FROM patient_registrations WHERE location_id = $L)`;

export const LOCATION_TABLES: readonly ScopedTable[] = [
  { table: "specialties", mode: "shared", where: "true" },
  { table: "appointment_types", mode: "shared", where: "true" },
  { table: "locations", mode: "own", where: "id = $L", locationColumn: "id" },
  { table: "departments", mode: "own", where: "location_id = $L", locationColumn: "location_id" },
  { table: "physicians", mode: "shared", where: `id IN ${PHYSICIANS}` },
  { table: "physician_specialties", mode: "shared", where: `physician_id IN ${PHYSICIANS}` },
  {
    table: "patients",
    mode: "shared",
    // a merged record points at the one it was merged into: that one comes too
    where: `id IN ${PATIENTS} OR id IN (SELECT merged_into FROM patients WHERE id IN ${PATIENTS})`,
  },
  { table: "rooms", mode: "own", where: "location_id = $L", locationColumn: "location_id" },
  { table: "equipment", mode: "own", where: "location_id = $L", locationColumn: "location_id" },
  { table: "map_nodes", mode: "own", where: "location_id = $L", locationColumn: "location_id" },
  { table: "map_edges", mode: "own", where: "location_id = $L", locationColumn: "location_id" },
  { table: "assignment_templates", mode: "own", where: "location_id = $L", locationColumn: "location_id" },
  { table: "assignment_overrides", mode: "own", where: "location_id = $L", locationColumn: "location_id" },
  { table: "overbooking_rules", mode: "own", where: "location_id = $L", locationColumn: "location_id" },
  { table: "pricing_rules", mode: "own", where: "location_id = $L", locationColumn: "location_id" },
  { table: "patient_registrations", mode: "own", where: "location_id = $L", locationColumn: "location_id" },
  { table: "appointments", mode: "own", where: "location_id = $L", locationColumn: "location_id" },
  { table: "equipment_reservations", mode: "own", where: `appointment_id IN ${APPOINTMENTS}` },
  { table: "telehealth_links", mode: "own", where: `appointment_id IN ${APPOINTMENTS}` },
  { table: "appointment_prices", mode: "own", where: `appointment_id IN ${APPOINTMENTS}` },
  { table: "satisfaction_surveys", mode: "own", where: "location_id = $L", locationColumn: "location_id" },
  // a job's status is never turned back (a sent reminder would go out again): missing ones only
  { table: "notification_jobs", mode: "shared", where: `appointment_id IN ${APPOINTMENTS}` },
  { table: "notifications", mode: "shared", where: `appointment_id IN ${APPOINTMENTS}` },
];
