/**
 * The clinical catalogue of the demo network: specialties, the appointment types each offers,
 * the equipment those need, and which specialties each kind of facility houses.
 */
import type { Random } from "./random.js";
import type { AppointmentTypeRow, RoomKind, SpecialtyRow, VisitKind } from "./tables.js";

/** code, display name, appointment-code prefix, relative demand for physicians. */
const SPECIALTY_LIST: Array<[string, string, string, number]> = [
  ["family_medicine", "Family Medicine", "FM", 3],
  ["internal_medicine", "Internal Medicine", "IM", 3],
  ["pediatrics", "Pediatrics", "PEDS", 2.2],
  ["obstetrics_gynecology", "Obstetrics & Gynecology", "OBGYN", 1.6],
  ["cardiology", "Cardiology", "CARD", 1.6],
  ["orthopedics", "Orthopedics", "ORTH", 1.5],
  ["dermatology", "Dermatology", "DERM", 1],
  ["neurology", "Neurology", "NEUR", 1],
  ["oncology", "Oncology", "ONC", 1],
  ["radiology", "Radiology", "RAD", 1.2],
  ["endocrinology", "Endocrinology", "ENDO", 0.8],
  ["gastroenterology", "Gastroenterology", "GI", 1],
  ["pulmonology", "Pulmonology", "PULM", 0.8],
  ["rheumatology", "Rheumatology", "RHEU", 0.6],
  ["nephrology", "Nephrology", "NEPH", 0.6],
  ["urology", "Urology", "URO", 0.8],
  ["ophthalmology", "Ophthalmology", "OPH", 0.9],
  ["otolaryngology", "Otolaryngology (ENT)", "ENT", 0.8],
  ["psychiatry", "Psychiatry", "PSY", 1.2],
  ["physical_therapy", "Physical Therapy", "PT", 1.2],
  ["sports_medicine", "Sports Medicine", "SPMED", 0.7],
  ["allergy_immunology", "Allergy & Immunology", "ALLG", 0.6],
  ["general_surgery", "General Surgery", "GSURG", 0.9],
  ["infectious_disease", "Infectious Disease", "ID", 0.5],
];

export const SPECIALTIES: SpecialtyRow[] = SPECIALTY_LIST.map(([code, name]) => ({ code, name }));
export const specialtyName = new Map(SPECIALTY_LIST.map(([code, name]) => [code, name]));
export const specialtyDemand = new Map(SPECIALTY_LIST.map(([code, , , demand]) => [code, demand]));
const prefix = new Map(SPECIALTY_LIST.map(([code, , p]) => [code, p]));

export const PRIMARY_CARE = new Set(["family_medicine", "internal_medicine", "pediatrics"]);

/** Secondary board certifications that commonly go with a primary specialty. */
export const RELATED_SPECIALTIES: Record<string, string[]> = {
  internal_medicine: ["endocrinology", "nephrology", "infectious_disease"],
  family_medicine: ["sports_medicine"],
  pediatrics: ["allergy_immunology"],
  orthopedics: ["sports_medicine"],
  cardiology: ["internal_medicine"],
  pulmonology: ["internal_medicine"],
  rheumatology: ["internal_medicine"],
  sports_medicine: ["family_medicine"],
};

/** Equipment kinds and the name an item of each kind gets. */
export const EQUIPMENT_NAMES: Record<string, string> = {
  mri: "1.5T MRI scanner",
  ct: "64-slice CT scanner",
  xray: "Digital X-ray system",
  ultrasound: "Ultrasound system",
  ecg: "12-lead ECG cart",
  echo: "Echocardiography system",
  spirometer: "Spirometer",
  slit_lamp: "Slit lamp",
  endoscope: "Video endoscopy tower",
  audiometer: "Audiometer",
  eeg: "EEG system",
  dexa: "DEXA bone densitometer",
  mammography: "Digital mammography unit",
};

type TypeSpec = {
  suffix: string;
  name: string;
  minutes: number;
  visit: VisitKind;
  room: RoomKind | null;
  equipment?: string[];
  telehealth?: boolean;
  price: number;
  billing: string;
};

const newVisit = (minutes: number, room: RoomKind = "exam"): TypeSpec => ({
  suffix: "NEW",
  name: "New patient visit",
  minutes,
  visit: "new",
  room,
  price: 24000,
  billing: "99204",
});
const followUp = (minutes: number, telehealth = true, room: RoomKind = "exam"): TypeSpec => ({
  suffix: "FU",
  name: "Follow-up visit",
  minutes,
  visit: "follow_up",
  room,
  telehealth,
  price: 13000,
  billing: "99214",
});
const procedure = (
  suffix: string,
  name: string,
  minutes: number,
  room: RoomKind,
  equipment: string[],
  price: number,
  billing: string,
): TypeSpec => ({ suffix, name, minutes, visit: "procedure", room, equipment, price, billing });

