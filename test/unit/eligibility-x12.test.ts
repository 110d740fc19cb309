/**
 * Eligibility's wire format without a database: our 270 read back by an independent X12 parser
 * (x12-parser, not the node-x12 that wrote it), the reading of 271 answers, the service type an
 * appointment type is asked about, and the retry schedule.
 */
import { Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { X12parser } from "x12-parser";
import { MAX_ATTEMPTS, retryDelayMs } from "../../src/integrations/eligibility/checks.js";
import { serviceTypeFor } from "../../src/integrations/eligibility/service-types.js";
import { build270, cents, type Inquiry, read271 } from "../../src/integrations/eligibility/x12.js";

type Segment = { name: string } & Record<string, string>;

async function segmentsOf(text: string): Promise<Segment[]> {
  const out: Segment[] = [];
  await new Promise<void>((resolve, reject) => {
    const parser = new X12parser();
    parser.on("data", (s: Segment) => out.push(s));
    parser.on("end", resolve);
    parser.on("error", reject);
    Readable.from([text]).pipe(parser);
  });
  return out;
}

const inquiry = (over: Partial<Inquiry> = {}): Inquiry => ({
  trace: "RTRACE42",
  controlNumber: 4711,
  payer: { id: "SIMHLTH", name: "Simulated Health*Plan" },
  member: {
    id: "ABC-123",
    givenName: "Zoë",
    familyName: "O'Brien",
    birthDate: "1980-05-05",
    groupNumber: "GRP7",
  },
  serviceType: "98",
  serviceDate: "2026-12-07",
  at: new Date("2026-12-05T10:20:00Z"),
  ...over,
});

/** A 271 as a payer writes it, with these segments in the subscriber loop. */
function x271(body: string[], trace = "RTRACE42"): string {
  const st = [
    "ST*271*0001*005010X279A1",
    "BHT*0022*11*RTRACE42*20261205*1020",
    "HL*1**20*1",
    "NM1*PR*2*SIM HEALTH*****PI*SIMHLTH",
    "HL*2*1*21*1",
    "NM1*1P*2*ROUNDS HOSPITAL NETWORK*****XX*1234567893",
    "HL*3*2*22*0",
    `TRN*2*${trace}*9SIMHLTH00`,
    "NM1*IL*1*OBRIEN*ZOE****MI*ABC-123",
    ...body,
  ];
  return [
    "ISA*00*          *00*          *ZZ*SIMHLTH        *ZZ*ROUNDS         *261205*1020*^*00501*000000001*0*P*:",
    "GS*HB*SIMHLTH*ROUNDS*20261205*1020*1*X*005010X279A1",
    ...st,
    `SE*${st.length + 1}*0001`,
    "GE*1*1",
    "IEA*1*000000001",
  ].join("~\n");
}
const asked = { trace: "RTRACE42", serviceType: "98" };

describe("the 270 inquiry, read by an independent X12 parser", () => {
  it("has one interchange, group and transaction whose trailers count what they close", async () => {
    const segs = await segmentsOf(build270(inquiry()));
    const names = segs.map((s) => s.name);
    expect(names[0]).toBe("ISA");
    expect(names.at(-1)).toBe("IEA");
    const isa = segs[0]!;
    const gs = segs.find((s) => s.name === "GS")!;
    const st = segs.find((s) => s.name === "ST")!;
    const se = segs.find((s) => s.name === "SE")!;
    const ge = segs.find((s) => s.name === "GE")!;
    const iea = segs.find((s) => s.name === "IEA")!;
    expect(isa["12"]).toBe("00501");
    expect(isa["13"]).toBe("000004711");
    expect(iea).toMatchObject({ 1: "1", 2: "000004711" });
    expect(gs).toMatchObject({ 1: "HS", 6: "4711", 8: "005010X279A1" });
    expect(ge).toMatchObject({ 1: "1", 2: "4711" });
    expect(st).toMatchObject({ 1: "270", 3: "005010X279A1" });
    // SE01 counts the segments from ST to SE, both included
    expect(Number(se["1"])).toBe(names.indexOf("SE") - names.indexOf("ST") + 1);
    expect(se["2"]).toBe(st["2"]);
  });

  it("names the member (NM1*IL…MI), the payer, the trace and the service type asked", async () => {
    const segs = await segmentsOf(build270(inquiry()));
    const nm1 = segs.filter((s) => s.name === "NM1");
    expect(nm1.find((s) => s["1"] === "IL")).toMatchObject({ 3: "O'BRIEN", 4: "ZOE", 8: "MI", 9: "ABC-123" });
    // a delimiter inside a name never reaches the wire
    expect(nm1.find((s) => s["1"] === "PR")).toMatchObject({ 3: "SIMULATED HEALTH PLAN", 9: "SIMHLTH" });
    expect(segs.find((s) => s.name === "TRN")).toMatchObject({ 1: "1", 2: "RTRACE42" });
    expect(segs.find((s) => s.name === "EQ")).toMatchObject({ 1: "98" });
    expect(segs.find((s) => s.name === "DMG")).toMatchObject({ 1: "D8", 2: "19800505" });
    expect(segs.find((s) => s.name === "REF")).toMatchObject({ 1: "6P", 2: "GRP7" });
  });

  it("any member id and name stay in their elements", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[A-Za-z0-9-]{2,30}$/),
        fc.string({ maxLength: 40 }),
        async (memberId, familyName) => {
          const segs = await segmentsOf(
            build270(inquiry({ member: { ...inquiry().member, id: memberId, familyName } })),
          );
          expect(segs.find((s) => s.name === "NM1" && s["1"] === "IL")?.["9"]).toBe(memberId);
          expect(segs.filter((s) => s.name === "NM1")).toHaveLength(3);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("reading the payer's 271", () => {
  it("active coverage gives the copay for the service type asked and the plan's deductible", () => {
    const e = read271(
      x271([
        "EB*1*IND*30**GOLD PPO",
        "EB*B*IND*30***27*20*****Y",
        "EB*B*IND*98***27*35*****Y",
        "EB*B*IND*98***27*80*****N",
        "EB*C*IND*30***23*1500*****Y",
        "EB*C*IND*30***29*250.50*****Y",
      ]),
      asked,
    );
    expect(e).toMatchObject({
      status: "verified_active",
      planName: "GOLD PPO",
      copayCents: 3500,
      deductibleCents: 150000,
      deductibleRemainingCents: 25050,
    });
  });

  it("without a copay for the service type, the plan's (30) applies", () => {
    const e = read271(x271(["EB*1*IND*30**SILVER", "EB*B*IND*30^33***27*25"]), asked);
    expect(e).toMatchObject({ status: "verified_active", copayCents: 2500, deductibleCents: null });
  });

  it("inactive coverage, an unknown member and a payer that cannot answer now", () => {
    expect(read271(x271(["EB*6*IND*30**GOLD PPO"]), asked)).toEqual({
      status: "inactive",
      planName: "GOLD PPO",
    });
    expect(read271(x271(["AAA*Y**75*C"]), asked)).toEqual({
      status: "not_found",
      reason: "member not found (AAA 75)",
    });
    expect(read271(x271(["AAA*Y**42*R"]), asked)).toMatchObject({ status: "not_verified", retry: true });
  });

  it("a malformed, cut-short or foreign answer is 'not verified' with the reason, never a throw", () => {
    const whole = x271(["EB*1*IND*30**GOLD"]);
    const cases: Array<[string, RegExp]> = [
      ["<html>502 Bad Gateway</html>", /not valid X12/],
      [whole.slice(0, Math.floor(whole.length * 0.7)), /incomplete|not valid X12/],
      [x271(["EB*1*IND*30**GOLD"], "SOMEONE-ELSE"), /another inquiry/],
      [x271(["DTP*346*D8*20260101"]), /no coverage status/],
      [x271(["EB*1*IND*30**GOLD", "EB*B*IND*98***27*ABC"]), /unreadable amount/],
      [whole.replace("ST*271", "ST*270"), /not a 271/],
    ];
    for (const [text, reason] of cases) {
      const e = read271(text, asked);
      expect(e.status).toBe("not_verified");
      expect(e.status === "not_verified" && e.reason).toMatch(reason);
    }
  });

  it("amounts are X12 decimals in cents", () => {
    expect([cents("25"), cents("27.5"), cents("0.05"), cents("-3"), cents("1e3")]).toEqual([
      2500,
      2750,
      5,
      undefined,
      undefined,
    ]);
  });
});

describe("what is asked and when again", () => {
  it("the service type follows the appointment type, 30 when nothing more precise fits", () => {
    const t = { specialty: "cardiology", roomKind: "exam", equipmentKinds: [], visitKind: "new" } as const;
    expect(serviceTypeFor(t)).toBe("98");
    expect(serviceTypeFor({ ...t, roomKind: "imaging", equipmentKinds: ["mri"] })).toBe("62");
    expect(serviceTypeFor({ ...t, roomKind: "imaging", equipmentKinds: ["xray"] })).toBe("4");
    expect(serviceTypeFor({ ...t, specialty: "psychiatry" })).toBe("MH");
    expect(serviceTypeFor({ ...t, roomKind: "procedure", visitKind: "procedure" })).toBe("30");
    expect(serviceTypeFor({ ...t, roomKind: null })).toBe("30");
  });

  it("retries back off and stop", () => {
    const delays = Array.from({ length: MAX_ATTEMPTS }, (_, i) => retryDelayMs(i + 1));
    expect(delays.every((d, i) => i === 0 || d >= delays[i - 1]!)).toBe(true);
    expect(delays[0]).toBe(60_000);
  });
});
