/**
 * The FHIR endpoint on the benchmark network (`--only fhir`, not in the default run):
 * `$bulk-publish` (public SMART Scheduling Links) computed once, then served from memory while it
 * is young — the first manifest's time (it computes all three files), then p50/p95 of a manifest
 * and of the Slot file; and the reference-data searches that read every physician at every
 * location in one query: a network-wide page of Schedules, one practitioner's Schedules, one
 * location's PractitionerRoles.
 */
import { get as httpGet } from "node:http";
import { log, ms, pct } from "./common.js";

/** A GET without fetch's five-minute header timeout: the first publication of a large network may take longer. */
function patientGet(url: string): Promise<{ status: number; ms: number; text: string }> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    httpGet(url, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        text += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t, text }));
    }).on("error", reject);
  });
}

async function timed(url: string): Promise<{ status: number; bytes: number; ms: number; text: string }> {
  const t = performance.now();
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, bytes: text.length, ms: performance.now() - t, text };
}

const summary = (xs: number[]) => ({ p50: ms(pct(xs, 50)), p95: ms(pct(xs, 95)) });

export async function measureFhir(
  serverUrl: string,
  network: { physicianIds: string[]; locationIds: string[] },
  requests: number,
) {
  const base = `${serverUrl}/fhir/R4`;
  const cold = await patientGet(`${base}/$bulk-publish`);
  if (cold.status !== 200) throw new Error(`$bulk-publish ${cold.status} ${cold.text.slice(0, 200)}`);
  const files: Record<string, { bytes: number; lines: number }> = {};
  for (const type of ["Location", "Schedule", "Slot"]) {
    const f = await timed(`${base}/$bulk-publish/${type}.ndjson`);
    if (f.status !== 200) throw new Error(`${type}.ndjson ${f.status}`);
    files[type] = { bytes: f.bytes, lines: f.text.split("\n").filter(Boolean).length };
  }
  log(`$bulk-publish computed in ${ms(cold.ms)} ms`, JSON.stringify(files));
  const manifest: number[] = [];
  const slotFile: number[] = [];
  for (let i = 0; i < requests; i++) {
    manifest.push((await timed(`${base}/$bulk-publish`)).ms);
    slotFile.push((await timed(`${base}/$bulk-publish/Slot.ndjson`)).ms);
  }
  const search = async (path: (i: number) => string) => {
    const out: number[] = [];
    for (let i = 0; i < Math.min(requests, 100); i++) {
      const r = await timed(`${base}/${path(i)}`);
      if (r.status !== 200) throw new Error(`${path(i)} ${r.status} ${r.text.slice(0, 200)}`);
      out.push(r.ms);
    }
    return summary(out);
  };
  const { physicianIds, locationIds } = network;
  return {
    bulkPublish: {
      firstManifestMs: ms(cold.ms),
      files,
      manifestMs: summary(manifest),
      slotFileMs: summary(slotFile),
      requests,
    },
    scheduleSearchMs: {
      networkPage200: await search((i) => `Schedule?_count=200&_offset=${(i * 200) % 2000}`),
      onePractitioner: await search(
        (i) => `Schedule?actor=Practitioner/${physicianIds[(i * 7) % physicianIds.length]}`,
      ),
    },
    practitionerRoleSearchMs: {
      oneLocation: await search(
        (i) => `PractitionerRole?location=Location/${locationIds[i % locationIds.length]}&_count=200`,
      ),
    },
  };
}