/** What each specialty books: new patients 40-60 min, follow-ups 15-30, procedures as needed. */
const TYPES: Record<string, TypeSpec[]> = {
  family_medicine: [
    newVisit(40),
    followUp(20),
    { ...followUp(30), suffix: "WELL", name: "Annual wellness visit", billing: "99396", telehealth: false },
    procedure("ECG", "Resting ECG", 15, "exam", ["ecg"], 6000, "93000"),
  ],
  internal_medicine: [
    newVisit(45),
    followUp(20),
    procedure("ECG", "Resting ECG", 15, "exam", ["ecg"], 6000, "93000"),
  ],
  pediatrics: [
    newVisit(40),
    followUp(20),
    { ...followUp(30), suffix: "WELL", name: "Well-child check", billing: "99392", telehealth: false },
  ],
  obstetrics_gynecology: [
    newVisit(45),
    followUp(20),
    { ...followUp(20, false), suffix: "PRENATAL", name: "Prenatal visit" },
    procedure("OBUS", "Obstetric ultrasound", 30, "imaging", ["ultrasound"], 22000, "76805"),
  ],
  cardiology: [
    newVisit(60),
    followUp(20),
    procedure("ECG", "Resting ECG", 15, "exam", ["ecg"], 6000, "93000"),
    procedure("ECHO", "Echocardiogram", 45, "imaging", ["echo"], 52000, "93306"),
  ],
  orthopedics: [
    newVisit(45),
    followUp(20, false),
    procedure("INJ", "Joint injection", 20, "procedure", [], 18000, "20610"),
    procedure("XR", "Orthopedic X-ray and review", 30, "imaging", ["xray"], 16000, "73560"),
  ],
  dermatology: [
    newVisit(40),
    followUp(15),
    procedure("BIOPSY", "Skin biopsy", 30, "procedure", [], 21000, "11102"),
  ],
  neurology: [
    newVisit(60),
    followUp(30),
    procedure("EEG", "Routine EEG", 60, "procedure", ["eeg"], 45000, "95816"),
  ],
  oncology: [
    newVisit(60, "consult"),
    followUp(30, true, "consult"),
    procedure("INFUSION", "Infusion chair session", 120, "therapy", [], 90000, "96413"),
  ],
  radiology: [
    {
      ...followUp(20, true, "consult"),
      suffix: "RESULTS",
      name: "Imaging results consultation",
      billing: "99213",
    },
    procedure("MRI", "MRI scan", 45, "imaging", ["mri"], 120000, "70551"),
    procedure("CT", "CT scan", 20, "imaging", ["ct"], 65000, "74177"),
    procedure("XR", "X-ray", 15, "imaging", ["xray"], 9000, "71046"),
    procedure("US", "Ultrasound", 30, "imaging", ["ultrasound"], 25000, "76700"),
    procedure("DEXA", "Bone density scan", 20, "imaging", ["dexa"], 12000, "77080"),
    procedure("MAMMO", "Screening mammogram", 20, "imaging", ["mammography"], 18000, "77067"),
  ],
  endocrinology: [newVisit(60), followUp(20)],
  gastroenterology: [
    newVisit(45),
    followUp(20),
    procedure("SCOPE", "Colonoscopy", 60, "procedure", ["endoscope"], 150000, "45378"),
  ],
  pulmonology: [
    newVisit(45),
    followUp(20),
    procedure("PFT", "Spirometry", 30, "procedure", ["spirometer"], 9000, "94010"),
  ],
  rheumatology: [newVisit(60), followUp(20)],
  nephrology: [newVisit(50), followUp(20)],
  urology: [
    newVisit(45),
    followUp(20),
    procedure("CYSTO", "Cystoscopy", 30, "procedure", [], 60000, "52000"),
  ],
  ophthalmology: [
    { ...newVisit(45), name: "New patient eye exam", equipment: ["slit_lamp"], billing: "92004" },
    { ...followUp(20, false), equipment: ["slit_lamp"], billing: "92012" },
  ],
  otolaryngology: [
    newVisit(40),
    followUp(20),
    procedure("AUDIO", "Hearing test", 30, "procedure", ["audiometer"], 11000, "92557"),
  ],
  psychiatry: [
    { ...newVisit(60, "consult"), name: "Psychiatric evaluation", billing: "90792" },
    { ...followUp(30, true, "consult"), name: "Medication management", billing: "99214" },
    { ...followUp(50, true, "consult"), suffix: "THERAPY", name: "Psychotherapy session", billing: "90834" },
  ],
  physical_therapy: [
    { ...newVisit(60, "therapy"), name: "Physical therapy evaluation", billing: "97162" },
    { ...followUp(45, false, "therapy"), name: "Physical therapy session", billing: "97110" },
  ],
  sports_medicine: [
    newVisit(45),
    followUp(20),
    procedure("US", "Musculoskeletal ultrasound", 30, "imaging", ["ultrasound"], 20000, "76882"),
  ],
  allergy_immunology: [
    newVisit(45),
    followUp(15),
    procedure("SKIN", "Allergy skin testing", 60, "procedure", [], 30000, "95004"),
  ],
  general_surgery: [
    { ...newVisit(45), name: "Surgical consultation" },
    { ...followUp(15), name: "Post-operative check" },
  ],
  infectious_disease: [newVisit(60), followUp(30)],
};

