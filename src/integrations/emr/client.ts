/**
 * The FHIR client that reads a patient's record from the EMR: @medplum/core's MedplumClient (a
 * maintained, typed client that runs server-side on Node's fetch), pointed at the configured base
 * with the configured bearer token, no cache and no retries (the physician is waiting; the view
 * says the EMR is unavailable instead). Each request has a deadline.
 */
import { MedplumClient, OperationOutcomeError } from "@medplum/core";
import type {
  AllergyIntolerance,
  Condition,
  Encounter,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Patient,
} from "@medplum/fhirtypes";
import { ProblemError } from "../../platform/errors.js";

/** Everything read from the EMR about one patient (Patient is undefined when it has none). */
export interface EmrRecord {
  patient: Patient | undefined;
  conditions: Condition[];
  allergies: AllergyIntolerance[];
  medications: Array<MedicationRequest | MedicationStatement>;
  encounters: Encounter[];
  labs: Observation[];
}

/** Rounds' patient as the EMR is asked about it: by MRN. */
export interface PatientRef {
  id: string;
  mrn: string;
}

export interface EmrClient {
  /** The record of the patient the EMR holds under this MRN (`Patient?identifier=system|mrn`), read by the EMR's id. */
  read(patient: PatientRef): Promise<EmrRecord>;
}

/** The identifier system of Rounds' MRNs, as the EMR and the simulator know it (ROUNDS_EMR_MRN_SYSTEM). */
export const DEFAULT_MRN_SYSTEM = "urn:rounds:mrn";
const EMPTY = { conditions: [], allergies: [], medications: [], encounters: [], labs: [] };
/** No record: what the view shows when the EMR was not asked (its region limit). */
export const NO_RECORD: EmrRecord = { patient: undefined, ...EMPTY };

/** The EMR could not be reached or did not answer in time: 503, retry later. */
export const emrUnavailable = () =>
  new ProblemError(503, "emr_unavailable", "The EMR is not answering; try again in a moment");
/** The EMR answered with an error or with something that is not FHIR: 502. */
export const emrFailed = (what: string) =>
  new ProblemError(502, "emr_error", `The EMR could not give the record (${what})`);

class EmrDown extends Error {}
/** No retries: the physician is waiting. */
const ONCE = { maxRetries: 0 };

export function createEmrClient(opts: {
  baseUrl: string;
  token?: string | undefined;
  timeoutMs: number;
  mrnSystem?: string | undefined;
}): EmrClient {
  // a fetch with a deadline whose network failures are told apart from the EMR's own errors
  const timedFetch = async (url: string, init?: RequestInit): Promise<Response> => {
    try {
      const res = await fetch(url, {
        ...init,
        signal: AbortSignal.timeout(opts.timeoutMs),
        redirect: "error",
      });
      if (res.status === 502 || res.status === 503 || res.status === 504)
        throw new EmrDown(String(res.status));
      return res;
    } catch (err) {
      throw err instanceof EmrDown ? err : new EmrDown(err instanceof Error ? err.message : "fetch failed");
    }
  };
  const client = new MedplumClient({
    baseUrl: opts.baseUrl.endsWith("/") ? opts.baseUrl : `${opts.baseUrl}/`,
    fhirUrlPath: "",
    cacheTime: 0,
    fetch: timedFetch,
    onUnauthenticated: () => undefined,
  });
  if (opts.token) client.setAccessToken(opts.token);
  const search = async <T>(type: string, query: Record<string, string>): Promise<T[]> =>
    (await client.searchResources(type as "Condition", { ...query, _count: "50" }, ONCE)) as unknown as T[];

  return {
    async read(ref) {
      try {
        const matches = await search<Patient>("Patient", {
          identifier: `${opts.mrnSystem ?? DEFAULT_MRN_SYSTEM}|${ref.mrn}`,
        });
        if (matches.length > 1) throw emrFailed("several EMR patients have this MRN");
        const found = matches[0];
        if (!found?.id) return { patient: undefined, ...EMPTY };
        const patient = encodeURIComponent(found.id);
        const [conditions, allergies, requests, statements, encounters, labs] = await Promise.all([
          search<Condition>("Condition", { patient }),
          search<AllergyIntolerance>("AllergyIntolerance", { patient }),
          search<MedicationRequest>("MedicationRequest", { patient }),
          search<MedicationStatement>("MedicationStatement", { patient }).catch(() => []),
          search<Encounter>("Encounter", { patient, _sort: "-date" }),
          search<Observation>("Observation", { patient, category: "laboratory", _sort: "-date" }),
        ]);
        return {
          patient: found,
          conditions,
          allergies,
          medications: [...requests, ...statements],
          encounters,
          labs,
        };
      } catch (err) {
        if (err instanceof ProblemError) throw err;
        if (err instanceof EmrDown || (err instanceof Error && err.cause instanceof EmrDown))
          throw emrUnavailable();
        if (err instanceof OperationOutcomeError)
          throw emrFailed(
            err.outcome.issue?.[0]?.diagnostics?.slice(0, 200) ?? err.outcome.issue?.[0]?.code ?? "error",
          );
        throw emrFailed("not a FHIR answer");
      }
    },
  };
}
