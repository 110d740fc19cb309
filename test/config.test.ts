/**
 * Every setting comes from the environment through one validated configuration: a bad value stops
 * start-up with the variable named, instead of becoming NaN somewhere inside.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/platform/config.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe("configuration from the environment", () => {
  it.each([
    ["ROUNDS_SESSION_HOURS", "abc"],
    ["ROUNDS_SESSION_HOURS", "0"],
    ["DATABASE_POOL_SIZE", "0"],
    ["DATABASE_POOL_SIZE", "ten"],
    ["DATABASE_PREPARED_STATEMENTS", "maybe"],
    ["ROUNDS_HOLD_MINUTES", "1e1"],
    ["PORT", "80.5"],
    ["ROUNDS_PUBLIC_URL", "rounds.example.org"],
    ["ROUNDS_PUBLIC_URL", "ftp://rounds.example.org"],
    ["ROUNDS_PUBLIC_URL", "https://rounds.example.org/?next=1"],
    ["ROUNDS_TELEHEALTH_PROVIDER", "zoom"],
    ["ROUNDS_READ_DATABASE_URL", "mysql://replica/rounds"],
    ["ROUNDS_READ_DATABASE_URL", "postgres://replica/rounds"],
    ["ROUNDS_READ_MAX_LAG_SECONDS", "0"],
  ])("%s=%s stops start-up with the variable named", (variable, value) => {
    const err = refusal({ [variable]: value });
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(variable);
  });

  it("video visits' links come from the built-in provider under the public address, by default the server's own port", () => {
    expect(loadConfig({ PORT: "8080" }).telehealth).toEqual({
      provider: "builtin",
      publicUrl: "http://localhost:8080",
    });
    expect(loadConfig({ ROUNDS_PUBLIC_URL: "https://rounds.example.org" }).telehealth.publicUrl).toBe(
      "https://rounds.example.org",
    );
  });

  it("the session length, pool size and prepared-statement switch are read from the environment", () => {
    const config = loadConfig({
      ROUNDS_SESSION_HOURS: "8",
      DATABASE_POOL_SIZE: "25",
      DATABASE_PREPARED_STATEMENTS: "false",
    });
    expect(config.sessionHours).toBe(8);
    expect(config.databasePoolSize).toBe(25);
    expect(config.databasePreparedStatements).toBe(false);
    const defaults = loadConfig({});
    expect([defaults.sessionHours, defaults.databasePoolSize, defaults.databasePreparedStatements]).toEqual([
      12,
      10,
      true,
    ]);
  });

  it("no module but the configuration reads process.env", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.tsx?$/.test(name) && path !== join(ROOT, "src/platform/config.ts"))
          if (/process\.env\b/.test(readFileSync(path, "utf8"))) offenders.push(path.slice(ROOT.length));
      }
    };
    walk(join(ROOT, "src"));
    expect(offenders).toEqual([]);
  });

  it("`rounds serve` with ROUNDS_SESSION_HOURS=abc refuses to start and says which variable is wrong", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "serve"], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: "",
        ROUNDS_DATA_DIR: "memory://",
        ROUNDS_SEED_DEMO: "false",
        PORT: "0",
        ROUNDS_SESSION_HOURS: "abc",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(2);
    expect(output).toContain("ROUNDS_SESSION_HOURS");
  }, 60_000);
});
