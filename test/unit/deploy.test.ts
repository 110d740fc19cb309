/**
 * The container image, the compose file and the Kubernetes manifests, checked without a container
 * runtime or a cluster: they parse, every variable they set is one Rounds reads and together they
 * make a configuration Rounds accepts, and probes, ports and proxies point where the server
 * answers. (`docker compose config` needs the compose plugin; `kubectl kustomize` runs when present.)
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import {
  CONFIG_VARIABLES,
  ConfigError,
  loadConfig,
  TEMPLATE_PLACEHOLDER,
} from "../../src/platform/config.js";
import { HEARTBEAT_MS } from "../../src/services/notifications/realtime.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string) => readFileSync(`${ROOT}${path}`, "utf8");
/** Node's own variable, set by the image; Rounds does not read it. */
const RUNTIME_VARIABLES = ["NODE_ENV"];

/** What an operator's .env would hold, for compose's `${VAR:?…}` and `${VAR:-default}`. */
const OPERATOR_ENV: Record<string, string> = {
  ROUNDS_DB_OWNER_PASSWORD: "owner-secret",
  ROUNDS_DB_APP_PASSWORD: "app-secret",
  ROUNDS_OPTION_KEY: "a".repeat(64),
  ROUNDS_AUDIT_KEY: "b".repeat(64),
  ROUNDS_ADMIN_EMAIL: "admin@example.org",
  ROUNDS_ADMIN_PASSWORD: "a-long-admin-password",
};

/** Compose's interpolation of a parsed file's strings: set, default, or required (missing: an error). */
function interpolate(value: unknown, env: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  if (typeof value !== "string") return value;
  return value.replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    const value = env[name];
    if (value !== undefined && value !== "") return value;
    if (op === "?") throw new Error(`compose would stop: ${name} ${arg}`);
    return op === "-" ? (arg ?? "") : "";
  });
}

type Env = Record<string, string>;
interface ComposeService {
  image?: string;
  environment?: Env;
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
}

