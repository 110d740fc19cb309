/**
 * The SIU sender. Each round it (1) turns new schedule events into messages, one per configured
 * target, advancing its cursor in the same transaction (the cursor row is locked meanwhile, so one
 * replica at a time queues and every event is queued once); (2) claims due messages (SKIP LOCKED,
 * with a lease) and sends each over MLLP (plain or TLS), waiting for its acknowledgement.
 *
 * A target seen for the first time is backfilled: under the same lock, a batch per round, it is
 * queued an S12 for every future booked appointment whose chain it has not heard of; the S12
 * carries the appointment's latest event seq, so an event it already reflects is not sent again.
 *
 * Never lost: a message is written before it is sent and stays pending until an AA (or CA)
 * answers it; a sender that dies mid-send leaves its claim to run out, and the message goes again
 * with the same control id (MSH-10), which a receiver may use to drop the duplicate. Once the
 * acknowledgement is recorded the message is never sent again (unless an administrator resends a
 * failed one). In order: a message waits until the earlier messages of its appointment's chain of
 * reschedules at the same target are acknowledged.
 */
import { randomUUID } from "node:crypto";
import { Hl7Message } from "@medplum/core";
import type { Hl7Connection } from "@medplum/hl7";
import type { FastifyBaseLogger } from "fastify";
import type { Db, Executor } from "../../platform/db.js";
import type { ScheduleEvent } from "../../platform/events.js";
import { lastSeq, readAfter } from "../../platform/outbox.js";
import { auditWithheld, withheldReason } from "../../platform/residency/index.js";
import { locationService } from "../../services/locations/index.js";
import { patientService } from "../../services/patients/index.js";
import { physicianService } from "../../services/physicians/index.js";
import { appointmentFacts, appointmentTypeCatalog } from "../../services/scheduling/index.js";
import {
  type Acknowledgement,
  connectMllp,
  exchange,
  type MllpTarget,
  type MllpTls,
  parseTarget,
} from "./mllp.js";
import { type MessageRow, hl7Repository as repo } from "./repository.js";
import { buildSiu, MAX_ATTEMPTS, retryDelayMs, type SiuFacts, type SiuTrigger, triggerFor } from "./siu.js";

export interface SenderDeps {
  db: Db;
  /** Each MLLP endpoint: host:port, or tls://host:port. */
  targets: readonly string[];
  /** The regions whose appointments the targets may be told of (ROUNDS_HL7_REGIONS); undefined: every region. */
  regions?: readonly string[] | undefined;
  /** Certificates for tls:// targets (none: the system's CAs, no client certificate). */
  tls?: MllpTls["client"];
  now: () => Date;
  log: FastifyBaseLogger;
  pollMs?: number;
  /** How long a claim lasts: longer than a connection attempt plus the wait for the ACK. */
  leaseMs?: number;
  ackTimeoutMs?: number;
  /** How long to wait for the application answer after the receiver committed (CA). */
  appAckMs?: number;
}

const EVENT_BATCH = 100;
const BACKFILL_BATCH = 100;
const MESSAGE_BATCH = 20;

/** Reads what a message says about an appointment (undefined: it is gone). */
async function factsOf(
  ex: Executor,
  e: Pick<ScheduleEvent, "appointmentId" | "payload">,
  trigger: SiuTrigger,
  controlId: string,
  now: Date,
): Promise<(SiuFacts & { region: string; locationId: string; patientId: string }) | undefined> {
  const a = await appointmentFacts.get(ex, e.appointmentId);
  if (!a) return undefined;
  const [patient, physician, location, type] = await Promise.all([
    patientService.get(ex, a.patientId),
    physicianService.get(ex, a.physicianId),
    locationService.get(ex, a.locationId),
    appointmentTypeCatalog.get(ex, a.appointmentTypeId),
  ]);
  return {
    trigger,
    controlId,
    createdAt: now,
    region: location.dataResidency,
    locationId: a.locationId,
    patientId: a.patientId,
    appointmentId: a.id,
    chainId: a.originalId,
    // the status the event reports (a later change has its own event)
    status: typeof e.payload.status === "string" ? e.payload.status : a.status,
    start: a.start,
    end: a.end,
    reason: a.reason,
    appointmentType: { id: type.id, name: type.name },
    patient,
    physician,
    location: { id: location.id, code: location.code, name: location.name },
  };
}

const controlIdFor = (seq: number) => `R${seq}-${randomUUID().replace(/-/g, "").slice(0, 12)}`;

export class SiuSender {
  readonly id = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  /** When the last round ended (or the loop started): readiness fails when it stops moving. */
  lastRoundAt: number | undefined;
  /** Set when the process is abandoned mid-send (tests of a crash): nothing more is written. */
  private abandoned = false;
  private readonly connections = new Set<Hl7Connection>();
  private readonly leaseMs: number;
  private readonly ackTimeoutMs: number;
  private readonly targets: Map<string, MllpTarget>;

