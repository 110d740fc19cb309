/**
 * Values for a JSON schema of the API document, as fast-check arbitraries: what the schema allows
 * (ids drawn mostly from records that exist) and, when asked, hostile values in place of any leaf —
 * huge and negative numbers, years 0000/9999/10000, NUL, unpaired surrogates and other awkward
 * text, upper-case ids, over-long strings, wrong types.
 */
import fc from "fast-check";

export type Json = Record<string, unknown>;

const HOSTILE_TEXT = [
  "",
  "a\u0000b",
  "\u0000",
  "\ud800",
  "x\udc00y",
  "ẞ😀\u202eدرس\u200b",
  "x".repeat(5000),
  "0000-01-01",
  "9999-12-31",
  "10000-01-01",
  "0000-01-01T00:00:00Z",
  "9999-12-31T23:59:59Z",
  "9999-12-31T23:59:59-12:00",
  "+010000-01-01T00:00:00.000Z",
  "1969-12-31T23:59:59.999999999Z",
  "' OR 1=1 --",
  "%E0%A4%A",
  "../../etc/passwd",
  "NaN",
  "-1",
  "1e400",
];
const HOSTILE_NUMBERS = [2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53), -1, 1e308, -1e308, 0.5, 3_000_000_000];
const WRONG_TYPES: unknown[] = [null, true, {}, [], [1, 2], { a: "b" }, 0];

/** What the values may refer to: ids of records that exist. */
export interface World {
  ids: string[];
}

function hostile(world: World): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(...HOSTILE_TEXT),
    fc.constantFrom(...HOSTILE_NUMBERS),
    fc.constantFrom(...WRONG_TYPES),
    fc.constantFrom(...world.ids).map((id) => id.toUpperCase()),
    fc.string({ unit: "binary", maxLength: 20 }),
  );
}

function types(schema: Json): string[] {
  const t = schema.type;
  return Array.isArray(t) ? (t as string[]) : typeof t === "string" ? [t] : [];
}

function num(schema: Json, key: string): number | undefined {
  const v = schema[key];
  return typeof v === "number" ? v : undefined;
}

function stringArb(schema: Json, world: World): fc.Arbitrary<string> {
  const format = schema.format;
  if (format === "uuid") return fc.oneof(fc.constantFrom(...world.ids), fc.uuid());
  if (format === "email") return fc.emailAddress();
  if (format === "date-time")
    return fc
      .date({
        min: new Date("2000-01-01T00:00:00Z"),
        max: new Date("2100-01-01T00:00:00Z"),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString());
  if (typeof schema.pattern === "string") {
    try {
      return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= 200);
    } catch {
      // a pattern fast-check cannot generate from: plain text below
    }
  }
  const minLength = num(schema, "minLength") ?? 0;
  const maxLength = Math.max(minLength, Math.min(num(schema, "maxLength") ?? 40, 60));
  return fc.string({ minLength, maxLength });
}

/** An arbitrary of the values a JSON schema describes, with hostile leaves when `hostility` > 0. */
export function arbitraryOf(schema: Json, world: World, hostility: number, depth = 0): fc.Arbitrary<unknown> {
  const leaf = (arb: fc.Arbitrary<unknown>) =>
    hostility > 0
      ? fc.oneof({ weight: 10 - hostility, arbitrary: arb }, { weight: hostility, arbitrary: hostile(world) })
      : arb;
  const alternatives = (schema.anyOf ?? schema.oneOf) as Json[] | undefined;
  if (alternatives) return fc.oneof(...alternatives.map((s) => arbitraryOf(s, world, hostility, depth)));
  if (Array.isArray(schema.enum)) return leaf(fc.constantFrom(...(schema.enum as unknown[])));
  if ("const" in schema) return leaf(fc.constant(schema.const));
  const ts = types(schema);
  if (ts.length > 1)
    return fc.oneof(...ts.map((type) => arbitraryOf({ ...schema, type }, world, hostility, depth)));
  switch (ts[0]) {
    case "string":
      return leaf(stringArb(schema, world));
    case "integer": {
      const min = Math.max(num(schema, "minimum") ?? -1000, -1_000_000);
      const max = Math.min(num(schema, "maximum") ?? 1000, 1_000_000);
      return leaf(fc.integer({ min, max: Math.max(min, max) }));
    }
    case "number": {
      const min = num(schema, "minimum") ?? -1000;
      const max = num(schema, "maximum") ?? 1000;
      return leaf(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }));
    }
    case "boolean":
      return leaf(fc.boolean());
    case "null":
      return fc.constant(null);
    case "array": {
      const items = (schema.items as Json | undefined) ?? {};
      const minLength = num(schema, "minItems") ?? 0;
      const maxLength = Math.max(minLength, Math.min(num(schema, "maxItems") ?? 3, 3));
      return depth > 6
        ? fc.constant([])
        : leaf(fc.array(arbitraryOf(items, world, hostility, depth + 1), { minLength, maxLength }));
    }
    case "object": {
      const properties = (schema.properties as Record<string, Json> | undefined) ?? {};
      const required = (schema.required as string[] | undefined) ?? [];
      const shape = Object.fromEntries(
        Object.entries(properties).map(([k, s]) => [k, arbitraryOf(s, world, hostility, depth + 1)]),
      );
      const record = fc.record(shape, { requiredKeys: required.filter((k) => k in shape) });
      const extra = schema.additionalProperties;
      if (!Object.keys(properties).length && extra && typeof extra === "object")
        return leaf(
          fc.dictionary(
            fc.string({ minLength: 1, maxLength: 10 }),
            arbitraryOf(extra as Json, world, hostility, depth + 1),
            {
              maxKeys: 3,
            },
          ),
        );
      return leaf(record);
    }
    default:
      return leaf(fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean()));
  }
}

export const asText = (v: unknown): string => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""));

/** Percent-encodes text; an unpaired surrogate becomes the bytes of its (invalid) UTF-8 form. */
export function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...text]
      .map((c) => {
        try {
          return encodeURIComponent(c);
        } catch {
          const code = c.charCodeAt(0);
          return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
            .map((b) => `%${b.toString(16).toUpperCase()}`)
            .join("");
        }
      })
      .join("");
  }
}
