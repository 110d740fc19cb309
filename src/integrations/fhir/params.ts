/**
 * FHIR search and operation parameters read into what the services take. Pure: every refusal is a
 * 400 naming the FHIR parameter at fault (`start`, `_count`, `service-type`…).
 */
import type { Parameters, ParametersParameter } from "@medplum/fhirtypes";
import { problems } from "../../platform/errors.js";
import { EARLIEST_DATE, LATEST_DATE } from "../../platform/schemas.js";
import { isUuid } from "./ids.js";

/** A query string as Fastify parses it: a repeated parameter is an array. */
export type Query = Record<string, string | string[] | undefined>;

export function all(q: Query, name: string): string[] {
  const v = q[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** A parameter given at most once. */
export function one(q: Query, name: string): string | undefined {
  const values = all(q, name);
  if (values.length > 1) throw problems.badRequest(name, "give this parameter once");
  const [v] = values;
  if (v === "") throw problems.badRequest(name, "must not be empty");
  return v;
}

function wholeNumberParam(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
  fallback: number,
) {
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max)
    throw problems.badRequest(name, `must be a whole number from ${min} to ${max}`);
  return Number(value);
}

/** `_count` (page size, up to `max`) and `_offset` (where the page starts). */
export function paging(q: Query, max: number, fallback = 20): { count: number; offset: number } {
  return {
    count: wholeNumberParam(one(q, "_count"), "_count", 1, max, Math.min(fallback, max)),
    offset: wholeNumberParam(one(q, "_offset"), "_offset", 0, 10_000, 0),
  };
}

/**
 * The id a reference names (`Type/id`, a bare id, or an absolute URL ending in `Type/id`), when
 * it names a resource of `type`.
 */
export function referenceId(value: string, type: string, name: string): string {
  const parts = value.split("?")[0]!.split("/");
  const id = parts.at(-1) ?? "";
  const named = parts.length > 1 ? parts.at(-2) : type;
  if (named !== type) throw problems.badRequest(name, `must reference a ${type}`);
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) throw problems.badRequest(name, `is not a ${type} reference`);
  return id;
}

/** A reference that must name a Rounds UUID (Practitioner, Location, Patient, Appointment). */
export function uuidReference(value: string, type: string, name: string): string {
  const id = referenceId(value, type, name).toLowerCase();
  if (!isUuid(id)) throw problems.badRequest(name, `is not a ${type} of this server`);
  return id;
}

/** The code of a token (`system|code`, `|code` or `code`), when its system is `system` or unsaid. */
export function tokenCode(value: string, system: string, name: string): string {
  const bar = value.indexOf("|");
  const [given, code] = bar < 0 ? [undefined, value] : [value.slice(0, bar), value.slice(bar + 1)];
  if (given && given !== system) throw problems.badRequest(name, `codes of ${system} only`);
  if (!code) throw problems.badRequest(name, "needs a code");
  return code;
}

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const EARLIEST_MS = Date.parse(`${EARLIEST_DATE}T00:00:00Z`);
const LATEST_MS = Date.parse(`${LATEST_DATE}T23:59:59.999Z`);

/** The instants [start, end) a FHIR date or dateTime covers (a date in UTC). */
export function dateRange(value: string, name: string): { start: number; end: number } {
  const date = DATE.exec(value);
  let start: number;
  let end: number;
  if (date) {
    const [, y, m, d] = date;
    const year = Number(y);
    const month = m ? Number(m) - 1 : 0;
    start = Date.UTC(year, month, d ? Number(d) : 1);
    end = d
      ? Date.UTC(year, month, Number(d) + 1)
      : m
        ? Date.UTC(year, month + 1, 1)
        : Date.UTC(year + 1, 0, 1);
    if (d && new Date(start).getUTCDate() !== Number(d))
      throw problems.badRequest(name, "is not a real calendar date");
  } else if (DATE_TIME.test(value)) {
    start = Date.parse(value);
    end = start + 1;
  } else {
    throw problems.badRequest(name, "must be a FHIR date or a dateTime with a time zone");
  }
  if (Number.isNaN(start) || start < EARLIEST_MS || start > LATEST_MS)
    throw problems.badRequest(name, `must be between ${EARLIEST_DATE} and ${LATEST_DATE}`);
  return { start, end };
}

/**
 * A date search parameter given once or more with prefixes (`ge2026-03-02`, `lt2026-03-09`, or a
 * bare date for that whole day): the instants it leaves open, [from, to).
 */
