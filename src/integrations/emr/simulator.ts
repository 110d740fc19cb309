/**
 * The built-in EMR simulator (ROUNDS_EMR_FHIR_URL unset): a small FHIR R4 server on its own
 * loopback port, over real HTTP, serving Patient (searched by MRN identifier, read by its own id),
 * Condition, AllergyIntolerance, MedicationRequest, Encounter and laboratory Observation. Its
 * patients are seeded from Rounds' own: the first time it is asked about an MRN it copies that
 * patient's demographics (and keeps them: a later change in Rounds shows as a mismatch, as with a
 * real EMR), under an EMR id of its own. The clinical content is generated deterministically from
 * that id (dates count back from the day asked), so the demo and the tests need no EMR.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  AllergyIntolerance,
  Bundle,
  Condition,
  Encounter,
  MedicationRequest,
  Observation,
  OperationOutcome,
  Patient,
  Resource,
} from "@medplum/fhirtypes";

const SNOMED = "http://snomed.info/sct";
const LOINC = "http://loinc.org";
const RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";
const UCUM = "http://unitsofmeasure.org";
const TERMINOLOGY = "http://terminology.hl7.org/CodeSystem";
/** The identifier system of the simulator's own patient ids. */
export const SIMULATOR_PATIENT_SYSTEM = "urn:rounds:emr-simulator";

/** A Rounds patient as the simulator copies it. */
export interface SeedPatient {
  mrn: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  sex: "female" | "male" | "other" | "unknown";
}

/** The simulator's id for the patient with this MRN (stable, and not Rounds' id). */
export const simulatedIdOf = (mrn: string) =>
  `emr-${createHash("sha256").update(mrn).digest("hex").slice(0, 16)}`;

