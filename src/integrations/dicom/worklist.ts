/**
 * The Modality Worklist's rules as pure functions over plain data (no database, no network): which
 * matching keys a C-FIND identifier carries, whether an entry matches them (DICOM single-value
 * matching with * and ? wildcards, date ranges), the identifier answered for each entry, and the
 * names the worklist gives (default AE titles, study instance UIDs in the 2.25 form).
 */

/** One scheduled procedure step, as the worklist answers it (dates and times at the location). */
export interface WorklistEntry {
  appointmentId: string;
  accessionNumber: string;
  studyInstanceUid: string;
  patient: { name: string; mrn: string; birthDate: string | null; sex: string };
  /** The appointment type's name (RequestedProcedureDescription and the step's description). */
  procedure: string;
  modality: string;
  /** The booked room's station AE title; null when the room is no registered station. */
  stationAeTitle: string | null;
  /** The room's name (ScheduledProcedureStepLocation). */
  room: string | null;
  /** YYYYMMDD and HHMMSS at the location. */
  startDate: string;
  startTime: string;
  performingPhysician: string;
}

/** The matching keys of a worklist C-FIND the SCP honours; absent or empty: matches everything. */
export interface MatchingKeys {
  /** DA or DA range at the location: YYYYMMDD, YYYYMMDD-YYYYMMDD, -YYYYMMDD, YYYYMMDD-. */
  startDate?: string;
  modality?: string;
  stationAeTitle?: string;
  patientId?: string;
  accessionNumber?: string;
}

/** A date range as inclusive YYYYMMDD bounds (absent: open on that side). */
export interface DateRange {
  from?: string;
  to?: string;
}

const DA = /^\d{8}$/;

/** A DA matching key as a range; undefined when it is malformed (the query is refused). */
export function parseDateKey(key: string): DateRange | undefined {
  const v = key.trim();
  if (DA.test(v)) return validDate(v) ? { from: v, to: v } : undefined;
  const m = /^(\d{8})?-(\d{8})?$/.exec(v);
  if (!m || (!m[1] && !m[2])) return undefined;
  if ((m[1] && !validDate(m[1])) || (m[2] && !validDate(m[2]))) return undefined;
  if (m[1] && m[2] && m[1] > m[2]) return undefined;
  return { ...(m[1] ? { from: m[1] } : {}), ...(m[2] ? { to: m[2] } : {}) };
}

function validDate(v: string): boolean {
  const y = Number(v.slice(0, 4));
  const mo = Number(v.slice(4, 6));
  const d = Number(v.slice(6, 8));
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1900 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** DICOM single-value matching: exact, or with * (any run) and ? (any one character). */
export function matchesValue(key: string | undefined, value: string | null): boolean {
  const k = key?.trim() ?? "";
  if (k === "" || k === "*") return true;
  if (value === null) return false;
  if (!/[*?]/.test(k)) return k === value;
  const pattern = k
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${pattern}$`, "s").test(value);
}

export function inRange(range: DateRange | undefined, date: string): boolean {
  if (!range) return true;
  return (!range.from || date >= range.from) && (!range.to || date <= range.to);
}

/** Whether an entry answers the keys (the date key already parsed). */
export function matches(entry: WorklistEntry, keys: MatchingKeys, dates: DateRange | undefined): boolean {
  return (
    inRange(dates, entry.startDate) &&
    matchesValue(keys.modality, entry.modality) &&
    matchesValue(keys.stationAeTitle, entry.stationAeTitle) &&
    matchesValue(keys.patientId, entry.patient.mrn) &&
    matchesValue(keys.accessionNumber, entry.accessionNumber)
  );
}

const text = (v: unknown): string | undefined => {
  if (typeof v === "string") return v;
  if (Array.isArray(v) && typeof v[0] === "string") return v[0];
  return undefined;
};

/** The matching keys of a C-FIND identifier (dcmjs naturalized elements). */
export function readKeys(elements: Record<string, unknown>): MatchingKeys {
  const seq = elements.ScheduledProcedureStepSequence;
  const step = (Array.isArray(seq) ? seq[0] : seq) as Record<string, unknown> | undefined;
  const keys: MatchingKeys = {};
  const put = (name: keyof MatchingKeys, v: string | undefined) => {
    const t = v?.trim();
    if (t) keys[name] = t;
  };
  put("startDate", text(step?.ScheduledProcedureStepStartDate));
  put("modality", text(step?.Modality));
  put("stationAeTitle", text(step?.ScheduledStationAETitle));
  put("patientId", text(elements.PatientID));
  put("accessionNumber", text(elements.AccessionNumber));
  return keys;
}

/** The identifier answered for one entry (dcmjs naturalized elements). */
export function toIdentifier(e: WorklistEntry): Record<string, unknown> {
  return {
    SpecificCharacterSet: "ISO_IR 192",
    PatientName: e.patient.name,
    PatientID: e.patient.mrn,
    PatientBirthDate: e.patient.birthDate ?? "",
    PatientSex: e.patient.sex,
    AccessionNumber: e.accessionNumber,
    ReferringPhysicianName: "",
    StudyInstanceUID: e.studyInstanceUid,
    RequestedProcedureID: e.accessionNumber,
    RequestedProcedureDescription: e.procedure,
    ScheduledProcedureStepSequence: [
      {
        Modality: e.modality,
        ScheduledStationAETitle: e.stationAeTitle ?? "",
        ScheduledProcedureStepStartDate: e.startDate,
        ScheduledProcedureStepStartTime: e.startTime,
        ScheduledPerformingPhysicianName: e.performingPhysician,
        ScheduledProcedureStepDescription: e.procedure,
        ScheduledProcedureStepID: e.accessionNumber,
        ScheduledProcedureStepLocation: e.room ?? "",
      },
    ],
  };
}

/** A person's name as a DICOM PN: Family^Given, without the separators a name may not carry. */
export function personName(family: string, given: string): string {
  const clean = (s: string) => s.replace(/[\\^=]/g, " ").trim();
  return `${clean(family)}^${clean(given)}`.slice(0, 64);
}

/** The AE title a location answers to until an administrator sets another: ROUNDS_<CODE>. */
export function defaultLocationAeTitle(code: string): string {
  return `ROUNDS_${code.toUpperCase().replace(/[^A-Z0-9_-]/g, "")}`.slice(0, 16);
}

/** A UUID as a DICOM UID under the 2.25 root (PS3.5 B.2): its 128 bits as a decimal integer. */
export function uuidToUid(uuid: string): string {
  return `2.25.${BigInt(`0x${uuid.replace(/-/g, "")}`).toString(10)}`;
}

/** An accession number (SH, at most 16 characters) from the worklist's sequence. */
export function accessionNumberOf(seq: number): string {
  return `RND${String(seq).padStart(8, "0")}`;
}

export const SEX_CODE: Record<string, string> = { male: "M", female: "F", other: "O", unknown: "O" };
