/**
 * Email over encrypted SMTP: a real SMTP server offering STARTTLS with a certificate from a test CA
 * receives the booking confirmation over the upgraded session; a server that offers no STARTTLS
 * while it is required receives nothing, and the message waits with the reason support can read.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Rounds } from "../src/server.js";
import { makeCa, type TestCa } from "./support/certificates.js";
import {
  type Mailbox,
  type OwnDatabase,
  ownDatabase,
  startMailbox,
  startRoundsWith,
  until,
} from "./support/messaging.js";
import { buildClinicNetwork, type ClinicNetwork, createPatient, optionsOn } from "./support/network.js";
import { unique } from "./support/rounds.js";

let ca: TestCa;
let own: OwnDatabase;
let rounds: Rounds | undefined;
let mailbox: Mailbox | undefined;

beforeAll(async () => {
  ca = await makeCa("Rounds Test Mail CA");
  own = await ownDatabase();
});
afterAll(async () => {
  await rounds?.close();
  await mailbox?.close();
  await own?.drop();
  ca?.remove();
});

async function bookFor(net: ClinicNetwork, address: string): Promise<string> {
  const patientId = await createPatient(net.admin, { email: address });
  const option = (await optionsOn(net, net.admin, 0)).find((o) => o.local.time === "09:00");
  if (!option) throw new Error("no option at 09:00");
  const res = await net.admin.inject({
    method: "POST",
    url: "/api/v1/appointments",
    payload: { optionId: option.id, patientId },
  });
  expect(res.statusCode).toBe(201);
  return (res.json() as { id: string }).id;
}

describe("SMTP with STARTTLS", () => {
  it("a booking confirmation arrives over a session the mail server saw upgraded to TLS", async () => {
    const cert = await ca.server("mail");
    mailbox = await startMailbox({ tls: { cert: cert.cert, key: cert.key } });
    rounds = await startRoundsWith(
      { SMTP_URL: mailbox.url, ROUNDS_SMTP_REQUIRE_TLS: "true", ROUNDS_SMTP_CA: ca.caFile },
      undefined,
      own,
    );
    const net = await buildClinicNetwork(rounds);
    const address = `patient.${unique(10).toLowerCase()}@mail.test`;
    await bookFor(net, address);
    const mail = await until(() => mailbox!.to(address)[0], "the confirmation");
    expect(mail.subject).toMatch(/^Appointment confirmed/);
    expect(mailbox.encrypted(mail)).toBe(true);
    await rounds.close();
    await mailbox.close();
    rounds = undefined;
    mailbox = undefined;
  });

  it("with STARTTLS required, a server that does not offer it gets nothing, and the message waits with the reason", async () => {
    mailbox = await startMailbox();
    rounds = await startRoundsWith(
      { SMTP_URL: mailbox.url, ROUNDS_SMTP_REQUIRE_TLS: "true" },
      undefined,
      own,
    );
    const net = await buildClinicNetwork(rounds);
    const address = `patient.${unique(10).toLowerCase()}@mail.test`;
    const appointmentId = await bookFor(net, address);
    const job = await until(async () => {
      const res = await net.admin.inject({
        url: `/api/v1/notification-jobs?appointmentId=${appointmentId}&limit=50`,
      });
      const items = (
        res.json() as { items: Array<{ channel: string; status: string; lastError: string | null }> }
      ).items;
      return items.find((j) => j.channel === "email" && j.lastError !== null);
    }, "the confirmation's failed attempt");
    expect(["pending", "failed"]).toContain(job.status);
    expect(job.lastError).toMatch(/not sent, the connection could not be encrypted/);
    expect(mailbox.to(address)).toEqual([]);
  });
});