describe("the compose deployment", () => {
  const file = parse(read("deploy/compose.yaml"), { merge: true }) as unknown;
  const compose = interpolate(file, OPERATOR_ENV) as { services: Record<string, ComposeService> };
  const apis = Object.entries(compose.services).filter(([name]) => /^api-\d+$/.test(name));

  it("refuses to start without the keys every replica must share", () => {
    const { ROUNDS_AUDIT_KEY: _, ...withoutAuditKey } = OPERATOR_ENV;
    expect(() => interpolate(file, withoutAuditKey)).toThrow(/ROUNDS_AUDIT_KEY/);
  });

  it("runs PostgreSQL 15, migrates once as the owner, then three replicas with the workers on", () => {
    expect(compose.services.postgres?.image).toMatch(/^postgres:15/);
    expect(compose.services.migrate?.command).toContain("migrate");
    expect(apis.map(([name]) => name)).toEqual(["api-1", "api-2", "api-3"]);
    const configs = apis.map(([, s]) => {
      const env = s.environment ?? {};
      expect(Object.keys(env).filter((v) => !CONFIG_VARIABLES.includes(v))).toEqual([]);
      expect(s.depends_on?.migrate?.condition).toBe("service_completed_successfully");
      return loadConfig(env);
    });
    for (const c of configs) {
      expect(c.databaseUrl).toMatch(/^postgres:\/\/rounds_web:/);
      expect(c.host).toBe("0.0.0.0");
      expect(c.notifications.worker).toBe(true);
      expect(c.audit.key).toBe(OPERATOR_ENV.ROUNDS_AUDIT_KEY);
      expect(c.optionKey).toBe(OPERATOR_ENV.ROUNDS_OPTION_KEY);
      expect(c.trustProxy).toBe(1);
      expect(c.operations.metricsPort).toBeDefined();
    }
  });

  it("nginx spreads requests over exactly those replicas, streams live updates and caches assets", () => {
    const nginx = read("deploy/nginx.conf");
    const upstream = [...nginx.matchAll(/^\s*server\s+([\w-]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`);
    const port = loadConfig(apis[0]![1].environment ?? {}).port;
    expect(upstream).toEqual(apis.map(([name]) => `${name}:${port}`));
    const events = /location = \/api\/v1\/events \{([^}]*)\}/.exec(nginx)?.[1] ?? "";
    expect(events).toMatch(/proxy_buffering off;/);
    const timeout = /proxy_read_timeout (\d+)h;/.exec(events);
    expect(Number(timeout?.[1]) * 3_600_000).toBeGreaterThan(HEARTBEAT_MS);
    expect(nginx).toMatch(/location \/assets\/ \{[^}]*proxy_cache rounds_assets;/);
    expect(nginx).toMatch(/gzip on;/);
    expect(nginx).toMatch(/location = \/metrics \{\s*return 404;/);
  });
});

describe("the container image", () => {
  const dockerfile = read("Dockerfile");

  it("builds on node:20-slim with npm ci, runs as an unprivileged user and checks /healthz", () => {
    expect([...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1])).toEqual([
      "node:20-slim",
      "node:20-slim",
    ]);
    expect(dockerfile).toMatch(/RUN npm ci /);
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).not.toMatch(/^(root|0)$/);
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
    const env = Object.fromEntries(
      [...dockerfile.matchAll(/^\s+(\w+)=(\S+?)\s*\\?$/gm)].map((m) => [m[1]!, m[2]!]),
    );
    expect(
      Object.keys(env).filter((v) => !CONFIG_VARIABLES.includes(v) && !RUNTIME_VARIABLES.includes(v)),
    ).toEqual([]);
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${loadConfig(env).port}$`, "m"));
  });
});

interface K8sObject {
  kind: string;
  metadata: { name: string };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are walked field by field below
  spec: any;
  data?: Env;
  stringData?: Env;
}

describe("the Kubernetes manifests", () => {
  const files = readdirSync(`${ROOT}deploy/k8s`).filter((f) => f.endsWith(".yaml"));
  const objects = files.flatMap((f) =>
    parseAllDocuments(read(`deploy/k8s/${f}`)).map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS() as K8sObject;
    }),
  );
  const one = (kind: string) => objects.find((o) => o.kind === kind)!;
  const configMap = one("ConfigMap").data ?? {};
  const secret = one("Secret").stringData ?? {};
  /** The Secret as an operator fills it in: every placeholder replaced. */
  const filled = Object.fromEntries(
    Object.entries(secret).map(([k, v]) => [
      k,
      v.replaceAll(TEMPLATE_PLACEHOLDER, "filled-in-secret-0123456789"),
    ]),
  );
  const config = loadConfig({ ...configMap, ...filled });
  const deployment = one("Deployment");
  const container = deployment.spec.template.spec.containers[0];
  const portOf = (name: string) =>
    (container.ports as Array<{ name: string; containerPort: number }>).find((p) => p.name === name)
      ?.containerPort;

  it("the ConfigMap and the Secret template set only variables Rounds reads, and make a valid configuration", () => {
    expect(
      [...Object.keys(configMap), ...Object.keys(secret)].filter((v) => !CONFIG_VARIABLES.includes(v)),
    ).toEqual([]);
    expect(config.databaseUrl).toBeDefined();
    expect(config.readDatabase?.maxLagSeconds).toBe(10);
    // applied unfilled, the template stops start-up instead of signing with a published key
    expect(() => loadConfig({ ...configMap, ...secret })).toThrow(ConfigError);
    expect(container.envFrom).toEqual([
      { configMapRef: { name: one("ConfigMap").metadata.name } },
      { secretRef: { name: one("Secret").metadata.name } },
    ]);
  });

  it("the pods are ready on /readyz and alive on /healthz, on the port the server listens on", () => {
    expect(portOf("http")).toBe(config.port);
    expect(portOf("metrics")).toBe(config.operations.metricsPort);
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
  });

  it("the Service, the Ingress and the autoscaler reach the Deployment's pods", () => {
    const service = one("Service");
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    for (const p of service.spec.ports as Array<{ targetPort: string }>)
      expect(portOf(p.targetPort)).toBeDefined();
    const backend = one("Ingress").spec.rules[0].http.paths[0].backend.service;
    expect(backend.name).toBe(service.metadata.name);
    expect((service.spec.ports as Array<{ name: string }>).map((p) => p.name)).toContain(backend.port.name);
    const hpa = one("HorizontalPodAutoscaler");
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: "Deployment", name: deployment.metadata.name });
    expect(hpa.spec.metrics[0].resource.name).toBe("cpu");
    // utilisation is measured against the request: without one the autoscaler cannot act
    expect(container.resources.requests.cpu).toBeDefined();
  });

  it("the kustomization applies every manifest but the Secret template", () => {
    const listed = (parse(read("deploy/k8s/kustomization.yaml")) as { resources: string[] }).resources;
    expect([...listed].sort()).toEqual(
      files.filter((f) => f !== "kustomization.yaml" && f !== "secret.template.yaml").sort(),
    );
  });

  it.skipIf(!hasCommand("kubectl"))("kubectl builds them", () => {
    execFileSync("kubectl", ["kustomize", `${ROOT}deploy/k8s`], { stdio: "pipe" });
  });
});

function hasCommand(name: string): boolean {
  try {
    execFileSync(name, ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
