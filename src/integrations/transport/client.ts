/** The transport-service interface: ride transactions (create, move, cancel) and the ride Task's status. */
import type { Bundle, Task } from "@medplum/fhirtypes";
import { createFhirHttp, FarSideError } from "../../platform/fhir-http.js";

export interface TransportService {
  /** Posts the transaction; returns the ServiceRequest's and the Task's ids at the service. */
  submit(transaction: Bundle): Promise<{ serviceRequestId: string; taskId: string }>;
  task(taskId: string): Promise<Task>;
}

/** `ServiceRequest/abc/_history/1` → `abc` */
const idIn = (location: string | undefined, type: string): string | undefined => {
  const m = location?.match(new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})`));
  return m?.[1];
};

export function createTransportService(opts: {
  baseUrl: string;
  token?: string | undefined;
  timeoutMs: number;
}): TransportService {
  const http = createFhirHttp(opts);
  return {
    async submit(transaction) {
      const answer = await http.request<Bundle>("POST", "", transaction);
      if (answer.resourceType !== "Bundle" || answer.type !== "transaction-response")
        throw new FarSideError("malformed", "the answer is not a transaction-response");
      const [sr, task] = answer.entry ?? [];
      const serviceRequestId = idIn(sr?.response?.location, "ServiceRequest");
      const taskId = idIn(task?.response?.location, "Task");
      if (!serviceRequestId || !taskId)
        throw new FarSideError("malformed", "the transaction-response names no ServiceRequest and Task");
      return { serviceRequestId, taskId };
    },
    async task(taskId) {
      const t = await http.request<Task>("GET", `Task/${encodeURIComponent(taskId)}`);
      if (t.resourceType !== "Task") throw new FarSideError("malformed", "the answer is not a Task");
      return t;
    },
  };
}
