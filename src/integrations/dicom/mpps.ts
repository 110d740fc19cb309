/**
 * Modality Performed Procedure Step (MPPS): a modality says it started a scheduled step (N-CREATE,
 * IN PROGRESS) and later that it finished it (N-SET, COMPLETED or DISCONTINUED). The appointment
 * follows as its lifecycle allows: booked → checked in → in progress on start, → completed on
 * completion (a discontinued step leaves it in progress, for the staff to settle). Each move goes
 * through scheduling's own transition, authorized and audited as the DICOM modality.
 */
import type { Db } from "../../platform/db.js";
import { ProblemError } from "../../platform/errors.js";
import { type Appointments, appointmentFacts } from "../../services/scheduling/index.js";
import type { Peer } from "./directory.js";
import { dicomRepository as repo } from "./repository.js";
import { modalityActor } from "./service.js";

/** DIMSE statuses an MPPS answer carries (PS3.7 C). */
export const MppsStatus = {
  success: 0x0000,
  invalidAttributeValue: 0x0106,
  processingFailure: 0x0110,
  duplicateInstance: 0x0111,
  noSuchInstance: 0x0112,
} as const;

export interface MppsOutcome {
  status: number;
  comment?: string;
}

const text = (v: unknown): string | undefined =>
  typeof v === "string" ? v.trim() : Array.isArray(v) && typeof v[0] === "string" ? v[0].trim() : undefined;

const failure = (status: number, comment: string): MppsOutcome => ({ status, comment: comment.slice(0, 64) });

export function createMpps({ db, appointments }: { db: Db; appointments: Appointments }) {
  /** Moves the appointment step by step to `target`, as the lifecycle allows. */
  async function advance(
    peer: Peer,
    appointmentId: string,
    path: Array<"checked_in" | "in_progress" | "completed">,
  ) {
    const facts = await appointmentFacts.get(db, appointmentId);
    if (!facts || (peer.locationId !== null && facts.locationId !== peer.locationId))
      return failure(MppsStatus.processingFailure, "no such scheduled procedure step");
    const actor = modalityActor(peer, [facts.locationId]);
    const from = path.indexOf(facts.status as (typeof path)[number]);
    const steps = from >= 0 ? path.slice(from + 1) : facts.status === "booked" ? path : undefined;
    if (!steps) return failure(MppsStatus.processingFailure, `the appointment is ${facts.status}`);
    try {
      for (const status of steps) await appointments.transition(actor, appointmentId, status);
    } catch (err) {
      if (err instanceof ProblemError) return failure(MppsStatus.processingFailure, err.message);
      throw err;
    }
    return undefined;
  }

  return {
    /** N-CREATE: a step IN PROGRESS for the scheduled step its accession number (or study UID) names. */
    async create(
      peer: Peer,
      sopInstanceUid: string,
      elements: Record<string, unknown>,
    ): Promise<MppsOutcome> {
      if (text(elements.PerformedProcedureStepStatus) !== "IN PROGRESS")
        return failure(MppsStatus.invalidAttributeValue, "PerformedProcedureStepStatus must be IN PROGRESS");
      if (!/^[0-9.]{1,64}$/.test(sopInstanceUid))
        return failure(MppsStatus.invalidAttributeValue, "Affected SOP Instance UID is missing");
      const seq = elements.ScheduledStepAttributesSequence;
      const step = (Array.isArray(seq) ? seq[0] : seq) as Record<string, unknown> | undefined;
      const procedure = await repo.procedureBy(db, {
        accessionNumber: text(step?.AccessionNumber) || undefined,
        studyUid: text(step?.StudyInstanceUID) || undefined,
      });
      if (!procedure) return failure(MppsStatus.processingFailure, "no such scheduled procedure step");
      if (await repo.performedStep(db, sopInstanceUid))
        return failure(MppsStatus.duplicateInstance, "that performed procedure step exists");
      const refused = await advance(peer, procedure.appointment_id, ["checked_in", "in_progress"]);
      if (refused) return refused;
      await repo.insertPerformedStep(db, {
        sop_instance_uid: sopInstanceUid,
        appointment_id: procedure.appointment_id,
        calling_ae_title: peer.callingAeTitle,
      });
      return { status: MppsStatus.success };
    },

    /** N-SET: COMPLETED completes the appointment; DISCONTINUED is recorded; other updates are accepted. */
    async set(peer: Peer, sopInstanceUid: string, elements: Record<string, unknown>): Promise<MppsOutcome> {
      const known = await repo.performedStep(db, sopInstanceUid);
      if (!known) return failure(MppsStatus.noSuchInstance, "no such performed procedure step");
      if (known.status !== "IN PROGRESS")
        return failure(MppsStatus.processingFailure, `the step is already ${known.status}`);
      const status = text(elements.PerformedProcedureStepStatus);
      if (!status || status === "IN PROGRESS") return { status: MppsStatus.success };
      if (status !== "COMPLETED" && status !== "DISCONTINUED")
        return failure(MppsStatus.invalidAttributeValue, "PerformedProcedureStepStatus is not valid");
      if (status === "COMPLETED") {
        const refused = await advance(peer, known.appointment_id, ["checked_in", "in_progress", "completed"]);
        if (refused) return refused;
      }
      await repo.setPerformedStatus(db, sopInstanceUid, status);
      return { status: MppsStatus.success };
    },
  };
}
export type Mpps = ReturnType<typeof createMpps>;
