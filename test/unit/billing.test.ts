/**
 * Billing's pure builders: the NPI check digit, the charge a completed visit becomes (against a
 * simple reference model of the coding rules), and the 837P segments (counts and envelopes).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BillingIdentity,
  type Claim,
  chargeOf,
  npiCheckDigit,
  npiIsValid,
  SELF_PAY,
  segment,
  write837p,
  x12Text,
} from "../../src/integrations/billing/index.js";

const identity: BillingIdentity = {
  locationId: "L1",
  placeOfService: "22",
  telehealthPlaceOfService: "10",
  facilityNpi: "1234567893",
  ein: "123456789",
  billingName: "Main Campus",
  addressLine: "1 Main St",
  city: "Riverton",
  region: "NY",
  postalCode: "10001",
};
const modifier = fc.constantFrom("25", "59", "GC", "95", "LT");

describe("NPI check digit", () => {
  it("accepts the CMS example NPI and refuses it with any other last digit", () => {
    expect(npiIsValid("1234567893")).toBe(true);
    for (const d of "012456789") expect(npiIsValid(`123456789${d}`)).toBe(false);
    expect(npiIsValid("123456789")).toBe(false);
  });

  it("completes any nine digits to exactly one valid NPI", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{9}$/), (first9) => {
        const npi = `${first9}${npiCheckDigit(first9)}`;
        expect(npiIsValid(npi)).toBe(true);
        expect([..."0123456789"].filter((d) => npiIsValid(`${first9}${d}`))).toHaveLength(1);
      }),
    );
  });
});

describe("the charge of a completed visit", () => {
  it("follows the location's coding: telehealth POS and modifier 95 on video visits, the fee schedule's amount", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(modifier, { maxLength: 4 }),
        fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: undefined }),
        fc.option(fc.constantFrom("99213", "G0439"), { nil: null }),
        fc.boolean(),
        (telehealth, typeModifiers, feeCents, procedureCode, hasIdentity) => {
          const out = chargeOf({
            visit: {
              id: "A1",
              patientId: "P",
              physicianId: "D",
              locationId: "L1",
              appointmentTypeId: "T",
              telehealth,
            },
            serviceDate: "2026-11-02",
            identity: hasIdentity ? identity : undefined,
            procedureCode,
            typeModifiers,
            feeCents,
          });
          // the reference model
          const skipped = !hasIdentity
            ? "no_billing_identity"
            : feeCents === undefined
              ? "no_fee"
              : !procedureCode
                ? "no_procedure_code"
                : undefined;
          if (skipped || feeCents === undefined || !procedureCode) {
            expect(out).toEqual({ skipped });
            return;
          }
          const wanted: string[] = [];
          for (const m of [...typeModifiers, ...(telehealth ? ["95"] : [])])
            if (!wanted.includes(m)) wanted.push(m);
          expect(out).toEqual({
            charge: {
              appointmentId: "A1",
              claimId: "A1",
              patientId: "P",
              physicianId: "D",
              locationId: "L1",
              serviceDate: "2026-11-02",
              procedureCode,
              modifiers: wanted.slice(0, 4),
              placeOfService: telehealth ? "10" : "22",
              amountCents: feeCents,
            },
          });
        },
      ),
    );
  });
});

describe("the 837P writer", () => {
  it("keeps delimiters out of values and leaves trailing empty elements off", () => {
    expect(x12Text("O'Brien*Smith~ Jr: ^ém")).toBe("O'BRIEN SMITH JR EM");
    expect(segment("NM1", "85", "2", "X", "", "")).toBe("NM1*85*2*X");
  });

  it("counts ST to SE, groups claims under their billing provider and closes each envelope with its control number", () => {
    const claim = (id: string, locationId: string, amountCents: number): Claim => ({
      charge: {
        appointmentId: id,
        claimId: id,
        patientId: "P",
        physicianId: "D",
        locationId,
        serviceDate: "2026-11-02",
        procedureCode: "99213",
        modifiers: ["95"],
        placeOfService: "02",
        amountCents,
      },
      identity: { ...identity, locationId },
      patient: {
        id: "P",
        mrn: "MRN1",
        givenName: "Ann",
        familyName: "Lee",
        birthDate: "1980-05-05",
        sex: "female",
        address: null,
      },
      provider: { id: "D", npi: "1234567893", givenName: "Max", familyName: "Roe" },
      payer: SELF_PAY,
    });
    const text = write837p(
      {
        submitterId: "ROUNDS",
        submitterName: "ROUNDS",
        contactEmail: "billing@rounds.invalid",
        receiverId: "CLEARINGHOUSE",
        usage: "T",
        controlNumber: 4242,
        createdAt: new Date("2026-11-03T10:15:00Z"),
      },
      [claim("C1", "L1", 12_500), claim("C2", "L2", 9_900), claim("C3", "L1", 100)],
    );
    const segments = text.trimEnd().replace(/~$/, "").split("~\n");
    const ids = segments.map((s) => s.split("*")[0]);
    const st = ids.indexOf("ST");
    const se = ids.indexOf("SE");
    expect(Number(segments[se]!.split("*")[1])).toBe(se - st + 1);
    expect(segments[0]!).toHaveLength(105);
    expect(segments.at(-1)).toBe("IEA*1*000004242");
    expect(segments.at(-2)).toBe("GE*1*4242");
    // two billing providers (HL*n**20), three subscribers under them, the first provider's two together
    const hl = segments.filter((s) => s.startsWith("HL*")).map((s) => s.split("*").slice(1, 4).join("/"));
    expect(hl).toEqual(["1//20", "2/1/22", "3/1/22", "4//20", "5/4/22"]);
    expect(segments.filter((s) => s.startsWith("CLM*")).map((s) => s.split("*")[2])).toEqual([
      "125.00",
      "1.00",
      "99.00",
    ]);
  });
});
