/**
 * HL7 v2 over real MLLP connections. Outbound: the EMR (a listener in this test, reading what we
 * send with node-hl7-client, an HL7 library we did not write) hears of each booking, reschedule,
 * cancellation and no-show in order, acknowledges or refuses it; refused messages are retried
 * and an administrator can resend a failed one; a sender that dies mid-send loses nothing, and
 * nothing is sent again once acknowledged. Inbound: ADT registers, updates and merges patients,
 * ORU^R01 stores lab results the physician sees; malformed messages get AE/AR and change nothing.
 */
import { sql } from "kysely";
import type { Message } from "node-hl7-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SiuSender, startListener } from "../../src/integrations/hl7/index.js";
import type { Rounds } from "../../src/server.js";
import { type Client, clientFor } from "../support/auth.js";
import { selfSigned } from "../support/hl7-certificates.js";
import { type Emr, sendRaw, sendWithPeer, startEmr } from "../support/hl7-peer.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "../support/network.js";
import { startRounds, unique } from "../support/rounds.js";

let rounds: Rounds;
let emr: Emr;
let net1: ClinicNetwork;
let admin: Client;
let physician: Client;
let target: string;
let day = 0;

interface OutboundDto {
  id: string;
  trigger: string;
  status: string;
  attempts: number;
  ackCode: string | null;
  lastError: string | null;
  controlId: string;
}

beforeAll(async () => {
  emr = await startEmr();
  target = `127.0.0.1:${emr.port}`;
  // the sender is driven round by round here (no background worker)
  rounds = await startRounds({
    ROUNDS_HL7_TARGETS: target,
    ROUNDS_HL7_LISTEN_PORT: "0",
    ROUNDS_NOTIFICATIONS_WORKER: "false",
  });
  await rounds.hl7.sender.queueEvents(); // starts the cursor at now
  net1 = await buildClinicNetwork(rounds);
  admin = net1.admin;
  physician = await clientFor(rounds, "physician", { physicianId: net1.physicianId });
});

afterAll(async () => {
  await rounds?.close();
  await emr?.close();
});

async function book(patientId: string): Promise<{ id: string; start: string }> {
  const options = await optionsOn(net1, admin, day++ % 5);
  const option = options[Math.floor(Math.random() * options.length)]!;
  const res = await admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: option.id, patientId },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; start: string };
}

const ofAppointment = (chainId: string) =>
  emr.received.filter((m) => m.get("SCH.1.1").toString() === chainId);

async function messagesOf(appointmentId: string): Promise<OutboundDto[]> {
  const res = await admin.inject({ url: `/api/v1/hl7/messages?appointmentId=${appointmentId}` });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { items: OutboundDto[] }).items;
}

