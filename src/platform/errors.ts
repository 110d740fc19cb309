/**
 * Errors are values with a stable code, an HTTP status and the field at fault. Routes never build
 * error strings by hand: they throw one of these factories' results and the HTTP layer renders
 * it as RFC 9457 problem+json.
 */
export interface FieldProblem {
  /** Dotted path of the field at fault in the request, e.g. `body.timeZone` or `query.limit`. */
  field: string;
  message: string;
}

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldProblem[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ProblemError";
  }
}

export const problems = {
  notFound: (resource: string, field = "params.id") =>
    new ProblemError(404, "not_found", `${resource} not found`, [{ field, message: `no such ${resource}` }]),
  invalid: (field: string, message: string, code = "invalid") =>
    new ProblemError(422, code, message, [{ field, message }]),
  badRequest: (field: string, message: string) =>
    new ProblemError(400, "bad_request", message, [{ field, message }]),
  conflict: (code: string, message: string, field?: string, extra: Record<string, unknown> = {}) =>
    new ProblemError(409, code, message, field ? [{ field, message }] : [], extra),
  unauthenticated: () => new ProblemError(401, "unauthenticated", "Sign in to continue"),
  forbidden: (message = "You are not allowed to do this") => new ProblemError(403, "forbidden", message),
  tooMany: (message: string) => new ProblemError(429, "too_many_requests", message),
};

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  errors: FieldProblem[];
  requestId?: string;
  [extra: string]: unknown;
}

export function problemBody(err: ProblemError, requestId?: string): ProblemBody {
  return {
    type: `https://rounds.example/problems/${err.code}`,
    title: TITLES[err.status] ?? "Error",
    status: err.status,
    code: err.code,
    detail: err.message,
    errors: err.errors,
    ...(requestId ? { requestId } : {}),
    ...err.extra,
  };
}

/** Maps a constraint name to the request field it guards; modules register theirs. */
const constraintFields = new Map<string, { field: string; message: string }>();

export function registerConstraint(constraint: string, field: string, message: string): void {
  constraintFields.set(constraint, { field, message });
}

interface PgLikeError {
  code?: unknown;
  constraint?: unknown;
  detail?: unknown;
  column?: unknown;
  message?: unknown;
}

/**
 * Turns a PostgreSQL integrity error into a problem, so the database can be the last guard of
 * every invariant without ever surfacing as a 500.
 */
export function problemFromDatabase(err: unknown): ProblemError | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as PgLikeError;
  const code = typeof e.code === "string" ? e.code : undefined;
  if (!code) return undefined;
  const constraint = typeof e.constraint === "string" ? e.constraint : undefined;
  const known = constraint ? constraintFields.get(constraint) : undefined;
  const detail = typeof e.detail === "string" ? e.detail : String(e.message ?? "");
  switch (code) {
    case "23505":
      return new ProblemError(409, "duplicate", known?.message ?? `Already exists: ${detail}`, [
        { field: known?.field ?? "body", message: known?.message ?? "already exists" },
      ]);
    case "23P01":
      return new ProblemError(409, "overlap", known?.message ?? `Overlaps an existing entry: ${detail}`, [
        { field: known?.field ?? "body", message: known?.message ?? "overlaps an existing entry" },
      ]);
    case "23503":
      return new ProblemError(
        422,
        "reference_not_found",
        known?.message ?? `Refers to something that does not exist`,
        [
          {
            field: known?.field ?? "body",
            message: known?.message ?? "refers to something that does not exist",
          },
        ],
      );
    case "23514":
    case "23502":
      return new ProblemError(422, "invalid", known?.message ?? `Invalid value: ${detail}`, [
        {
          field: known?.field ?? (typeof e.column === "string" ? `body.${e.column}` : "body"),
          message: known?.message ?? "invalid value",
        },
      ]);
    case "22P02":
    case "22021":
    case "22P05":
    case "22007":
    case "22008":
    case "22003":
      return new ProblemError(400, "bad_request", `Malformed value: ${String(e.message ?? "")}`, [
        { field: "body", message: String(e.message ?? "malformed value") },
      ]);
    case "40001":
    case "40P01":
      return new ProblemError(409, "retry", "The request collided with another; try again");
    default:
      return undefined;
  }
}
