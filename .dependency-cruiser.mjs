/**
 * The dependency rules of `src/` (ARCHITECTURE.md, "Modules"), checked by `npm run depcheck` and in
 * `.ci/run`. A module is src/platform, one folder of src/services, src/integrations/telehealth or the
 * rest of src/integrations; src/seed, src/cli.ts and src/server.ts (with its parts src/server.*.ts)
 * are composition roots and tools:
 * they may import anything, nothing may import them.
 */

/** Lowest first: a module may import only modules on an earlier line; one line's modules are siblings. */
const layers = [
  // telehealth is the provider interface behind video visits' links: the booking path calls it
  // inside its transaction, so it sits below scheduling and needs only the platform
  ["locations", "telehealth"],
  ["physicians", "wayfinding"],
  ["patients"],
  ["scheduling"],
  ["referrals", "rescheduling", "waitlist", "family"],
  ["notifications", "analytics", "integrations"],
];

/** Where a service's files live: src/services/<name>/, src/integrations/telehealth/, or src/integrations/ for the other adapters. */
const home = (name) =>
  name === "telehealth"
    ? "^src/integrations/telehealth/"
    : name === "integrations"
      ? "^src/integrations/(?!telehealth/)"
      : `^src/services/${name}/`;

const roots = "^src/(seed/|cli\\.ts$|server(\\.(analytics|operations|integrations|types|demo))?\\.ts$)";

/** For each service, the services it must not import: its own layer's siblings and every layer above. */
const upward = layers.flatMap((layer, i) =>
  layer.map((name) => {
    const barred = layers
      .slice(i)
      .flat()
      .filter((n) => n !== name);
    return {
      name: `layers-${name}`,
      severity: "error",
      comment: `${name} may not import ${barred.join(", ")}: dependencies point down (platform <- locations <- physicians <- patients <- scheduling <- referrals / rescheduling / waitlist / family <- notifications / analytics / integrations)`,
      from: { path: home(name) },
      to: { path: barred.map(home) },
    };
  }),
);

/** @type {import("dependency-cruiser").IConfiguration} */
export default {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "an import circle: split the shared part out, or pass the dependency in from the composition root",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "platform-imports-no-service",
      severity: "error",
      comment: "src/platform is the bottom layer: it imports no service and no composition root",
      from: { path: "^src/platform/" },
      to: { path: ["^src/services/", "^src/integrations/", roots] },
    },
    {
      name: "nothing-imports-a-composition-root",
      severity: "error",
      comment: "server.ts, cli.ts and the seed wire modules together; modules never import them",
      from: { pathNot: roots },
      to: { path: roots },
    },
    ...upward,
    {
      name: "services-meet-through-index",
      severity: "error",
      comment: "another service's index.ts is its public surface: import that, never its inner files",
      from: { path: "^src/services/([^/]+)/" },
      to: { path: "^src/services/[^/]+/", pathNot: ["^src/services/$1/", "^src/services/[^/]+/index\\.ts$"] },
    },
    {
      name: "platform-and-adapters-meet-services-through-index",
      severity: "error",
      comment: "outside a service only the composition roots and the seed reach its inner files",
      from: { pathNot: ["^src/services/", roots] },
      to: { path: "^src/services/[^/]+/", pathNot: "^src/services/[^/]+/index\\.ts$" },
    },
    {
      name: "modules-meet-platform-parts-through-index",
      severity: "error",
      comment:
        "a platform part with an index.ts (identity, audit) is imported through it from outside src/platform",
      from: { pathNot: ["^src/platform/", roots] },
      to: {
        path: "^src/platform/([^/]+)/",
        pathNot: "^src/platform/[^/]+/index\\.ts$",
      },
    },
    {
      name: "no-foreign-repository",
      severity: "error",
      comment:
        "a module's repository files are its own: another service or platform part asks that module's service (passed in by the composition root), never its SQL",
      from: { path: "^src/(services|platform|integrations)/([^/]+)" },
      to: { path: "repository\\.ts$", pathNot: "^src/$1/$2/" },
    },
    {
      name: "no-table-types-in-public-surface",
      severity: "error",
      comment:
        "a module's table types (`<Module>Tables`, declared in its repository files) stay out of its index.ts, so no other module can narrow the database to them; the seed and composition roots import the repository file itself",
      from: { path: "^src/(services|platform|integrations)/[^/]+/index\\.ts$" },
      to: { path: "repository\\.ts$", dependencyTypes: ["export", "type-only"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    includeOnly: "^src/",
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
    },
  },
};
