/**
 * The eligibility worker. Each round it (1) turns new booking events from the schedule_events
 * outbox into checks due now, advancing its cursor in the same transaction (the cursor row is
 * locked meanwhile: one replica at a time queues, every booking is queued once); (2) claims the due
 * checks (SKIP LOCKED, with a lease and a claim token) and asks the payer, outside any transaction;
 * the answer is stored only while the claim is still this worker's. The booking itself never waits:
 * it commits its event and is done.
 */
import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import { auditService } from "../../platform/audit/index.js";
import type { Db, Executor } from "../../platform/db.js";
import type { ScheduleEvent } from "../../platform/events.js";
import { lastSeq, readAfter } from "../../platform/outbox.js";
import { auditWithheld } from "../../platform/residency/index.js";
import { appointmentFacts } from "../../services/scheduling/index.js";
import { attempt, auditDetail, factsFor, serviceTypeOf } from "./checks.js";
import type { PayerClient } from "./payer.js";
import { type CheckRow, eligibilityRepository as repo } from "./repository.js";

export interface WorkerDeps {
  db: Db;
  payer: PayerClient;
  now: () => Date;
  log: FastifyBaseLogger;
  pollMs?: number;
  /** How long a claim lasts: longer than the payer's timeout. */
  leaseMs: number;
}

const EVENT_BATCH = 100;
const CHECK_BATCH = 10;
const QUEUED_ON = new Set(["appointment.booked", "appointment.rescheduled"]);
/** The worker's changes are audited as the system's, naming the worker. */
const WORKER_CONTEXT = { userId: null, role: "system", requestId: "eligibility-worker", clientAddress: null };

export class EligibilityWorker {
  readonly id = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  /** When the last round ended: readiness fails when it stops moving. */
  lastRoundAt: number | undefined;

  constructor(private readonly deps: WorkerDeps) {}

  /** Starts at the newest event on first use: bookings made before are not checked. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    await repo.initCursor(this.deps.db, await lastSeq(this.deps.db));
    this.stopped = false;
    this.lastRoundAt = Date.now();
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
        this.timer = setTimeout(() => this.wake(), this.deps.pollMs ?? 5000);
        this.timer.unref();
      }
    });
  }

  get started(): boolean {
    return !this.stopped;
  }

  /** The newest schedule event this consumer has handled (shared by every replica), for outbox lag. */
  position(): Promise<number | undefined> {
    return repo.readCursor(this.deps.db);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One round; tests drive it directly (`at`: the moment the due checks are taken at). */
  async round(at?: Date): Promise<void> {
    try {
      await this.queueEvents();
      for (let i = 0; i < 20; i++) if (!(await this.runDue(at))) break;
    } catch (err) {
      this.deps.log.error({ err }, "eligibility round failed; retrying next round");
    }
  }

  /** Queues a check for each booking since the cursor. */
  async queueEvents(): Promise<void> {
    for (let batches = 0; batches < 50; batches++) {
      const more = await this.deps.db.transaction().execute(async (tx) => {
        const cursor = await repo.lockCursor(tx);
        if (cursor === undefined) {
          await repo.initCursor(tx, await lastSeq(tx));
          return true;
        }
        const read = await readAfter(tx, cursor, EVENT_BATCH);
        for (const e of read.events) await this.queue(tx, e);
        if (read.through !== cursor) await repo.setCursor(tx, read.through);
        return !read.settled || read.events.length === EVENT_BATCH;
      });
      if (!more) return;
    }
  }

  private async queue(tx: Executor, e: ScheduleEvent): Promise<void> {
    if (!QUEUED_ON.has(e.type) || !e.appointmentId) return;
    const a = await appointmentFacts.get(tx, e.appointmentId);
    if (!a) return;
    await repo.queue(
      tx,
      {
        appointment_id: a.id,
        patient_id: a.patientId,
        location_id: a.locationId,
        service_type: await serviceTypeOf(tx, a.appointmentTypeId),
      },
      this.deps.now(),
    );
  }

  /** Asks the payer about the due checks; false when none was due. */
  async runDue(at?: Date): Promise<boolean> {
    const claim = randomUUID();
    const claimed = await repo.claimDue(
      this.deps.db,
      at ?? this.deps.now(),
      this.deps.leaseMs,
      CHECK_BATCH,
      claim,
    );
    if (!claimed.length) return false;
    await Promise.all(claimed.map((c) => this.check(c, claim)));
    return true;
  }

  private async check(c: CheckRow, claim: string): Promise<void> {
    const { db, payer, now, log } = this.deps;
    try {
      const a = await appointmentFacts.get(db, c.appointment_id);
      // cancelled, moved or over: nothing to verify any more
      if (!a || !["booked", "checked_in"].includes(a.status) || a.end <= now()) {
        await repo.retire(db, c.id, claim);
        return;
      }
      const facts = await factsFor(db, c, await repo.coverageOf(db, c.patient_id), a.start);
      const outcome = await attempt(payer, facts, now);
      await db.transaction().execute(async (tx) => {
        if (!(await repo.finish(tx, c.id, claim, outcome))) return; // someone checked meanwhile
        await auditService.record(tx, WORKER_CONTEXT, {
          action: "appointment.eligibility.checked",
          resourceType: "appointment",
          resourceId: c.appointment_id,
          patientId: c.patient_id,
          locationId: c.location_id,
          outcome: outcome.status === "not_verified" ? "failure" : "success",
          detail: auditDetail(outcome, c.service_type, "booking"),
        });
        if (outcome.status === "withheld")
          await auditWithheld(tx, {
            partner: "payer",
            region: c.region,
            reason: outcome.reason ?? "withheld",
            resourceType: "appointment",
            resourceId: c.appointment_id,
            patientId: c.patient_id,
            locationId: c.location_id,
          });
      });
      if (outcome.status === "not_verified")
        log.warn({ appointmentId: c.appointment_id, reason: outcome.reason }, "eligibility not verified");
    } catch (err) {
      // the claim runs out and the check is taken again
      log.error({ err, appointmentId: c.appointment_id }, "eligibility check failed");
    }
  }
}
