/**
 * X12 005010X279A1 eligibility: the 270 inquiry Rounds sends (written with node-x12's generator)
 * and the reading of the payer's 271 answer. Pure: no I/O, no clock (the time is passed in).
 */
import { JSEDINotation, X12Generator, X12Parser, type X12Segment } from "node-x12";

export const IMPLEMENTATION = "005010X279A1";
/** Who sends the inquiries (ISA06/GS02) and the provider the 270 names (NM1*1P…XX). */
export const SENDER_ID = "ROUNDS";
export const PROVIDER_NAME = "ROUNDS HOSPITAL NETWORK";
/** The network's billing NPI (a valid check digit); per-location NPIs come with billing identities. */
export const PROVIDER_NPI = "1234567893";

const DELIMITERS = {
  segmentTerminator: "~",
  elementDelimiter: "*",
  subElementDelimiter: ":",
  repetitionDelimiter: "^",
  endOfLine: "\n",
  format: true,
} as const;

export interface Inquiry {
  /** TRN02, echoed by the 271; also the ISA/GS control number's source. */
  trace: string;
  /** 1 to 999999999: ISA13 and GS06. */
  controlNumber: number;
  payer: { id: string; name: string };
  member: {
    id: string;
    givenName: string;
    familyName: string;
    birthDate: string;
    groupNumber: string | null;
  };
  serviceType: string;
  /** The day of service (YYYY-MM-DD) and when the inquiry is made. */
  serviceDate: string;
  at: Date;
}

/** Text safe inside an element: no delimiter, upper case as payers expect, bounded. */
const element = (s: string, max: number) =>
  s
    .normalize("NFKD")
    .replace(/[^\x20-\x7E]/g, "")
    .replace(/[*~:^]/g, " ")
    .trim()
    .toUpperCase()
    .slice(0, max);
const pad = (s: string, n: number) => s.slice(0, n).padEnd(n, " ");
const ymd = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, "");
const hm = (d: Date) => d.toISOString().slice(11, 16).replace(":", "");

/** The 270 for one member and service type, one interchange with one transaction. */
export function build270(q: Inquiry): string {
  const control = String(q.controlNumber).padStart(9, "0");
  const doc = new JSEDINotation([
    "00",
    pad("", 10),
    "00",
    pad("", 10),
    "ZZ",
    pad(SENDER_ID, 15),
    "ZZ",
    pad(q.payer.id, 15),
    ymd(q.at).slice(2),
    hm(q.at),
    "^",
    "00501",
    control,
    "0",
    "P",
    ":",
  ]);
  const group = doc.addFunctionalGroup([
    "HS",
    SENDER_ID,
    q.payer.id,
    ymd(q.at),
    hm(q.at),
    String(q.controlNumber),
    "X",
    IMPLEMENTATION,
  ]);
  const t = group.addTransaction(["270", "0001", IMPLEMENTATION]);
  t.addSegment("BHT", ["0022", "13", q.trace, ymd(q.at), hm(q.at)]);
  // 2000A information source: the payer
  t.addSegment("HL", ["1", "", "20", "1"]);
  t.addSegment("NM1", ["PR", "2", element(q.payer.name, 60), "", "", "", "", "PI", q.payer.id]);
  // 2000B information receiver: the provider
  t.addSegment("HL", ["2", "1", "21", "1"]);
  t.addSegment("NM1", ["1P", "2", PROVIDER_NAME, "", "", "", "", "XX", PROVIDER_NPI]);
  // 2000C subscriber: the patient, as the payer knows them
  t.addSegment("HL", ["3", "2", "22", "0"]);
  t.addSegment("TRN", ["1", q.trace, `9${SENDER_ID.padEnd(9, "0")}`]);
  t.addSegment("NM1", [
    "IL",
    "1",
    element(q.member.familyName, 60) || "UNKNOWN",
    element(q.member.givenName, 35),
    "",
    "",
    "",
    "MI",
    q.member.id,
  ]);
  if (q.member.groupNumber) t.addSegment("REF", ["6P", q.member.groupNumber]);
  t.addSegment("DMG", ["D8", q.member.birthDate.replace(/-/g, "")]);
  t.addSegment("DTP", ["291", "D8", q.serviceDate.replace(/-/g, "")]);
  t.addSegment("EQ", [q.serviceType]);
  return new X12Generator(doc, DELIMITERS).toString();
}

/** One copay or deductible the 271 lists (EB01 B or C). */
export interface Benefit {
  kind: "copay" | "deductible" | "deductible_remaining";
  serviceTypes: string[];
  amountCents: number;
  /** EB12: false when only out of network. */
  inNetwork: boolean;
}

export type Eligibility =
  | {
      status: "verified_active";
      planName: string | null;
      copayCents: number | null;
      deductibleCents: number | null;
      deductibleRemainingCents: number | null;
      benefits: Benefit[];
    }
  | { status: "inactive"; planName: string | null }
  | { status: "not_found"; reason: string }
  /** The payer could not answer now (AAA 42/80) or the answer could not be used: retried when `retry`. */
  | { status: "not_verified"; reason: string; retry: boolean };

/** AAA03 reject reasons that mean the payer does not know this member. */
const MEMBER_UNKNOWN: Record<string, string> = {
  "72": "invalid or missing member id",
  "73": "invalid or missing name",
  "58": "invalid or missing date of birth",
  "75": "member not found",
  "76": "duplicate member id",
};
/** AAA03 reasons to ask again later. */
const TRY_AGAIN: Record<string, string> = {
  "42": "the payer cannot respond at this time",
  "80": "the payer's system did not respond",
};

