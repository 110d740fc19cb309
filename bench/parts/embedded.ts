/**
 * `--only embedded`: the demo network on the embedded database as `npm start` serves it. A fresh
 * start loads the demo; the measured server is the restart on the same directory: its idle
 * memory, availability searches and bookings one at a time, and its memory afterwards. This is
 * the figure to watch when PGlite's settings (`src/platform/db.ts`) change.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_PASSWORD, DEMO_USERS } from "../../src/seed/index.js";
import { ms, pct, sleep } from "./common.js";
import { getter, signIn } from "./server.js";
import { startNpm } from "./startup.js";

interface Page<T> {
  items: T[];
}

export async function measureEmbedded(requests: number, env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "rounds-bench-embedded-"));
  try {
    const first = await startNpm(dataDir, env);
    const freshRssMb = first.rss().serverRssMb;
    await first.stop();
    const server = await startNpm(dataDir, env);
    try {
      await sleep(5000);
      const idle = server.rss();
      const headers = await signIn(server.url, { email: DEMO_USERS[0]!.email, password: DEMO_PASSWORD });
      const get = getter(server.url, headers);
      const types = (
        (await get("/api/v1/appointment-types?visitKind=new&active=true&limit=500")).body as Page<{
          id: string;
          specialty: string;
        }>
      ).items;
      const patients = ((await get("/api/v1/patients?limit=500")).body as Page<{ id: string }>).items;
      const from = encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString());
      const to = encodeURIComponent(new Date(Date.now() + 14 * 86_400_000).toISOString());
      const search = (i: number) => {
        const t = types[i % types.length]!;
        return get(
          `/api/v1/availability?appointmentTypeId=${t.id}&specialty=${t.specialty}&from=${from}&to=${to}&limit=20`,
        );
      };
      for (let i = 0; i < 10; i++) await search(i);
      const searches: number[] = [];
      for (let i = 0; i < requests; i++) {
        const r = await search(i);
        if (r.status !== 200) throw new Error(`availability ${r.status} ${JSON.stringify(r.body)}`);
        searches.push(r.ms);
      }
      const bookings: number[] = [];
      const statuses: Record<string, number> = {};
      for (let i = 0; i < Math.ceil(requests / 3); i++) {
        const options = ((await search(i * 7)).body as { options: Array<{ id: string }> }).options;
        const option = options[(i * 5) % Math.max(1, options.length)];
        if (!option) continue;
        const t = performance.now();
        const res = await fetch(`${server.url}/api/v1/appointments`, {
          method: "POST",
          headers,
          body: JSON.stringify({ optionId: option.id, patientId: patients[(i * 11) % patients.length]!.id }),
        });
        await res.json();
        bookings.push(performance.now() - t);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
      return {
        env,
        restartReadyMs: server.readyMs,
        rssMb: {
          afterFirstStart: freshRssMb,
          idleAfterRestart: idle.serverRssMb,
          afterWork: server.rss().serverRssMb,
        },
        availabilityMs: { requests, p50: ms(pct(searches, 50)), p95: ms(pct(searches, 95)) },
        bookingMs: {
          requests: bookings.length,
          p50: ms(pct(bookings, 50)),
          p95: ms(pct(bookings, 95)),
          statuses,
        },
      };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
