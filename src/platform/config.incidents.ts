/**
 * Incident response's settings (README.md, "Operating Rounds: incidents"): the detectors'
 * thresholds, when an account is locked, extra security contacts. Part of `config.ts`'s schema.
 */
import { z } from "zod";

const whole = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,9}$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface IncidentsConfig {
  /** Minutes of audit trail each round looks back over (refusals, sign-ins, mass reads). */
  windowMinutes: number;
  /** Refused accesses by one account, or from one address, in the window. */
  refusals: number;
  /** Distinct accounts failing to sign in from one address in the window (password spraying). */
  sprayAccounts: number;
  /** Failed sign-ins on one account in the window. */
  accountFailures: number;
  /** Distinct patients whose records one account read or exported in the window. */
  massReadPatients: number;
  /** Break-the-glass grants by one user in one day. */
  breakGlassPerDay: number;
  /** Incidents of this severity or above lock the account involved; undefined: never. */
  lockSeverity: Severity | undefined;
  /** Email addresses told of every new incident besides the officers and administrators. */
  contacts: string[];
  /** How often the worker round runs. */
  checkSeconds: number;
}

export const incidentEnv = {
  ROUNDS_INCIDENT_WINDOW_MINUTES: whole(1, 1440).default(15),
  ROUNDS_INCIDENT_REFUSALS: whole(2, 1_000_000).default(20),
  ROUNDS_INCIDENT_SPRAY_ACCOUNTS: whole(2, 1_000_000).default(10),
  ROUNDS_INCIDENT_ACCOUNT_FAILURES: whole(2, 1_000_000).default(10),
  ROUNDS_INCIDENT_MASS_READ_PATIENTS: whole(2, 1_000_000).default(500),
  ROUNDS_INCIDENT_BREAK_GLASS_PER_DAY: whole(1, 1000).default(3),
  ROUNDS_INCIDENT_LOCK_SEVERITY: z
    .enum([...SEVERITIES, "never"], { error: "must be low, medium, high, critical or never" })
    .default("high"),
  ROUNDS_INCIDENT_CONTACTS: z
    .string()
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.email({ error: "must be email addresses separated by commas" })).max(50))
    .optional(),
  ROUNDS_INCIDENT_CHECK_SECONDS: whole(5, 86_400).default(60),
};

type IncidentEnv = z.output<z.ZodObject<typeof incidentEnv>>;

export const toIncidentsConfig = (e: IncidentEnv): IncidentsConfig => ({
  windowMinutes: e.ROUNDS_INCIDENT_WINDOW_MINUTES,
  refusals: e.ROUNDS_INCIDENT_REFUSALS,
  sprayAccounts: e.ROUNDS_INCIDENT_SPRAY_ACCOUNTS,
  accountFailures: e.ROUNDS_INCIDENT_ACCOUNT_FAILURES,
  massReadPatients: e.ROUNDS_INCIDENT_MASS_READ_PATIENTS,
  breakGlassPerDay: e.ROUNDS_INCIDENT_BREAK_GLASS_PER_DAY,
  lockSeverity: e.ROUNDS_INCIDENT_LOCK_SEVERITY === "never" ? undefined : e.ROUNDS_INCIDENT_LOCK_SEVERITY,
  contacts: e.ROUNDS_INCIDENT_CONTACTS ?? [],
  checkSeconds: e.ROUNDS_INCIDENT_CHECK_SECONDS,
});
