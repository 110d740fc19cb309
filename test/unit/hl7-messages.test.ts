/**
 * The pure halves of the HL7 adapter: which SIU trigger a schedule change becomes, that any text
 * we put in a message reads back the same in an HL7 library we did not write, and how inbound
 * ADT/ORU messages are read or refused, and answered in original or enhanced mode.
 */
import { Hl7Message } from "@medplum/core";
import fc from "fast-check";
import { Message } from "node-hl7-client";
import { describe, expect, it } from "vitest";
import { acknowledgementsFor, type InboundOutcome } from "../../src/integrations/hl7/acks.js";
import { InboundRejection, readInbound } from "../../src/integrations/hl7/inbound.js";
import { buildSiu, retryDelayMs, type SiuFacts, triggerFor } from "../../src/integrations/hl7/siu.js";

const facts = (over: Partial<SiuFacts> = {}): SiuFacts => ({
  trigger: "S12",
  controlId: "R1-abc",
  createdAt: new Date("2026-03-08T06:30:00Z"),
  appointmentId: "b3c0a4c8-0000-4000-8000-000000000002",
  chainId: "b3c0a4c8-0000-4000-8000-000000000001",
  status: "booked",
  start: new Date("2026-03-08T07:30:00Z"),
  end: new Date("2026-03-08T08:15:00Z"),
  reason: null,
  appointmentType: { id: "t1", name: "Consultation" },
  patient: { mrn: "MRN-1", givenName: "Ana", familyName: "Lopez", birthDate: "1980-02-03", sex: "female" },
  physician: { id: "p1", givenName: "Grace", familyName: "Hopper" },
  location: { id: "l1", code: "MAIN", name: "Main Campus" },
  ...over,
});

describe("SIU triggers", () => {
  it("a booking is new (S12), a move of a known appointment is S13, of an unknown one S12", () => {
    expect(triggerFor({ type: "appointment.booked", payload: {} }, false)).toBe("S12");
    expect(triggerFor({ type: "appointment.rescheduled", payload: {} }, true)).toBe("S13");
    expect(triggerFor({ type: "appointment.rescheduled", payload: {} }, false)).toBe("S12");
  });
  it("the EMR hears nothing of holds, of released holds or of offers", () => {
    expect(triggerFor({ type: "appointment.held", payload: {} }, false)).toBeUndefined();
    expect(triggerFor({ type: "appointment.cancelled", payload: { from: "held" } }, true)).toBeUndefined();
    expect(triggerFor({ type: "waitlist.offered", payload: {} }, true)).toBeUndefined();
  });
  it("cancellations, no-shows and other status changes of known appointments are S15, S26 and S14", () => {
    expect(triggerFor({ type: "appointment.cancelled", payload: { from: "booked" } }, true)).toBe("S15");
    expect(triggerFor({ type: "appointment.status_changed", payload: { status: "no_show" } }, true)).toBe(
      "S26",
    );
    expect(triggerFor({ type: "appointment.status_changed", payload: { status: "checked_in" } }, true)).toBe(
      "S14",
    );
  });
  it("retries wait longer each time, never more than ten minutes", () => {
    const delays = [1, 2, 3, 4, 10, 50].map(retryDelayMs);
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(Math.max(...delays)).toBe(600_000);
  });
});

describe("SIU text", () => {
  it("any names and reason read back unchanged in node-hl7-client, delimiters included", () => {
    const text = fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, " ").trim());
    fc.assert(
      fc.property(text, text, text, (given, family, reason) => {
        const body = buildSiu(
          facts({ reason, patient: { ...facts().patient, givenName: given, familyName: family } }),
        );
        const m = new Message({ text: body });
        expect(m.get("PID.5.1").toString()).toBe(family);
        expect(m.get("PID.5.2").toString()).toBe(given);
        expect(m.get("SCH.7").toString()).toBe(reason);
        expect(m.get("MSH.10").toString()).toBe("R1-abc");
      }),
      { numRuns: 100 },
    );
  });
  it("times are sent in UTC", () => {
    const m = new Message({ text: buildSiu(facts()) });
    expect(m.get("TQ1.7").toString()).toBe("20260308073000+0000");
    expect(m.get("SCH.9").toString()).toBe("45");
  });
});

