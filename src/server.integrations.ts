/**
 * The composition root's standards part (src/server.ts): the FHIR R4 endpoint with its system
 * clients, and the records view from the EMR (the configured FHIR base, or the built-in simulator)
 * with the lab results the HL7 listener received, and insurance eligibility (the configured payer,
 * or the built-in payer simulator).
 */

import { billingRoutes, createBilling } from "./integrations/billing/index.js";
import { createDicomRuntime, dicomRoutes } from "./integrations/dicom/index.js";
import { createEligibilityRuntime, eligibilityRoutes } from "./integrations/eligibility/index.js";
import {
  createEmrClient,
  createRecords,
  type LocalLabResults,
  recordsRoutes,
  seedPatients,
  startEmrSimulator,
} from "./integrations/emr/index.js";
import {
  createFhirClients,
  createSlotIds,
  type FhirDeps,
  fhirClientRoutes,
  fhirRoutes,
} from "./integrations/fhir/index.js";
import type { Hl7Runtime } from "./integrations/hl7/index.js";
import { createPharmacyRuntime, pharmacyRoutes } from "./integrations/pharmacy/index.js";
import { createTransportRuntime, transportRoutes } from "./integrations/transport/index.js";
import type { Config } from "./platform/config.js";
import type { Database } from "./platform/db.js";
import type { App } from "./platform/http.js";
import type { ServiceDeps } from "./platform/module.js";
import { applyPlacement, createResidency, residencyRoutes } from "./platform/residency/index.js";
import { reportsRepository } from "./services/analytics/reports/repository.js";
import type { Physicians } from "./services/physicians/index.js";

export interface IntegrationParts extends ServiceDeps {
  /** What the residency report says of the database (embedded or a server). */
  database: Pick<Database, "kind" | "embeddedDir">;
  app: App;
  config: Config;
  optionKey: Buffer;
  hl7: Hl7Runtime;
  fhir: Omit<FhirDeps, "clients" | "slotIds" | "clock" | "publicUrl">;
  physicians: Physicians;
  /** Tests plug in their own; by default what the HL7 listener received. */
  localLabResults?: LocalLabResults | undefined;
  /** The eligibility worker's clock (tests move it); the service clock's by default. */
  now?: (() => Date) | undefined;
  log: App["log"];
}

/**
 * Wires the FHIR endpoint, the records view, eligibility, billing, the DICOM worklist (its server
 * started when ROUNDS_DICOM_PORT is set), and the pharmacy network and transport service (the
 * configured FHIR bases, or the built-in simulators); returns their runtimes, how to start the
 * partners' background senders (`subscribe` wakes them on every committed schedule change), and
 * what must be closed with the server.
 */
