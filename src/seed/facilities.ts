/** Rooms and equipment of each physical location, laid out by department and floor. */
import { EQUIPMENT_NAMES, MAIN_CAMPUS_EQUIPMENT } from "./catalog.js";
import type { Site } from "./network.js";
import type { Random } from "./random.js";
import type { DepartmentRow, EquipmentRow, LocationKind, RoomKind, RoomRow } from "./tables.js";

const ROOM_PREFIX: Record<RoomKind, string> = {
  exam: "EX",
  consult: "CN",
  procedure: "PR",
  imaging: "IM",
  lab: "LB",
  telehealth: "TH",
  therapy: "TP",
};
const TOP_FLOOR: Record<LocationKind, number> = {
  main_campus: 5,
  specialty_center: 3,
  satellite: 2,
  outpatient_clinic: 1,
  virtual: 0,
};
/** Exam rooms per department: a little more than one per physician on shift at once. */
const EXAM_ROOMS: Record<LocationKind, [number, number]> = {
  main_campus: [6, 8],
  specialty_center: [7, 9],
  satellite: [5, 7],
  outpatient_clinic: [3, 4],
  virtual: [0, 0],
};
const IMAGING_ROOM_NAMES: Record<string, string> = {
  mri: "MRI suite",
  ct: "CT suite",
  xray: "X-ray room",
  ultrasound: "Ultrasound room",
  dexa: "Bone density room",
  mammography: "Mammography room",
};
/** Specialties with a procedure room, and the equipment that room needs (if any). */
const PROCEDURE_ROOMS: Record<string, { name: string; equipment: string | null }> = {
  dermatology: { name: "Minor procedures room", equipment: null },
  orthopedics: { name: "Cast & injection room", equipment: null },
  urology: { name: "Cystoscopy room", equipment: null },
  allergy_immunology: { name: "Allergy testing room", equipment: null },
  general_surgery: { name: "Minor surgery room", equipment: null },
  neurology: { name: "EEG room", equipment: "eeg" },
  gastroenterology: { name: "Endoscopy suite", equipment: "endoscope" },
  pulmonology: { name: "Pulmonary function lab", equipment: "spirometer" },
  otolaryngology: { name: "Audiology booth", equipment: "audiometer" },
};

/** The equipment kinds a location runs: its kind's or theme's set plus what its departments need. */
export function equipmentKinds(site: Site): Set<string> {
  const kinds = new Set<string>();
  const has = (s: string) => site.departments.has(s);
  if (site.row.kind === "main_campus") for (const k of MAIN_CAMPUS_EQUIPMENT) kinds.add(k);
  for (const k of site.theme?.equipment ?? []) kinds.add(k);
  if (site.row.kind === "satellite" && has("radiology")) {
    kinds.add("xray");
    kinds.add("ultrasound");
  }
  if (has("cardiology") || has("internal_medicine") || has("family_medicine")) kinds.add("ecg");
  if (has("obstetrics_gynecology")) kinds.add("ultrasound");
  if (has("pulmonology")) kinds.add("spirometer");
  if (has("ophthalmology")) kinds.add("slit_lamp");
  if (has("otolaryngology")) kinds.add("audiometer");
  return kinds;
}

