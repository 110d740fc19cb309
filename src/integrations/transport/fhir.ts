/**
 * Pure: a ride as the FHIR transaction Rounds sends the transport service — a ServiceRequest
 * (status active, or revoked when cancelled; intent order; occurrence = pickup) and the Task
 * that carries it out (focus the ServiceRequest; execution from pickup to appointment start) —
 * and the Task's status read back.
 */
import { randomUUID } from "node:crypto";
import type { Bundle, Resource, ServiceRequest, Task } from "@medplum/fhirtypes";
import type { RideStatus } from "./schema.js";

export const RIDE_SYSTEM = "urn:rounds:ride";
const MRN_SYSTEM = "urn:rounds:mrn";

export interface RideFacts {
  id: string;
  pickupAt: Date;
  appointmentStart: Date;
  patient: { mrn: string; name: string };
  from: string;
  to: string;
  toName: string;
  requestedOn: Date;
}

/** `ids` absent: a first request (conditional creates); present: an update of those resources. */
export function rideTransaction(
  r: RideFacts,
  change: { cancelled: boolean; ids?: { serviceRequestId: string; taskId: string } },
): Bundle {
  const identifier = [{ system: RIDE_SYSTEM, value: r.id }];
  const subject = { identifier: { system: MRN_SYSTEM, value: r.patient.mrn }, display: r.patient.name };
  const srUrl = change.ids ? `ServiceRequest/${change.ids.serviceRequestId}` : `urn:uuid:${r.id}`;
  const serviceRequest: ServiceRequest = {
    resourceType: "ServiceRequest",
    ...(change.ids ? { id: change.ids.serviceRequestId } : {}),
    identifier,
    status: change.cancelled ? "revoked" : "active",
    intent: "order",
    category: [{ text: "Patient transport" }],
    code: { text: "Non-emergency patient transport" },
    subject,
    occurrenceDateTime: r.pickupAt.toISOString(),
    authoredOn: r.requestedOn.toISOString(),
    reasonCode: [{ text: `Appointment at ${r.toName} at ${r.appointmentStart.toISOString()}` }],
    note: [{ text: `From: ${r.from}` }, { text: `To: ${r.to}` }],
  };
  const task: Task = {
    resourceType: "Task",
    ...(change.ids ? { id: change.ids.taskId } : {}),
    identifier,
    status: change.cancelled ? "cancelled" : "requested",
    intent: "order",
    focus: { reference: srUrl },
    for: subject,
    authoredOn: r.requestedOn.toISOString(),
    executionPeriod: { start: r.pickupAt.toISOString(), end: r.appointmentStart.toISOString() },
    input: [
      { type: { text: "pickup address" }, valueString: r.from },
      { type: { text: "destination" }, valueString: r.to },
    ],
  };
  const entry = (resource: Resource, type: "ServiceRequest" | "Task", id: string | undefined) =>
    id
      ? { fullUrl: `${type}/${id}`, resource, request: { method: "PUT" as const, url: `${type}/${id}` } }
      : {
          fullUrl: type === "ServiceRequest" ? srUrl : `urn:uuid:${randomUUID()}`,
          resource,
          request: { method: "POST" as const, url: type, ifNoneExist: `identifier=${RIDE_SYSTEM}|${r.id}` },
        };
  return {
    resourceType: "Bundle",
    type: "transaction",
    entry: [
      entry(serviceRequest, "ServiceRequest", change.ids?.serviceRequestId),
      entry(task, "Task", change.ids?.taskId),
    ],
  };
}

/** The transport service's Task as the status the patient and staff see. */
export function statusOfRideTask(task: Pick<Task, "status">): RideStatus {
  switch (task.status) {
    case "accepted":
    case "ready":
    case "in-progress":
    case "on-hold":
      return "scheduled";
    case "completed":
      return "completed";
    case "cancelled":
    case "rejected":
    case "failed":
    case "entered-in-error":
      return "cancelled";
    default:
      return "requested";
  }
}
