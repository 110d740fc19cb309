/**
 * The built-in payer simulator (ROUNDS_PAYER_URL unset): a CORE-like real-time endpoint on its own
 * loopback port, over real HTTP. It reads each 270 (POSTed as application/edi-x12) and answers a
 * real 005010X279A1 271. The member id decides the answer, so the demo and the tests need no payer:
 * - NOTFOUND…  member not found (AAA*Y**75*C);
 * - INACTIVE…  coverage inactive (EB*6);
 * - TIMEOUT…   no answer at all (the caller's timeout runs out);
 * - MALFORMED… a 271 cut short (not valid X12);
 * - FLAKY…     the first inquiry for the member is answered 503, the next ones as active;
 * - any other: active coverage, with a copay and a deductible derived from the member id.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { JSEDINotation, X12Generator, X12Parser, type X12Segment } from "node-x12";
import { IMPLEMENTATION } from "./x12.js";

export const X12_CONTENT_TYPE = "application/edi-x12";
const MAX_BODY = 64 * 1024;

export interface PayerSimulator {
  url: string;
  close(): Promise<void>;
}

/** What the simulator read of a 270. */
interface Asked {
  payerId: string;
  payerName: string;
  reference: string;
  trace: string;
  memberId: string;
  familyName: string;
  givenName: string;
  birthDate: string;
  serviceTypes: string[];
}

const PLANS = ["GOLD PPO", "SILVER HMO", "BRONZE EPO", "PLATINUM PPO"];
const COPAYS = [15, 20, 25, 30, 35, 40];
const DEDUCTIBLES = [500, 1000, 1500, 2000, 3000];

/** Deterministic numbers from the member id. */
const draw = (memberId: string, salt: string, n: number) =>
  createHash("sha256").update(`${salt}:${memberId}`).digest().readUInt32BE(0) % n;

