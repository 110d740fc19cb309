/**
 * The configuration of the partners Rounds exchanges standards messages with: the FHIR partners it
 * sends orders to, the pharmacy network (src/integrations/pharmacy) and the patient transport
 * service (src/integrations/transport), each a FHIR R4 base (unset: the built-in simulator on a
 * loopback port stands in for it); the payer asked for eligibility (X12 270/271); the clearinghouse
 * that receives 837P claims; and the DICOM worklist's listener.
 */
import { z } from "zod";

/** A FHIR R4 partner Rounds sends orders to. */
export interface PartnerConfig {
  /** Its FHIR R4 base (ROUNDS_<PARTNER>_FHIR_URL); unset: the built-in simulator on a loopback port. */
  fhirUrl: string | undefined;
  /** The bearer token sent to it (ROUNDS_<PARTNER>_FHIR_TOKEN). */
  token: string | undefined;
  /** How long one request may take before it counts as failed (and is retried later). */
  timeoutMs: number;
  /** How often the status of an open order is asked for. */
  pollSeconds: number;
}

export interface TransportConfig extends PartnerConfig {
  /** Minutes the ride means to arrive before the appointment, on top of the travel time. */
  marginMinutes: number;
}

/** Who the 837P interchanges are from and to (README.md, "Billing"). */
export interface BillingConfig {
  /** ISA06/GS02 and the submitter's NM109 (ROUNDS_BILLING_SUBMITTER_ID). */
  submitterId: string;
  /** ISA08/GS03 and the receiver's NM109: the clearinghouse (ROUNDS_BILLING_RECEIVER_ID). */
  receiverId: string;
  /** ISA15: T test, P production (ROUNDS_BILLING_USAGE). */
  usage: "T" | "P";
}

/** The DICOM Modality Worklist (src/integrations/dicom). */
export interface DicomConfig {
  /** The port of the worklist's C-FIND (and MPPS) SCP (ROUNDS_DICOM_PORT); unset: off. */
  port: number | undefined;
  /** The network-wide AE title (ROUNDS_DICOM_AET); each location also answers to its own. */
  aeTitle: string;
}

/** Insurance eligibility (src/integrations/eligibility): where X12 270 inquiries are POSTed. */
export interface EligibilityConfig {
  /** The payer's real-time endpoint (ROUNDS_PAYER_URL); unset: the built-in payer simulator. */
  payerUrl: string | undefined;
  /** How long one inquiry may wait for its 271 before it is "not verified" and retried later. */
  timeoutMs: number;
}

type WholeNumber = (min: number, max: number) => z.ZodType<number, string>;

const fhirBase = (example: string, what: string) =>
  z
    .url({ protocol: /^https?$/, error: `must be an http(s) URL such as ${example}` })
    .max(500)
    .optional()
    .describe(`default: the built-in ${what} simulator`);

/** The variables (config.ts spreads them into its schema; `wholeNumber` is its number parser). */
export const partnerEnv = (wholeNumber: WholeNumber) => ({
  ROUNDS_PHARMACY_FHIR_URL: fhirBase("https://pharmacy.example.org/fhir/R4", "pharmacy network"),
  ROUNDS_PHARMACY_FHIR_TOKEN: z.string().min(1).max(4000).optional(),
  ROUNDS_PHARMACY_TIMEOUT_MS: wholeNumber(100, 60_000).default(5000),
  ROUNDS_PHARMACY_POLL_SECONDS: wholeNumber(0, 86_400).default(60),
  ROUNDS_TRANSPORT_FHIR_URL: fhirBase("https://transport.example.org/fhir/R4", "transport service"),
  ROUNDS_TRANSPORT_FHIR_TOKEN: z.string().min(1).max(4000).optional(),
  ROUNDS_TRANSPORT_TIMEOUT_MS: wholeNumber(100, 60_000).default(5000),
  ROUNDS_TRANSPORT_POLL_SECONDS: wholeNumber(0, 86_400).default(120),
  ROUNDS_TRANSPORT_MARGIN_MINUTES: wholeNumber(0, 240).default(15),
  ROUNDS_DICOM_PORT: wholeNumber(0, 65535).optional(),
  ROUNDS_DICOM_AET: z
    .string()
    .regex(/^[A-Z0-9_-]{1,16}$/, "must be 1 to 16 capital letters, digits, _ or - (a DICOM AE title)")
    .default("ROUNDS"),
  ROUNDS_PAYER_URL: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://payer.example.org/x12/270" })
    .max(500)
    .optional()
    .describe("default: the built-in payer simulator"),
  ROUNDS_PAYER_TIMEOUT_MS: wholeNumber(100, 60_000).default(5000),
  ROUNDS_BILLING_SUBMITTER_ID: z
    .string()
    .regex(/^[A-Z0-9]{2,15}$/, "must be 2-15 upper-case letters or digits")
    .default("ROUNDS"),
  ROUNDS_BILLING_RECEIVER_ID: z
    .string()
    .regex(/^[A-Z0-9]{2,15}$/, "must be 2-15 upper-case letters or digits")
    .default("CLEARINGHOUSE"),
  ROUNDS_BILLING_USAGE: z.enum(["T", "P"]).default("T"),
});

type PartnerEnv = z.infer<z.ZodObject<ReturnType<typeof partnerEnv>>>;

export function partnerConfig(e: PartnerEnv): {
  pharmacy: PartnerConfig;
  transport: TransportConfig;
  dicom: DicomConfig;
  eligibility: EligibilityConfig;
  billing: BillingConfig;
} {
  return {
    dicom: { port: e.ROUNDS_DICOM_PORT, aeTitle: e.ROUNDS_DICOM_AET },
    eligibility: { payerUrl: e.ROUNDS_PAYER_URL, timeoutMs: e.ROUNDS_PAYER_TIMEOUT_MS },
    billing: {
      submitterId: e.ROUNDS_BILLING_SUBMITTER_ID,
      receiverId: e.ROUNDS_BILLING_RECEIVER_ID,
      usage: e.ROUNDS_BILLING_USAGE,
    },
    pharmacy: {
      fhirUrl: e.ROUNDS_PHARMACY_FHIR_URL,
      token: e.ROUNDS_PHARMACY_FHIR_TOKEN,
      timeoutMs: e.ROUNDS_PHARMACY_TIMEOUT_MS,
      pollSeconds: e.ROUNDS_PHARMACY_POLL_SECONDS,
    },
    transport: {
      fhirUrl: e.ROUNDS_TRANSPORT_FHIR_URL,
      token: e.ROUNDS_TRANSPORT_FHIR_TOKEN,
      timeoutMs: e.ROUNDS_TRANSPORT_TIMEOUT_MS,
      pollSeconds: e.ROUNDS_TRANSPORT_POLL_SECONDS,
      marginMinutes: e.ROUNDS_TRANSPORT_MARGIN_MINUTES,
    },
  };
}
