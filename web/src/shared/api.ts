/**
 * The one way the browser talks to the API: same-origin fetches carrying the session cookie,
 * problem+json turned into an ApiError that knows which field was at fault.
 */
import type { z } from "zod";
import type { FieldProblem, ProblemBody } from "../../../src/platform/errors.js";
import { offlineState } from "../offline/state.js";
import { savedRead, saveRead } from "../offline/vault.js";

export class ApiError extends Error {
  constructor(readonly problem: ProblemBody) {
    super(problem.detail || problem.title);
    this.name = "ApiError";
  }
  get status(): number {
    return this.problem.status;
  }
}

type Query = Record<string, string | number | boolean | string[] | null | undefined>;

interface RequestOptions {
  query?: Query | undefined;
  body?: unknown;
  headers?: Record<string, string> | undefined;
}

let onUnauthenticated: () => void = () => {};
/** The app shell registers how to react when a session ends mid-use (back to sign-in). */
export function whenUnauthenticated(fn: () => void): void {
  onUnauthenticated = fn;
}

export function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === "") continue;
    if (Array.isArray(v)) {
      if (v.length) params.set(k, v.join(","));
    } else params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

/**
 * Reads kept for offline use (web/src/offline/): who is signed in, the day and schedule screens
 * and the names they show, and appointments opened. Everything else needs the network.
 */
const KEPT_FOR_OFFLINE = [
  /^\/api\/v1\/auth\/me$/,
  /^\/api\/v1\/appointments(\/[0-9a-f-]{36})?$/,
  /^\/api\/v1\/physicians(\/[0-9a-f-]{36}(\/schedule)?)?$/,
  /^\/api\/v1\/patients\/[0-9a-f-]{36}$/,
  /^\/api\/v1\/locations(\/[0-9a-f-]{36}\/rooms)?$/,
  /^\/api\/v1\/(appointment-types|specialties)$/,
];
const keptForOffline = (method: string, path: string) =>
  method === "GET" && KEPT_FOR_OFFLINE.some((p) => p.test(path));

async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", ...opts.headers };
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const url = `${path}${queryString(opts.query)}`;
  const kept = keptForOffline(method, path);
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      credentials: "same-origin",
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch {
    offlineState.wentOffline();
    const saved = kept ? await savedRead<T>(url).catch(() => undefined) : undefined;
    if (saved) {
      offlineState.servedSaved(saved.savedAt);
      return saved.value;
    }
    throw new ApiError({
      type: "about:blank",
      title: "Network error",
      status: 0,
      code: "network",
      detail: "Rounds could not be reached. Check your connection and try again.",
      errors: [],
    });
  }
  offlineState.backOnline();
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data: unknown = text ? JSON.parse(text) : undefined;
  if (res.ok && kept) void saveRead(url, data).catch(() => undefined);
  if (!res.ok) {
    const problem = isProblem(data)
      ? data
      : {
          type: "about:blank",
          title: res.statusText,
          status: res.status,
          code: "http_error",
          detail: `The server answered ${res.status} ${res.statusText}`,
          errors: [],
        };
    if (res.status === 401 && !path.startsWith("/api/v1/auth/")) onUnauthenticated();
    throw new ApiError(problem);
  }
  return data as T;
}

function isProblem(x: unknown): x is ProblemBody {
  return typeof x === "object" && x !== null && "status" in x && "detail" in x;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>("GET", path, { query }),
  post: <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
    request<T>("POST", path, { body: body ?? {}, headers }),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, { body }),
  put: <T>(path: string, body: unknown) => request<T>("PUT", path, { body }),
  del: <T = void>(path: string, query?: Query) => request<T>("DELETE", path, { query }),
};

/** Field errors keyed by the request field without its `body.`/`query.` prefix. */
export type FieldErrors = Record<string, string>;

export function fieldErrorsOf(err: unknown): FieldErrors {
  if (!(err instanceof ApiError)) return {};
  return fromProblems(err.problem.errors ?? []);
}

function fromProblems(problems: FieldProblem[]): FieldErrors {
  const out: FieldErrors = {};
  for (const p of problems) {
    const key = p.field.replace(/^(body|query|params)\.?/, "");
    if (key && !(key in out)) out[key] = p.message;
  }
  return out;
}

/** A problem with no field to attach to (or whose field the form does not show) is said above the form. */
export function generalErrorOf(err: unknown, shownFields: readonly string[] = []): string | undefined {
  if (!err) return undefined;
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  const fields = Object.keys(fieldErrorsOf(err));
  if (fields.length > 0 && fields.every((f) => shownFields.includes(f))) return undefined;
  return err.problem.detail;
}

/**
 * Validates a form's value with the API's own request schema before sending it, so the same rule
 * gives the same message in the same place whether the browser or the server catches it.
 */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
): { ok: true; data: z.infer<S> } | { ok: false; errors: FieldErrors } {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path.map(String).join(".") || "form";
    if (!(key in errors)) errors[key] = issue.message;
  }
  return { ok: false, errors };
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** A fresh key per booking attempt, so a retried click cannot book twice. */
export function idempotencyKey(): string {
  // randomUUID exists only in secure contexts; a plain-http intranet deployment still needs a key
  if (typeof crypto.randomUUID === "function" && window.isSecureContext) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}