  constructor(private readonly deps: SenderDeps) {
    this.ackTimeoutMs = deps.ackTimeoutMs ?? 30_000;
    this.leaseMs = deps.leaseMs ?? this.ackTimeoutMs * 2 + 30_000;
    this.targets = new Map(deps.targets.map((t) => [parseTarget(t).key, parseTarget(t)]));
  }

  /**
   * Starts at the newest event on first use: the EMR is not sent the history of events, only what
   * is on the books (the backfill).
   */
  async start(): Promise<void> {
    if (!this.stopped) return;
    await repo.initCursor(this.deps.db, await lastSeq(this.deps.db));
    this.stopped = false;
    this.lastRoundAt = Date.now();
    this.deps.log.info({ sender: this.id, targets: this.deps.targets }, "HL7 SIU sender started");
    this.wake();
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.round().finally(() => {
      this.running = undefined;
      this.lastRoundAt = Date.now();
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.wake();
      } else {
        this.timer = setTimeout(() => this.wake(), this.deps.pollMs ?? 1000);
        this.timer.unref();
      }
    });
  }

  /** The newest schedule event this consumer has handled (shared by every replica), for outbox lag. */
  position(): Promise<number | undefined> {
    return repo.readCursor(this.deps.db);
  }

  /** Whether the loop runs in this process (started and not stopped). */
  get started(): boolean {
    return !this.stopped;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Drops everything at once, writing nothing more, as a crash would (tests only). */
  async abandon(): Promise<void> {
    this.abandoned = true;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const c of this.connections) c.socket.destroy();
  }

  /** One round; exposed so that tests can drive the sender step by step. */
  async round(): Promise<void> {
    try {
      await this.queueEvents();
      for (let i = 0; i < 20 && !this.abandoned; i++) if (!(await this.deliverDue())) break;
    } catch (err) {
      if (!this.abandoned) this.deps.log.error({ err }, "HL7 round failed; retrying next round");
    }
  }

  /** Backfills new targets and queues a message per target for each new event. */
  async queueEvents(): Promise<void> {
    for (let batches = 0; batches < 50 && !this.abandoned; batches++) {
      const more = await this.deps.db.transaction().execute(async (tx) => {
        const cursor = await repo.lockCursor(tx);
        if (cursor === undefined) {
          await repo.initCursor(tx, await lastSeq(tx));
          return true;
        }
        const backfilling = await this.backfill(tx, cursor);
        const read = await readAfter(tx, cursor, EVENT_BATCH);
        for (const e of read.events) await this.queue(tx, e);
        if (read.through !== cursor) await repo.setCursor(tx, read.through);
        return backfilling || !read.settled || read.events.length === EVENT_BATCH;
      });
      if (!more) return;
    }
  }

  /** Queues the next S12s of each target still being backfilled; true while some are left. */
  private async backfill(tx: Executor, cursor: number): Promise<boolean> {
    const now = this.deps.now();
    let left = false;
    for (const t of await repo.seeTargets(tx, [...this.targets.keys()], cursor)) {
      const batch = await repo.futureBooked(tx, now, t.after, BACKFILL_BATCH);
      let sent = 0;
      for (const a of batch) {
        const chainId = (await appointmentFacts.get(tx, a.id))?.originalId;
        // the EMR has heard of this chain since: the events that follow tell it the rest
        if (!chainId || (await repo.chainKnown(tx, t.target, chainId))) continue;
        const seq = Math.max(t.firstSeenSeq, a.latestSeq);
        const controlId = controlIdFor(seq);
        const facts = await factsOf(tx, { appointmentId: a.id, payload: {} }, "S12", controlId, now);
        if (!facts) continue;
        await repo.enqueue(tx, {
          target: t.target,
          event_seq: seq,
          appointment_id: a.id,
          chain_id: facts.chainId,
          trigger: "S12",
          control_id: controlId,
          body: buildSiu(facts),
          ...(await this.withheld(tx, t.target, facts)),
        });
        sent++;
      }
      const done = batch.length < BACKFILL_BATCH;
      await repo.backfillProgress(tx, t.target, batch.at(-1)?.id ?? t.after, sent, done ? now : null);
      if (done) this.deps.log.info({ target: t.target }, "HL7 target backfilled with future bookings");
      else left = true;
    }
    return left;
  }

  private async queue(tx: Executor, e: ScheduleEvent): Promise<void> {
    if (!e.appointmentId || !e.type.startsWith("appointment.")) return;
    const now = this.deps.now();
    let facts: Awaited<ReturnType<typeof factsOf>>;
    for (const target of this.targets.keys()) {
      const controlId = controlIdFor(e.seq);
      const chainId = facts?.chainId ?? (await appointmentFacts.get(tx, e.appointmentId))?.originalId;
      if (!chainId) return;
      // a backfilled S12 already told this target the appointment as it was after this event
      if (await repo.covered(tx, target, e.appointmentId, e.seq)) continue;
      const trigger = triggerFor(e, await repo.chainKnown(tx, target, chainId));
      if (!trigger) continue;
      facts = await factsOf(tx, e, trigger, controlId, now);
      if (!facts) return;
      await repo.enqueue(tx, {
        target,
        event_seq: e.seq,
        appointment_id: e.appointmentId,
        chain_id: facts.chainId,
        trigger,
        control_id: controlId,
        body: buildSiu(facts),
        ...(await this.withheld(tx, target, facts)),
      });
    }
  }

  /**
   * A message about an appointment of a region the targets may not be told of: written as
   * withheld (kept, never sent, never retried) and the withholding audited with it.
   */
  private async withheld(
    tx: Executor,
    target: string,
    f: { region: string; appointmentId: string; patientId: string; locationId: string },
  ): Promise<{ status?: "withheld"; last_error?: string }> {
    const reason = withheldReason("hl7", this.deps.regions, f.region);
    if (!reason) return {};
    await auditWithheld(tx, {
      partner: "hl7",
      region: f.region,
      reason: `${reason}; target ${target}`,
      resourceType: "appointment",
      resourceId: f.appointmentId,
      patientId: f.patientId,
      locationId: f.locationId,
    });
    return { status: "withheld", last_error: reason };
  }

  /** Sends the due messages; false when none was due. */
  async deliverDue(): Promise<boolean> {
    const claimed = await repo.claim(
      this.deps.db,
      [...this.targets.keys()],
      this.deps.now(),
      this.leaseMs,
      MESSAGE_BATCH,
    );
    if (!claimed.length) return false;
    const byTarget = new Map<string, MessageRow[]>();
    for (const m of claimed) byTarget.set(m.target, [...(byTarget.get(m.target) ?? []), m]);
    await Promise.all([...byTarget].map(([target, messages]) => this.sendTo(target, messages)));
    return true;
  }

  private async sendTo(target: string, messages: MessageRow[]): Promise<void> {
    const endpoint = this.targets.get(target)!;
    let conn: Hl7Connection | undefined;
    try {
      for (const m of messages) {
        if (this.abandoned) return;
        let outcome: { ok: true; code: string } | { ok: false; code: string | null; reason: string };
        try {
          if (!conn) {
            conn = await connectMllp(endpoint, this.deps.tls ?? {}, 10_000);
            // a peer's socket error must not become an unhandled event
            conn.addEventListener("error", () => {});
            this.connections.add(conn);
          }
          const ack: Acknowledgement = await exchange(conn, Hl7Message.parse(m.body), {
            timeoutMs: this.ackTimeoutMs,
            appAckMs: this.deps.appAckMs ?? 5_000,
          });
          outcome =
            ack.code === "AA" || ack.code === "CA"
              ? { ok: true, code: ack.code }
              : {
                  ok: false,
                  code: ["AE", "AR", "CE", "CR"].includes(ack.code) ? ack.code : null,
                  reason: `${ack.code || "no MSA-1"}: ${ack.reason || "no reason given"}`,
                };
        } catch (err) {
          outcome = { ok: false, code: null, reason: err instanceof Error ? err.message : String(err) };
        }
        if (this.abandoned) return;
        const now = this.deps.now();
        if (outcome.ok) {
          await repo.acknowledged(this.deps.db, m.id, outcome.code, now);
          continue;
        }
        const giveUp = m.attempts >= MAX_ATTEMPTS;
        await repo.retryLater(this.deps.db, m.id, {
          ackCode: outcome.code,
          error: outcome.reason,
          nextAttemptAt: new Date(now.getTime() + retryDelayMs(m.attempts)),
          giveUp,
        });
        this.deps.log.warn(
          { target, controlId: m.control_id, attempts: m.attempts, reason: outcome.reason, giveUp },
          "HL7 message not acknowledged",
        );
        if (outcome.code === null) {
          // the connection is gone: the rest wait for the next round without an attempt counted
          const rest = messages.slice(messages.indexOf(m) + 1);
          await repo.release(
            this.deps.db,
            rest.map((r) => r.id),
          );
          return;
        }
      }
    } finally {
      if (conn) {
        this.connections.delete(conn);
        await conn.close().catch(() => {});
        conn.socket.destroy();
      }
    }
  }
}