const ACTIVE = new Set(["1", "2", "3", "4", "5"]);
const INACTIVE = new Set(["6", "7", "8"]);

/** An X12 R-type amount ("25", "27.50") in cents, or undefined when it is not one. */
export function cents(amount: string): number | undefined {
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(amount)) return undefined;
  return Math.round(Number(amount) * 100);
}

class Unreadable extends Error {}

/**
 * What a 271 says about the member for the service type asked: active (with the copay and
 * deductible for that type, or else for 30, health benefit plan coverage), inactive, not found,
 * or not verified with the reason. A 271 that cannot be read is "not verified", never a throw.
 */
export function read271(text: string, asked: { trace: string; serviceType: string }): Eligibility {
  try {
    return readOrThrow(text, asked);
  } catch (err) {
    const reason =
      err instanceof Unreadable ? err.message : `the payer's answer is not valid X12: ${messageOf(err)}`;
    return { status: "not_verified", reason: reason.slice(0, 300), retry: true };
  }
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ");

function readOrThrow(text: string, asked: { trace: string; serviceType: string }): Eligibility {
  let edi = text.trim();
  // the segment terminator follows ISA16; a last segment without it is still the last segment
  const terminator = edi.startsWith("ISA") ? edi.charAt(105) : "";
  if (terminator && !edi.endsWith(terminator)) edi += terminator;
  const interchange = new X12Parser(true).parse(edi);
  if (!("functionalGroups" in interchange)) throw new Unreadable("the payer answered several interchanges");
  const transaction = interchange.functionalGroups[0]?.transactions[0];
  if (!transaction) throw new Unreadable("the payer's answer has no transaction");
  const st = transaction.header;
  if (value(st, 1) !== "271")
    throw new Unreadable(`the payer answered a ${value(st, 1) || "?"} transaction, not a 271`);
  const segments = transaction.segments;
  // a 271 cut short still parses: its trailers are what prove it whole
  if (transaction.trailer?.tag !== "SE" || Number(value(transaction.trailer, 1)) !== segments.length + 2)
    throw new Unreadable("the payer's answer is incomplete (SE segment count)");
  if (interchange.trailer?.tag !== "IEA") throw new Unreadable("the payer's answer is incomplete (no IEA)");
  const repetition = value(interchange.header, 11) || "^";
  // AAA anywhere (payer, provider or member loop): the request was rejected
  for (const s of segments.filter((x) => x.tag === "AAA")) {
    const code = value(s, 3);
    if (MEMBER_UNKNOWN[code]) return { status: "not_found", reason: `${MEMBER_UNKNOWN[code]} (AAA ${code})` };
    if (TRY_AGAIN[code])
      return { status: "not_verified", reason: `${TRY_AGAIN[code]} (AAA ${code})`, retry: true };
    return {
      status: "not_verified",
      reason: `the payer rejected the inquiry (AAA ${code || "?"})`,
      retry: false,
    };
  }
  const traces = segments.filter((s) => s.tag === "TRN").map((s) => value(s, 2));
  if (!traces.includes(asked.trace)) throw new Unreadable("the payer's answer is for another inquiry (TRN)");
  const eb = segments.filter((s) => s.tag === "EB");
  const statusCode = eb.map((s) => value(s, 1)).find((c) => ACTIVE.has(c) || INACTIVE.has(c));
  if (!statusCode) throw new Unreadable("the payer's answer states no coverage status (EB01)");
  const planName = eb.map((s) => value(s, 5)).find((p) => p !== "") ?? null;
  if (INACTIVE.has(statusCode)) return { status: "inactive", planName };
  const benefits: Benefit[] = [];
  for (const s of eb) {
    const kind = benefitKind(value(s, 1), value(s, 6));
    if (!kind) continue;
    const amount = cents(value(s, 7));
    if (amount === undefined)
      throw new Unreadable(`the payer's answer has an unreadable amount (EB07 "${value(s, 7)}")`);
    const serviceTypes = value(s, 3).split(repetition).filter(Boolean);
    benefits.push({
      kind,
      serviceTypes: serviceTypes.length ? serviceTypes : ["30"],
      amountCents: amount,
      inNetwork: value(s, 12) !== "N",
    });
  }
  const pick = (kind: Benefit["kind"]) => benefitFor(benefits, kind, asked.serviceType)?.amountCents ?? null;
  return {
    status: "verified_active",
    planName,
    copayCents: pick("copay"),
    deductibleCents: pick("deductible"),
    deductibleRemainingCents: pick("deductible_remaining"),
    benefits,
  };
}

/** EB01 B is a co-payment; C a deductible, per calendar/service year (23/22) or remaining (29). */
function benefitKind(code: string, period: string): Benefit["kind"] | undefined {
  if (code === "B") return "copay";
  if (code === "C") return period === "29" ? "deductible_remaining" : "deductible";
  return undefined;
}

/** The in-network benefit of this kind for the service type, or else for 30 (the plan's). */
export function benefitFor(
  benefits: readonly Benefit[],
  kind: Benefit["kind"],
  serviceType: string,
): Benefit | undefined {
  const of = (stc: string) =>
    benefits.find((b) => b.kind === kind && b.inNetwork && b.serviceTypes.includes(stc)) ??
    benefits.find((b) => b.kind === kind && b.serviceTypes.includes(stc));
  return of(serviceType) ?? of("30");
}

const value = (s: X12Segment, n: number): string => s.valueOf(n) ?? "";