describe("SIU messages to the EMR", () => {
  it("a booking reaches the EMR as SIU^S12 that another HL7 library reads, and shows as acknowledged", async () => {
    const mrn = `H-${unique(8)}`;
    const patientId = await createPatient(admin, { mrn, familyName: "Ruiz|Ortega" });
    const appt = await book(patientId);
    await rounds.hl7.sender.round();
    const [msg, ...more] = ofAppointment(appt.id);
    expect(more).toHaveLength(0);
    expect(["MSH.9.1", "MSH.9.2", "MSH.9.3"].map((f) => msg!.get(f).toString())).toEqual([
      "SIU",
      "S12",
      "SIU_S12",
    ]);
    expect(msg!.get("SCH.2.1").toString()).toBe(appt.id);
    expect(msg!.get("PID.3.1").toString()).toBe(mrn);
    // a delimiter in a name travels escaped and arrives as written
    expect(msg!.get("PID.5.1").toString()).toBe("Ruiz|Ortega");
    expect(msg!.get("TQ1.7").toString()).toBe(`${appt.start.replace(/[-:T]/g, "").slice(0, 14)}+0000`);
    expect(msg!.get("SCH.25").toString()).toBe("Booked");
    const [listed] = await messagesOf(appt.id);
    expect(listed).toMatchObject({ trigger: "S12", status: "acknowledged", ackCode: "AA" });
  });

  it("a reschedule and a cancellation follow in order under the first booking's placer id", async () => {
    const appt = await book(await createPatient(admin));
    const options = await optionsOn(net1, admin, day++ % 5);
    const moved = await admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${appt.id}/reschedule`,
      payload: { optionId: options.at(-1)!.id },
    });
    expect(moved.statusCode, moved.body).toBe(201);
    const movedId = (moved.json() as { id: string }).id;
    const cancelled = await admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${movedId}/cancel`,
      payload: { reason: "patient called" },
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    await rounds.hl7.sender.round();
    const chain = ofAppointment(appt.id);
    expect(chain.map((m) => m.get("MSH.9.2").toString())).toEqual(["S12", "S13", "S15"]);
    expect(chain.slice(1).map((m) => m.get("SCH.2.1").toString())).toEqual([movedId, movedId]);
  });

  it("a no-show is sent as S26", async () => {
    const appt = await book(await createPatient(admin));
    const res = await admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${appt.id}/status`,
      payload: { status: "no_show" },
    });
    expect(res.statusCode, res.body).toBe(200);
    await rounds.hl7.sender.round();
    expect(ofAppointment(appt.id).map((m) => m.get("MSH.9.2").toString())).toEqual(["S12", "S26"]);
  });

  it("a refused message is retried, later ones wait for it, and an administrator resends it once failed", async () => {
    emr.answer = "AE";
    const appt = await book(await createPatient(admin));
    await rounds.hl7.sender.round();
    let [s12] = await messagesOf(appt.id);
    expect(s12).toMatchObject({ status: "pending", ackCode: "AE", attempts: 1 });
    expect(s12!.lastError).toContain("unknown provider");
    // the cancellation is queued, but the EMR must hear of the booking first
    const res = await admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${appt.id}/cancel`,
      payload: { reason: "clinic closed" },
    });
    expect(res.statusCode, res.body).toBe(200);
    // the last attempt, due now
    await sql`UPDATE hl7_messages SET attempts = 10, next_attempt_at = now() - interval '1 minute' WHERE id = ${s12!.id}`.execute(
      rounds.database.db,
    );
    await rounds.hl7.sender.round();
    const listed = await messagesOf(appt.id);
    expect(listed.map((m) => [m.trigger, m.status])).toEqual([
      ["S15", "pending"],
      ["S12", "failed"],
    ]);
    expect(ofAppointment(appt.id).map((m) => m.get("MSH.9.2").toString())).toEqual(["S12", "S12"]);

    emr.answer = "AA";
    const notFailed = await admin.inject({
      method: "POST",
      url: `/api/v1/hl7/messages/${listed[0]!.id}/resend`,
    });
    expect(notFailed.statusCode).toBe(409);
    const resent = await admin.inject({ method: "POST", url: `/api/v1/hl7/messages/${s12!.id}/resend` });
    expect(resent.statusCode, resent.body).toBe(200);
    await rounds.hl7.sender.round();
    expect(ofAppointment(appt.id).map((m) => m.get("MSH.9.2").toString())).toEqual([
      "S12",
      "S12",
      "S12",
      "S15",
    ]);
    [s12] = (await messagesOf(appt.id)).filter((m) => m.trigger === "S12");
    expect(s12).toMatchObject({ status: "acknowledged", ackCode: "AA" });
  });

  it("a sender that dies mid-send loses nothing, and nothing is sent again once acknowledged", async () => {
    emr.answer = "silent";
    const appt = await book(await createPatient(admin));
    await rounds.hl7.sender.queueEvents();
    const log = rounds.app.log;
    const dying = new SiuSender({
      db: rounds.database.db,
      targets: [target],
      now: () => new Date(),
      log,
      ackTimeoutMs: 2000,
    });
    void dying.round();
    for (let i = 0; i < 200 && ofAppointment(appt.id).length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(ofAppointment(appt.id)).toHaveLength(1);
    await dying.abandon();
    const [pending] = await messagesOf(appt.id);
    expect(pending).toMatchObject({ status: "pending", attempts: 1 });

    // the restarted process: once the dead sender's claim has run out, the message goes again
    emr.answer = "AA";
    const later = () => new Date(Date.now() + 10 * 60_000);
    const restarted = new SiuSender({ db: rounds.database.db, targets: [target], now: later, log });
    await restarted.round();
    const sent = ofAppointment(appt.id);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.get("MSH.10").toString()).toBe(sent[0]!.get("MSH.10").toString());
    expect((await messagesOf(appt.id))[0]).toMatchObject({ status: "acknowledged", attempts: 2 });
    await restarted.round();
    await new SiuSender({ db: rounds.database.db, targets: [target], now: later, log }).round();
    expect(ofAppointment(appt.id)).toHaveLength(2);
  });

  it("only administrators see the messages", async () => {
    expect((await physician.inject({ url: "/api/v1/hl7/messages" })).statusCode).toBe(403);
  });
});

