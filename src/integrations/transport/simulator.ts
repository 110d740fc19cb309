/**
 * The built-in transport service (ROUNDS_TRANSPORT_FHIR_URL unset): a FHIR R4 server on a
 * loopback port that takes ride transactions (ServiceRequest + Task; conditional creates on the
 * ride's identifier; PUT to move or cancel) and schedules the rides: each Task goes requested →
 * accepted (scheduled) → completed, one step per `advance()` or per `stepMs` when given.
 */
import type { Bundle, ServiceRequest, Task } from "@medplum/fhirtypes";
import {
  type FhirSimulatorCore,
  outcome,
  type SimulatorAnswer,
  type SimulatorRequest,
  startFhirSimulator,
} from "../../platform/fhir-simulator.js";

const STEPS: Task["status"][] = ["requested", "accepted", "completed"];

export interface TransportSimulator extends FhirSimulatorCore {
  advance(): void;
  /** The rides it holds, by ServiceRequest id (tests read what it was told). */
  rides: Map<string, { serviceRequest: ServiceRequest; task: Task; step: number }>;
}

export async function startTransportSimulator(opts: { stepMs?: number } = {}): Promise<TransportSimulator> {
  const rides: TransportSimulator["rides"] = new Map();
  let next = 1;
  const invalid = (text: string): SimulatorAnswer => ({ status: 422, body: outcome("invalid", text) });
  const transaction = (b: Bundle): SimulatorAnswer => {
    if (b.resourceType !== "Bundle" || b.type !== "transaction" || b.entry?.length !== 2)
      return invalid("a transaction of a ServiceRequest and its Task is required");
    const [srEntry, taskEntry] = b.entry;
    const sr = srEntry?.resource as ServiceRequest | undefined;
    const task = taskEntry?.resource as Task | undefined;
    if (sr?.resourceType !== "ServiceRequest" || task?.resourceType !== "Task")
      return invalid("the entries must be a ServiceRequest, then a Task");
    if (sr.intent !== "order" || !sr.occurrenceDateTime || !sr.subject)
      return invalid("ServiceRequest.intent order, occurrenceDateTime and subject are required");
    if (srEntry!.request?.method === "POST") {
      const own = sr.identifier?.[0]?.value;
      const known = [...rides].find(([, r]) => r.serviceRequest.identifier?.[0]?.value === own);
      const id = known?.[0] ?? `sr-${next++}`;
      if (!known)
        rides.set(id, {
          serviceRequest: { ...sr, id },
          task: { ...task, id: `task-${id}`, focus: { reference: `ServiceRequest/${id}` } },
          step: 0,
        });
      return respond(id, known ? "200 OK" : "201 Created");
    }
    const id = srEntry!.request?.url?.replace(/^ServiceRequest\//, "") ?? "";
    const held = rides.get(id);
    if (!held) return { status: 404, body: outcome("not-found", "no such ServiceRequest") };
    held.serviceRequest = { ...sr, id };
    held.task = { ...task, id: held.task.id! };
    if (sr.status === "revoked" || task.status === "cancelled") held.task.status = "cancelled";
    else held.step = 0;
    return respond(id, "200 OK");
  };
  const respond = (id: string, status: string): SimulatorAnswer => ({
    status: 200,
    body: {
      resourceType: "Bundle",
      type: "transaction-response",
      entry: [
        { response: { status, location: `ServiceRequest/${id}/_history/1` } },
        { response: { status, location: `Task/task-${id}/_history/1` } },
      ],
    },
  });
  const handle = (req: SimulatorRequest): SimulatorAnswer => {
    if (req.method === "POST" && req.path.length === 0 && req.body) return transaction(req.body as Bundle);
    if (req.method === "GET" && req.path[0] === "Task" && req.path[1]) {
      const held = rides.get(req.path[1].replace(/^task-/, ""));
      if (!held) return { status: 404, body: outcome("not-found", "no such Task") };
      const status = held.task.status === "cancelled" ? "cancelled" : STEPS[held.step]!;
      return { status: 200, body: { ...held.task, status } };
    }
    return {
      status: 404,
      body: outcome("not-supported", `${req.method} ${req.path.join("/")} is not served`),
    };
  };
  const core = await startFhirSimulator(handle);
  const advance = () => {
    for (const r of rides.values())
      if (r.task.status !== "cancelled") r.step = Math.min(STEPS.length - 1, r.step + 1);
  };
  const timer = opts.stepMs ? setInterval(advance, opts.stepMs) : undefined;
  timer?.unref();
  return {
    ...core,
    rides,
    advance,
    close: async () => {
      if (timer) clearInterval(timer);
      await core.close();
    },
  };
}
