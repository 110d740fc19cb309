/**
 * The built-in pharmacy network (ROUNDS_PHARMACY_FHIR_URL unset): a FHIR R4 server on a loopback
 * port with a few pharmacies (Organization), that accepts MedicationRequests (conditional create on
 * their identifier) and fills them: each order's Task goes accepted → in-progress (filled) →
 * ready for pickup → completed, one step per `advance()` or per `stepMs` when given.
 */
import type { MedicationRequest, Organization, Task } from "@medplum/fhirtypes";
import {
  type FhirSimulatorCore,
  outcome,
  type SimulatorAnswer,
  type SimulatorRequest,
  searchset,
  startFhirSimulator,
} from "../../platform/fhir-simulator.js";

export const DEMO_PHARMACIES: ReadonlyArray<{ id: string; name: string; line: string; city: string }> = [
  { id: "ph-riverside", name: "Riverside Pharmacy", line: "12 River Road", city: "Riverton" },
  { id: "ph-central", name: "Central Apothecary", line: "300 Main Street", city: "Riverton" },
  { id: "ph-northgate", name: "Northgate Drugstore", line: "88 Northgate Avenue", city: "Northfield" },
  { id: "ph-harbour", name: "Harbour Health Pharmacy", line: "5 Quay Lane", city: "Porthaven" },
  { id: "ph-hillside", name: "Hillside Pharmacy", line: "41 Summit Drive", city: "Eastbrook" },
];

const STEPS: Task["status"][] = ["accepted", "in-progress", "ready", "completed"];

export interface PharmacySimulator extends FhirSimulatorCore {
  /** Moves every unfinished order one step on. */
  advance(): void;
}

export async function startPharmacySimulator(opts: { stepMs?: number } = {}): Promise<PharmacySimulator> {
  const orders = new Map<string, { request: MedicationRequest; step: number }>();
  let next = 1;
  const organization = (p: (typeof DEMO_PHARMACIES)[number]): Organization => ({
    resourceType: "Organization",
    id: p.id,
    active: true,
    type: [
      {
        coding: [{ system: "http://terminology.hl7.org/CodeSystem/organization-type", code: "prov" }],
        text: "pharmacy",
      },
    ],
    name: p.name,
    address: [{ line: [p.line], city: p.city }],
  });
  const taskOf = (id: string, o: { step: number }): Task => ({
    resourceType: "Task",
    id: `task-${id}`,
    status: STEPS[o.step]!,
    intent: "order",
    focus: { reference: `MedicationRequest/${id}` },
  });
  const handle = (req: SimulatorRequest): SimulatorAnswer => {
    const [type, id] = req.path;
    if (req.method === "GET" && type === "Organization") {
      if (id) {
        const p = DEMO_PHARMACIES.find((d) => d.id === id);
        return p
          ? { status: 200, body: organization(p) }
          : { status: 404, body: outcome("not-found", "no such pharmacy") };
      }
      return { status: 200, body: searchset(DEMO_PHARMACIES.map(organization)) };
    }
    if (req.method === "POST" && type === "MedicationRequest" && !id) {
      const mr = req.body as MedicationRequest;
      if (mr.resourceType !== "MedicationRequest" || mr.status !== "active" || mr.intent !== "order")
        return { status: 422, body: outcome("invalid", "an active order MedicationRequest is required") };
      const performer = mr.dispenseRequest?.performer?.reference?.replace(/^Organization\//, "");
      if (!DEMO_PHARMACIES.some((p) => p.id === performer))
        return {
          status: 422,
          body: outcome("invalid", "dispenseRequest.performer is not a pharmacy of this network"),
        };
      const own = req.ifNoneExist?.split("|")[1];
      const known = [...orders].find(([, o]) => own && o.request.identifier?.some((i) => i.value === own));
      if (known) return { status: 200, body: known[1].request };
      const newId = `mr-${next++}`;
      const stored = { ...mr, id: newId };
      orders.set(newId, { request: stored, step: 0 });
      return { status: 201, body: stored };
    }
    if (req.method === "GET" && type === "Task" && !id) {
      const focus = (req.query.get("focus") ?? "").replace(/^MedicationRequest\//, "");
      const o = orders.get(focus);
      return { status: 200, body: searchset(o ? [taskOf(focus, o)] : []) };
    }
    return {
      status: 404,
      body: outcome("not-supported", `${req.method} ${req.path.join("/")} is not served`),
    };
  };
  const core = await startFhirSimulator(handle);
  const advance = () => {
    for (const o of orders.values()) o.step = Math.min(STEPS.length - 1, o.step + 1);
  };
  const timer = opts.stepMs ? setInterval(advance, opts.stepMs) : undefined;
  timer?.unref();
  return {
    ...core,
    advance,
    close: async () => {
      if (timer) clearInterval(timer);
      await core.close();
    },
  };
}
