/** Pure: the EMR's FHIR resources flattened into the records view, and local lab results merged in. */
import type { CodeableConcept, Observation, Patient, Quantity } from "@medplum/fhirtypes";
import type { EmrRecord } from "./client.js";
import type { LabResult, PatientRecords } from "./schema.js";

export const textOf = (c: CodeableConcept | undefined): string =>
  c?.text ?? c?.coding?.find((k) => k.display)?.display ?? c?.coding?.[0]?.code ?? "(not named)";
const codeOf = (c: CodeableConcept | undefined) => c?.coding?.[0]?.code ?? null;
const quantity = (q: Quantity | undefined) =>
  q?.value === undefined ? "" : `${q.value}${q.unit && q.unit !== "{INR}" ? ` ${q.unit}` : ""}`;

const FLAGS: Record<string, LabResult["flag"]> = {
  L: "low",
  LL: "low",
  N: "normal",
  H: "high",
  HH: "high",
  A: "abnormal",
  AA: "abnormal",
};

export function labOf(o: Observation): LabResult {
  const range = o.referenceRange?.[0];
  const value =
    o.valueQuantity !== undefined
      ? quantity(o.valueQuantity)
      : (o.valueString ?? (o.valueCodeableConcept ? textOf(o.valueCodeableConcept) : ""));
  const flagCode = o.interpretation?.[0]?.coding?.[0]?.code;
  return {
    id: o.id ?? "",
    code: codeOf(o.code),
    name: textOf(o.code),
    value,
    referenceRange: range
      ? (range.text ??
        `${range.low?.value ?? ""}–${range.high?.value ?? ""}${range.high?.unit && range.high.unit !== "{INR}" ? ` ${range.high.unit}` : ""}`)
      : null,
    flag: flagCode ? (FLAGS[flagCode] ?? null) : null,
    effective: o.effectiveDateTime ?? o.effectivePeriod?.start ?? o.issued ?? null,
    status: o.status,
    source: "emr",
  };
}

/** Newest first; undated last; then by name so the order is stable. */
export function byNewest<T extends { name?: string; type?: string }>(when: (t: T) => string | null) {
  return (a: T, b: T): number => {
    const x = when(a) ?? "";
    const y = when(b) ?? "";
    if (x !== y) return x < y ? 1 : -1;
    return (a.name ?? a.type ?? "").localeCompare(b.name ?? b.type ?? "");
  };
}

/** Rounds' own record of the patient, to compare with the EMR's. */
export interface RoundsDemographics {
  givenName: string;
  familyName: string;
  birthDate: string;
  sex: string;
}

type Mismatch = NonNullable<PatientRecords["demographics"]>["mismatches"][number];
const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Where the EMR's Patient differs from Rounds' record: name, date of birth, sex. */
export function mismatchesOf(p: Patient, rounds: RoundsDemographics): Mismatch[] {
  const name = p.name?.[0];
  const emrName = `${(name?.given ?? []).join(" ")} ${name?.family ?? ""}`.trim();
  const roundsName = `${rounds.givenName} ${rounds.familyName}`;
  const out: Mismatch[] = [];
  if (!same(emrName, roundsName)) out.push({ field: "name", rounds: roundsName, emr: emrName || "(none)" });
  if ((p.birthDate ?? "") !== rounds.birthDate)
    out.push({ field: "birthDate", rounds: rounds.birthDate, emr: p.birthDate ?? "(none)" });
  if ((p.gender ?? "unknown") !== rounds.sex)
    out.push({ field: "sex", rounds: rounds.sex, emr: p.gender ?? "(none)" });
  return out;
}

/** The EMR's part of the view (the caller adds who, where and when). */
export function recordsView(
  r: EmrRecord,
  local: LabResult[],
  rounds?: RoundsDemographics,
): Pick<
  PatientRecords,
  "demographics" | "problems" | "allergies" | "medications" | "encounters" | "labResults"
> {
  const name = r.patient?.name?.[0];
  return {
    demographics: r.patient
      ? {
          name:
            name?.text ?? ([...(name?.given ?? []), name?.family].filter(Boolean).join(" ") || "(no name)"),
          birthDate: r.patient.birthDate ?? null,
          gender: r.patient.gender ?? null,
          mismatches: rounds ? mismatchesOf(r.patient, rounds) : [],
        }
      : null,
    problems: r.conditions
      .map((c) => ({
        id: c.id ?? "",
        name: textOf(c.code),
        status: codeOf(c.clinicalStatus),
        onset: c.onsetDateTime ?? c.onsetPeriod?.start ?? c.recordedDate ?? null,
      }))
      .sort(byNewest((c) => c.onset)),
    allergies: r.allergies.map((a) => ({
      id: a.id ?? "",
      substance: textOf(a.code),
      criticality: a.criticality ?? null,
      reactions: (a.reaction ?? []).flatMap((x) => x.manifestation.map(textOf)),
    })),
    medications: r.medications
      .map((m) => ({
        id: m.id ?? "",
        name: m.medicationCodeableConcept
          ? textOf(m.medicationCodeableConcept)
          : (m.medicationReference?.display ?? "(not named)"),
        status: m.status,
        dosage:
          m.resourceType === "MedicationRequest"
            ? (m.dosageInstruction?.[0]?.text ?? null)
            : (m.dosage?.[0]?.text ?? null),
        authoredOn:
          m.resourceType === "MedicationRequest" ? (m.authoredOn ?? null) : (m.dateAsserted ?? null),
      }))
      .sort(byNewest((m) => m.authoredOn)),
    encounters: r.encounters
      .map((e) => ({
        id: e.id ?? "",
        type: e.type?.[0] ? textOf(e.type[0]) : (e.class?.display ?? "Encounter"),
        class: e.class?.display ?? e.class?.code ?? null,
        status: e.status,
        start: e.period?.start ?? null,
        end: e.period?.end ?? null,
      }))
      .sort(byNewest((e) => e.start))
      .slice(0, 10),
    labResults: [...r.labs.map(labOf), ...local].sort(byNewest((l) => l.effective)),
  };
}
