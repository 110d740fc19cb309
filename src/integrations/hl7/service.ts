/**
 * The HL7 adapter's operations: what administrators see of the outbound messages (and resend),
 * the lab results a physician sees with a patient's record, and the handling of each inbound
 * message, which acts through the patients service as the "HL7 interface": a system actor of its
 * own role ("interface", with its own rules in the policy table: find any patient by MRN, update
 * demographics and identity, merge), audited under its own user id and the message control id.
 */
import type { Hl7Message } from "@medplum/core";
import type { FastifyBaseLogger } from "fastify";
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Executor } from "../../platform/db.js";
import { ProblemError, problems } from "../../platform/errors.js";
import { auditContextOf } from "../../platform/identity/index.js";
import type { ServiceDeps } from "../../platform/module.js";
import { patient as patientTarget } from "../../platform/policy.js";
import type { Page } from "../../platform/schemas.js";
import type { Patient, Patients } from "../../services/patients/index.js";
import { acknowledgementsFor, type InboundOutcome } from "./acks.js";
import {
  type Demographics,
  type InboundCommand,
  InboundRejection,
  messageTypeOf,
  readInbound,
} from "./inbound.js";
import { type LabResultRow, type MessageRow, hl7Repository as repo } from "./repository.js";
import type { LabResult, MessageQuery, OutboundMessage } from "./schema.js";

/** The user id the HL7 interface's changes are audited under (no sign-in has it). */
export const HL7_INTERFACE_USER = "00000000-0000-4000-8000-0000000000a7";

export function interfaceActor(controlId: string, peer: string): Actor {
  return {
    userId: HL7_INTERFACE_USER,
    role: "interface",
    email: "hl7-interface@rounds.invalid",
    displayName: "HL7 interface",
    sessionId: "",
    patientId: null,
    patientIds: [],
    physicianId: null,
    locationIds: [],
    departmentIds: [],
    specialties: [],
    clientAddress: peer,
    requestId: `hl7:${controlId}`.slice(0, 200),
  };
}

const toMessage = (r: MessageRow): OutboundMessage => ({
  id: r.id,
  target: r.target,
  trigger: r.trigger,
  appointmentId: r.appointment_id,
  controlId: r.control_id,
  status: r.status,
  attempts: r.attempts,
  ackCode: r.ack_code,
  lastError: r.last_error,
  createdAt: r.created_at.toISOString(),
  lastSentAt: r.last_sent_at?.toISOString() ?? null,
  acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
  nextAttemptAt: r.status === "pending" ? r.next_attempt_at.toISOString() : null,
  body: r.body,
});

const toLabResult = (r: LabResultRow): LabResult => ({
  id: r.id,
  orderCode: r.order_code,
  orderName: r.order_name,
  code: r.code,
  name: r.name,
  value: r.value,
  units: r.units,
  referenceRange: r.reference_range,
  abnormalFlag: r.abnormal_flag,
  resultStatus: r.result_status,
  observedAt: r.observed_at?.toISOString() ?? null,
  receivedAt: r.received_at.toISOString(),
});

export interface Hl7Deps extends ServiceDeps {
  patients: Patients;
  log: FastifyBaseLogger;
}

/** Where a patient field the patients service refused came from in the message. */
const HL7_FIELD: Record<string, string> = {
  "body.mrn": "PID-3",
  "body.givenName": "PID-5",
  "body.familyName": "PID-5",
  "body.birthDate": "PID-7",
  "body.sex": "PID-8",
  "body.phone": "PID-13",
  "body.mergedId": "MRG-1",
  "body.survivorId": "PID-3",
};

