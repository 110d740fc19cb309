import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  auc,
  brier,
  calibration,
  evaluate,
  fitInWorker,
  MEDICAL_APPOINTMENT_NO_SHOWS,
  parseCsv,
  predict,
  train,
  type Visit,
  visitsFromCsv,
} from "../src/services/analytics/index.js";

describe("no-show metrics", () => {
  it("AUC of a small set, counted by hand: 3 of 4 no-show/attended pairs ranked right", () => {
    // no-shows score 0.8 and 0.4; attended 0.6 and 0.2: pairs (0.8>0.6, 0.8>0.2, 0.4<0.6, 0.4>0.2)
    expect(auc([0.8, 0.4, 0.6, 0.2], [true, true, false, false])).toBeCloseTo(0.75, 12);
  });

  it("a tie between a no-show and an attended visit counts half", () => {
    // pairs: (0.5 vs 0.5) = ½, (0.5 vs 0.1) = 1 → 1.5 / 2
    expect(auc([0.5, 0.5, 0.1], [true, false, false])).toBeCloseTo(0.75, 12);
  });

  it("AUC is not defined when every visit had the same outcome", () => {
    expect(auc([0.1, 0.9], [false, false])).toBeNull();
    expect(auc([], [])).toBeNull();
  });

  it("Brier score of a small set, by hand", () => {
    // (0.9-1)² + (0.2-0)² + (0.5-1)² = 0.01 + 0.04 + 0.25 = 0.30 → / 3
    expect(brier([0.9, 0.2, 0.5], [true, false, true])).toBeCloseTo(0.1, 12);
    expect(brier([1, 0], [true, false])).toBe(0);
  });

  it("calibration cuts the visits into deciles of predicted risk", () => {
    const p = Array.from({ length: 20 }, (_, i) => i / 20);
    const y = p.map((x) => x >= 0.5);
    const bins = calibration(p, y);
    expect(bins).toHaveLength(10);
    expect(bins.map((b) => b.n)).toEqual(Array(10).fill(2));
    expect(bins[0]).toEqual({ n: 2, predicted: 0.025, observed: 0 });
    expect(bins[9]).toEqual({ n: 2, predicted: 0.925, observed: 1 });
  });

  const labelled = fc
    .array(fc.tuple(fc.integer({ min: -1e6, max: 1e6 }), fc.boolean()), { minLength: 2, maxLength: 60 })
    .filter((xs) => xs.some(([, y]) => y) && xs.some(([, y]) => !y));

  it("a score that puts every no-show above every attended visit has AUC 1; reversed, 0", () => {
    fc.assert(
      fc.property(labelled, (xs) => {
        const y = xs.map(([, o]) => o);
        const perfect = xs.map(([s, o]) => (o ? 1e7 + Math.abs(s) : -1e7 - Math.abs(s)));
        expect(auc(perfect, y)).toBe(1);
        expect(
          auc(
            perfect.map((s) => -s),
            y,
          ),
        ).toBe(0);
      }),
    );
  });

  it("AUC depends only on the order of the scores (a monotone transform changes nothing)", () => {
    fc.assert(
      fc.property(labelled, (xs) => {
        const s = xs.map(([v]) => v);
        const y = xs.map(([, o]) => o);
        const a = auc(s, y)!;
        expect(
          auc(
            s.map((v) => 3 * v + 7),
            y,
          ),
        ).toBeCloseTo(a, 12);
        expect(
          auc(
            s.map((v) => Math.atan(v / 1e5)),
            y,
          ),
        ).toBeCloseTo(a, 12);
        expect(a).toBeGreaterThanOrEqual(0);
        expect(a).toBeLessThanOrEqual(1);
      }),
    );
  });
});

const DAY = 86_400_000;

/** Made-up visits where long lead times and earlier no-shows make missing more likely. */
function madeUpHistory(n: number): Visit[] {
  let seed = 7;
  const rand = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  return Array.from({ length: n }, (_, i) => {
    const lead = Math.floor(rand() * 40);
    const prior = rand() < 0.2 ? 2 : 0;
    const risk = 0.03 + lead * 0.008 + prior * 0.15;
    const start = new Date(Date.UTC(2026, 0, 1) + i * 3_600_000);
    return {
      start,
      bookedAt: new Date(start.getTime() - lead * DAY),
      noShow: rand() < risk,
      priorNoShows: prior,
      age: 20 + Math.floor(rand() * 60),
      telehealth: rand() < 0.3,
    };
  });
}

