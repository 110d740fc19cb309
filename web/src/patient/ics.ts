/**
 * An iCalendar (RFC 5545) file for one appointment, made in the browser. Times are written in UTC
 * so no VTIMEZONE is needed; calendar apps show them in the patient's own zone.
 */
export interface IcsAppointment {
  id: string;
  start: string;
  end: string;
  summary: string;
  location: string;
  description: string;
  /** A video visit's join link (its URL property). */
  url?: string | null;
  latitude: number | null;
  longitude: number | null;
  status: "CONFIRMED" | "CANCELLED";
}

const utc = (iso: string): string => `${new Date(iso).toISOString().replace(/[-:]/g, "").slice(0, 15)}Z`;

/** TEXT values escape backslash, semicolon, comma and newlines (RFC 5545 3.3.11). */
export const escapeText = (s: string): string =>
  s.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");

/** Lines longer than 75 octets are folded with CRLF and a space (RFC 5545 3.1). */
export function fold(line: string): string {
  const bytes = new TextEncoder().encode(line);
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let current = "";
  let size = 0;
  for (const ch of line) {
    const n = new TextEncoder().encode(ch).length;
    if (size + n > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = "";
      size = 0;
    }
    current += ch;
    size += n;
  }
  parts.push(current);
  return parts.join("\r\n ");
}

export function appointmentIcs(a: IcsAppointment, now: Date = new Date()): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Rounds//Web app//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "BEGIN:VEVENT",
    `UID:${a.id}@rounds`,
    `DTSTAMP:${utc(now.toISOString())}`,
    `DTSTART:${utc(a.start)}`,
    `DTEND:${utc(a.end)}`,
    `SUMMARY:${escapeText(a.summary)}`,
    `LOCATION:${escapeText(a.location)}`,
    `DESCRIPTION:${escapeText(a.description)}`,
    // a URI value, not TEXT: written as is (RFC 5545 3.8.4.6)
    ...(a.url ? [`URL:${a.url}`] : []),
    ...(a.latitude !== null && a.longitude !== null ? [`GEO:${a.latitude};${a.longitude}`] : []),
    `STATUS:${a.status}`,
    "BEGIN:VALARM",
    "ACTION:DISPLAY",
    "DESCRIPTION:Appointment tomorrow",
    "TRIGGER:-P1D",
    "END:VALARM",
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return `${lines.map(fold).join("\r\n")}\r\n`;
}

/** Offers the file as a download without leaving the page. */
export function downloadIcs(filename: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: "text/calendar;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