export async function startPayerSimulator(opts: { host?: string } = {}): Promise<PayerSimulator> {
  const seen = new Set<string>();
  const server = createServer((req, res) => {
    handle(req, res, seen).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, opts.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/x12/270`,
    close: () =>
      new Promise<void>((resolve) => {
        // inquiries left unanswered on purpose (TIMEOUT…) end with the server
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, seen: Set<string>): Promise<void> {
  if (req.method !== "POST") return void res.writeHead(405, { allow: "POST" }).end();
  if (!(req.headers["content-type"] ?? "").startsWith(X12_CONTENT_TYPE))
    return void res.writeHead(415).end(`send ${X12_CONTENT_TYPE}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return void res.writeHead(413).end();
    chunks.push(chunk as Buffer);
  }
  let asked: Asked;
  try {
    asked = read270(Buffer.concat(chunks).toString("utf8"));
  } catch (err) {
    return void res
      .writeHead(400, { "content-type": "text/plain" })
      .end(`not a 270: ${(err as Error).message}`);
  }
  const member = asked.memberId.toUpperCase();
  if (member.startsWith("TIMEOUT")) return; // never answered: the caller gives up
  if (member.startsWith("FLAKY") && !seen.has(member)) {
    seen.add(member);
    return void res.writeHead(503, { "retry-after": "1" }).end();
  }
  const answer = build271(asked, new Date());
  res.writeHead(200, { "content-type": X12_CONTENT_TYPE });
  res.end(member.startsWith("MALFORMED") ? answer.slice(0, Math.floor(answer.length * 0.6)) : answer);
}

const elementOf = (s: X12Segment | undefined, n: number) => s?.valueOf(n) ?? "";

function read270(text: string): Asked {
  const interchange = new X12Parser(true).parse(text.trim());
  if (!("functionalGroups" in interchange)) throw new Error("one interchange expected");
  const t = interchange.functionalGroups[0]?.transactions[0];
  if (!t || elementOf(t.header, 1) !== "270") throw new Error("no 270 transaction");
  const seg = (tag: string, q?: string) =>
    t.segments.find((s) => s.tag === tag && (q === undefined || elementOf(s, 1) === q));
  const payer = seg("NM1", "PR");
  const member = seg("NM1", "IL");
  if (!payer || !member || !elementOf(member, 9))
    throw new Error("NM1*PR and NM1*IL with a member id are required");
  return {
    payerId: elementOf(payer, 9),
    payerName: elementOf(payer, 3),
    reference: elementOf(seg("BHT"), 3),
    trace: elementOf(seg("TRN"), 2),
    memberId: elementOf(member, 9),
    familyName: elementOf(member, 3),
    givenName: elementOf(member, 4),
    birthDate: elementOf(seg("DMG"), 2),
    serviceTypes: t.segments.filter((s) => s.tag === "EQ").map((s) => elementOf(s, 1) || "30"),
  };
}

function build271(a: Asked, at: Date): string {
  const date = at.toISOString().slice(0, 10).replace(/-/g, "");
  const time = at.toISOString().slice(11, 16).replace(":", "");
  const control = String(1 + draw(`${a.trace}${at.getTime()}`, "isa", 999_999_998)).padStart(9, "0");
  const doc = new JSEDINotation([
    "00",
    "".padEnd(10),
    "00",
    "".padEnd(10),
    "ZZ",
    a.payerId.padEnd(15),
    "ZZ",
    "ROUNDS".padEnd(15),
    date.slice(2),
    time,
    "^",
    "00501",
    control,
    "0",
    "P",
    ":",
  ]);
  const group = doc.addFunctionalGroup([
    "HB",
    a.payerId,
    "ROUNDS",
    date,
    time,
    String(Number(control)),
    "X",
    IMPLEMENTATION,
  ]);
  const t = group.addTransaction(["271", "0001", IMPLEMENTATION]);
  t.addSegment("BHT", ["0022", "11", a.reference, date, time]);
  t.addSegment("HL", ["1", "", "20", "1"]);
  t.addSegment("NM1", ["PR", "2", a.payerName, "", "", "", "", "PI", a.payerId]);
  t.addSegment("HL", ["2", "1", "21", "1"]);
  t.addSegment("NM1", ["1P", "2", "ROUNDS HOSPITAL NETWORK", "", "", "", "", "XX", "1234567893"]);
  t.addSegment("HL", ["3", "2", "22", "0"]);
  t.addSegment("TRN", ["2", a.trace, `9${a.payerId.padEnd(9, "0").slice(0, 9)}`]);
  t.addSegment("NM1", ["IL", "1", a.familyName, a.givenName, "", "", "", "MI", a.memberId]);
  const member = a.memberId.toUpperCase();
  if (member.startsWith("NOTFOUND")) {
    t.addSegment("AAA", ["Y", "", "75", "C"]);
  } else {
    if (a.birthDate) t.addSegment("DMG", ["D8", a.birthDate]);
    t.addSegment("DTP", ["346", "D8", `${date.slice(0, 4)}0101`]);
    const plan = PLANS[draw(member, "plan", PLANS.length)]!;
    if (member.startsWith("INACTIVE")) t.addSegment("EB", ["6", "IND", "30", "", plan]);
    else {
      t.addSegment("EB", ["1", "IND", "30", "", plan]);
      const copay = COPAYS[draw(member, "copay", COPAYS.length)]!;
      const deductible = DEDUCTIBLES[draw(member, "deductible", DEDUCTIBLES.length)]!;
      const remaining = (deductible * draw(member, "met", 10)) / 10;
      for (const stc of new Set(["30", ...a.serviceTypes])) {
        // a specialist or imaging service costs more than the plan's general copay
        const amount = stc === "30" || stc === "98" ? copay : copay + 20;
        t.addSegment("EB", ["B", "IND", stc, "", "", "27", String(amount), "", "", "", "", "Y"]);
      }
      t.addSegment("EB", ["C", "IND", "30", "", "", "23", String(deductible), "", "", "", "", "Y"]);
      t.addSegment("EB", ["C", "IND", "30", "", "", "29", String(remaining), "", "", "", "", "Y"]);
    }
  }
  return new X12Generator(doc, {
    segmentTerminator: "~",
    elementDelimiter: "*",
    subElementDelimiter: ":",
    repetitionDelimiter: "^",
    endOfLine: "\n",
    format: true,
  }).toString();
}
