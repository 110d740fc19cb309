/**
 * The no-show model's training job: on start and then daily, one replica reads the network's
 * completed and missed appointments through scheduling, evaluates a model on the latest 30 % of
 * them (beside the lead-time baseline), trains the model in use on all of them and stores it as
 * the next version. The fitting runs in a worker thread, so requests are not held meanwhile.
 *
 * One replica at a time: training starts only after claiming `noshow_training` in one statement
 * that also checks no model is younger than a day, so of replicas starting together one trains and
 * the others find the claim taken (and, after it, a fresh model). A replica that dies while training
 * leaves the claim to lapse after CLAIM_MINUTES; a second insert of the same version fails on the key.
 */
import type { FastifyBaseLogger } from "fastify";
import type { Clock } from "../../platform/clock.js";
import type { Db } from "../../platform/db.js";
import { evaluate, type Fit, fitInWorker, train, type Visit } from "./noshow/index.js";
import { analyticsRepository as repo } from "./repository.js";
import { type TimeZoneOf, type VisitSource, visitOf } from "./service.js";

const HOUR = 3_600_000;
/** A model younger than this is not retrained. */
export const RETRAIN_HOURS = 23;
/** How often a replica asks whether a retraining is due. */
export const CHECK_INTERVAL_MS = HOUR;
const CLAIM_MINUTES = 30;
/** The history it learns from: the latest completed or missed appointments of the last two years. */
const HISTORY_DAYS = 730;
const HISTORY_LIMIT = 5_000;
/** Fewer than this many of either outcome teaches nothing worth showing. */
const MIN_OF_EACH = 10;

export interface TrainerDeps {
  db: Db;
  clock: Clock;
  visits: Pick<VisitSource, "outcomes">;
  timeZoneOf: TimeZoneOf;
  fit?: Fit;
  log?: FastifyBaseLogger;
}

export type TrainingResult =
  | { trained: true; version: number; rows: number }
  | { trained: false; reason: "not_due" | "too_little_history" };

export function createTrainer(deps: TrainerDeps) {
  const { db, clock, visits, log } = deps;
  const fit = deps.fit ?? fitInWorker;

  /** One pass: claim, read, evaluate, train, store; `force` retrains even when the model is fresh. */
  async function runOnce(opts: { force?: boolean; signal?: AbortSignal } = {}): Promise<TrainingResult> {
    const now = clock.now();
    const freshAfter = opts.force ? now : new Date(now.getTime() - RETRAIN_HOURS * HOUR);
    if (!(await repo.claimTraining(db, now, new Date(now.getTime() + CLAIM_MINUTES * 60_000), freshAfter)))
      return { trained: false, reason: "not_due" };
    try {
      const facts = await visits.outcomes(db, {
        from: new Date(now.getTime() - HISTORY_DAYS * 24 * HOUR),
        to: now,
        limit: HISTORY_LIMIT,
      });
      const zones = new Map<string, Promise<string>>();
      const zoneOf = (id: string) => {
        const known = zones.get(id);
        if (known) return known;
        const zone = deps.timeZoneOf(db, id);
        zones.set(id, zone);
        return zone;
      };
      const history: Visit[] = [];
      for (const f of facts) {
        // a stopping server does not wait for the rest of the pass
        if (opts.signal?.aborted) throw new Error("training stopped");
        history.push(await visitOf(f, zoneOf));
      }
      const missed = history.filter((v) => v.noShow).length;
      if (missed < MIN_OF_EACH || history.length - missed < MIN_OF_EACH)
        return { trained: false, reason: "too_little_history" };
      const evaluation = await evaluate(history, { fit, signal: opts.signal });
      const model = await train(history, { fit, signal: opts.signal });
      const version = await repo.insert(db, {
        trainedAt: clock.now(),
        trainedOn: history.length,
        model,
        evaluation,
      });
      log?.info(
        { version, rows: history.length, auc: evaluation.auc, baselineAuc: evaluation.baselineAuc },
        "trained the no-show model",
      );
      return { trained: true, version, rows: history.length };
    } finally {
      await repo.releaseTraining(db);
    }
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  // stopping the process ends a fit in progress instead of waiting for it
  let stopping: AbortController | undefined;
  const pass = () => {
    if (running) return running;
    const controller = new AbortController();
    stopping = controller;
    running = runOnce({ signal: controller.signal })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) log?.error({ err }, "no-show model training failed");
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  return {
    runOnce,
    /** Trains now if due, then checks every interval; passes never overlap in one process. */
    start(intervalMs = CHECK_INTERVAL_MS) {
      void pass();
      timer ??= setInterval(() => void pass(), intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      stopping?.abort();
      await running;
    },
  };
}

export type Trainer = ReturnType<typeof createTrainer>;