export async function wireIntegrations(parts: IntegrationParts) {
  const { app, config, db, clock, policies, hl7 } = parts;
  const regions = config.residency.partnerRegions;
  // each region's partitions where ROUNDS_RESIDENCY_TABLESPACES says, before any sender starts
  const placed = await applyPlacement({ db, kind: parts.database.kind }, config.residency.tablespaces);
  for (const m of placed.missing)
    app.log.warn(m, "data residency: this tablespace does not exist; the region's data stays where it is");
  if (placed.moved.length) app.log.info({ moved: placed.moved }, "data residency: partitions placed");
  // where each location's data lives, from the catalogue
  residencyRoutes(app, createResidency({ db, clock, policies, database: parts.database }));
  const clients = createFhirClients({
    db,
    clock,
    locations: parts.fhir.locations,
    mutualTls: config.operations.tls?.clientCaFile !== undefined,
  });
  fhirClientRoutes(app, clients);
  fhirRoutes(app, {
    ...parts.fhir,
    clients,
    clock,
    publicUrl: config.notifications.publicUrl,
    slotIds: createSlotIds(parts.optionKey),
  });

  // records from the EMR: the configured FHIR base, or the built-in simulator on a loopback port;
  // the simulator's patients are copied from Rounds' own (by MRN) the first time it is asked
  const simulator = config.emr.fhirUrl
    ? undefined
    : await startEmrSimulator({ now: () => clock.now(), patientByMrn: seedPatients(db) });
  const records = createRecords({
    db,
    clock,
    policies,
    physicians: parts.physicians,
    emr: createEmrClient({
      baseUrl: config.emr.fhirUrl ?? simulator!.url,
      token: simulator?.token ?? config.emr.token,
      timeoutMs: config.emr.timeoutMs,
    }),
    source: simulator ? "simulator" : "emr",
    regions: regions.emr,
    // lab results received over HL7 (ORU^R01) are shown beside the EMR's
    localLabResults:
      parts.localLabResults ??
      (async (ex, patientId) =>
        (await hl7.service.receivedFor(ex, patientId)).map((r) => ({
          id: r.id,
          code: r.code,
          name: r.name ?? r.code,
          value: [r.value ?? "", r.units ?? ""].join(" ").trim(),
          referenceRange: r.referenceRange,
          flag: labFlag(r.abnormalFlag),
          effective: r.observedAt,
          status: r.resultStatus ?? "final",
          source: "local" as const,
        }))),
  });
  recordsRoutes(app, records);

  // billing: charges priced from analytics' fee schedule (a sibling module, so passed in here)
  const billing = createBilling({
    db,
    clock,
    policies,
    config: config.billing,
    fees: (ex, locationIds) => reportsRepository.fees(ex, locationIds),
    contactEmail: /<([^>]+)>/.exec(config.notifications.mailFrom)?.[1] ?? config.notifications.mailFrom,
  });
  billingRoutes(app, billing);
  const dicom = createDicomRuntime({
    db,
    clock,
    policies,
    config: config.dicom,
    appointments: parts.fhir.scheduling.appointments,
    log: app.log,
  });
  dicomRoutes(app, dicom.service);
  await dicom.start();
  // eligibility: 270s to ROUNDS_PAYER_URL, or to the built-in payer simulator on a loopback port
  const eligibility = await createEligibilityRuntime({
    db,
    clock,
    policies,
    config: config.eligibility,
    regions: regions.payer,
    log: app.log,
    ...(parts.now ? { now: parts.now } : {}),
  });
  eligibilityRoutes(app, eligibility.service);
  // prescriptions and rides: stored with the visit or booking, sent by background passes
  const pharmacy = await createPharmacyRuntime({
    db,
    clock,
    policies,
    config: config.pharmacy,
    regions: regions.pharmacy,
    log: parts.log,
  });
  const transport = await createTransportRuntime({
    db,
    clock,
    policies,
    config: config.transport,
    regions: regions.transport,
    log: parts.log,
  });
  pharmacyRoutes(app, pharmacy.service);
  transportRoutes(app, transport.operations);
  return {
    runtimes: { dicom, eligibility, billing, pharmacy, transport },
    async startSenders(subscribe: (wake: () => void) => Promise<unknown>): Promise<void> {
      // bookings are checked with the payer as their events arrive (retries on the worker's own timer)
      await eligibility.worker.start();
      await subscribe(() => eligibility.worker.wake());
      pharmacy.loop.start();
      transport.loop.start();
      // cancelled and moved appointments reach their rides as the events commit
      await subscribe(() => transport.loop.wake());
    },
    async close(): Promise<void> {
      await dicom.stop();
      await eligibility.stop();
      await pharmacy.stop();
      await transport.stop();
      await simulator?.close();
    },
  };
}

/** An HL7 v2 abnormal flag (OBX-8) as the records view shows it. */
function labFlag(flag: string | null): "low" | "normal" | "high" | "abnormal" | null {
  if (!flag) return null;
  const f = flag.toUpperCase();
  if (f === "N") return "normal";
  if (f.startsWith("L")) return "low";
  if (f.startsWith("H")) return "high";
  return "abnormal";
}