describe("the no-show model", () => {
  it("learns that long lead times and earlier no-shows mean more missed visits", async () => {
    const visits = madeUpHistory(800);
    const model = await train(visits);
    const base = { start: new Date("2026-03-01T09:00:00Z"), age: 40, telehealth: false };
    const soonNoHistory = predict(model, {
      ...base,
      bookedAt: new Date("2026-02-28T09:00:00Z"),
      priorNoShows: 0,
    });
    const lateWithHistory = predict(model, {
      ...base,
      bookedAt: new Date("2026-01-25T09:00:00Z"),
      priorNoShows: 2,
    });
    expect(lateWithHistory).toBeGreaterThan(soonNoHistory);
  });

  it("is evaluated on visits later than every visit it was trained on", async () => {
    const e = await evaluate(madeUpHistory(500));
    expect(e.trainRows + e.testRows).toBe(500);
    expect(e.testRows).toBe(150);
    expect(e.split.by).toBe("time");
    expect(Date.parse(e.split.firstTested!.start)).toBeGreaterThan(Date.parse(e.split.lastTrained!.start));
    expect(e.features).toEqual(expect.arrayContaining(["leadDays", "priorNoShows", "telehealth"]));
  });

  it("a history where nobody ever missed trains a model that predicts almost no risk", async () => {
    const visits = madeUpHistory(50).map((v) => ({ ...v, noShow: false }));
    expect(predict(await train(visits), visits[0]!)).toBeLessThan(0.01);
  });

  it("fits the same weights in a worker thread as in this one", async () => {
    const visits = madeUpHistory(300);
    const here = await train(visits);
    const there = await train(visits, { fit: fitInWorker });
    expect(there.weights).toHaveLength(here.weights.length);
    for (const [i, w] of there.weights.entries()) expect(w).toBeCloseTo(here.weights[i]!, 9);
  });

  it("a fit in a worker thread stops when its signal is aborted (a server shutting down does not wait for it)", async () => {
    const stop = new AbortController();
    const fitting = train(madeUpHistory(300), { fit: fitInWorker, signal: stop.signal });
    stop.abort();
    await expect(fitting).rejects.toThrow();
  });
});

describe("appointments from a CSV", () => {
  const header =
    "PatientId,AppointmentID,Gender,ScheduledDay,AppointmentDay,Age,Neighbourhood,Scholarship,Hipertension,Diabetes,Alcoholism,Handcap,SMS_received,No-show";

  it("reads the 'Medical Appointment No Shows' layout, quoted fields included", () => {
    const text = `${header}\n1,2,F,2016-04-20T10:00:00Z,2016-04-29T00:00:00Z,34,"SANTA, LUCIA",0,1,0,0,0,1,Yes\n`;
    const { visits, skipped } = visitsFromCsv(text, MEDICAL_APPOINTMENT_NO_SHOWS);
    expect(skipped).toBe(0);
    expect(visits[0]).toMatchObject({ age: 34, noShow: true, remindersSent: 1 });
    expect(visits[0]!.extra).toMatchObject({ male: 0, hypertension: 1 });
    expect(parseCsv('a,"b ""c""",d\r\n1,2,3')).toEqual([
      ["a", 'b "c"', "d"],
      ["1", "2", "3"],
    ]);
  });

  it("counts rows whose dates or outcome cannot be read instead of guessing", () => {
    const text = `${header}\n1,2,F,yesterday,2016-04-29T00:00:00Z,34,X,0,0,0,0,0,0,No\n1,3,M,2016-04-20T10:00:00Z,2016-04-29T00:00:00Z,50,X,0,0,0,0,0,0,\n`;
    expect(visitsFromCsv(text).skipped).toBe(2);
  });
});

describe("rounds noshow evaluate", () => {
  const dir = mkdtempSync(join(tmpdir(), "rounds-noshow-"));

  function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", "src/cli.ts", "noshow", "evaluate", ...args],
        { timeout: 60_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  it("prints one JSON object with the model's and the baseline's figures for a CSV in another layout", async () => {
    const rows = madeUpHistory(200).map(
      (v, i) =>
        `${i},${v.bookedAt.toISOString()},${v.start.toISOString()},${v.noShow ? "missed" : "attended"},${v.priorNoShows},${v.telehealth ? "video" : "clinic"}`,
    );
    const csv = join(dir, "history.csv");
    writeFileSync(csv, ["id,booked,starts,outcome,missed_before,mode", ...rows].join("\n"));
    const mapping = join(dir, "mapping.json");
    writeFileSync(
      mapping,
      JSON.stringify({
        bookedAt: "booked",
        start: "starts",
        noShow: { column: "outcome", yes: ["missed"] },
        priorNoShows: "missed_before",
        telehealth: { column: "mode", yes: ["video"] },
        hourFromStart: true,
      }),
    );
    const { code, stdout } = await run("--csv", csv, "--mapping", mapping);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({ rows: 200, trainRows: 140, testRows: 60, skipped: 0 });
    for (const k of ["auc", "brier", "baselineAuc", "baselineBrier", "noShowRate"])
      expect(typeof out[k]).toBe("number");
    expect(out.calibration).toHaveLength(10);
    expect(out.features).toEqual(expect.arrayContaining(["leadDays", "priorNoShows", "telehealth", "hour"]));
  });

  it("names the missing column when the file is not in the layout it was told", async () => {
    const csv = join(dir, "wrong.csv");
    writeFileSync(csv, "a,b\n1,2\n");
    const { code, stderr, stdout } = await run("--csv", csv);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain('no column "ScheduledDay"');
  });
});
