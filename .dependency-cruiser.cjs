/**
 * Dependency rules of ChargeOps, checked by dependency-cruiser as the first step of `npm test`
 * (scripts/deps.mjs). docs/architecture.md ("Dependency rules") says why each rule exists.
 *
 * Strict: there is no baseline of accepted violations; any violation fails the tests.
 *
 * What a module may import from another module: its `index.ts` only. Exceptions, on purpose:
 *   - a module's own files (src/modules/X/** → src/modules/X/**), including sub-folders such as
 *     ocpp/v16, ocpp/simulator, payments/wechatpay, payments/fake;
 *   - the composition root: src/demo.ts may use each module's `demo.ts` (its demo data) and the
 *     simulator (ocpp/simulator/**: simulated chargers, a tool, not the gateway), and src/main.ts
 *     may use the tools' CLI entries (`cli.ts`: the simulator, the fake WeChat Pay).
 * No exception for `types.ts`: a module's types are part of what its index.ts exports.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'An import cycle (types included): modules depend one way only. Move the shared type or function down to the lower module; the upper one subscribes or passes a callback.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-reach-through',
      severity: 'error',
      comment: "A module uses another module only through that module's index.ts (its stated contract), never its internal files.",
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'root-through-index',
      severity: 'error',
      comment: 'The composition root (src/*.ts, src/modules/index.ts, bin/) uses modules through their index.ts.',
      from: { path: '^(src/[^/]+\\.ts$|src/modules/index\\.ts$|bin/)', pathNot: '^src/(demo|main)\\.ts$' },
      to: { path: '^src/modules/[^/]+/', pathNot: '^src/modules/[^/]+/index\\.ts$' },
    },
    {
      name: 'demo-through-index',
      severity: 'error',
      comment: "src/demo.ts uses modules through their index.ts, their demo.ts (each module's demo data) and the simulator (simulated chargers).",
      from: { path: '^src/demo\\.ts$' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/[^/]+/(index|demo)\\.ts$', '^src/modules/ocpp/simulator/'] },
    },
    {
      name: 'main-through-index',
      severity: 'error',
      comment: "src/main.ts (the CLI verbs) uses modules through their index.ts and the tools' CLI entries (cli.ts: the simulator, the fake WeChat Pay).",
      from: { path: '^src/main\\.ts$' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/[^/]+/index\\.ts$', '^src/modules/[^/]+/[^/]+/cli\\.ts$'] },
    },
    {
      name: 'modules-below-root',
      severity: 'error',
      comment: 'Modules never import the composition root (src/*.ts, src/modules/index.ts): what a module needs from the running platform comes through ctx.',
      from: { path: '^src/modules/[^/]+/' },
      to: { path: '^(src/[^/]+\\.ts$|src/modules/index\\.ts$|bin/)' },
    },
    {
      name: 'platform-below-modules',
      severity: 'error',
      comment: 'src/platform is cross-cutting and knows no business module: it never imports src/modules or the composition root.',
      from: { path: '^src/platform/' },
      to: { path: '^(src/modules/|src/[^/]+\\.ts$|bin/)' },
    },
    {
      name: 'web-apps-over-http',
      severity: 'error',
      comment: 'The React apps (web/) talk to the server over HTTP only; the server never imports the apps.',
      from: { path: '^web/(console|h5)/' },
      to: { path: '^(src|bin)/' },
    },
    {
      name: 'server-not-to-web-apps',
      severity: 'error',
      comment: 'The server serves the built apps (web/dist); it never imports their sources.',
      from: { path: '^(src|bin)/' },
      to: { path: '^web/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to no file (a typo, a deleted file, a package missing from package.json).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Packages are leaves (not followed, not drawn); an import that resolves to nothing stays visible.
    exclude: { path: ['(^|/)node_modules/', '\\.test\\.tsx?$', '^web/dist/', '^web/vite\\.config\\.ts$'] },
    // Tests may read a module's internals (they test them); nothing imports a test, so tests add no cycle.
    // Type-only imports count: "who owns this type" is part of the module structure.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve packages as Node does (package.json "exports" with import/require conditions).
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], mainFields: ['module', 'main', 'types'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
