/** What `createRounds` (src/server.ts) takes and gives: the running server's parts that the command line and the tests reach. */

import type { Billing } from "./integrations/billing/index.js";
import type { DicomRuntime } from "./integrations/dicom/index.js";
import type { EligibilityRuntime } from "./integrations/eligibility/index.js";
import type { LocalLabResults } from "./integrations/emr/index.js";
import type { Hl7Runtime } from "./integrations/hl7/index.js";
import type { PharmacyRuntime } from "./integrations/pharmacy/index.js";
import type { TelehealthProvider } from "./integrations/telehealth/index.js";
import type { TransportRuntime } from "./integrations/transport/index.js";
import type { AuditTrail } from "./platform/audit/index.js";
import type { Clock } from "./platform/clock.js";
import type { Config } from "./platform/config.js";
import type { Database } from "./platform/db.js";
import type { App } from "./platform/http.js";
import type { Policies } from "./platform/policy.js";
import type { Incidents } from "./services/analytics/incidents/index.js";
import type { Analytics, PricingService, Reports } from "./services/analytics/index.js";
import type { createQuality } from "./services/analytics/quality/index.js";
import type { Notifications } from "./services/notifications/index.js";
import type { Offers } from "./services/rescheduling/index.js";
import type { Waitlist } from "./services/waitlist/index.js";

export interface Rounds {
  app: App;
  database: Database;
  config: Config;
  /** The audit trail's key and checkpoints, as this process writes them. */
  audit: AuditTrail;
  /** The access policy over this server's scope facts. */
  policies: Policies;
  /** The waitlist's filler (tests run its passes directly). */
  waitlist: Waitlist;
  /** Reschedule offers (tests expire them directly). */
  offers: Offers;
  /** The no-show model's service and training job (tests run its passes directly). */
  analytics: Analytics;
  /** Satisfaction surveys and compliance monitoring (tests issue survey links and evaluate directly). */
  quality: ReturnType<typeof createQuality>;
  /** Incident response (tests run the detectors' round directly). */
  incidents: Incidents;
  /** HL7 v2: the SIU sender and the MLLP listener (tests drive the sender's rounds). */
  hl7: Hl7Runtime;
  /** The DICOM worklist (its port: undefined when ROUNDS_DICOM_PORT is unset). */
  dicom: DicomRuntime;
  reports: Reports;
  /** Demand-based copays (tests run the booked-price recorder's passes directly). */
  pricing: PricingService;
  /** Insurance eligibility: its operations and worker (tests drive the worker's rounds). */
  eligibility: EligibilityRuntime;
  /** Notifications and their worker (tests stop the worker to see readiness fail). */
  notifications: Notifications;
  /** Claims export (the command line's `rounds billing export` calls it). */
  billing: Billing;
  /** Prescriptions to the pharmacy network (tests reach its simulator and run the sender's passes). */
  pharmacy: PharmacyRuntime;
  /** Rides with the transport service (tests reach its simulator and run the sender's passes). */
  transport: TransportRuntime;
  /** The port `/metrics` is served on alone (ROUNDS_METRICS_PORT), once bound. */
  metricsPort: number | undefined;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Reuse an open database (tests share one per worker); otherwise one is opened from config. */
  database?: Database;
  /** Hooks run after migrations, before routes take traffic (demo data, first administrator). */
  onReady?: (database: Database, config: Config) => Promise<void>;
  /** The notification worker's clock (tests move it forward to make reminders due). */
  now?: () => Date;
  /** The clock the services' business rules read (today's date, expiries); the machine's by default. */
  clock?: Clock;
  /** Issues video visits' join links; the one the configuration names by default (tests plug in others). */
  telehealthProvider?: TelehealthProvider;
  /**
   * Lab results Rounds received itself (HL7 ORU^R01), merged into the physician's records view.
   * The HL7 listener's received results by default (tests plug in others).
   */
  localLabResults?: LocalLabResults;
}
