/**
 * Outbound SIU messages, as pure functions: which trigger a schedule event becomes (if any) and
 * the message text. HL7 v2.5.1, segments MSH, SCH, TQ1, PID, RGS, AIS, AIG, AIL, AIP.
 */
import type { ScheduleEvent } from "../../platform/events.js";

export const siuTriggers = ["S12", "S13", "S14", "S15", "S17", "S26"] as const;
export type SiuTrigger = (typeof siuTriggers)[number];

/**
 * The trigger for a schedule event, or undefined when the EMR is not told (holds, offers, opened
 * time). `chainKnown`: this target has already been sent a message about the appointment's chain.
 */
export function triggerFor(
  e: Pick<ScheduleEvent, "type" | "payload">,
  chainKnown: boolean,
): SiuTrigger | undefined {
  switch (e.type) {
    case "appointment.booked":
      return "S12";
    // a hold booked by moving it (an accepted offer) is new to the EMR
    case "appointment.rescheduled":
      return chainKnown ? "S13" : "S12";
    case "appointment.cancelled":
      // a released hold was never booked, so the EMR never heard of it
      return e.payload.from === "held" || !chainKnown ? undefined : "S15";
    case "appointment.status_changed": {
      if (!chainKnown) return undefined;
      const status = e.payload.status;
      if (status === "no_show") return "S26";
      if (status === "expired") return "S17";
      return "S14";
    }
    default:
      return undefined;
  }
}

/** What a message says about the appointment, read when it is queued. */
export interface SiuFacts {
  trigger: SiuTrigger;
  controlId: string;
  createdAt: Date;
  appointmentId: string;
  chainId: string;
  status: string;
  start: Date;
  end: Date;
  reason: string | null;
  appointmentType: { id: string; name: string };
  patient: { mrn: string; givenName: string; familyName: string; birthDate: string; sex: string };
  physician: { id: string; givenName: string; familyName: string };
  location: { id: string; code: string; name: string };
}

/** HL7 v2 escape sequences for the delimiters, so free text cannot break the structure. */
export function escapeHl7(text: string): string {
  return text
    .replace(/\\/g, "\\E\\")
    .replace(/\|/g, "\\F\\")
    .replace(/\^/g, "\\S\\")
    .replace(/~/g, "\\R\\")
    .replace(/&/g, "\\T\\")
    .replace(/[\r\n]+/g, " ");
}

/** YYYYMMDDHHMMSS+0000: every time we send is UTC. */
export function hl7Time(d: Date): string {
  return `${d.toISOString().replace(/[-:T]/g, "").slice(0, 14)}+0000`;
}

const SEX: Record<string, string> = { female: "F", male: "M", other: "O", unknown: "U" };

/** SCH-25, filler status (HL7 table 0278). */
const FILLER_STATUS: Record<string, string> = {
  booked: "Booked",
  checked_in: "Booked",
  in_progress: "Started",
  completed: "Complete",
  cancelled: "Cancelled",
  no_show: "Noshow",
  expired: "Deleted",
  held: "Pending",
};

export function buildSiu(f: SiuFacts): string {
  const e = escapeHl7;
  const minutes = Math.round((f.end.getTime() - f.start.getTime()) / 60_000);
  const start = hl7Time(f.start);
  const end = hl7Time(f.end);
  const doctor = `${f.physician.id}^${e(f.physician.familyName)}^${e(f.physician.givenName)}`;
  const action = f.trigger === "S15" || f.trigger === "S17" ? "D" : f.trigger === "S12" ? "A" : "U";
  const segments = [
    `MSH|^~\\&|ROUNDS|ROUNDS|EMR|EMR|${hl7Time(f.createdAt)}||SIU^${f.trigger}^SIU_S12|${f.controlId}|P|2.5.1|||AL|AL`,
    [
      "SCH",
      `${f.chainId}^ROUNDS`,
      `${f.appointmentId}^ROUNDS`,
      "",
      "",
      "",
      "",
      e(f.reason ?? ""),
      `${f.appointmentType.id}^${e(f.appointmentType.name)}`,
      String(minutes),
      "min",
      `^^${minutes}^${start}^${end}`,
      ...Array(13).fill(""),
      FILLER_STATUS[f.status] ?? "",
    ].join("|"),
    `TQ1|1||||||${start}|${end}`,
    `PID|1||${e(f.patient.mrn)}^^^ROUNDS^MR||${e(f.patient.familyName)}^${e(f.patient.givenName)}||${f.patient.birthDate.replace(/-/g, "")}|${SEX[f.patient.sex] ?? "U"}`,
    "RGS|1|A",
    `AIS|1|${action}|${f.appointmentType.id}^${e(f.appointmentType.name)}|${start}|||${minutes}|min`,
    `AIG|1|${action}|${doctor}|||||${start}|||${minutes}|min`,
    `AIL|1|${action}|^^^${e(f.location.code)}^^^^^${e(f.location.name)}||||${start}|||${minutes}|min`,
    `AIP|1|${action}|${doctor}|||${start}|||${minutes}|min`,
  ];
  return segments.join("\r");
}

/** How long to wait before the next attempt: 5 s doubling to at most 10 minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 600_000);
}

/** Attempts before a message is marked failed (an administrator may resend it). */
export const MAX_ATTEMPTS = 10;
