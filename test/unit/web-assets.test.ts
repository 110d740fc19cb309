/**
 * The web app's files as a browser or CDN receives them: fingerprinted assets compressed (Brotli
 * or gzip, whichever the browser accepts, from copies the build wrote) and cacheable for a year,
 * the page itself revalidated on every load so a new release is picked up at once.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import type { Plugin, ResolvedConfig } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createHttpApp } from "../../src/platform/http.js";
import { serveWebApp } from "../../src/platform/web.js";
import { precompressAssets } from "../../web/precompress.js";

const SCRIPT = `export const greeting = ${JSON.stringify("Good morning, front desk. ".repeat(200))};\n`;

/** Runs the build plugin's hooks on a build folder, as `vite build` does at its end. */
function precompress(outDir: string): void {
  const plugin: Plugin = precompressAssets();
  (plugin.configResolved as (c: ResolvedConfig) => void)({ build: { outDir } } as ResolvedConfig);
  (plugin.closeBundle as () => void)();
}

describe("the web app's files", () => {
  let root: string;
  let app: App;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "rounds-web-"));
    mkdirSync(join(root, "assets"));
    writeFileSync(
      join(root, "index.html"),
      '<!doctype html><script src="/assets/index-3f9a1c2b.js"></script>',
    );
    writeFileSync(join(root, "assets", "index-3f9a1c2b.js"), SCRIPT);
    writeFileSync(join(root, "assets", "tiny-0a1b2c3d.css"), "body{margin:0}");
    writeFileSync(join(root, "assets", "logo-4d5e6f70.png"), Buffer.alloc(4096, 7));
    precompress(root);
    app = await createHttpApp({ logLevel: "silent", version: "test" });
    serveWebApp(app, root);
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("the build keeps a Brotli and a gzip copy of each compressible asset worth compressing", () => {
    expect(readdirSync(join(root, "assets")).sort()).toEqual([
      "index-3f9a1c2b.js",
      "index-3f9a1c2b.js.br",
      "index-3f9a1c2b.js.gz",
      "logo-4d5e6f70.png",
      "tiny-0a1b2c3d.css",
    ]);
  });

  it("a fingerprinted script is sent compressed as the browser asks, cacheable for a year", async () => {
    for (const [accept, encoding, decode] of [
      ["gzip, deflate, br", "br", brotliDecompressSync],
      ["gzip", "gzip", gunzipSync],
    ] as const) {
      const res = await app.inject({
        url: "/assets/index-3f9a1c2b.js",
        headers: { "accept-encoding": accept },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-encoding"]).toBe(encoding);
      expect(res.headers["content-type"]).toMatch(/javascript/);
      expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(String(res.headers.vary)).toMatch(/accept-encoding/i);
      expect(res.rawPayload.length).toBeLessThan(SCRIPT.length / 5);
      expect(decode(res.rawPayload).toString()).toBe(SCRIPT);
    }
    const plain = await app.inject({
      url: "/assets/index-3f9a1c2b.js",
      headers: { "accept-encoding": "identity" },
    });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body).toBe(SCRIPT);
  });

  it("the page is revalidated on every load, so a new release's assets are fetched at once", async () => {
    const res = await app.inject({ url: "/schedule/today" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.body).toContain("/assets/index-3f9a1c2b.js");
  });
});
