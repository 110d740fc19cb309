/**
 * The configuration of the FHIR partners Rounds sends orders to: the pharmacy network
 * (src/integrations/pharmacy) and the patient transport service (src/integrations/transport).
 * Each is a FHIR R4 base; unset, the built-in simulator on a loopback port stands in for it.
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
});

type PartnerEnv = z.infer<z.ZodObject<ReturnType<typeof partnerEnv>>>;

export function partnerConfig(e: PartnerEnv): { pharmacy: PartnerConfig; transport: TransportConfig } {
  return {
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
