/** Builds the browser app into dist/web; `npm start` serves it from the API server. */
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";
import { precompressAssets } from "./precompress.js";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  plugins: [
    react(),
    // fingerprinted assets/ (Vite's hashed names) also as .br and .gz, served with a year's cache
    precompressAssets(),
    // installable, and the app shell (every built file) precached by a service worker, so the
    // app starts without a network; the data it shows offline is the app's own encrypted cache
    // (web/src/offline/), never the worker's
    VitePWA({
      strategies: "generateSW",
      registerType: "autoUpdate",
      // registered by main.tsx: the CSP allows no inline script
      injectRegister: false,
      includeAssets: ["icons/icon.svg", "icons/apple-touch-icon.png"],
      manifest: {
        name: "Rounds",
        short_name: "Rounds",
        description: "Appointments across the hospital network",
        start_url: "/",
        scope: "/",
        display: "standalone",
        background_color: "#ffffff",
        theme_color: "#1971c2",
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
          { src: "/icons/icon.svg", sizes: "any", type: "image/svg+xml" },
        ],
      },
      workbox: {
        globPatterns: ["**/*.{js,css,html,svg,png,woff2}"],
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        navigateFallback: "/index.html",
        // API answers are never the worker's to keep (they are patient data: see web/src/offline/)
        navigateFallbackDenylist: [/^\/api\//, /^\/healthz/, /^\/metrics/],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
  ],
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 900,
  },
  server: {
    // `npx vite --config web/vite.config.ts` during development talks to `npm run dev` on port 3000
    proxy: { "/api": "http://127.0.0.1:3000", "/healthz": "http://127.0.0.1:3000" },
  },
});