export function createHl7({ db, clock, policies, patients, log }: Hl7Deps) {
  const inTransaction = <T>(work: (tx: Executor) => Promise<T>): Promise<T> => db.transaction().execute(work);

  async function byMrn(actor: Actor, mrn: string): Promise<Patient | undefined> {
    const page = await patients.search(actor, { mrn, limit: 1, offset: 0 });
    return page.items[0];
  }
  const unknown = (mrn: string, where = "PID-3") =>
    new InboundRejection("AE", `${where}: no patient has MRN ${mrn}`);
  const demographicsPatch = (p: Demographics) => ({
    givenName: p.givenName,
    familyName: p.familyName,
    birthDate: p.birthDate,
    sex: p.sex,
    ...(p.phone ? { phone: p.phone } : {}),
  });

  async function apply(actor: Actor, cmd: InboundCommand, controlId: string): Promise<void> {
    switch (cmd.kind) {
      case "register": {
        // the EMR registers a patient we already know (by MRN): their details are brought in step
        const known = await byMrn(actor, cmd.patient.mrn);
        if (known) {
          await patients.update(actor, known.id, demographicsPatch(cmd.patient));
          return;
        }
        await patients.create(actor, {
          ...demographicsPatch(cmd.patient),
          mrn: cmd.patient.mrn,
          email: null,
          phone: cmd.patient.phone,
          address: null,
          preferredLocationIds: [],
          preferredLanguage: "en",
          accessibilityNeeds: [],
          insurance: null,
          active: true,
        });
        return;
      }
      case "update": {
        const known = await byMrn(actor, cmd.patient.mrn);
        if (!known) throw unknown(cmd.patient.mrn);
        await patients.update(actor, known.id, demographicsPatch(cmd.patient));
        return;
      }
      case "merge": {
        const [survivor, merged] = await Promise.all([
          byMrn(actor, cmd.survivor.mrn),
          byMrn(actor, cmd.mergedMrn),
        ]);
        if (!survivor) throw unknown(cmd.survivor.mrn);
        if (!merged) throw unknown(cmd.mergedMrn, "MRG-1");
        await patients.merge(actor, survivor.id, merged.id);
        return;
      }
      case "lab_results": {
        const known = await byMrn(actor, cmd.mrn);
        if (!known) throw unknown(cmd.mrn);
        await inTransaction(async (tx) => {
          const stored = await repo.insertLabResults(
            tx,
            cmd.observations.map((o) => ({
              patient_id: known.id,
              control_id: controlId,
              set_id: o.setId,
              order_code: cmd.order.code,
              order_name: cmd.order.name,
              code: o.code,
              name: o.name,
              value: o.value,
              units: o.units,
              reference_range: o.referenceRange,
              abnormal_flag: o.abnormalFlag,
              result_status: o.resultStatus,
              observed_at: o.observedAt,
            })),
          );
          await auditService.record(tx, auditContextOf(actor), {
            action: "patient.lab_results.received",
            resourceType: "patient",
            resourceId: known.id,
            patientId: known.id,
            detail: { controlId, observations: cmd.observations.length, stored },
          });
        });
        return;
      }
    }
  }

  return {
    /** Outbound messages, newest first (route admission: administrators). */
    messages: (query: MessageQuery): Promise<Page<OutboundMessage>> =>
      inTransaction(async (tx) => {
        const { items, total } = await repo.list(tx, query);
        return { items: items.map(toMessage), total, limit: query.limit, offset: query.offset };
      }),

    /** Sends a failed message again from its first attempt (route admission: administrators). */
    resend: (actor: Actor, id: string): Promise<OutboundMessage> =>
      inTransaction(async (tx) => {
        const row = await repo.get(tx, id, true);
        if (!row) throw problems.notFound("HL7 message");
        if (row.status !== "failed")
          throw problems.conflict(
            "not_failed",
            `Only a failed message can be resent; this one is ${row.status}`,
            "params.id",
          );
        const updated = await repo.resend(tx, id, clock.now());
        await auditService.record(tx, auditContextOf(actor), {
          action: "hl7.message.resend",
          resourceType: "hl7_message",
          resourceId: id,
          detail: { target: row.target, controlId: row.control_id, trigger: row.trigger },
        });
        return toMessage(updated);
      }),

    /** Lab results received for a patient, newest first: whoever may read the patient's record. */
    labResults: (actor: Actor, patientId: string): Promise<LabResult[]> =>
      inTransaction(async (tx) => {
        const access = await policies.authorize(tx, actor, "read", patientTarget(patientId));
        const rows = await repo.labResultsOf(tx, patientId);
        await auditService.record(tx, auditContextOf(actor), {
          action: "patient.lab_results.read",
          resourceType: "patient",
          resourceId: patientId,
          patientId,
          detail: { access, results: rows.length },
        });
        return rows.map(toLabResult);
      }),

    /**
     * The same results for a caller that has already authorized and audited the read (the records
     * view merges them into what the EMR answers).
     */
    receivedFor: async (db: Executor, patientId: string): Promise<LabResult[]> =>
      (await repo.labResultsOf(db, patientId)).map(toLabResult),

    /**
     * Handles one inbound message and answers it (acks.ts): AA when done, AE/AR (nothing changed)
     * otherwise; in enhanced mode, a commit acknowledgement first, as the sender asked.
     */
    async receive(msg: Hl7Message, peer: string): Promise<Hl7Message[]> {
      return acknowledgementsFor(msg, await outcomeOf(msg, peer));
    },
  };

  async function outcomeOf(msg: Hl7Message, peer: string): Promise<InboundOutcome> {
    const controlId = msg.getSegment("MSH")?.getField(10)?.toString() ?? "";
    try {
      const cmd = readInbound(msg);
      await apply(interfaceActor(controlId, peer), cmd, controlId);
      return { code: "AA" };
    } catch (err) {
      if (err instanceof InboundRejection) return { code: err.code, reason: err.message };
      if (err instanceof ProblemError) {
        const first = err.errors[0];
        const where = first && (HL7_FIELD[first.field] ?? first.field);
        return { code: "AE", reason: first ? `${where}: ${first.message}` : err.message };
      }
      log.error({ err, controlId, type: messageTypeOf(msg) }, "HL7 inbound message failed");
      return { code: "failed", reason: "the message could not be processed" };
    }
  }
}
export type Hl7Service = ReturnType<typeof createHl7>;
