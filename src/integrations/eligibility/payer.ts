/**
 * The payer interface: one real-time exchange per inquiry, the 270 POSTed as application/edi-x12
 * and the 271 read from the answer (a CORE-like exchange without the SOAP envelope). Never throws:
 * a timeout, a refused connection or an error status is a failed exchange with its reason.
 */
import { X12_CONTENT_TYPE } from "./simulator.js";

export type Exchange = { ok: true; body: string } | { ok: false; reason: string };

export interface PayerClient {
  exchange(x270: string): Promise<Exchange>;
  /** The regions whose inquiries it may receive (ROUNDS_PAYER_REGIONS); undefined: every region. */
  regions?: readonly string[] | undefined;
}

const MAX_ANSWER = 256 * 1024;

export function createPayerClient({
  url,
  timeoutMs,
  regions,
}: {
  url: string;
  timeoutMs: number;
  regions?: readonly string[] | undefined;
}): PayerClient {
  return {
    regions,
    async exchange(x270) {
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": X12_CONTENT_TYPE, accept: X12_CONTENT_TYPE },
          body: x270,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const body = await res.text();
        if (!res.ok) return { ok: false, reason: `the payer answered HTTP ${res.status}` };
        if (body.length > MAX_ANSWER) return { ok: false, reason: "the payer's answer is too large" };
        return { ok: true, body };
      } catch (err) {
        const name = err instanceof Error ? err.name : "";
        if (name === "TimeoutError" || name === "AbortError")
          return { ok: false, reason: `the payer did not answer within ${timeoutMs} ms` };
        const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
        return { ok: false, reason: `the payer could not be reached: ${cause}`.slice(0, 300) };
      }
    },
  };
}
