/** The demo network, loaded on a first start (src/cli.ts, `rounds serve`). */
import type { Config } from "./platform/config.js";
import type { Database } from "./platform/db.js";

/** The seed of the demo network loaded on first start (`rounds seed` defaults to it too). */
export const DEMO_SEED = 1;

/** What loading the demo on first start did, for the start-up log. */
export interface DemoLoad {
  summary: import("./seed/index.js").SeedSummary;
  ms: number;
}

/**
 * The `onReady` hook of `rounds serve`: with ROUNDS_SEED_DEMO on and no location in the database,
 * loads the demo network with its appointments and demo sign-ins before the server takes
 * traffic. A database with data is left alone; a replica that loses the race to seed skips.
 */
export async function seedDemoOnFirstStart(
  database: Database,
  config: Config,
): Promise<DemoLoad | undefined> {
  if (!config.seedDemo) return undefined;
  const { isNetworkEmpty, NetworkNotEmptyError, seedNetwork } = await import("./seed/index.js");
  if (!(await isNetworkEmpty(database))) return undefined;
  const started = Date.now();
  try {
    const summary = await seedNetwork(database, {
      scale: "small",
      seed: DEMO_SEED,
      publicUrl: config.telehealth.publicUrl,
    });
    return { summary, ms: Date.now() - started };
  } catch (err) {
    if (err instanceof NetworkNotEmptyError) return undefined;
    throw err;
  }
}
