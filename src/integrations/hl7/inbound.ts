/**
 * Inbound ADT and ORU messages, read into plain commands (pure: no database). A message we cannot
 * act on becomes an `InboundRejection` with the acknowledgement code and the reason the sender gets.
 */
import type { Hl7Message, Hl7Segment } from "@medplum/core";

export class InboundRejection extends Error {
  constructor(
    /** AR: we do not take this kind of message; AE: we take it, but this one is wrong. */
    readonly code: "AE" | "AR",
    reason: string,
  ) {
    super(reason);
    this.name = "InboundRejection";
  }
}

const ae = (reason: string) => new InboundRejection("AE", reason);

export interface Demographics {
  mrn: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  sex: "female" | "male" | "other" | "unknown";
  phone: string | null;
}

export interface LabObservation {
  setId: number;
  code: string;
  name: string | null;
  value: string | null;
  units: string | null;
  referenceRange: string | null;
  abnormalFlag: string | null;
  resultStatus: string | null;
  observedAt: Date | null;
}

export type InboundCommand =
  | { kind: "register"; patient: Demographics }
  | { kind: "update"; patient: Demographics }
  | { kind: "merge"; survivor: Demographics; mergedMrn: string }
  | {
      kind: "lab_results";
      mrn: string;
      order: { code: string | null; name: string | null };
      observations: LabObservation[];
    };

const MRN = /^[A-Z0-9-]{4,20}$/;
const SEX: Record<string, Demographics["sex"]> = {
  F: "female",
  M: "male",
  O: "other",
  U: "unknown",
  A: "other",
};

/** The text of an HL7 value with its escape sequences undone. */
export function unescapeHl7(text: string): string {
  return text.replace(/\\([FSRTE])\\/g, (_, c: string) => ({ F: "|", S: "^", R: "~", T: "&", E: "\\" })[c]!);
}

const component = (s: Hl7Segment | undefined, field: number, comp = 1) =>
  unescapeHl7(s?.getComponent(field, comp) ?? "").trim();

/** An HL7 DT/DTM (YYYYMMDD[HHMM[SS]][+ZZZZ]) as an instant; undefined when it is not one. */
export function parseHl7Time(v: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(?:(\d{2})(?:\.\d{1,4})?)?)?([+-]\d{4})?$/.exec(v);
  if (!m) return undefined;
  const [, y, mo, d, h = "00", mi = "00", s = "00", tz = "+0000"] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${tz.slice(0, 3)}:${tz.slice(3)}`;
  const t = new Date(iso);
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (Number.isNaN(t.getTime()) || day.getUTCDate() !== Number(d) || day.getUTCMonth() !== Number(mo) - 1)
    return undefined;
  return t;
}

function mrnOf(pid: Hl7Segment | undefined, field = 3): string {
  // PID-3 repeats: the first identifier is the medical record number
  const mrn = component(pid, field);
  if (!mrn) throw ae(`PID-${field}: the patient identifier (MRN) is missing`);
  if (!MRN.test(mrn)) throw ae(`PID-${field}: the MRN must be 4-20 upper-case letters, digits or dashes`);
  return mrn;
}

function demographics(msg: Hl7Message): Demographics {
  const pid = msg.getSegment("PID");
  if (!pid) throw ae("PID segment is missing");
  const mrn = mrnOf(pid);
  const familyName = component(pid, 5, 1);
  const givenName = component(pid, 5, 2);
  if (!familyName || !givenName) throw ae("PID-5: the patient's family and given names are required");
  if (familyName.length > 100 || givenName.length > 100)
    throw ae("PID-5: a name is longer than 100 characters");
  const dob = component(pid, 7);
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(dob);
  const birthDate = m ? `${m[1]}-${m[2]}-${m[3]}` : "";
  const parsed = new Date(`${birthDate}T00:00:00Z`);
  if (!m || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== birthDate)
    throw ae("PID-7: the date of birth must be a date (YYYYMMDD)");
  const sex = SEX[component(pid, 8).toUpperCase()] ?? "unknown";
  const phone = component(pid, 13) || null;
  return {
    mrn,
    givenName,
    familyName,
    birthDate,
    sex,
    phone: phone && /^\+?[0-9][0-9 ().-]{3,28}[0-9]$/.test(phone) ? phone : null,
  };
}

/** MSH-9 as "ADT^A04". */
export function messageTypeOf(msg: Hl7Message): string {
  const msh = msg.getSegment("MSH");
  return `${msh?.getComponent(9, 1) ?? ""}^${msh?.getComponent(9, 2) ?? ""}`;
}

/** Reads an inbound message into what to do, or throws an InboundRejection. */
export function readInbound(msg: Hl7Message): InboundCommand {
  const msh = msg.getSegment("MSH");
  if (!msh || msg.segments[0] !== msh) throw new InboundRejection("AR", "MSH segment is missing");
  if (!msh.getField(10)?.toString())
    throw new InboundRejection("AR", "MSH-10: the message control id is missing");
  const type = messageTypeOf(msg);
  switch (type) {
    case "ADT^A04":
    case "ADT^A28":
      return { kind: "register", patient: demographics(msg) };
    case "ADT^A08":
    case "ADT^A31":
      return { kind: "update", patient: demographics(msg) };
    case "ADT^A40": {
      const survivor = demographics(msg);
      const mrg = msg.getSegment("MRG");
      if (!mrg) throw ae("MRG segment is missing");
      const mergedMrn = component(mrg, 1);
      if (!MRN.test(mergedMrn))
        throw ae("MRG-1: the merged patient's MRN must be 4-20 upper-case letters, digits or dashes");
      if (mergedMrn === survivor.mrn) throw ae("MRG-1: a patient cannot be merged into itself");
      return { kind: "merge", survivor, mergedMrn };
    }
    case "ORU^R01":
      return labResults(msg);
    default:
      throw new InboundRejection(
        "AR",
        `MSH-9: ${type} is not a message type Rounds accepts (ADT^A04, ADT^A08, ADT^A40, ORU^R01)`,
      );
  }
}

function labResults(msg: Hl7Message): InboundCommand {
  const mrn = mrnOf(msg.getSegment("PID"));
  const obr = msg.getSegment("OBR");
  const obx = msg.getAllSegments("OBX");
  if (!obx.length) throw ae("OBX: the message carries no observation");
  const observations = obx.map((s, i): LabObservation => {
    const code = component(s, 3, 1);
    if (!code) throw ae(`OBX-3 of observation ${i + 1}: the observation code is missing`);
    const when = component(s, 14) || component(obr, 7);
    const observedAt = when ? parseHl7Time(when) : null;
    if (observedAt === undefined) throw ae(`OBX-14 of observation ${i + 1}: not a date and time`);
    const setId = Number(component(s, 1)) || i + 1;
    const text = (v: string) => (v ? v.slice(0, 500) : null);
    return {
      setId,
      code: code.slice(0, 100),
      name: text(component(s, 3, 2)),
      value: text(component(s, 5)),
      units: text(component(s, 6, 1)),
      referenceRange: text(component(s, 7)),
      abnormalFlag: text(component(s, 8)),
      resultStatus: text(component(s, 11)),
      observedAt,
    };
  });
  if (new Set(observations.map((o) => o.setId)).size !== observations.length)
    throw ae("OBX-1: two observations have the same set id");
  return {
    kind: "lab_results",
    mrn,
    order: { code: component(obr, 4, 1) || null, name: component(obr, 4, 2) || null },
    observations,
  };
}
