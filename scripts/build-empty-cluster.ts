/**
 * Runs PostgreSQL's initdb once, at build time, and keeps the empty cluster as a tarball in
 * dist/pglite/: a new embedded database (first start, `memory://`) is unpacked from it instead of
 * running initdb inside WebAssembly, which takes about 5 s. The cluster holds no Rounds data
 * (migrations still run on start). `npm run build` reruns this when package-lock.json changes.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { EMPTY_CLUSTER } from "../src/platform/db.js";

const pg = await PGlite.create("memory://");
const tarball = await pg.dumpDataDir("gzip");
await pg.close();
mkdirSync(dirname(EMPTY_CLUSTER), { recursive: true });
writeFileSync(EMPTY_CLUSTER, Buffer.from(await tarball.arrayBuffer()));
console.log(`built ${relative(process.cwd(), EMPTY_CLUSTER)}`);
