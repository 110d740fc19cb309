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
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  413: "Payload Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
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

/** The constraints modules have registered (the suite checks every reachable one is). */
export function registeredConstraints(): string[] {
  return [...constraintFields.keys()];
}

interface PgLikeError {
  code?: unknown;
  constraint?: unknown;
  column?: unknown;
}

const camel = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Turns a PostgreSQL integrity or data error into a problem, so the database can be the last guard
 * of every invariant without ever surfacing as a 500. The database's own message and detail never
 * reach the client (they name tables, columns and other rows' values): a registered constraint
 * names its field and says what is wrong in the request's words; anything else names
 * `fallbackField` (the part of the request the value came from) with a generic message.
 */
export function problemFromDatabase(err: unknown, fallbackField = "body"): ProblemError | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as PgLikeError;
  const code = typeof e.code === "string" ? e.code : undefined;
  if (!code) return undefined;
  const constraint = typeof e.constraint === "string" ? e.constraint : undefined;
  const known = constraint ? constraintFields.get(constraint) : undefined;
  const column = typeof e.column === "string" ? `${fallbackField}.${camel(e.column)}` : undefined;
  const field = known?.field ?? column ?? fallbackField;
  const problem = (status: number, problemCode: string, generic: string) => {
    const message = known?.message ?? generic;
    return new ProblemError(status, problemCode, message, [{ field, message }]);
  };
  switch (code) {
    case "23505":
      return problem(409, "duplicate", "already exists");
    case "23P01":
      return problem(409, "overlap", "overlaps an existing entry");
    case "23503":
      return problem(422, "reference_not_found", "refers to something that does not exist");
    case "23514":
    case "23502":
      return problem(422, "invalid", "is not an allowed value");
    default:
      // class 22: data exceptions (out of range, malformed, untranslatable characters); class 54:
      // a value too large for the database (an index entry over its size limit)
      if (code.startsWith("22") || code.startsWith("54"))
        return problem(400, "bad_request", "a value is out of range or in a form that cannot be stored");
      if (code === "40001" || code === "40P01")
        return new ProblemError(409, "retry", "The request collided with another; try again");
      return undefined;
  }
}
