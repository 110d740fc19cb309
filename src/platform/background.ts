/**
 * A background loop that runs one pass at a time: woken by events (or a timer), a pass that is
 * asked for while one runs runs once more after it. Stopping waits for the pass in progress.
 */
import type { FastifyBaseLogger } from "fastify";

export interface Loop {
  start(): void;
  wake(): void;
  stop(): Promise<void>;
  /** Runs one pass now and waits for it (tests drive loops this way). */
  runOnce(): Promise<void>;
}

export function createLoop(
  name: string,
  pass: () => Promise<void>,
  pollMs: number,
  log?: FastifyBaseLogger,
): Loop {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  const once = () =>
    pass().catch((err: unknown) => log?.error({ err }, `${name}: pass failed; retrying on the next`));
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(wake, pollMs);
    timer.unref();
  };
  function wake(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    running = (async () => {
      do {
        again = false;
        await once();
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
      schedule();
    });
  }
  return {
    start() {
      if (!stopped) return;
      stopped = false;
      wake();
    },
    wake,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    async runOnce() {
      await running;
      await once();
    },
  };
}
