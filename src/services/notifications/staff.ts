/**
 * Messages to staff (recipient kind "staff"): compliance alerts for compliance officers and the
 * administrators who opted in. The same guarantees as patients' messages: queued in the
 * transaction of what they announce (a durable outbox), one job per recipient and channel named
 * by a dedupe key, claimed with a lease, sent in order per recipient, retried with back-off, an
 * in-app copy written exactly once. Another module queues through `staffMessages.enqueue`.
 */
import type { FastifyBaseLogger } from "fastify";
import { type Generated, type Selectable, sql } from "kysely";
import type { Actor } from "../../platform/access.js";
import { auditService } from "../../platform/audit/index.js";
import type { Executor } from "../../platform/db.js";
import { auditContextOf } from "../../platform/identity/index.js";
import { inOrderPerKey } from "../../platform/lanes.js";
import { pageOf } from "../../platform/paging.js";
import { type Page, toIso } from "../../platform/schemas.js";
import { DeliveryError, type EmailChannel } from "./channels.js";
import { retryDelayMs } from "./planning.js";
import type { StaffMessageEvent, TemplateLibrary } from "./templates.js";

type StaffTables = {
  notification_staff_jobs: {
    id: Generated<string>;
    kind: string;
    user_id: string;
    channel: string;
    address: string | null;
    language: string;
    payload: unknown;
    run_at: Date;
    attempts: Generated<number>;
    max_attempts: Generated<number>;
    status: Generated<string>;
    dedupe_key: string;
    last_error: string | null;
    locked_until: Date | null;
    locked_by: string | null;
    sent_at: Date | null;
    provider_message_id: string | null;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  staff_notifications: {
    id: Generated<string>;
    user_id: string;
    job_id: string;
    kind: string;
    title: string;
    body: string;
    link: string;
    created_at: Generated<Date>;
    read_at: Date | null;
  };
};
type StaffJobRow = Selectable<StaffTables["notification_staff_jobs"]>;
type StaffNotificationRow = Selectable<StaffTables["staff_notifications"]>;
const q = (db: Executor) => db.withTables<StaffTables>();

const JOB_BATCH = 40;
const SEND_AT_ONCE = 4;
const LEASE_MS = 120_000;

/** One message to several staff members: each gets it by email (with an address) and in the app. */
export interface StaffMessage {
  kind: StaffMessageEvent;
  /** Names the message: queuing it twice queues it once. */
  dedupeKey: string;
  /** `inApp: false`: an address outside Rounds (a security contact) gets the email only. */
  recipients: ReadonlyArray<{ userId: string; email: string | null; language: string; inApp?: boolean }>;
  /** The template's view; `path` is the screen the message links to (under the public URL). */
  payload: { path: string } & Record<string, unknown>;
}

export interface StaffNotification {
  id: string;
  kind: string;
  title: string;
  body: string;
  link: string;
  createdAt: string;
  readAt: string | null;
}

const toStaffNotification = (r: StaffNotificationRow): StaffNotification => ({
  id: r.id,
  kind: r.kind,
  title: r.title,
  body: r.body,
  link: r.link,
  createdAt: toIso(r.created_at),
  readAt: r.read_at ? toIso(r.read_at) : null,
});

export const staffMessages = {
  /** Queues the message inside the caller's transaction; returns how many jobs were new. */
  async enqueue(db: Executor, m: StaffMessage, now: Date): Promise<number> {
    const jobs = m.recipients.flatMap((r) =>
      (r.email
        ? r.inApp === false
          ? (["email"] as const)
          : (["email", "in_app"] as const)
        : (["in_app"] as const)
      ).map((channel) => ({
        kind: m.kind,
        user_id: r.userId,
        channel,
        address: channel === "email" ? r.email : null,
        language: r.language,
        payload: JSON.stringify(m.payload),
        run_at: now,
        dedupe_key: `${m.kind}:${m.dedupeKey}:${r.userId}:${channel}`,
      })),
    );
    if (!jobs.length) return 0;
    const rows = await q(db)
      .insertInto("notification_staff_jobs")
      .values(jobs)
      .onConflict((oc) => oc.column("dedupe_key").doNothing())
      .returning("id")
      .execute();
    return rows.length;
  },

  /** The caller's own in-app messages, newest first (reading them is audited). */
  async inbox(
    db: Executor,
    actor: Actor,
    page: { limit: number; offset: number },
  ): Promise<Page<StaffNotification>> {
    return db.transaction().execute(async (tx) => {
      const base = q(tx).selectFrom("staff_notifications").where("user_id", "=", actor.userId);
      const { rows, total } = await pageOf(
        base,
        base.selectAll().orderBy("created_at", "desc").orderBy("id"),
        page,
      );
      await auditService.record(tx, auditContextOf(actor), {
        action: "staff_notification.list",
        resourceType: "staff_notification",
        detail: { count: rows.length },
      });
      return { items: rows.map(toStaffNotification), total, limit: page.limit, offset: page.offset };
    });
  },
};

export interface StaffDeliveryDeps {
  db: Executor;
  library: TemplateLibrary;
  email: EmailChannel | undefined;
  publicUrl: string;
  now: () => Date;
  log: FastifyBaseLogger;
  workerId: string;
}

/** Claims due staff jobs on the channels this worker can send (SKIP LOCKED: replicas side by side). */
async function claimDue(
  db: Executor,
  channels: string[],
  now: Date,
  workerId: string,
): Promise<StaffJobRow[]> {
  const until = new Date(now.getTime() + LEASE_MS);
  const r = await sql<StaffJobRow>`
    UPDATE notification_staff_jobs SET locked_until = ${until}, locked_by = ${workerId},
      attempts = attempts + 1, updated_at = now()
    WHERE id IN (
      SELECT id FROM notification_staff_jobs
      WHERE status = 'pending' AND run_at <= ${now} AND channel IN (${sql.join(channels)})
        AND (locked_until IS NULL OR locked_until <= ${now})
      ORDER BY run_at, created_at, id
      LIMIT ${JOB_BATCH}
      FOR UPDATE SKIP LOCKED)
    RETURNING *`.execute(db);
  // the lanes keep this order per recipient
  return r.rows.sort(
    (a, b) =>
      new Date(a.run_at).getTime() - new Date(b.run_at).getTime() ||
      new Date(a.created_at).getTime() - new Date(b.created_at).getTime() ||
      (a.id < b.id ? -1 : 1),
  );
}

/** Only the lease holder settles a job. */
async function settle(
  db: Executor,
  job: StaffJobRow,
  workerId: string,
  change: {
    status: "pending" | "sent" | "failed";
    runAt?: Date;
    lastError: string | null;
    sentAt?: Date;
    providerId?: string;
  },
): Promise<boolean> {
  const r = await q(db)
    .updateTable("notification_staff_jobs")
    .set({
      status: change.status,
      last_error: change.lastError,
      ...(change.runAt ? { run_at: change.runAt } : {}),
      ...(change.sentAt ? { sent_at: change.sentAt } : {}),
      ...(change.providerId ? { provider_message_id: change.providerId } : {}),
      locked_until: null,
      locked_by: null,
      updated_at: sql<Date>`now()`,
    })
    .where("id", "=", job.id)
    .where("locked_by", "=", workerId)
    .where("status", "=", "pending")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Sends the staff jobs that are due; one recipient's in order, several recipients side by side. */
export async function deliverStaffDue(deps: StaffDeliveryDeps): Promise<void> {
  const channels = ["in_app", ...(deps.email ? ["email"] : [])];
  for (let rounds = 0; rounds < 10; rounds++) {
    const jobs = await claimDue(deps.db, channels, deps.now(), deps.workerId);
    await inOrderPerKey(
      jobs,
      (j) => j.user_id,
      SEND_AT_ONCE,
      (job) => deliver(deps, job),
    );
    if (jobs.length < JOB_BATCH) return;
  }
}

async function deliver(deps: StaffDeliveryDeps, job: StaffJobRow): Promise<void> {
  const { db, log, workerId } = deps;
  const now = deps.now();
  try {
    const payload = (typeof job.payload === "string" ? JSON.parse(job.payload) : job.payload) as Record<
      string,
      unknown
    >;
    const link = `${deps.publicUrl}${typeof payload.path === "string" ? payload.path : "/"}`;
    const language = deps.library.resolveLanguage(job.language);
    const message = deps.library.render(job.kind as StaffMessageEvent, language, { ...payload, link });
    if (job.channel === "in_app") {
      await db.transaction().execute(async (tx) => {
        await q(tx)
          .insertInto("staff_notifications")
          .values({
            user_id: job.user_id,
            job_id: job.id,
            kind: job.kind,
            title: message.subject,
            body: message.text,
            link,
          })
          .onConflict((oc) => oc.column("job_id").doNothing())
          .execute();
        await settle(tx, job, workerId, { status: "sent", sentAt: now, lastError: null });
      });
      return;
    }
    const sent = await deps.email!.send({
      to: job.address!,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: `<${job.id}@rounds.notifications>`,
      attachments: [],
    });
    if (
      !(await settle(db, job, workerId, {
        status: "sent",
        sentAt: now,
        lastError: null,
        providerId: sent.providerId,
      }))
    )
      log.warn({ job: job.id }, "staff message sent after its lease expired; it may be delivered twice");
  } catch (err) {
    const permanent = err instanceof DeliveryError && err.permanent;
    const giveUp = permanent || job.attempts >= job.max_attempts;
    const message = err instanceof Error ? err.message : String(err);
    if (!(err instanceof DeliveryError)) log.error({ err, job: job.id }, "preparing a staff message failed");
    await settle(
      db,
      job,
      workerId,
      giveUp
        ? { status: "failed", lastError: message }
        : {
            status: "pending",
            runAt: new Date(now.getTime() + retryDelayMs(job.attempts)),
            lastError: message,
          },
    ).catch((e: unknown) => log.error({ err: e, job: job.id }, "could not record a staff delivery failure"));
  }
}
