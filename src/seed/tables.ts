/**
 * The rows the demo network writes, column for column as in `migrations/*.sql`. The generator is
 * a loading tool (like a migration), so it writes every module's tables; columns with database
 * defaults it does not set (created_at, updated_at, active, country) are left out.
 */

export type LocationKind = "main_campus" | "satellite" | "outpatient_clinic" | "specialty_center" | "virtual";
export type RoomKind = "exam" | "procedure" | "imaging" | "consult" | "lab" | "telehealth" | "therapy";
export type VisitKind = "new" | "follow_up" | "procedure";

export type SpecialtyRow = { code: string; name: string };

export type OpeningHours = Array<{ weekday: number; opens: string; closes: string }>;

export type LocationRow = {
  id: string;
  code: string;
  name: string;
  kind: LocationKind;
  address_line: string | null;
  city: string | null;
  region: string | null;
  postal_code: string | null;
  latitude: number | null;
  longitude: number | null;
  time_zone: string;
  phone: string | null;
  /** A jsonb column: rows travel to the database as JSON (`insert.ts`). */
  opening_hours: OpeningHours;
  parking_spaces: number;
  parking_accessible_spaces: number;
  parking_cost_cents_per_hour: number;
  parking_notes: string | null;
  accessibility_features: string[];
  amenities: string[];
  public_transport: string | null;
  services: string[];
  data_residency: string;
};

export type DepartmentRow = {
  id: string;
  location_id: string;
  specialty: string;
  name: string;
  phone: string | null;
};

export type RoomRow = {
  id: string;
  location_id: string;
  department_id: string | null;
  code: string;
  name: string;
  kind: RoomKind;
  floor: number;
  step_free: boolean;
  capacity: number;
};

export type EquipmentRow = {
  id: string;
  location_id: string;
  room_id: string | null;
  kind: string;
  name: string;
  asset_tag: string;
  mobile: boolean;
  travels: boolean;
};

export type TravelTimeRow = { from_location_id: string; to_location_id: string; minutes: number };

export type AppointmentTypeRow = {
  id: string;
  code: string;
  name: string;
  specialty: string;
  duration_minutes: number;
  slot_interval_minutes: number;
  room_kind: RoomKind | null;
  equipment_kinds: string[];
  telehealth_allowed: boolean;
  visit_kind: VisitKind;
  base_price_cents: number;
  billing_code: string | null;
};

export type PhysicianRow = {
  id: string;
  npi: string;
  given_name: string;
  family_name: string;
  title: string;
  primary_specialty: string;
  home_department_id: string | null;
  languages: string[];
  accepts_new_patients: boolean;
  offers_telehealth: boolean;
};

export type PhysicianSpecialtyRow = { physician_id: string; specialty: string };

export type AssignmentTemplateRow = {
  id: string;
  physician_id: string;
  location_id: string;
  weekday: number;
  /** Local wall-clock "HH:MM" at the location. */
  start_time: string;
  end_time: string;
  effective_from: string;
  effective_to: string | null;
  appointment_type_ids: string[];
  notes: string | null;
};

export type AssignmentOverrideRow = {
  id: string;
  physician_id: string;
  location_id: string;
  kind: "temporary" | "rotation";
  rotation_name: string | null;
  start_date: string;
  end_date: string;
  weekdays: number[];
  start_time: string;
  end_time: string;
  appointment_type_ids: string[];
  reason: string | null;
};

export type TimeOffRow = {
  id: string;
  physician_id: string;
  /** ISO instants. */
  starts_at: string;
  ends_at: string;
  reason: string | null;
  status: "requested" | "approved" | "declined";
};

export type PatientRow = {
  id: string;
  mrn: string;
  given_name: string;
  family_name: string;
  birth_date: string;
  sex: "female" | "male" | "other" | "unknown";
  email: string | null;
  phone: string | null;
  address_line: string | null;
  city: string | null;
  region: string | null;
  postal_code: string | null;
  latitude: number | null;
  longitude: number | null;
  preferred_location_ids: string[];
  preferred_language: string;
  accessibility_needs: string[];
  insurance_payer: string | null;
  insurance_member_id: string | null;
};

export type PatientRegistrationRow = {
  patient_id: string;
  location_id: string;
  registered_by: string | null;
};

export type FamilyLinkRow = {
  guardian_id: string;
  dependent_id: string;
  relationship: "parent" | "legal_guardian" | "spouse" | "caregiver";
};

export type MapNodeRow = {
  id: string;
  location_id: string;
  key: string;
  kind: "entrance" | "parking" | "lift" | "stairs" | "escalator" | "corridor" | "room" | "amenity";
  name: string | null;
  floor: number;
  x: number;
  y: number;
  room_id: string | null;
};

export type MapEdgeRow = {
  id: string;
  location_id: string;
  from_node_id: string;
  to_node_id: string;
  distance_m: number;
  step_free: boolean;
  one_way: boolean;
};

/** The analytics module's fee schedule: one fee and billing code per location and appointment type. */
export type FeeRow = {
  location_id: string;
  appointment_type_id: string;
  fee_cents: number;
  billing_code: string;
};

// A type alias (not an interface) so Kysely can index it.
export type SeedTables = {
  specialties: SpecialtyRow;
  locations: LocationRow;
  departments: DepartmentRow;
  rooms: RoomRow;
  equipment: EquipmentRow;
  travel_times: TravelTimeRow;
  appointment_types: AppointmentTypeRow;
  physicians: PhysicianRow;
  physician_specialties: PhysicianSpecialtyRow;
  assignment_templates: AssignmentTemplateRow;
  assignment_overrides: AssignmentOverrideRow;
  time_off: TimeOffRow;
  patients: PatientRow;
  family_links: FamilyLinkRow;
  patient_registrations: PatientRegistrationRow;
  map_nodes: MapNodeRow;
  map_edges: MapEdgeRow;
  analytics_fees: FeeRow;
};
