/**
 * Capacity planning's solve time on the seeded network: for every specialty, the problem its
 * physicians' templates describe (src/seed/pricing.ts, `problemFromTemplates`), solved by HiGHS
 * as `POST /api/v1/capacity-plans` solves it. Reports the size of each MIP and its solve time.
 */

import { sql } from "kysely";
import { openDatabase } from "../../src/platform/db.js";
import { problemFromTemplates } from "../../src/seed/pricing.js";
import { createSolver, measure } from "../../src/services/analytics/index.js";
import { log } from "./common.js";

export async function capacityPlansPart(databaseUrl: string) {
  const database = await openDatabase({ databaseUrl, dataDir: "" });
  try {
    const today = new Date().toISOString().slice(0, 10);
    const specialties = (
      await sql<{ s: string }>`SELECT DISTINCT primary_specialty AS s FROM physicians ORDER BY 1`.execute(
        database.db,
      )
    ).rows.map((r) => r.s);
    const solve = createSolver(60);
    const results = [];
    for (const specialty of specialties) {
      const { problem } = await problemFromTemplates(database.db, specialty, today);
      if (problem.contracts.length === 0) continue;
      const { assignments, solveMs } = await solve(problem);
      const f = measure(problem, assignments);
      results.push({
        specialty,
        physicians: problem.contracts.length,
        locations: Object.keys(problem.rooms).length,
        solveMs,
        coverage: Math.round(f.coverage * 1000) / 1000,
      });
      log(`capacity plan ${specialty}: ${problem.contracts.length} physicians, ${solveMs} ms`);
    }
    const times = results.map((r) => r.solveMs).sort((a, b) => a - b);
    return {
      specialties: results.length,
      solveMsP50: times[Math.floor(times.length / 2)] ?? null,
      solveMsMax: times.at(-1) ?? null,
      solveMsTotal: times.reduce((a, b) => a + b, 0),
      largest: results.sort((a, b) => b.physicians - a.physicians)[0] ?? null,
    };
  } finally {
    await database.close();
  }
}
