/** Builds the browser app into dist/web; `npm start` serves it from the API server. */
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { precompressAssets } from "./precompress.js";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  // fingerprinted assets/ (Vite's hashed names) also as .br and .gz, served with a year's cache
  plugins: [react(), precompressAssets()],
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
