/**
 * SMART system scopes: what a token may be granted, and what each FHIR interaction needs — pure
 * functions checked against a plain reference model with generated registrations and requests.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  expandScopes,
  grantedScopes,
  grantsOf,
  KNOWN_SCOPES,
  requiredScope,
  SCOPE_TYPES,
} from "../../src/integrations/fhir/clients/scopes.js";

const BASE = "/fhir/R4";
const registered = fc.subarray([...KNOWN_SCOPES], { minLength: 1 });
const part = fc.oneof(
  fc.constantFrom(...KNOWN_SCOPES),
  fc.constantFrom("system/*.read", "system/*.write", "system/*.*", "system/Appointment.*"),
);
const request = fc.array(part, { minLength: 1, maxLength: 4 }).map((p) => p.join(" "));

/** The reference: a scope is covered by a requested part when type and access match or are wildcards. */
function covers(partText: string, scope: string): boolean {
  const [type, access] = partText.slice("system/".length).split(".");
  const [t, a] = scope.slice("system/".length).split(".");
  return (type === "*" || type === t) && (access === "*" || access === a);
}

describe("system scopes", () => {
  it("a token never holds a scope its client was not registered with, and holds every registered one it asked for", () => {
    fc.assert(
      fc.property(registered, request, (reg, req) => {
        const granted = grantedScopes(reg, req);
        const parts = req.split(" ");
        const concreteMissing = parts.some((p) => !p.includes("*") && !reg.includes(p));
        const expected = reg.filter((s) => parts.some((p) => covers(p, s))).sort();
        if (concreteMissing || expected.length === 0) expect(granted).toBeUndefined();
        else expect(granted).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("asking for no scope gives every registered one", () => {
    fc.assert(
      fc.property(registered, (reg) => {
        expect(grantedScopes(reg, undefined)).toEqual([...reg].sort());
        expect(grantedScopes(reg, "  ")).toEqual([...reg].sort());
      }),
    );
  });

  it("user and patient scopes, unknown types and odd spellings are not scopes of this server", () => {
    for (const bad of [
      "patient/Appointment.read",
      "user/*.read",
      "system/Observation.read",
      "system/Slot.write",
      "system/Slot.rs",
      "system/Slot",
      "openid",
      "system/Appointment.read;drop",
    ])
      expect(expandScopes(bad), bad).toBeUndefined();
  });

  it("reading Slots grants reading schedules (their busy times) only; writing appointments grants booking and cancelling but not reading patients", () => {
    expect(grantsOf(["system/Slot.read", "system/Location.read"])).toEqual(["physician.read_schedule"]);
    expect(grantsOf(["system/Location.read", "system/Schedule.read"])).toEqual([]);
    expect(grantsOf(["system/Appointment.write"])).toEqual([
      "appointment.cancel",
      "appointment.release_hold",
      "patient.book",
    ]);
    expect(grantsOf(["system/Appointment.write"])).not.toContain("patient.read");
    expect(grantsOf(["system/Patient.read"])).toContain("patient.read");
  });

  it("every FHIR interaction on a resource type needs that type's scope: reads and $find read, the rest write", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SCOPE_TYPES),
        fc.constantFrom("", "/:id", "/$find", "/$book", "/:id/$cancel"),
        fc.constantFrom("GET", "POST", "PUT", "PATCH"),
        (type, tail, method) => {
          const scope = requiredScope(method, `${BASE}/${type}${tail}`, BASE);
          const read = method === "GET" || tail === "/$find";
          expect(scope).toBe(`system/${type}.${read ? "read" : "write"}`);
        },
      ),
    );
    // SMART Scheduling Links are public
    expect(requiredScope("GET", `${BASE}/$bulk-publish`, BASE)).toBeUndefined();
    expect(requiredScope("GET", `${BASE}/$bulk-publish/:file`, BASE)).toBeUndefined();
    for (const open of ["/metadata", "/auth/token", "/.well-known/smart-configuration", "/*", "/"])
      expect(requiredScope("GET", `${BASE}${open}`, BASE)).toBeUndefined();
  });
});
