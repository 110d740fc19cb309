/**
 * The acknowledgements Rounds answers an inbound message with (pure). Original mode (MSH-15 and
 * MSH-16 empty): one ACK, AA/AE/AR. Enhanced mode: an accept acknowledgement (CA committed, CE
 * could not be committed, CR refused) as MSH-15 asks, then, if the message was accepted, an
 * application acknowledgement (AA/AE/AR) as MSH-16 asks. AL always, NE never, ER on error only,
 * SU on success only; an empty one beside a valued one counts as AL.
 */
import { type Hl7Message, Hl7Segment } from "@medplum/core";
import { escapeHl7 } from "./siu.js";

/** What became of an inbound message. */
export type InboundOutcome =
  | { code: "AA" }
  /** AE: taken, but wrong (nothing changed); AR: a kind of message Rounds does not take. */
  | { code: "AE" | "AR"; reason: string }
  /** Could not be processed (a fault on our side): the sender should send it again. */
  | { code: "failed"; reason: string };

type AckCode = "AA" | "AE" | "AR" | "CA" | "CE" | "CR";

/** An ACK for `msg` with the code, and the reason in ERR-8 and MSA-3. */
export function ackFor(msg: Hl7Message, code: AckCode, reason?: string): Hl7Message {
  if (code === "AA" || code === "CA") return msg.buildAck({ ackCode: code });
  const text = escapeHl7(reason ?? "").slice(0, 400);
  const err = new Hl7Segment(
    [
      "ERR",
      "",
      "",
      code === "AR" || code === "CR"
        ? "200^Unsupported message type^HL70357"
        : "207^Application error^HL70357",
      "E",
      "",
      "",
      "",
      text,
    ],
    msg.context,
  );
  const ack = msg.buildAck({ ackCode: code, errSegment: err });
  ack.getSegment("MSA")?.setField(3, text);
  return ack;
}

const condition = (v: string | undefined): "AL" | "NE" | "ER" | "SU" => {
  const c = (v ?? "").trim().toUpperCase();
  return c === "NE" || c === "ER" || c === "SU" ? c : "AL";
};
const wanted = (when: "AL" | "NE" | "ER" | "SU", ok: boolean) =>
  when === "AL" || (when === "ER" && !ok) || (when === "SU" && ok);

/** The acknowledgements to send, in order (none: the sender asked for none). */
export function acknowledgementsFor(msg: Hl7Message, outcome: InboundOutcome): Hl7Message[] {
  const msh = msg.getSegment("MSH");
  const accept = msh?.getField(15)?.toString() ?? "";
  const application = msh?.getField(16)?.toString() ?? "";
  const reason = outcome.code === "AA" ? undefined : outcome.reason;
  if (!accept.trim() && !application.trim())
    return [ackFor(msg, outcome.code === "failed" ? "AE" : outcome.code, reason)];
  const commit: AckCode = outcome.code === "failed" ? "CE" : outcome.code === "AR" ? "CR" : "CA";
  const answers: Hl7Message[] = [];
  if (wanted(condition(accept), commit === "CA")) answers.push(ackFor(msg, commit, reason));
  if (commit === "CA" && wanted(condition(application), outcome.code === "AA")) {
    const ack = ackFor(msg, outcome.code as "AA" | "AE", reason);
    // a message of its own: a control id of its own
    const id = ack.getSegment("MSH")?.getField(10)?.toString() ?? "";
    ack.getSegment("MSH")?.setField(10, `${id}A`);
    answers.push(ack);
  }
  return answers;
}
