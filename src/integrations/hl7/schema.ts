import { z } from "zod";
import { pageQuery, uuid } from "../../platform/schemas.js";
import { siuTriggers } from "./siu.js";

/** withheld: the targets are limited to other regions (ROUNDS_HL7_REGIONS); never sent. */
export const messageStatuses = ["pending", "acknowledged", "failed", "withheld"] as const;

export const outboundMessage = z.object({
  id: uuid,
  target: z.string().describe("the EMR endpoint, host:port"),
  trigger: z
    .enum(siuTriggers)
    .describe("S12 new, S13 rescheduled, S14 modified, S15 cancelled, S17 deleted, S26 no-show"),
  appointmentId: uuid,
  controlId: z.string().describe("MSH-10, the same on every resend"),
  status: z
    .enum(messageStatuses)
    .describe(
      "pending: not acknowledged yet (never sent, or retried after a NAK or no answer); acknowledged; failed: given up",
    ),
  attempts: z.number().int(),
  ackCode: z.string().nullable().describe("MSA-1 of the last answer: AA, AE, AR (CA, CE, CR)"),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  lastSentAt: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  body: z.string().describe("the message as sent, segments separated by carriage returns"),
});
export type OutboundMessage = z.infer<typeof outboundMessage>;

export const messageQuery = pageQuery.extend({
  status: z.enum(messageStatuses).optional(),
  appointmentId: uuid.optional(),
});
export type MessageQuery = z.infer<typeof messageQuery>;

export const labResult = z.object({
  id: uuid,
  orderCode: z.string().nullable(),
  orderName: z.string().nullable(),
  code: z.string().describe("OBX-3, e.g. a LOINC code"),
  name: z.string().nullable(),
  value: z.string().nullable(),
  units: z.string().nullable(),
  referenceRange: z.string().nullable(),
  abnormalFlag: z.string().nullable().describe("OBX-8: H, L, A…"),
  resultStatus: z.string().nullable().describe("OBX-11: F final, P preliminary, C corrected…"),
  observedAt: z.string().nullable(),
  receivedAt: z.string(),
});
export type LabResult = z.infer<typeof labResult>;
export const labResultList = z.object({ items: z.array(labResult) });