const adt = (type: string, pid: string, extra: string[] = []) =>
  Hl7Message.parse([`MSH|^~\\&|EMR|H|ROUNDS|R|20260101||${type}|C1|P|2.5.1`, pid, ...extra].join("\r"));

describe("inbound messages", () => {
  it("A04 reads into a registration with the patient's demographics", () => {
    expect(readInbound(adt("ADT^A04", "PID|1||AB-1234^^^H^MR||Okafor^Ngozi||19750312|F"))).toEqual({
      kind: "register",
      patient: {
        mrn: "AB-1234",
        givenName: "Ngozi",
        familyName: "Okafor",
        birthDate: "1975-03-12",
        sex: "female",
        phone: null,
      },
    });
  });
  it("a message type we do not take is rejected (AR), a broken one is an error (AE) naming the field", () => {
    const reject = (m: Hl7Message) => {
      try {
        readInbound(m);
      } catch (err) {
        if (err instanceof InboundRejection) return [err.code, err.message];
      }
      return undefined;
    };
    expect(reject(adt("ADT^A03", "PID|1||AB-1234||X^Y||19750312|F"))?.[0]).toBe("AR");
    expect(reject(adt("ADT^A04", "PID|1||AB-1234||X^Y||19750230|F"))).toEqual([
      "AE",
      expect.stringContaining("PID-7"),
    ]);
    expect(reject(adt("ADT^A04", "PID|1||ab 1||X^Y||19750312|F"))).toEqual([
      "AE",
      expect.stringContaining("PID-3"),
    ]);
    expect(reject(adt("ADT^A40", "PID|1||AB-1234||X^Y||19750312|F", ["MRG|AB-1234"]))?.[0]).toBe("AE");
    expect(reject(adt("ORU^R01", "PID|1||AB-1234||X^Y||19750312|F"))).toEqual([
      "AE",
      expect.stringContaining("OBX"),
    ]);
  });
});

describe("acknowledgements in original and enhanced mode", () => {
  const answers = (accept: string, application: string, outcome: InboundOutcome) =>
    acknowledgementsFor(
      Hl7Message.parse(
        `MSH|^~\\&|EMR|HOSP|ROUNDS|ROUNDS|20260105120000||ADT^A04|C1|P|2.5.1|||${accept}|${application}`,
      ),
      outcome,
    ).map((m) => m.getSegment("MSA")?.getField(1)?.toString());
  const bad: InboundOutcome = { code: "AE", reason: "PID-7: not a date" };

  it("a sender that asks for neither gets one original-mode answer", () => {
    expect(answers("", "", { code: "AA" })).toEqual(["AA"]);
    expect(answers("", "", { code: "failed", reason: "x" })).toEqual(["AE"]);
  });

  it("a sender in enhanced mode gets the commit and the application answer it asked for", () => {
    expect(answers("AL", "AL", { code: "AA" })).toEqual(["CA", "AA"]);
    expect(answers("AL", "NE", { code: "AA" })).toEqual(["CA"]);
    expect(answers("NE", "AL", bad)).toEqual(["AE"]);
    expect(answers("ER", "ER", { code: "AA" })).toEqual([]);
    expect(answers("ER", "ER", bad)).toEqual(["AE"]);
    expect(answers("SU", "SU", bad)).toEqual(["CA"]);
    expect(answers("AL", "", { code: "AR", reason: "unsupported" })).toEqual(["CR"]);
    expect(answers("AL", "AL", { code: "failed", reason: "database down" })).toEqual(["CE"]);
    expect(answers("NE", "NE", { code: "AA" })).toEqual([]);
  });

  it("the application answer is a message of its own, with its own control id", () => {
    const [commit, app] = acknowledgementsFor(
      Hl7Message.parse("MSH|^~\\&|EMR|HOSP|ROUNDS|ROUNDS|20260105120000||ADT^A04|C1|P|2.5.1|||AL|AL"),
      bad,
    );
    const id = (m: Hl7Message | undefined) => m?.getSegment("MSH")?.getField(10)?.toString();
    expect(id(commit)).not.toBe(id(app));
    expect(app?.getSegment("ERR")?.getField(8)?.toString()).toContain("PID-7");
  });
});