const PROBLEMS = [
  ["38341003", "Hypertensive disorder"],
  ["44054006", "Diabetes mellitus type 2"],
  ["195967001", "Asthma"],
  ["55822004", "Hyperlipidemia"],
  ["35489007", "Depressive disorder"],
  ["69896004", "Rheumatoid arthritis"],
  ["40055000", "Chronic sinusitis"],
  ["49436004", "Atrial fibrillation"],
] as const;
const ALLERGENS = [
  ["764146007", "Penicillin", "Hives", "high"],
  ["91935009", "Peanut", "Anaphylaxis", "high"],
  ["111088007", "Latex", "Contact dermatitis", "low"],
  ["256349002", "Tree pollen", "Rhinitis", "low"],
  ["387207008", "Ibuprofen", "Wheezing", "low"],
] as const;
const MEDICATIONS = [
  ["314076", "Lisinopril 10 MG Oral Tablet", "One tablet by mouth daily"],
  ["860975", "Metformin 500 MG Oral Tablet", "One tablet by mouth twice daily with meals"],
  ["617312", "Atorvastatin 20 MG Oral Tablet", "One tablet by mouth at bedtime"],
  ["745679", "Albuterol 0.09 MG/ACTUAT Inhaler", "Two puffs every 4 to 6 hours as needed"],
  ["855332", "Warfarin 5 MG Oral Tablet", "One tablet by mouth daily, as directed by INR"],
  ["310798", "Hydrochlorothiazide 25 MG Oral Tablet", "One tablet by mouth each morning"],
] as const;
const ENCOUNTER_TYPES = [
  ["185349003", "Encounter for check up"],
  ["390906007", "Follow-up encounter"],
  ["50849002", "Emergency room admission"],
  ["185345009", "Encounter for symptom"],
] as const;
/** LOINC code, name, unit, low, high, decimals. */
const LABS = [
  ["2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", 70, 99, 0],
  ["4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 4, 5.6, 1],
  ["718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 12, 17.5, 1],
  ["2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 125, 200, 0],
  ["2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.6, 1.3, 2],
  ["2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", 3.5, 5.1, 1],
  ["6301-6", "INR in Platelet poor plasma by Coagulation assay", "{INR}", 0.8, 1.2, 1],
] as const;
const GIVEN = ["Alex", "Sam", "Jordan", "Maria", "Wei", "Amara", "Noor", "Luca"];
const FAMILY = ["Rivera", "Chen", "Okafor", "Novak", "Haddad", "Silva", "Kowalski", "Tanaka"];

/** A deterministic stream of small numbers from the patient id. */
function dice(seed: string) {
  let block = createHash("sha256").update(seed).digest();
  let at = 0;
  return (n: number): number => {
    if (at >= block.length) {
      block = createHash("sha256").update(block).digest();
      at = 0;
    }
    return block[at++]! % n;
  };
}

const day = (today: Date, daysBack: number) =>
  new Date(today.getTime() - daysBack * 86_400_000).toISOString().slice(0, 10);
const coded = (system: string, code: string, display: string) => ({
  coding: [{ system, code, display }],
  text: display,
});
const status = (system: string, code: string) => ({ coding: [{ system: `${TERMINOLOGY}/${system}`, code }] });

/**
 * Everything the simulated EMR holds about one patient, as of `today`; with `seed`, the Patient
 * carries Rounds' demographics and MRN (else made up from the id).
 */
export function simulatedRecord(
  patientId: string,
  today: Date,
  seed?: SeedPatient,
  mrnSystem = "urn:rounds:mrn",
): Resource[] {
  const roll = dice(patientId);
  const subject = { reference: `Patient/${patientId}` };
  const pick = <T>(list: readonly T[], count: number): T[] => {
    const left = [...list];
    const out: T[] = [];
    for (let i = 0; i < count && left.length; i++) out.push(left.splice(roll(left.length), 1)[0]!);
    return out;
  };
  const made = {
    family: FAMILY[roll(FAMILY.length)]!,
    given: GIVEN[roll(GIVEN.length)]!,
    gender: roll(2) ? ("female" as const) : ("male" as const),
    birthDate: `${1940 + roll(60)}-${String(1 + roll(12)).padStart(2, "0")}-${String(1 + roll(28)).padStart(2, "0")}`,
  };
  const patient: Patient = {
    resourceType: "Patient",
    id: patientId,
    identifier: [
      { system: SIMULATOR_PATIENT_SYSTEM, value: patientId },
      ...(seed ? [{ type: { text: "MRN" }, system: mrnSystem, value: seed.mrn }] : []),
    ],
    name: [
      {
        use: "official",
        family: seed?.familyName ?? made.family,
        given: [seed?.givenName ?? made.given],
      },
    ],
    gender: seed?.sex ?? made.gender,
    birthDate: seed?.birthDate ?? made.birthDate,
  };
  const conditions = pick(PROBLEMS, 1 + roll(3)).map(
    ([code, display], i): Condition => ({
      resourceType: "Condition",
      id: `${patientId}-c${i}`,
      clinicalStatus: status("condition-clinical", "active"),
      verificationStatus: status("condition-ver-status", "confirmed"),
      category: [status("condition-category", "problem-list-item")],
      code: coded(SNOMED, code, display),
      subject,
      onsetDateTime: day(today, 200 + roll(3000)),
    }),
  );
  const allergies = pick(ALLERGENS, roll(3)).map(
    ([code, display, reaction, criticality], i): AllergyIntolerance => ({
      resourceType: "AllergyIntolerance",
      id: `${patientId}-a${i}`,
      clinicalStatus: status("allergyintolerance-clinical", "active"),
      verificationStatus: status("allergyintolerance-verification", "confirmed"),
      criticality,
      code: coded(SNOMED, code, display),
      patient: subject,
      reaction: [{ manifestation: [{ text: reaction }] }],
    }),
  );
  const medications = pick(MEDICATIONS, 1 + roll(3)).map(
    ([code, display, dosage], i): MedicationRequest => ({
      resourceType: "MedicationRequest",
      id: `${patientId}-m${i}`,
      status: "active",
      intent: "order",
      medicationCodeableConcept: coded(RXNORM, code, display),
      subject,
      authoredOn: day(today, 10 + roll(400)),
      dosageInstruction: [{ text: dosage }],
    }),
  );
  const encounters = Array.from({ length: 2 + roll(3) }, (_, i): Encounter => {
    const [code, display] = ENCOUNTER_TYPES[roll(ENCOUNTER_TYPES.length)]!;
    const start = day(today, 7 + i * 60 + roll(50));
    return {
      resourceType: "Encounter",
      id: `${patientId}-e${i}`,
      status: "finished",
      class: {
        system: "http://terminology.hl7.org/CodeSystem/v3-ActCode",
        code: code === "50849002" ? "EMER" : "AMB",
        display: code === "50849002" ? "emergency" : "ambulatory",
      },
      type: [coded(SNOMED, code, display)],
      subject,
      period: { start: `${start}T14:00:00Z`, end: `${start}T14:40:00Z` },
    };
  });
  const observations = pick(LABS, 3 + roll(3)).flatMap(([code, display, unit, low, high, decimals], i) =>
    [0, 1].map((n): Observation => {
      const span = high - low;
      const value = Number((low - span * 0.2 + (span * 1.4 * roll(101)) / 100).toFixed(decimals));
      const flag = value < low ? "L" : value > high ? "H" : "N";
      return {
        resourceType: "Observation",
        id: `${patientId}-o${i}-${n}`,
        status: "final",
        category: [
          {
            coding: [
              { system: `${TERMINOLOGY}/observation-category`, code: "laboratory", display: "Laboratory" },
            ],
          },
        ],
        code: coded(LOINC, code, display),
        subject,
        effectiveDateTime: `${day(today, 3 + n * 90 + roll(20))}T09:30:00Z`,
        valueQuantity: { value, unit, system: UCUM, code: unit },
        referenceRange: [
          {
            low: { value: low, unit, system: UCUM, code: unit },
            high: { value: high, unit, system: UCUM, code: unit },
          },
        ],
        interpretation: [status("v3-ObservationInterpretation", flag)],
      };
    }),
  );
  return [patient, ...conditions, ...allergies, ...medications, ...encounters, ...observations];
}

function outcome(code: OperationOutcome["issue"][number]["code"], text: string): OperationOutcome {
  return { resourceType: "OperationOutcome", issue: [{ severity: "error", code, diagnostics: text }] };
}

/** A searchset of `resources`, newest first when they carry a date. */
function searchset(resources: Resource[]): Bundle {
  return {
    resourceType: "Bundle",
    type: "searchset",
    total: resources.length,
    entry: resources.map((resource) => ({ fullUrl: `${resource.resourceType}/${resource.id}`, resource })),
  };
}

const SEARCHABLE = new Set([
  "Condition",
  "AllergyIntolerance",
  "MedicationRequest",
  "MedicationStatement",
  "Encounter",
  "Observation",
]);
const SAFE_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export interface EmrSimulator {
  /** The simulator's FHIR base, `http://127.0.0.1:<port>/fhir/R4`. */
  url: string;
  /** The bearer token it expects (generated per start). */
  token: string;
  /** Stops answering: the next requests fail as if the EMR were down (tests). */
  close(): Promise<void>;
}

export interface SimulatorOptions {
  now?: () => Date;
  /** Rounds' patient with this MRN, copied the first time the simulator is asked about it. */
  patientByMrn?: (mrn: string) => Promise<SeedPatient | undefined>;
  mrnSystem?: string;
}

/** Starts the simulator on a free loopback port. */
export async function startEmrSimulator(options: SimulatorOptions = {}): Promise<EmrSimulator> {
  const now = options.now ?? (() => new Date());
  const mrnSystem = options.mrnSystem ?? "urn:rounds:mrn";
  const token = randomBytes(24).toString("base64url");
  // the EMR's copy of each patient it has been asked about, by its id
  const seeded = new Map<string, SeedPatient>();
  const byMrn = async (mrn: string): Promise<string | undefined> => {
    const id = simulatedIdOf(mrn);
    if (seeded.has(id)) return id;
    const found = await options.patientByMrn?.(mrn);
    if (!found) return undefined;
    seeded.set(id, { ...found });
    return id;
  };
  const patientResource = (id: string) => simulatedRecord(id, now(), seeded.get(id), mrnSystem)[0]!;
  const send = (res: ServerResponse, code: number, body: Resource) => {
    res.writeHead(code, { "content-type": "application/fhir+json; charset=utf-8" });
    res.end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== `Bearer ${token}`)
      return send(res, 401, outcome("login", "a bearer token is required"));
    if (req.method !== "GET") return send(res, 405, outcome("not-supported", "read-only"));
    const url = new URL(req.url ?? "/", "http://emr.invalid");
    const path = url.pathname.replace(/^\/fhir\/R4\/?/, "").split("/");
    const type = path[0] ?? "";
    if (type === "Patient" && path.length === 2) {
      const id = decodeURIComponent(path[1]!);
      if (!seeded.has(id)) return send(res, 404, outcome("not-found", "no such patient"));
      return send(res, 200, patientResource(id));
    }
    if (type === "Patient" && path.length === 1) {
      const [system, value] = (url.searchParams.get("identifier") ?? "").split("|");
      if (system !== mrnSystem || !value)
        return send(res, 400, outcome("required", "search by MRN identifier"));
      const id = await byMrn(value);
      return send(res, 200, searchset(id ? [patientResource(id)] : []));
    }
    if (path.length !== 1 || !SEARCHABLE.has(type))
      return send(res, 404, outcome("not-supported", `${url.pathname} is not served`));
    const patient = (url.searchParams.get("patient") ?? url.searchParams.get("subject") ?? "").replace(
      /^Patient\//,
      "",
    );
    if (!SAFE_ID.test(patient)) return send(res, 400, outcome("required", "search by patient"));
    if (!seeded.has(patient)) return send(res, 200, searchset([]));
    const category = url.searchParams.get("category");
    const count = Math.min(200, Number(url.searchParams.get("_count") ?? 50) || 50);
    const found = simulatedRecord(patient, now(), seeded.get(patient), mrnSystem).filter(
      (r) =>
        r.resourceType === type &&
        (!category ||
          (r.resourceType === "Observation" &&
            r.category?.some((c) => c.coding?.some((k) => category.endsWith(k.code ?? "\u0000"))))),
    );
    return send(res, 200, searchset(found.slice(0, count)));
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, outcome("exception", "simulator error")));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/fhir/R4`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
