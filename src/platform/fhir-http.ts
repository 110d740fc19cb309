/**
 * A FHIR R4 REST client for the partners Rounds sends orders to (the pharmacy network, the
 * transport service): JSON over HTTP with a deadline per request, no redirects, and every way
 * the far side can fail told apart (timed out, unreachable, refused with a 4xx, broken with a
 * 5xx, answered with something that is not the FHIR it should be). The callers never let one of
 * these reach a patient's visit or booking: they mark the order "not sent" and retry later.
 */
import type { Resource } from "@medplum/fhirtypes";

export type FarSideFailure = "timeout" | "unreachable" | "rejected" | "server_error" | "malformed";

export class FarSideError extends Error {
  constructor(
    readonly kind: FarSideFailure,
    message: string,
  ) {
    super(`${kind}: ${message}`.slice(0, 480));
    this.name = "FarSideError";
  }
}

export interface FhirHttp {
  /** `path` is relative to the base (`MedicationRequest`, `Task?focus=…`). */
  request<T extends Resource>(
    method: "GET" | "POST" | "PUT",
    path: string,
    body?: Resource,
    headers?: Record<string, string>,
  ): Promise<T>;
}

export function createFhirHttp(opts: {
  baseUrl: string;
  token?: string | undefined;
  timeoutMs: number;
}): FhirHttp {
  const base = opts.baseUrl.endsWith("/") ? opts.baseUrl : `${opts.baseUrl}/`;
  return {
    async request<T extends Resource>(
      method: "GET" | "POST" | "PUT",
      path: string,
      body?: Resource,
      headers: Record<string, string> = {},
    ) {
      let res: Response;
      try {
        res = await fetch(new URL(path, base), {
          method,
          redirect: "error",
          signal: AbortSignal.timeout(opts.timeoutMs),
          headers: {
            accept: "application/fhir+json",
            ...(body ? { "content-type": "application/fhir+json" } : {}),
            ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
            ...headers,
          },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
      } catch (err) {
        const name = err instanceof Error ? err.name : "";
        if (name === "TimeoutError" || name === "AbortError")
          throw new FarSideError("timeout", `no answer within ${opts.timeoutMs} ms`);
        throw new FarSideError("unreachable", err instanceof Error ? err.message : "fetch failed");
      }
      let text: string;
      try {
        text = await res.text();
      } catch {
        throw new FarSideError("timeout", `the answer did not arrive within ${opts.timeoutMs} ms`);
      }
      if (res.status >= 500) throw new FarSideError("server_error", `HTTP ${res.status}`);
      if (res.status >= 400) throw new FarSideError("rejected", `HTTP ${res.status}: ${diagnostics(text)}`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new FarSideError("malformed", "the answer is not JSON");
      }
      if (
        typeof parsed !== "object" ||
        parsed === null ||
        typeof (parsed as Resource).resourceType !== "string"
      )
        throw new FarSideError("malformed", "the answer is not a FHIR resource");
      return parsed as T;
    },
  };
}

/** The first issue's diagnostics of an OperationOutcome, for the row's last error. */
function diagnostics(text: string): string {
  try {
    const o = JSON.parse(text) as { issue?: Array<{ diagnostics?: string; code?: string }> };
    return (o.issue?.[0]?.diagnostics ?? o.issue?.[0]?.code ?? "refused").slice(0, 200);
  } catch {
    return "refused";
  }
}

/**
 * When to try again after `attempts` failed tries: 30 s doubling to at most an hour. A partner
 * that refused (4xx) is retried too — the refusal may be a configuration fixed meanwhile.
 */
export function retryDelayMs(attempts: number): number {
  return Math.min(3_600_000, 30_000 * 2 ** Math.max(0, Math.min(attempts - 1, 12)));
}
