/**
 * The import rules of the codebase (docs/architecture.md §2), checked by `npm run lint`:
 * arrows point one way — the apps (src/kiosk, src/staff, src/centre) → the app's shared layer
 * (src/lib) → the card stack (ccid) and the wire contract (server/contract) — and nothing imports
 * in a circle. Within src/ the rules hold for tests and test rigs too; a test that drives two apps
 * together lives in tests/.
 */
const TEST_CODE = '(\\.test\\.ts$|/testing/|^tests/)';
const APPS = ['kiosk', 'staff', 'centre'];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'A circle of imports has no layer order: split out what both sides need. Shipped code only: the simulation harness (tests/sim) is one object, its run and its workload, split over files for reading.',
      from: { pathNot: '^tests/' },
      to: { circular: true },
    },
    ...APPS.map((app) => ({
      name: `app-${app}-stands-alone`,
      severity: 'error',
      comment: `Another app's code is not src/${app}'s to import: move what both need to src/lib.`,
      from: { path: `^src/${app}/` },
      to: { path: `^src/(${APPS.filter((a) => a !== app).join('|')})/` },
    })),
    {
      name: 'lib-below-apps',
      severity: 'error',
      comment: "src/lib is the apps' shared layer: it imports no app.",
      from: { path: '^src/lib/' },
      to: { path: `^src/(${APPS.join('|')})/` },
    },
    {
      name: 'app-sees-only-the-contract',
      severity: 'error',
      comment: 'The app knows the server only by its wire contract.',
      from: { path: '^(src|sw)/', pathNot: TEST_CODE },
      to: { path: '^server/', pathNot: '^server/contract/' },
    },
    {
      name: 'ccid-stands-alone',
      severity: 'error',
      comment: 'The card stack is a library: it imports neither the app, the server nor the tests.',
      from: { path: '^ccid/' },
      to: { path: '^(src|server|sw|tests)/' },
    },
    {
      name: 'driver-not-simulator',
      severity: 'error',
      comment: 'Production card code does not depend on the simulator (the CLIs and tests may).',
      from: { path: '^ccid/', pathNot: `(^ccid/sim/|^ccid/cli|${TEST_CODE})` },
      to: { path: '^ccid/sim/' },
    },
    {
      name: 'contract-is-a-leaf',
      severity: 'error',
      comment: 'The wire contract is shared by app and server: it imports only itself (and zod).',
      from: { path: '^server/contract/', pathNot: TEST_CODE },
      to: { path: '^(src|ccid|sw|tests|server/(?!contract/))' },
    },
    {
      name: 'server-not-app',
      severity: 'error',
      comment: 'The server does not import the app.',
      from: { path: '^server/', pathNot: TEST_CODE },
      to: { path: '^(src|sw)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|test-results)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.svelte', '.json'] },
  },
};