export function appointmentTypes(rng: Random): AppointmentTypeRow[] {
  return SPECIALTIES.flatMap(({ code, name: specialtyLabel }) =>
    (TYPES[code] ?? []).map((t) => ({
      id: rng.uuid(),
      code: `${prefix.get(code)}-${t.suffix}`,
      name: `${specialtyLabel}: ${t.name}`,
      specialty: code,
      duration_minutes: t.minutes,
      slot_interval_minutes: t.minutes <= 20 ? 5 : 15,
      room_kind: t.room,
      equipment_kinds: t.equipment ?? [],
      telehealth_allowed: t.telehealth ?? false,
      visit_kind: t.visit,
      base_price_cents: t.price,
      billing_code: t.billing,
    })),
  );
}

/** A themed specialty centre: its name, departments and the imaging it runs. */
export interface CentreTheme {
  name: string;
  code: string;
  specialties: string[];
  equipment: string[];
}

/** In order of use; the first centre in the network is the one with the MRI. */
export const CENTRE_THEMES: CentreTheme[] = [
  {
    name: "Orthopedic & Sports Medicine Center",
    code: "ORTHO",
    specialties: ["orthopedics", "sports_medicine", "physical_therapy", "radiology", "rheumatology"],
    equipment: ["mri", "xray", "ultrasound"],
  },
  {
    name: "Heart & Vascular Institute",
    code: "HEART",
    specialties: ["cardiology", "radiology", "pulmonology", "nephrology"],
    equipment: ["echo", "ct", "xray", "ultrasound", "ecg", "spirometer"],
  },
  {
    name: "Cancer Center",
    code: "CANCER",
    specialties: ["oncology", "radiology", "gastroenterology", "general_surgery"],
    equipment: ["ct", "ultrasound", "endoscope", "mammography"],
  },
  {
    name: "Women's & Children's Center",
    code: "WCC",
    specialties: ["obstetrics_gynecology", "pediatrics", "allergy_immunology", "radiology"],
    equipment: ["ultrasound", "mammography", "dexa"],
  },
  {
    name: "Eye & ENT Institute",
    code: "EYEENT",
    specialties: ["ophthalmology", "otolaryngology"],
    equipment: ["slit_lamp", "audiometer"],
  },
  {
    name: "Neuroscience & Behavioral Health Center",
    code: "NEURO",
    specialties: ["neurology", "psychiatry", "radiology"],
    equipment: ["eeg", "ct"],
  },
];

/** Specialties every main campus houses (all but the ones that live in centres or clinics). */
export const MAIN_CAMPUS_SPECIALTIES = SPECIALTIES.map((s) => s.code).filter(
  (c) => c !== "sports_medicine" && c !== "allergy_immunology",
);
export const MAIN_CAMPUS_EQUIPMENT = [
  "mri",
  "ct",
  "xray",
  "ultrasound",
  "echo",
  "dexa",
  "mammography",
  "endoscope",
  "eeg",
];

export const SATELLITE_CORE = ["family_medicine", "internal_medicine", "pediatrics"];
export const SATELLITE_EXTRAS = [
  "cardiology",
  "dermatology",
  "orthopedics",
  "obstetrics_gynecology",
  "endocrinology",
  "radiology",
  "physical_therapy",
  "allergy_immunology",
  "urology",
  "ophthalmology",
  "gastroenterology",
  "psychiatry",
];
export const CLINIC_EXTRAS = [
  "internal_medicine",
  "pediatrics",
  "dermatology",
  "obstetrics_gynecology",
  "physical_therapy",
  "psychiatry",
];
export const VIRTUAL_SPECIALTIES = [
  "family_medicine",
  "internal_medicine",
  "psychiatry",
  "dermatology",
  "endocrinology",
  "neurology",
];
