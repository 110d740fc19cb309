/** Search answers as FHIR Bundles with paging links, and refusals as OperationOutcomes. */
import type { Bundle, BundleEntry, BundleLink, OperationOutcome, Resource } from "@medplum/fhirtypes";
import type { ProblemError } from "../../platform/errors.js";

export interface PageRequest {
  /** The absolute URL of the search, without `_offset` and `_count`. */
  url: URL;
  count: number;
  offset: number;
}

const pageUrl = (page: PageRequest, offset: number): string => {
  const url = new URL(page.url);
  url.searchParams.set("_count", String(page.count));
  url.searchParams.set("_offset", String(offset));
  return url.toString();
};

/**
 * One page of a search: `matches` (the page's own resources), `included` (what `_include` brought
 * along), the total when known, and self/first/previous/next links; `more` says whether a next page exists.
 */
export function searchBundle(
  base: string,
  page: PageRequest,
  matches: Resource[],
  opts: { total?: number | undefined; more: boolean; included?: Resource[] },
): Bundle {
  const entry = (resource: Resource, mode: "match" | "include"): BundleEntry => ({
    fullUrl: resource.id
      ? `${base}/${resource.resourceType}/${resource.id}`
      : `urn:uuid:${crypto.randomUUID()}`,
    resource,
    search: { mode },
  });
  const link: BundleLink[] = [
    { relation: "self", url: pageUrl(page, page.offset) },
    { relation: "first", url: pageUrl(page, 0) },
  ];
  if (page.offset > 0)
    link.push({ relation: "previous", url: pageUrl(page, Math.max(0, page.offset - page.count)) });
  if (opts.more) link.push({ relation: "next", url: pageUrl(page, page.offset + page.count) });
  const seen = new Set(matches.map((r) => `${r.resourceType}/${r.id}`));
  const included = (opts.included ?? []).filter((r) => {
    const key = `${r.resourceType}/${r.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    resourceType: "Bundle",
    type: "searchset",
    ...(opts.total !== undefined ? { total: opts.total } : {}),
    link,
    entry: [...matches.map((r) => entry(r, "match")), ...included.map((r) => entry(r, "include"))],
  };
}

/** What an operation answers as a searchset (IHE's $find, $hold, $book): all its resources, linked to itself. */
export function resultBundle(base: string, self: string, matches: Resource[]): Bundle {
  return {
    resourceType: "Bundle",
    type: "searchset",
    total: matches.length,
    link: [{ relation: "self", url: self }],
    entry: matches.map((resource) => ({
      fullUrl: resource.id
        ? `${base}/${resource.resourceType}/${resource.id}`
        : `urn:uuid:${crypto.randomUUID()}`,
      resource,
      search: { mode: "match" as const },
    })),
  };
}

const ISSUE_CODES: Record<number, OperationOutcome["issue"][number]["code"]> = {
  400: "invalid",
  401: "login",
  403: "forbidden",
  404: "not-found",
  405: "not-supported",
  409: "conflict",
  410: "expired",
  413: "too-long",
  414: "too-long",
  415: "not-supported",
  422: "processing",
  429: "throttled",
  431: "too-long",
  503: "transient",
};

/**
 * A refusal as an OperationOutcome: one issue per field at fault, its expression naming the FHIR
 * parameter (`fieldName` translates a field of the JSON API's services into one), the problem's
 * stable code among its details.
 */
export function operationOutcome(
  problem: ProblemError,
  fieldName: (field: string) => string,
): OperationOutcome {
  const code = ISSUE_CODES[problem.status] ?? "exception";
  const details = {
    coding: [{ system: "https://rounds.example/problems", code: problem.code }],
    text: problem.message,
  };
  const issues = problem.errors.length
    ? problem.errors.map((e) => ({
        severity: "error" as const,
        code,
        details,
        diagnostics: e.message,
        expression: [fieldName(e.field)],
      }))
    : [{ severity: "error" as const, code, details, diagnostics: problem.message }];
  return { resourceType: "OperationOutcome", issue: issues };
}
