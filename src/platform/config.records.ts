/**
 * The configuration of the exchange with the EMR: HL7 v2 over MLLP (SIU out, ADT and ORU in, plain
 * or over TLS) and the EMR's FHIR R4 base that patients' clinical records are read from.
 */
import { z } from "zod";

export interface Hl7Config {
  /** The EMR's MLLP endpoints that receive SIU messages (ROUNDS_HL7_TARGETS); none: nothing is sent. */
  targets: string[];
  /** The port of Rounds' own MLLP listener for ADT and ORU (ROUNDS_HL7_LISTEN_PORT); unset: off. */
  listenPort: number | undefined;
  /**
   * PEM files for MLLP over TLS. The listener: its certificate and key (ROUNDS_HL7_TLS_CERT/KEY),
   * and the CA its peers' client certificates must chain to (ROUNDS_HL7_TLS_CA; unset: none asked).
   * Outbound to tls:// targets: the CA pinned for the EMR's certificate (ROUNDS_HL7_TARGET_CA; unset:
   * the system's), and our client certificate (ROUNDS_HL7_CLIENT_CERT/KEY), if the EMR asks for one.
   */
  tls: {
    cert?: string | undefined;
    key?: string | undefined;
    ca?: string | undefined;
    targetCa?: string | undefined;
    clientCert?: string | undefined;
    clientKey?: string | undefined;
  };
}

/** Where patients' clinical records come from (src/integrations/emr). */
export interface EmrConfig {
  /** The EMR's FHIR R4 base (ROUNDS_EMR_FHIR_URL); unset: the built-in simulator on a loopback port. */
  fhirUrl: string | undefined;
  /** The bearer token sent to it (ROUNDS_EMR_FHIR_TOKEN). */
  token: string | undefined;
  /** How long one request to the EMR may take before the view answers 503. */
  timeoutMs: number;
}

type WholeNumber = (min: number, max: number) => z.ZodType<number, string>;

/** The variables (config.ts spreads them into its schema; `wholeNumber` is its number parser). */
export const recordsEnv = (wholeNumber: WholeNumber) => ({
  ROUNDS_HL7_TARGETS: z
    .string()
    .regex(
      /^\s*(tls:\/\/)?[A-Za-z0-9.-]{1,253}:\d{1,5}(\s*,\s*(tls:\/\/)?[A-Za-z0-9.-]{1,253}:\d{1,5})*\s*$/,
      "must be a comma-separated list of host:port or tls://host:port such as tls://emr.example.org:2575",
    )
    .transform((s) => [...new Set(s.split(",").map((t) => t.trim()))])
    .refine((ts) => ts.every((t) => Number(t.split(":").at(-1)) <= 65535), "each port must be at most 65535")
    .refine(
      (ts) => new Set(ts.map((t) => t.replace(/^tls:\/\//, ""))).size === ts.length,
      "must name each host:port once (with or without tls://)",
    )
    .optional(),
  ROUNDS_HL7_LISTEN_PORT: wholeNumber(0, 65535).optional(),
  ROUNDS_HL7_TLS_CERT: z
    .string()
    .min(1)
    .max(1000)
    .optional()
    .describe("PEM file: the listener's certificate"),
  ROUNDS_HL7_TLS_KEY: z.string().min(1).max(1000).optional().describe("PEM file: the listener's private key"),
  ROUNDS_HL7_TLS_CA: z
    .string()
    .min(1)
    .max(1000)
    .optional()
    .describe("PEM file: CA of peers' client certificates"),
  ROUNDS_HL7_TARGET_CA: z
    .string()
    .min(1)
    .max(1000)
    .optional()
    .describe("PEM file: CA pinned for tls:// targets"),
  ROUNDS_HL7_CLIENT_CERT: z.string().min(1).max(1000).optional().describe("PEM file: client certificate"),
  ROUNDS_HL7_CLIENT_KEY: z
    .string()
    .min(1)
    .max(1000)
    .optional()
    .describe("PEM file: client certificate's key"),
  ROUNDS_EMR_FHIR_URL: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://emr.example.org/fhir/R4" })
    .max(500)
    .optional()
    .describe("default: the built-in EMR simulator"),
  ROUNDS_EMR_FHIR_TOKEN: z.string().min(1).max(4000).optional(),
  ROUNDS_EMR_TIMEOUT_MS: wholeNumber(100, 60_000).default(5000),
});

type RecordsEnv = z.infer<z.ZodObject<ReturnType<typeof recordsEnv>>>;

export function recordsConfig(e: RecordsEnv): { hl7: Hl7Config; emr: EmrConfig } {
  return {
    hl7: {
      targets: e.ROUNDS_HL7_TARGETS ?? [],
      listenPort: e.ROUNDS_HL7_LISTEN_PORT,
      tls: {
        cert: e.ROUNDS_HL7_TLS_CERT,
        key: e.ROUNDS_HL7_TLS_KEY,
        ca: e.ROUNDS_HL7_TLS_CA,
        targetCa: e.ROUNDS_HL7_TARGET_CA,
        clientCert: e.ROUNDS_HL7_CLIENT_CERT,
        clientKey: e.ROUNDS_HL7_CLIENT_KEY,
      },
    },
    emr: {
      fhirUrl: e.ROUNDS_EMR_FHIR_URL,
      token: e.ROUNDS_EMR_FHIR_TOKEN,
      timeoutMs: e.ROUNDS_EMR_TIMEOUT_MS,
    },
  };
}