export function dateBounds(values: string[], name: string): { from?: number; to?: number } {
  let from: number | undefined;
  let to: number | undefined;
  for (const v of values) {
    const prefix = /^(eq|ge|gt|le|lt|ne|sa|eb|ap)/.exec(v)?.[1];
    const { start, end } = dateRange(prefix ? v.slice(2) : v, name);
    switch (prefix ?? "eq") {
      case "eq":
        from = Math.max(from ?? start, start);
        to = Math.min(to ?? end, end);
        break;
      case "ge":
        from = Math.max(from ?? start, start);
        break;
      case "gt":
        from = Math.max(from ?? end, end);
        break;
      case "lt":
        to = Math.min(to ?? start, start);
        break;
      case "le":
        to = Math.min(to ?? end, end);
        break;
      default:
        throw problems.badRequest(name, `the prefix ${prefix} is not supported: use eq, ge, gt, le or lt`);
    }
  }
  if (from !== undefined && to !== undefined && to <= from)
    throw problems.badRequest(name, "leaves no time between its bounds");
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

/** `_include` values, each one of `allowed` (e.g. `Slot:schedule`). */
export function includes(q: Query, allowed: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const v of all(q, "_include")) {
    for (const one of v.split(",")) {
      if (!allowed.includes(one)) throw problems.badRequest("_include", `supported: ${allowed.join(", ")}`);
      out.add(one);
    }
  }
  return out;
}

/** `_revinclude` values (each checked against the route's list before the handler runs). */
export function revIncludes(q: Query, allowed: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const v of all(q, "_revinclude"))
    for (const one of v.split(",")) {
      if (!allowed.includes(one))
        throw problems.badRequest("_revinclude", `supported: ${allowed.join(", ")}`);
      out.add(one);
    }
  return out;
}

/** The `_has:Type:reference:param` filters asked, by chain (`Type:reference:param`), each given once. */
export function hasFilters(q: Query, allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const chain of allowed) {
    const value = one(q, `_has:${chain}`);
    if (value !== undefined) out.set(chain, value);
  }
  return out;
}

/** An operation's input: a Parameters resource (POST) or the query string (GET), as name → value strings and resources. */
export interface OperationInput {
  /** The string form of each parameter value (a reference's reference, a coding's code, a date…). */
  values(name: string): string[];
  value(name: string): string | undefined;
  resource(name: string): Record<string, unknown> | undefined;
}

function valueString(p: ParametersParameter): string | undefined {
  if (p.valueString !== undefined) return p.valueString;
  if (p.valueReference?.reference !== undefined) return p.valueReference.reference;
  if (p.valueCoding?.code !== undefined)
    return p.valueCoding.system ? `${p.valueCoding.system}|${p.valueCoding.code}` : p.valueCoding.code;
  const coding = p.valueCodeableConcept?.coding?.[0];
  if (coding?.code !== undefined) return coding.system ? `${coding.system}|${coding.code}` : coding.code;
  for (const v of [p.valueDateTime, p.valueDate, p.valueInstant, p.valueCode, p.valueUri, p.valueId])
    if (v !== undefined) return v;
  if (p.valueInteger !== undefined) return String(p.valueInteger);
  if (p.valuePositiveInt !== undefined) return String(p.valuePositiveInt);
  if (p.valueUnsignedInt !== undefined) return String(p.valueUnsignedInt);
  return undefined;
}

export function operationInput(body: unknown, query: Query): OperationInput {
  if (body === undefined || body === null) {
    return {
      values: (name) => all(query, name),
      value: (name) => one(query, name),
      resource: () => undefined,
    };
  }
  const params = body as Parameters;
  if (
    typeof body !== "object" ||
    params.resourceType !== "Parameters" ||
    !Array.isArray(params.parameter ?? [])
  )
    throw problems.badRequest("resourceType", "send a Parameters resource");
  const named = (name: string) => (params.parameter ?? []).filter((p) => p?.name === name);
  const values = (name: string) =>
    named(name).map((p) => {
      const v = valueString(p);
      if (v === undefined) throw problems.badRequest(name, "has no value of a supported type");
      return v;
    });
  return {
    values,
    value(name) {
      const found = values(name);
      if (found.length > 1) throw problems.badRequest(name, "give this parameter once");
      return found[0];
    },
    resource(name) {
      const found = named(name);
      if (found.length > 1) throw problems.badRequest(name, "give this parameter once");
      const r = found[0]?.resource as Record<string, unknown> | undefined;
      if (found[0] && !r) throw problems.badRequest(name, "must carry a resource");
      return r;
    },
  };
}