export function planRoomsAndEquipment(
  rng: Random,
  sites: Site[],
): { rooms: RoomRow[]; equipment: EquipmentRow[] } {
  const rooms: RoomRow[] = [];
  const equipment: EquipmentRow[] = [];
  for (const site of sites) {
    if (site.row.kind === "virtual") continue;
    const { kind } = site.row;
    const kinds = equipmentKinds(site);
    const perFloor = new Map<string, number>();
    const tags = new Map<string, number>();

    const addRoom = (
      department: DepartmentRow | null,
      roomKind: RoomKind,
      name: string,
      floor: number,
      capacity = 1,
    ): RoomRow => {
      const key = `${roomKind}:${floor}`;
      const n = (perFloor.get(key) ?? 0) + 1;
      perFloor.set(key, n);
      const upstairsWithoutLift = site.stairsOnly && floor > 0;
      // a few older rooms upstairs are reached through a short flight of stairs
      const oddRoom = floor > 0 && (roomKind === "exam" || roomKind === "consult") && rng.chance(0.04);
      const room: RoomRow = {
        id: rng.uuid(),
        location_id: site.row.id,
        department_id: department?.id ?? null,
        code: `${ROOM_PREFIX[roomKind]}-${floor}${String(n).padStart(2, "0")}`,
        name,
        kind: roomKind,
        floor,
        step_free: !(upstairsWithoutLift || oddRoom),
        capacity,
      };
      rooms.push(room);
      return room;
    };
    const addEquipment = (equipmentKind: string, room: RoomRow | null, mobile: boolean, travels = false) => {
      const n = (tags.get(equipmentKind) ?? 0) + 1;
      tags.set(equipmentKind, n);
      equipment.push({
        id: rng.uuid(),
        location_id: site.row.id,
        room_id: room?.id ?? null,
        kind: equipmentKind,
        name: `${mobile ? "Portable " : ""}${EQUIPMENT_NAMES[equipmentKind] ?? equipmentKind}`,
        asset_tag: `${site.row.code}-${equipmentKind.toUpperCase().replaceAll("_", "")}-${String(n).padStart(2, "0")}`,
        mobile,
        travels,
      });
    };

    const [minExam, maxExam] = EXAM_ROOMS[kind];
    const primaryCareExamRooms: RoomRow[] = [];
    for (const department of site.departments.values()) {
      const specialty = department.specialty;
      const label = department.name;
      const floor = specialty === "radiology" ? 0 : rng.int(kind === "main_campus" ? 1 : 0, TOP_FLOOR[kind]);
      const examCount = rng.int(minExam, maxExam);
      if (specialty === "psychiatry") {
        for (let i = 1; i <= examCount; i++)
          addRoom(department, "consult", `${label} consult room ${i}`, floor);
      } else if (specialty === "physical_therapy") {
        addRoom(department, "therapy", "Therapy gym", floor, rng.int(4, 8));
        addRoom(department, "therapy", "Treatment room", floor);
        addRoom(department, "exam", `${label} assessment room`, floor);
      } else if (specialty === "oncology") {
        addRoom(department, "consult", `${label} consult room 1`, floor);
        addRoom(department, "consult", `${label} consult room 2`, floor);
        addRoom(department, "therapy", "Infusion bay", floor, rng.int(6, 12));
      } else if (specialty === "radiology") {
        addRoom(department, "consult", "Imaging results room", floor);
        for (const modality of Object.keys(IMAGING_ROOM_NAMES)) {
          if (!kinds.has(modality)) continue;
          addEquipment(modality, addRoom(department, "imaging", IMAGING_ROOM_NAMES[modality]!, 0), false);
        }
      } else {
        for (let i = 1; i <= examCount; i++) {
          const room = addRoom(department, "exam", `${label} exam room ${i}`, floor);
          if (specialty === "ophthalmology") addEquipment("slit_lamp", room, false);
          if (
            specialty === "family_medicine" ||
            specialty === "internal_medicine" ||
            specialty === "cardiology"
          ) {
            primaryCareExamRooms.push(room);
          }
        }
        if (kind === "main_campus" || kind === "specialty_center") {
          addRoom(department, "consult", `${label} consult room`, floor);
        }
      }
      const procedure = PROCEDURE_ROOMS[specialty];
      if (procedure && (procedure.equipment === null || kinds.has(procedure.equipment))) {
        const room = addRoom(department, "procedure", procedure.name, floor);
        if (procedure.equipment) addEquipment(procedure.equipment, room, false);
      }
      if (specialty === "cardiology" && kinds.has("echo")) {
        addEquipment("echo", addRoom(department, "imaging", "Echo lab", floor), false);
      }
      if (specialty === "obstetrics_gynecology" && kinds.has("ultrasound")) {
        addEquipment("ultrasound", addRoom(department, "imaging", "Obstetric ultrasound room", floor), false);
      }
    }

    addRoom(null, "lab", "Phlebotomy & lab", 0, rng.int(2, 4));
    const booths = kind === "main_campus" ? 2 : kind === "outpatient_clinic" ? 0 : 1;
    for (let i = 1; i <= booths; i++)
      addRoom(null, "telehealth", `Telehealth booth ${i}`, kind === "main_campus" ? 1 : 0);

    // Mobile kit: ECG carts follow primary care and cardiology; portable ultrasound serves sports
    // medicine. The main campus lends one ECG cart and its portable ultrasound across the network.
    if (kinds.has("ecg")) {
      const carts = kind === "main_campus" ? 3 : rng.int(1, 2);
      for (let i = 0; i < carts; i++) {
        const room = primaryCareExamRooms.length ? rng.pick(primaryCareExamRooms) : null;
        const lent = kind === "main_campus" && i === 0;
        addEquipment("ecg", lent ? null : room, true, lent);
      }
    }
    if (kind === "main_campus" || site.departments.has("sports_medicine"))
      addEquipment("ultrasound", null, true, kind === "main_campus");
    if (kind === "main_campus" && kinds.has("echo")) addEquipment("echo", null, true);
  }
  return { rooms, equipment };
}
