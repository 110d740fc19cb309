/**
 * One process at a time in an embedded data directory. PGlite itself does not stop a second
 * process from opening the same directory, and two writers there corrupt it; so the process that
 * opens it writes its pid to `rounds.pid` and removes it on close. A pid file whose process is
 * gone (a crash, `kill -9`) is stale and taken over.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const DATA_DIR_LOCK = "rounds.pid";

export class DataDirInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `the embedded database in ${dir} is open in process ${pid}: stop that process (the server) first, ` +
        "or point ROUNDS_DATA_DIR elsewhere",
    );
    this.name = "DataDirInUseError";
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

const holderOf = (file: string): number | undefined => {
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
};

/** Takes the directory for this process; returns the release. Throws DataDirInUseError if another live process holds it. */
export function holdDataDir(dir: string): () => void {
  const file = join(dir, DATA_DIR_LOCK);
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: "wx", mode: 0o644 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 2) throw err;
      const pid = holderOf(file);
      // this same process (a test reopening, a command after its own server closed) may go on
      if (pid === process.pid) break;
      if (pid !== undefined && alive(pid)) throw new DataDirInUseError(dir, pid);
      rmSync(file, { force: true });
    }
  }
  return () => {
    if (holderOf(file) === process.pid) rmSync(file, { force: true });
  };
}