/** Sends one message to Rounds' listener with node-hl7-client (over TLS with `ca`). */
const sendToRounds = (
  text: string,
  { port = rounds.hl7.listenPort!, ca }: { port?: number; ca?: string } = {},
) => sendWithPeer(port, text, ca);

const msh = (type: string, id = `C${unique(10)}`, acks = "") =>
  `MSH|^~\\&|EMR|HOSP|ROUNDS|ROUNDS|20260105120000||${type}|${id}|P|2.5.1${acks}`;
const pid = (mrn: string, family: string, given: string, dob = "19750312", sex = "F") =>
  `PID|1||${mrn}^^^HOSP^MR||${family}^${given}||${dob}|${sex}|||1 Main St^^Springfield^IL^62701||+1 217 555 0100`;

async function patientByMrn(mrn: string) {
  const res = await admin.inject({ url: `/api/v1/patients?mrn=${mrn}` });
  expect(res.statusCode, res.body).toBe(200);
  return (
    res.json() as {
      items: Array<{ id: string; givenName: string; familyName: string; birthDate: string; active: boolean }>;
    }
  ).items[0];
}

describe("ADT and ORU from the EMR", () => {
  it("A04 registers a patient and A08 brings their details in step", async () => {
    const mrn = `E-${unique(8)}`;
    const ack = await sendToRounds(
      [msh("ADT^A04^ADT_A01"), "EVN|A04|20260105120000", pid(mrn, "Okafor", "Ngozi")].join("\r"),
    );
    expect(ack.get("MSA.1").toString()).toBe("AA");
    expect(await patientByMrn(mrn)).toMatchObject({
      givenName: "Ngozi",
      familyName: "Okafor",
      birthDate: "1975-03-12",
    });
    const controlId = `U${unique(10)}`;
    const update = await sendToRounds(
      [msh("ADT^A08^ADT_A01", controlId), pid(mrn, "Okafor-Bello", "Ngozi")].join("\r"),
    );
    expect(update.get("MSA.1").toString()).toBe("AA");
    expect((await patientByMrn(mrn))!.familyName).toBe("Okafor-Bello");
    // the change is audited as the HL7 interface, a system of its own role, with the message's id
    const audited = await sql<{ role: string; action: string; detail: { access?: string } }>`
      SELECT role, action, detail FROM audit_events WHERE request_id = ${`hl7:${controlId}`}`.execute(
      rounds.database.db,
    );
    expect(audited.rows.find((r) => r.action === "patient.update")).toMatchObject({
      role: "interface",
      detail: { access: "interface" },
    });
  });

  it("A40 merges the duplicate into the surviving record", async () => {
    const [keep, dup] = [`K-${unique(8)}`, `D-${unique(8)}`];
    for (const mrn of [keep, dup])
      await sendToRounds([msh("ADT^A04"), pid(mrn, "Silva", "Joana")].join("\r"));
    const ack = await sendToRounds(
      [msh("ADT^A40^ADT_A39"), pid(keep, "Silva", "Joana"), `MRG|${dup}^^^HOSP^MR`].join("\r"),
    );
    expect(ack.get("MSA.1").toString()).toBe("AA");
    expect((await patientByMrn(dup))!.active).toBe(false);
    expect((await patientByMrn(keep))!.active).toBe(true);
  });

  it("ORU^R01 lab results are stored and shown to the patient's physician", async () => {
    const mrn = `L-${unique(8)}`;
    const patientId = await createPatient(admin, { mrn });
    const oru = [
      msh("ORU^R01^ORU_R01"),
      pid(mrn, "Lab", "Patient"),
      "OBR|1||F123|57021-8^CBC W Auto Differential panel^LN|||20260105083000+0000",
      "OBX|1|NM|718-7^Hemoglobin^LN||13.2|g/dL|12.0-15.5|N|||F|||20260105083000+0000",
      "OBX|2|NM|6690-2^Leukocytes^LN||11.8|10*3/uL|4.5-11.0|H|||F",
    ].join("\r");
    expect((await sendToRounds(oru)).get("MSA.1").toString()).toBe("AA");
    const res = await admin.inject({ url: `/api/v1/patients/${patientId}/lab-results` });
    expect(res.statusCode, res.body).toBe(200);
    const items = (res.json() as { items: Array<{ code: string; value: string; abnormalFlag: string }> })
      .items;
    expect(items.map((r) => [r.code, r.value, r.abnormalFlag]).sort()).toEqual([
      ["6690-2", "11.8", "H"],
      ["718-7", "13.2", "N"],
    ]);
    // a physician who has never seen the patient does not learn they exist; once booked with them, they see it
    const url = `/api/v1/patients/${patientId}/lab-results`;
    expect((await physician.inject({ url })).statusCode).toBe(404);
    await book(patientId);
    const seen = await physician.inject({ url });
    expect(seen.statusCode, seen.body).toBe(200);
    expect((seen.json() as { items: unknown[] }).items).toHaveLength(2);
  });

  it("malformed messages are answered AE or AR with the reason and change nothing", async () => {
    const mrn = `M-${unique(8)}`;
    const badDate = await sendToRounds([msh("ADT^A04"), pid(mrn, "Nowak", "Ewa", "19751340")].join("\r"));
    expect(badDate.get("MSA.1").toString()).toBe("AE");
    expect(badDate.get("ERR.8").toString()).toContain("PID-7");
    const noPid = await sendToRounds(msh("ADT^A08"));
    expect(noPid.get("MSA.1").toString()).toBe("AE");
    const unknown = await sendToRounds(
      [msh("ORU^R01"), pid(mrn, "Nowak", "Ewa"), "OBX|1|NM|718-7^Hgb^LN||13|g/dL"].join("\r"),
    );
    expect(unknown.get("MSA.1").toString()).toBe("AE");
    expect(unknown.get("ERR.8").toString()).toContain(mrn);
    const unsupported = await sendToRounds([msh("ADT^A03"), pid(mrn, "Nowak", "Ewa")].join("\r"));
    expect(unsupported.get("MSA.1").toString()).toBe("AR");
    const [garbage] = await sendRaw(rounds.hl7.listenPort!, "HELLO EMR");
    // in enhanced mode an unsupported message is refused at commit, with no application answer
    const [refused] = await sendRaw(
      rounds.hl7.listenPort!,
      [msh("ADT^A03", undefined, "|||AL|AL"), pid(mrn, "Nowak", "Ewa")].join("\r"),
    );
    expect(refused).toMatch(/\rMSA\|CR\|/);
    expect(garbage).toMatch(/\rMSA\|AR\|/);
    expect(await patientByMrn(mrn)).toBeUndefined();
  });
});

