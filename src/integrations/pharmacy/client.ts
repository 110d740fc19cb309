/**
 * The pharmacy network interface: its pharmacies (Organization search), a prescription sent as a
 * MedicationRequest (a conditional create on Rounds' prescription id, so a resend after a lost
 * answer never makes a second order), and its status read from the fulfilment Task.
 */
import type { Bundle, MedicationRequest, Organization, Task } from "@medplum/fhirtypes";
import { createFhirHttp, FarSideError } from "../../platform/fhir-http.js";
import { PRESCRIPTION_SYSTEM } from "./fhir.js";
import type { Pharmacy } from "./schema.js";

export interface PharmacyNetwork {
  pharmacies(): Promise<Pharmacy[]>;
  /** One pharmacy; undefined when the network has no such pharmacy. */
  pharmacy(id: string): Promise<Pharmacy | undefined>;
  /** Sends the order; returns the network's MedicationRequest id. */
  send(request: MedicationRequest): Promise<string>;
  /** The fulfilment Task of the order (undefined: none yet). */
  task(remoteId: string): Promise<Task | undefined>;
}

const addressOf = (o: Organization): string | null => {
  const a = o.address?.[0];
  if (!a) return null;
  return a.text ?? ([...(a.line ?? []), a.city, a.state].filter(Boolean).join(", ") || null);
};
const toPharmacy = (o: Organization): Pharmacy => ({
  id: o.id ?? "",
  name: o.name ?? o.id ?? "",
  address: addressOf(o),
});

export function createPharmacyNetwork(opts: {
  baseUrl: string;
  token?: string | undefined;
  timeoutMs: number;
}): PharmacyNetwork {
  const http = createFhirHttp(opts);
  return {
    async pharmacies() {
      const b = await http.request<Bundle<Organization>>("GET", "Organization?type=pharmacy&_count=100");
      return (b.entry ?? [])
        .map((e) => e.resource)
        .filter((o): o is Organization => o?.resourceType === "Organization" && typeof o.id === "string")
        .map(toPharmacy)
        .sort((a, b) => a.name.localeCompare(b.name));
    },
    async pharmacy(id) {
      try {
        const o = await http.request<Organization>("GET", `Organization/${encodeURIComponent(id)}`);
        return o.resourceType === "Organization" ? toPharmacy(o) : undefined;
      } catch (err) {
        if (err instanceof FarSideError && err.kind === "rejected" && err.message.includes("HTTP 404"))
          return undefined;
        throw err;
      }
    },
    async send(request) {
      const own = request.identifier?.find((i) => i.system === PRESCRIPTION_SYSTEM)?.value ?? "";
      const made = await http.request<MedicationRequest>("POST", "MedicationRequest", request, {
        "if-none-exist": `identifier=${PRESCRIPTION_SYSTEM}|${own}`,
      });
      if (made.resourceType !== "MedicationRequest" || !made.id)
        throw new FarSideError("malformed", "the answer is not the MedicationRequest created");
      return made.id;
    },
    async task(remoteId) {
      const b = await http.request<Bundle<Task>>(
        "GET",
        `Task?focus=${encodeURIComponent(`MedicationRequest/${remoteId}`)}`,
      );
      if (b.resourceType !== "Bundle")
        throw new FarSideError("malformed", "the answer is not a search result");
      return b.entry?.map((e) => e.resource).find((t): t is Task => t?.resourceType === "Task");
    },
  };
}
