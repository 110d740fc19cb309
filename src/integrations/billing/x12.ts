/**
 * The X12 005010X222A1 837P (professional claim) writer: one interchange (ISA/GS/ST) per batch,
 * a 2000A billing provider loop per location with its facility NPI, tax id and address, and per
 * claim a 2000B subscriber loop (the patient, with the payer), the 2300 claim (CLM with the place
 * of service and amount), the 2310B rendering provider and one 2400 service line (SV1 HC:CPT:
 * modifiers, DTP*472). A small writer of our own: the tests read its output with x12-parser.
 */
import { type Claim, PLACEHOLDER_DIAGNOSIS } from "./claims.js";
import { dollars } from "./coding.js";

export const X12_VERSION = "005010X222A1";
const SEGMENT = "~";
const ELEMENT = "*";
const COMPONENT = ":";
const REPETITION = "^";

export interface Interchange {
  submitterId: string;
  submitterName: string;
  /** Where the clearinghouse reaches the submitter (PER*IC…EM). */
  contactEmail: string;
  receiverId: string;
  usage: "T" | "P";
  /** ISA13/GS06, 1–999999999; ST02 is always 0001 (one transaction set per interchange). */
  controlNumber: number;
  createdAt: Date;
}

/** A value as an element may hold it: upper case, no delimiter characters, within `max` characters. */
export function x12Text(value: string, max = 60): string {
  return value
    .normalize("NFKD")
    .replace(/[^\x20-\x7e]/g, "")
    .replace(/[~*:^]/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .toUpperCase()
    .slice(0, max)
    .trim();
}

const pad = (value: string, width: number) => value.padEnd(width, " ").slice(0, width);
const ymd = (d: Date) => d.toISOString().slice(0, 10).replaceAll("-", "");
const hm = (d: Date) => d.toISOString().slice(11, 16).replace(":", "");
const d8 = (isoDate: string) => isoDate.replaceAll("-", "");
const sexCode = (sex: string) => (sex === "female" ? "F" : sex === "male" ? "M" : "U");

/** One segment: its id and elements, trailing empty elements left off. */
export function segment(id: string, ...elements: (string | undefined)[]): string {
  const parts = elements.map((e) => e ?? "");
  while (parts.length && parts[parts.length - 1] === "") parts.pop();
  return [id, ...parts].join(ELEMENT);
}

/** The segments from ST to SE of the claims (grouped by billing provider in the order given). */
export function transactionSegments(ix: Interchange, claims: readonly Claim[]): string[] {
  const body: string[] = [
    segment("ST", "837", "0001", X12_VERSION),
    segment("BHT", "0019", "00", String(ix.controlNumber), ymd(ix.createdAt), hm(ix.createdAt), "CH"),
    // 1000A submitter, 1000B receiver
    segment("NM1", "41", "2", x12Text(ix.submitterName), "", "", "", "", "46", ix.submitterId),
    segment("PER", "IC", "BILLING OFFICE", "EM", x12Text(ix.contactEmail, 256)),
    segment("NM1", "40", "2", ix.receiverId, "", "", "", "", "46", ix.receiverId),
  ];
  let hl = 0;
  const byLocation = new Map<string, Claim[]>();
  for (const c of claims)
    byLocation.set(c.identity.locationId, [...(byLocation.get(c.identity.locationId) ?? []), c]);
  for (const group of byLocation.values()) {
    const provider = ++hl;
    const id = group[0]!.identity;
    body.push(
      // 2000A billing provider: the location's facility
      segment("HL", String(provider), "", "20", "1"),
      segment("NM1", "85", "2", x12Text(id.billingName), "", "", "", "", "XX", id.facilityNpi),
      segment("N3", x12Text(id.addressLine, 55)),
      segment("N4", x12Text(id.city, 30), id.region, id.postalCode),
      segment("REF", "EI", id.ein),
    );
    for (const c of group) body.push(...claimSegments(c, ++hl, provider));
  }
  body.push(segment("SE", String(body.length + 1), "0001"));
  return body;
}

/** 2000B subscriber (the patient) with the payer, 2300 claim, 2310B rendering provider, 2400 line. */
function claimSegments(c: Claim, hl: number, parent: number): string[] {
  const { charge, patient, payer, provider } = c;
  const amount = dollars(charge.amountCents);
  const address = patient.address;
  return [
    segment("HL", String(hl), String(parent), "22", "0"),
    segment("SBR", "P", "18", "", "", "", "", "", "", payer.selfPay ? "09" : "CI"),
    segment(
      "NM1",
      "IL",
      "1",
      x12Text(patient.familyName, 60),
      x12Text(patient.givenName, 35),
      "",
      "",
      "",
      "MI",
      x12Text(payer.memberId ?? patient.mrn, 80),
    ),
    ...(address
      ? [
          segment("N3", x12Text(address.line, 55)),
          segment(
            "N4",
            x12Text(address.city, 30),
            x12Text(address.region, 2),
            x12Text(address.postalCode, 15),
          ),
        ]
      : []),
    segment("DMG", "D8", d8(patient.birthDate), sexCode(patient.sex)),
    segment("NM1", "PR", "2", x12Text(payer.name), "", "", "", "", "PI", payer.payerId),
    segment(
      "CLM",
      charge.claimId,
      amount,
      "",
      "",
      [charge.placeOfService, "B", "1"].join(COMPONENT),
      "Y",
      "A",
      "Y",
      "Y",
    ),
    segment("HI", ["ABK", PLACEHOLDER_DIAGNOSIS].join(COMPONENT)),
    segment(
      "NM1",
      "82",
      "1",
      x12Text(provider.familyName),
      x12Text(provider.givenName, 35),
      "",
      "",
      "",
      "XX",
      provider.npi,
    ),
    segment("LX", "1"),
    segment(
      "SV1",
      ["HC", charge.procedureCode, ...charge.modifiers].join(COMPONENT),
      amount,
      "UN",
      "1",
      "",
      "",
      "1",
    ),
    segment("DTP", "472", "D8", d8(charge.serviceDate)),
  ];
}

/** The whole interchange: ISA, GS, the transaction set, GE, IEA, one segment a line. */
export function write837p(ix: Interchange, claims: readonly Claim[]): string {
  const control = String(ix.controlNumber).padStart(9, "0");
  const isa = [
    "ISA",
    "00",
    pad("", 10),
    "00",
    pad("", 10),
    "ZZ",
    pad(ix.submitterId, 15),
    "ZZ",
    pad(ix.receiverId, 15),
    ymd(ix.createdAt).slice(2),
    hm(ix.createdAt),
    REPETITION,
    "00501",
    control,
    "0",
    ix.usage,
    COMPONENT,
  ].join(ELEMENT);
  const segments = [
    isa,
    segment(
      "GS",
      "HC",
      ix.submitterId,
      ix.receiverId,
      ymd(ix.createdAt),
      hm(ix.createdAt),
      String(ix.controlNumber),
      "X",
      X12_VERSION,
    ),
    ...transactionSegments(ix, claims),
    segment("GE", "1", String(ix.controlNumber)),
    segment("IEA", "1", control),
  ];
  return segments.map((s) => `${s}${SEGMENT}\n`).join("");
}
