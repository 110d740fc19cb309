/**
 * SMART system scopes (`system/Slot.read`, `system/Appointment.write`, `system/*.read`) and what
 * they let a system client do: which FHIR interactions (checked on every FHIR route) and which
 * actions of the policy table (checked by every service operation). Pure.
 */

/** The resource types a scope may name: what the FHIR endpoint serves. */
export const SCOPE_TYPES = [
  "Organization",
  "Location",
  "Practitioner",
  "PractitionerRole",
  "HealthcareService",
  "Schedule",
  "Slot",
  "Appointment",
  "Patient",
] as const;
export type ScopeType = (typeof SCOPE_TYPES)[number];
export type Access = "read" | "write";

/** Every concrete scope a client may be registered with (wildcards expand to these). */
export const KNOWN_SCOPES: readonly string[] = SCOPE_TYPES.flatMap((t) =>
  t === "Appointment" ? [`system/${t}.read`, `system/${t}.write`] : [`system/${t}.read`],
);

/**
 * The policy actions (`kind.action`) a scope grants. Reference data needs none (it is public);
 * reading Slots and proposing appointments needs none either (no patient is named); booking,
 * holding and cancelling name a patient and an appointment, so `Appointment.write` grants those.
 */
const GRANTS: Readonly<Record<string, readonly string[]>> = {
  "system/Appointment.read": ["appointment.read"],
  // busy Slots are a physician's schedule's taken times (without patients or appointments)
  "system/Slot.read": ["physician.read_schedule"],
  "system/Appointment.write": ["patient.book", "appointment.cancel", "appointment.release_hold"],
  "system/Patient.read": ["patient.read", "patient.search_for"],
};

/**
 * The concrete scopes a space-separated scope string asks for: `system/*.read` is every read,
 * `system/Appointment.*` both of its accesses, `system/*.*` everything; undefined when a part is
 * not a scope this server knows (a client's request is then refused as `invalid_scope`).
 */
export function expandScopes(requested: string): string[] | undefined {
  const out = new Set<string>();
  for (const part of requested.split(" ").filter(Boolean)) {
    const m = /^system\/(\*|[A-Za-z]+)\.(\*|read|write)$/.exec(part);
    if (!m) return undefined;
    const [, type, access] = m;
    const matching = KNOWN_SCOPES.filter((s) => {
      const [t, a] = s.slice("system/".length).split(".");
      return (type === "*" || t === type) && (access === "*" || a === access);
    });
    if (!matching.length) return undefined;
    for (const s of matching) out.add(s);
  }
  return [...out].sort();
}

/** The scopes a token gets: the requested ones (every registered one when none is asked for), if all are registered. */
export function grantedScopes(
  registered: readonly string[],
  requested: string | undefined,
): string[] | undefined {
  if (requested === undefined || requested.trim() === "") return [...registered].sort();
  const wanted = expandScopes(requested);
  if (!wanted) return undefined;
  // a wildcard asks for what it covers of the registered scopes; a concrete scope must be registered
  const concrete = requested.split(" ").filter((p) => p && !p.includes("*"));
  if (concrete.some((s) => !registered.includes(s))) return undefined;
  const granted = wanted.filter((s) => registered.includes(s));
  return granted.length ? granted : undefined;
}

/** The policy actions these scopes grant. */
export function grantsOf(scopes: readonly string[]): string[] {
  return [...new Set(scopes.flatMap((s) => GRANTS[s] ?? []))].sort();
}

/**
 * The scope a FHIR interaction needs, from the route it matched (`/fhir/R4/Appointment/:id`) and
 * its method: the route's resource type, read for GET and for the searches posted as operations
 * (`$find`), write for everything else; undefined for what any caller may call (the
 * CapabilityStatement, `$bulk-publish`, SMART discovery, the token endpoint, an unknown route's refusal).
 */
export function requiredScope(method: string, routeUrl: string, base: string): string | undefined {
  const path = routeUrl.startsWith(base) ? routeUrl.slice(base.length) : routeUrl;
  // SMART Scheduling Links are public: any caller may read them, as anyone without a token
  if (path.split("/")[1] === "$bulk-publish") return undefined;
  const type = path.split("/")[1] ?? "";
  if (!(SCOPE_TYPES as readonly string[]).includes(type)) return undefined;
  const read = method === "GET" || method === "HEAD" || path.endsWith("/$find");
  return `system/${type}.${read ? "read" : "write"}`;
}
