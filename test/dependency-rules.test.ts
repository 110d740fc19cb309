/**
 * The dependency rules of `.dependency-cruiser.mjs` (ARCHITECTURE.md, "Which module may import
 * which"): each one is shown catching its breach in the miniature tree `test/dependency-rules/`,
 * and Rounds' own `src/` passes them all.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = fileURLToPath(
  new URL("../node_modules/dependency-cruiser/bin/dependency-cruise.mjs", import.meta.url),
);
const config = fileURLToPath(new URL("../.dependency-cruiser.mjs", import.meta.url));

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: Array<{ name: string }>;
}

/** Cruises `src` under `cwd` with the project's rules; the violations found. */
function cruise(cwd: string): Violation[] {
  const run = spawnSync(process.execPath, [cli, "--config", config, "--output-type", "json", "src"], {
    cwd,
    encoding: "utf8",
    // the report of ~400 modules passed 1 MB, spawnSync's default, which cuts it off mid-JSON
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  if (!run.stdout) throw new Error(`dependency-cruiser failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

const breaches = (violations: Violation[], rule: string) =>
  violations.filter((v) => v.rule.name === rule).map((v) => `${v.from} → ${v.to}`);

describe("dependency rules", () => {
  let found: Violation[] = [];
  beforeAll(() => {
    found = cruise(fileURLToPath(new URL("./dependency-rules/", import.meta.url)));
  });

  it("two services that import each other fail the check", () => {
    const circles = found
      .filter((v) => v.rule.name === "no-circular")
      .map((v) => v.cycle?.map((c) => c.name));
    expect(circles.length).toBeGreaterThan(0);
    for (const circle of circles) {
      expect(circle).toEqual(
        expect.arrayContaining(["src/services/physicians/service.ts", "src/services/scheduling/index.ts"]),
      );
    }
  });

  it("a service importing a service above it, or its sibling, fails the check", () => {
    expect(breaches(found, "layers-locations")).toEqual([
      "src/services/locations/index.ts → src/services/physicians/index.ts",
    ]);
    expect(breaches(found, "layers-physicians")).toEqual([
      "src/services/physicians/service.ts → src/services/scheduling/index.ts",
    ]);
    expect(breaches(found, "layers-notifications")).toEqual([
      "src/services/notifications/index.ts → src/services/analytics/index.ts",
    ]);
    // telehealth has a layer of its own below scheduling; the other integrations stay on top
    expect(breaches(found, "layers-telehealth")).toEqual([
      "src/integrations/telehealth/index.ts → src/services/scheduling/index.ts",
    ]);
    expect(breaches(found, "layers-integrations")).toEqual([]);
  });

  it("the platform importing a service fails the check", () => {
    expect(breaches(found, "platform-imports-no-service")).toEqual([
      "src/platform/db.ts → src/services/patients/index.ts",
    ]);
  });

  it("a module importing the server, the command line or the seed fails the check", () => {
    expect(breaches(found, "nothing-imports-a-composition-root")).toEqual([
      "src/services/scheduling/index.ts → src/seed/index.ts",
    ]);
  });

  it("a service reaching past another module's index.ts into its inner files fails the check", () => {
    expect(breaches(found, "services-meet-through-index")).toEqual([
      "src/services/scheduling/index.ts → src/services/patients/repository.ts",
    ]);
    expect(breaches(found, "modules-meet-platform-parts-through-index")).toEqual([
      "src/services/scheduling/index.ts → src/platform/audit/repository.ts",
    ]);
  });

  it("a module importing another module's repository files fails the check, inside the platform too", () => {
    expect(breaches(found, "no-foreign-repository").sort()).toEqual([
      "src/platform/identity/service.ts → src/platform/audit/repository.ts",
      "src/services/scheduling/index.ts → src/platform/audit/repository.ts",
      "src/services/scheduling/index.ts → src/services/patients/repository.ts",
    ]);
  });

  it("a module handing out its table types through its index.ts fails the check", () => {
    expect(breaches(found, "no-table-types-in-public-surface")).toEqual(
      expect.arrayContaining(["src/services/patients/index.ts → src/services/patients/repository.ts"]),
    );
  });

  it("the seed and the server may import any module's inner files, table types included", () => {
    expect(found.filter((v) => /^src\/(seed\/|server\.ts)/.test(v.from))).toEqual([]);
  });

  it("Rounds' own source keeps every dependency rule", () => {
    expect(cruise(root).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
  });
});
