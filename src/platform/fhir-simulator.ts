/**
 * The common core of the built-in partner simulators (pharmacy network, transport service): a
 * small FHIR R4 server on its own loopback port, over real HTTP, that keeps what it was sent (the
 * tests validate it) and can be told to fail the next requests the ways a real partner fails —
 * hang past the deadline, answer 500, refuse with 400, or answer with something that is not FHIR.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { OperationOutcome, Resource } from "@medplum/fhirtypes";

export type SimulatedFailure = "timeout" | "server_error" | "rejected" | "malformed";

export interface SimulatorRequest {
  method: string;
  /** The path after the base, split: `["Task", "abc"]`. */
  path: string[];
  query: URLSearchParams;
  body: Resource | undefined;
  /** A conditional create's `If-None-Exist` header, when sent. */
  ifNoneExist: string | undefined;
}
export interface SimulatorAnswer {
  status: number;
  body: Resource;
}

export interface FhirSimulatorCore {
  /** `http://127.0.0.1:<port>/fhir/R4` */
  url: string;
  /** The bearer token it expects (generated per start). */
  token: string;
  /** Every resource it was sent (POST/PUT bodies), oldest first. */
  received: Resource[];
  /** The next `times` requests (of this method only, when given) fail this way. */
  failNext(kind: SimulatedFailure, times?: number, method?: "GET" | "POST"): void;
  close(): Promise<void>;
}

export const outcome = (code: string, text: string): OperationOutcome => ({
  resourceType: "OperationOutcome",
  issue: [{ severity: "error", code: code as "invalid", diagnostics: text }],
});

export const searchset = (resources: Resource[]): Resource => ({
  resourceType: "Bundle",
  type: "searchset",
  total: resources.length,
  entry: resources.map((resource) => ({ fullUrl: `${resource.resourceType}/${resource.id}`, resource })),
});

export async function startFhirSimulator(
  handle: (req: SimulatorRequest) => SimulatorAnswer,
): Promise<FhirSimulatorCore> {
  const token = randomBytes(24).toString("base64url");
  const received: Resource[] = [];
  const failures: Array<{ kind: SimulatedFailure; method: string | undefined }> = [];
  const hanging = new Set<ServerResponse>();
  const send = (res: ServerResponse, status: number, body: Resource | string) => {
    // no keep-alive: a client reusing a socket the server has just timed out would see "fetch failed"
    res.writeHead(status, { "content-type": "application/fhir+json; charset=utf-8", connection: "close" });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  };
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > 1_000_000) return send(res, 413, outcome("too-costly", "too large"));
      chunks.push(c as Buffer);
    }
    if (req.headers.authorization !== `Bearer ${token}`)
      return send(res, 401, outcome("login", "a bearer token is required"));
    const at = failures.findIndex((f) => !f.method || f.method === req.method);
    const failure = at < 0 ? undefined : failures.splice(at, 1)[0]!.kind;
    if (failure === "timeout") {
      hanging.add(res);
      return;
    }
    if (failure === "server_error") return send(res, 500, outcome("exception", "simulated outage"));
    if (failure === "rejected") return send(res, 400, outcome("invalid", "simulated refusal"));
    if (failure === "malformed") return send(res, 200, "<html>maintenance</html>");
    let body: Resource | undefined;
    if (chunks.length) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Resource;
      } catch {
        return send(res, 400, outcome("structure", "not JSON"));
      }
      if (typeof body?.resourceType !== "string")
        return send(res, 400, outcome("structure", "not a resource"));
      received.push(body);
    }
    const url = new URL(req.url ?? "/", "http://simulator.invalid");
    const path = url.pathname
      .replace(/^\/fhir\/R4\/?/, "")
      .split("/")
      .filter(Boolean)
      .map(decodeURIComponent);
    const condition = req.headers["if-none-exist"];
    const answer = handle({
      method: req.method ?? "GET",
      path,
      query: url.searchParams,
      body,
      ifNoneExist: typeof condition === "string" ? condition : undefined,
    });
    send(res, answer.status, answer.body);
  };
  const server = createServer((req, res) => {
    serve(req, res).catch(() => send(res, 500, outcome("exception", "simulator error")));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/fhir/R4`,
    token,
    received,
    failNext(kind, times = 1, method) {
      for (let i = 0; i < times; i++) failures.push({ kind, method });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