describe("enhanced-mode acknowledgements, TLS, and an EMR endpoint configured later", () => {
  const trigger = (m: Message) => m.get("MSH.9.2").toString();
  const sender = (targets: string[], more: Partial<ConstructorParameters<typeof SiuSender>[0]> = {}) =>
    new SiuSender({ db: rounds.database.db, targets, now: () => new Date(), log: rounds.app.log, ...more });
  const cancel = async (id: string) => {
    const res = await admin.inject({
      method: "POST",
      url: `/api/v1/appointments/${id}/cancel`,
      payload: { reason: "patient called" },
    });
    expect(res.statusCode, res.body).toBe(200);
  };

  it("Rounds asks the EMR for both acknowledgements and takes its commit, then its application answer", async () => {
    emr.answer = "CA+AA";
    const appt = await book(await createPatient(admin));
    await rounds.hl7.sender.round();
    const [msg] = ofAppointment(appt.id);
    expect([msg!.get("MSH.15").toString(), msg!.get("MSH.16").toString()]).toEqual(["AL", "AL"]);
    expect((await messagesOf(appt.id))[0]).toMatchObject({ status: "acknowledged", ackCode: "AA" });
    // a commit with no application answer in time: the EMR has the message in safe keeping
    emr.answer = "CA";
    const other = await book(await createPatient(admin));
    await sender([target], { appAckMs: 50 }).round();
    expect((await messagesOf(other.id))[0]).toMatchObject({ status: "acknowledged", ackCode: "CA" });
    emr.answer = "AA";
  });

  it("an ADT sent in enhanced mode is committed (CA), then answered for the application (AA)", async () => {
    const mrn = `N-${unique(8)}`;
    const [commit, answer] = await sendRaw(
      rounds.hl7.listenPort!,
      [msh("ADT^A04", undefined, "|||AL|AL"), pid(mrn, "Haddad", "Rami")].join("\r"),
      2,
    );
    expect(commit).toMatch(/\rMSA\|CA\|/);
    expect(answer).toMatch(/\rMSA\|AA\|/);
    expect(await patientByMrn(mrn)).toMatchObject({ familyName: "Haddad" });
  });

  it("over TLS, Rounds checks the EMR's pinned certificate, shows its own, and its listener takes TLS peers", async () => {
    const [emrCert, roundsCert] = [selfSigned("emr"), selfSigned("rounds")];
    const secureEmr = await startEmr({ ...emrCert, ca: roundsCert.cert });
    const listener = await startListener(
      0,
      rounds.hl7.service.receive,
      rounds.app.log,
      "127.0.0.1",
      roundsCert,
    );
    try {
      const appt = await book(await createPatient(admin));
      const tlsTarget = `tls://localhost:${secureEmr.port}`;
      const client = { cert: roundsCert.cert, key: roundsCert.key };
      // an endpoint whose certificate is not the pinned one hears nothing
      await sender([tlsTarget], { tls: { ...client, ca: selfSigned("impostor").cert } }).round();
      expect(secureEmr.received).toHaveLength(0);
      const failed = await sql<{ last_error: string }>`
        SELECT last_error FROM hl7_messages WHERE target = ${`localhost:${secureEmr.port}`} AND last_error IS NOT NULL`.execute(
        rounds.database.db,
      );
      expect(failed.rows[0]?.last_error).toMatch(/certificate/i);
      const later = () => new Date(Date.now() + 10 * 60_000);
      await sender([tlsTarget], { tls: { ...client, ca: emrCert.cert }, now: later }).round();
      const sent = secureEmr.received.filter((m) => m.get("SCH.2.1").toString() === appt.id);
      expect(sent.map(trigger)).toEqual(["S12"]);

      // node-hl7-client over TLS to Rounds' listener
      const mrn = `T-${unique(8)}`;
      const ack = await sendToRounds([msh("ADT^A04"), pid(mrn, "Mensah", "Ama")].join("\r"), {
        port: listener.port,
        ca: roundsCert.cert,
      });
      expect(ack.get("MSA.1").toString()).toBe("AA");
      expect(await patientByMrn(mrn)).toMatchObject({ familyName: "Mensah" });
    } finally {
      await listener.close();
      await secureEmr.close();
    }
  });

  it("an EMR endpoint configured later is sent every future booking made before, once, then what follows", async () => {
    const kept = await book(await createPatient(admin));
    const gone = await book(await createPatient(admin));
    await cancel(gone.id);
    await rounds.hl7.sender.round();
    const late = await startEmr();
    try {
      const targets = [target, `127.0.0.1:${late.port}`];
      // two replicas at once, then a restarted one: the backfill is queued once
      await Promise.all([sender(targets).round(), sender(targets).round()]);
      await sender(targets).round();
      const about = (id: string) => late.received.filter((m) => m.get("SCH.1.1").toString() === id);
      expect(about(kept.id).map(trigger)).toEqual(["S12"]);
      expect(about(gone.id)).toHaveLength(0);
      const ids = late.received.map((m) => m.get("MSH.10").toString());
      expect(new Set(ids).size).toBe(ids.length);
      // the endpoint that knew already is not told again
      expect(ofAppointment(kept.id).map(trigger)).toEqual(["S12"]);
      await cancel(kept.id);
      await sender(targets).round();
      expect(about(kept.id).map(trigger)).toEqual(["S12", "S15"]);
      expect(ofAppointment(kept.id).map(trigger)).toEqual(["S12", "S15"]);
    } finally {
      await late.close();
    }
  });
});
