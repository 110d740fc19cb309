/**
 * The ways a message leaves the building: email over SMTP (nodemailer) and SMS through a
 * provider speaking the Twilio Messages API. Each reports failures as permanent (retrying would
 * be refused again: a bad address) or transient (try later: the server is down).
 */
import nodemailer from "nodemailer";

export class DeliveryError extends Error {
  override name = "DeliveryError";
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The job id: a resend after a crash carries the same Message-ID, so it is recognisable. */
  messageId: string;
  attachments: Array<{ filename: string; content: string; contentType: string }>;
}

export interface EmailChannel {
  send(mail: OutgoingEmail): Promise<{ providerId: string }>;
  close(): void;
}

/** How the SMTP connection is protected beyond its URL (smtps:// is TLS from the first byte). */
export interface SmtpTls {
  /** smtp://: refuse to send unless the server offers STARTTLS and the upgrade succeeds. */
  requireTls: boolean;
  /** PEM text of a private CA the server's certificate chains to; undefined: the system's CAs. */
  ca?: string | undefined;
}

export function smtpChannel(url: string, from: string, tls: SmtpTls = { requireTls: true }): EmailChannel {
  // timeouts well inside the job lease, so a hung server cannot outlive our claim on the job
  // pooled: the worker sends several messages at once over a few kept-open connections
  const transport = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: 4,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
    // nodemailer upgrades whenever STARTTLS is offered; required, a server that does not offer it
    // (or a stripped offer) fails the message instead of sending it in clear
    requireTLS: tls.requireTls,
    tls: { rejectUnauthorized: true, ...(tls.ca ? { ca: tls.ca } : {}) },
  });
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail({
          from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
          attachments: mail.attachments,
        });
        return { providerId: info.messageId };
      } catch (err) {
        const e = err as { message?: string; code?: string; responseCode?: number; permanent?: boolean };
        // not sent in clear: kept for a retry (the server may be fixed), with the reason for support
        if (e.code === "ETLS")
          throw new DeliveryError(
            `SMTP: not sent, the connection could not be encrypted (${e.message ?? String(err)}); ` +
              "STARTTLS is required (ROUNDS_SMTP_REQUIRE_TLS) and the certificate must chain to ROUNDS_SMTP_CA or a system CA",
            false,
          );
        throw new DeliveryError(`SMTP: ${e.message ?? String(err)}`, e.permanent === true);
      }
    },
    close: () => transport.close(),
  };
}

export interface SmsMessage {
  to: string;
  body: string;
}

export interface SmsProvider {
  send(message: SmsMessage): Promise<{ providerId: string }>;
}

export interface TwilioSettings {
  apiUrl: string;
  accountSid: string;
  authToken: string;
  from: string;
}

/** `POST {apiUrl}/2010-04-01/Accounts/{sid}/Messages.json`, form-encoded, HTTP basic auth. */
export function twilioProvider(settings: TwilioSettings, fetchImpl: typeof fetch = fetch): SmsProvider {
  const endpoint = `${settings.apiUrl.replace(/\/+$/, "")}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`;
  const auth = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString("base64")}`;
  return {
    async send(message) {
      let res: Response;
      try {
        res = await fetchImpl(endpoint, {
          method: "POST",
          headers: { authorization: auth, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ To: message.to, From: settings.from, Body: message.body }).toString(),
          signal: AbortSignal.timeout(20_000),
        });
      } catch (err) {
        throw new DeliveryError(`SMS provider unreachable: ${(err as Error).message}`, false);
      }
      const body = (await res.json().catch(() => ({}))) as { sid?: string; message?: string; code?: number };
      if (res.ok && body.sid) return { providerId: body.sid };
      // 4xx other than throttling is the request's fault (an invalid number, say): do not retry
      const permanent = res.status >= 400 && res.status < 500 && res.status !== 429 && res.status !== 408;
      throw new DeliveryError(
        `SMS provider answered ${res.status}${body.code ? ` (code ${body.code})` : ""}: ${body.message ?? "no message"}`,
        permanent,
      );
    },
  };
}

/** Phone numbers as patients type them (+1 212 555 0100) to E.164 (+12125550100). */
export function e164(phone: string, defaultCountryCode = "1"): string | undefined {
  const digits = phone.replace(/[^\d+]/g, "");
  if (/^\+[1-9]\d{6,14}$/.test(digits)) return digits;
  const bare = digits.replace(/\D/g, "");
  if (bare.length === 10) return `+${defaultCountryCode}${bare}`;
  if (bare.length === 11 && bare.startsWith(defaultCountryCode)) return `+${bare}`;
  return undefined;
}
