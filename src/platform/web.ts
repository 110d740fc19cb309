/**
 * Serves the browser app built into dist/web (by `npm run build:web`, which `npm start` runs
 * first). Any path outside /api gets the app's index.html, so typed and reloaded addresses work;
 * when the build is missing every such path explains how to build it instead of failing quietly.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import { ProblemError, problemBody } from "./errors.js";
import type { App } from "./http.js";

export const WEB_ROOT = fileURLToPath(new URL("../../dist/web/", import.meta.url));

const MISSING_BUILD = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rounds: web app not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>The Rounds web app has not been built</h1>
<p>The API is running (see <a href="/api/docs">the API documentation</a>), but the browser app is missing
from <code>dist/web</code>.</p>
<p>Build it with <code>npm run build:web</code> and reload this page. <code>npm start</code> builds it for you.</p>
</body></html>`;

/** Hashed file names never change content, so browsers may keep them for a year. */
const YEAR_SECONDS = 365 * 24 * 3600;

/**
 * The installable app's files at the root (vite-plugin-pwa's output): the service worker and the
 * manifest are asked for again on every visit (a new build must reach browsers), Workbox's
 * runtime is content-hashed, the icons keep a day.
 */
const ROOT_FILES: ReadonlyArray<[RegExp, string]> = [
  [/^\/(sw\.js|manifest\.webmanifest)$/, "no-cache"],
  [/^\/workbox-[0-9a-f]{8}\.js$/, `public, max-age=${YEAR_SECONDS}, immutable`],
  [/^\/icons\/[a-z0-9-]+\.(png|svg)$/, "public, max-age=86400"],
];

export function serveWebApp(app: App, root: string = WEB_ROOT): void {
  const assets = join(root, "assets");
  // registered even before a build exists, so a build made while the server runs is served
  void app.register(fastifyStatic, {
    root: assets,
    prefix: "/assets/",
    index: false,
    schemaHide: true,
    maxAge: YEAR_SECONDS * 1000,
    immutable: true,
    // the build writes .br and .gz beside each file (web/precompress.ts); the one accepted is sent
    preCompressed: true,
    // caches in between (a CDN, nginx) keep one copy per encoding, never Brotli for a gzip-only client
    setHeaders: (res) => res.setHeader("vary", "Accept-Encoding"),
  });

  app.get("/*", { schema: { hide: true } }, (req, reply) => {
    const path = req.url.split("?")[0] ?? "/";
    const rootFile = ROOT_FILES.find(([pattern]) => pattern.test(path));
    if (rootFile && existsSync(join(root, path))) {
      void reply.header("cache-control", rootFile[1]);
      if (path.endsWith(".webmanifest")) void reply.type("application/manifest+json");
      return reply.sendFile(path.slice(1), root, { cacheControl: false });
    }
    // an unknown API path stays an API answer, never the app's page
    const appPage = path === "/index.html";
    if (path === "/api" || path.startsWith("/api/") || (!appPage && /\.[a-z0-9]{1,8}$/i.test(path))) {
      const err = new ProblemError(404, "route_not_found", `No route ${req.method} ${path}`);
      return reply.code(404).type("application/problem+json").send(problemBody(err, req.id));
    }
    if (!existsSync(join(root, "index.html")))
      return reply.code(503).type("text/html; charset=utf-8").send(MISSING_BUILD);
    void reply.header("cache-control", "no-cache");
    return reply.sendFile("index.html", root, { cacheControl: false });
  });
}
