/**
 * The layer rule of src/ (README "Layout"), checked by `npm run layers` inside `npm test`.
 *
 * Imports run only downward through LEVELS: a module may import its own level or a lower one,
 * never a higher one, `import type` included (tsPreCompilationDeps). Modules on one level may
 * import each other as long as no cycle arises (no-circular).
 */

/** Lowest first. A name ending in .ts is a file of src/, any other name a folder of src/. */
const LEVELS = [
  ['engine'], //      1  clock, event heap, seeded streams
  ['catalog'], //     2  GPU, MIG and latency-profile data
  ['config'], //      3  plain data: every config type and config fact
  ['workload', 'metrics'], // 4
  ['serving'], //     5
  ['theory'], //      6  closed forms from a config
  ['cache', 'scaling'], // 7
  ['scenario'], //    8  loading + validation: text → config
  ['site', 'llm'], // 9  one fleet
  ['topology'], //   10  routers across sites
  ['run.ts', 'run-slices.ts'], // 11  the one run path (and advancing it in slices)
  ['analysis'], //   12  sweep, plan, compare, capacity searches
  ['report'], //     13  all formatting
  ['index.ts', 'cli'], // 14 the library's API and the CLI (the only I/O)
];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pathOf = (names) =>
  `^src/(${names.map((n) => (n.endsWith('.ts') ? `${escape(n)}$` : `${escape(n)}/`)).join('|')})`;

/**
 * Upward imports known today and owned by another change of #15 (formatting moves into report/):
 * each is allowed for exactly these targets, and the entry must go when the move lands.
 */
const KNOWN = [];
const fileRe = (f) => `^${escape(f)}$`;
const anyOf = (res) => `(${res.join('|')})`;

const layerRules = LEVELS.slice(0, -1).flatMap((names, i) => {
  const name = `level-${i + 1}-${names.join('-').replace(/\.ts$/, '')}`;
  const comment = `${names.join(', ')} (level ${i + 1}) may not import a higher level: ${LEVELS.slice(i + 1).flat().join(', ')}`;
  const from = pathOf(names);
  const higher = pathOf(LEVELS.slice(i + 1).flat());
  const known = KNOWN.filter((k) => new RegExp(from).test(k.from));
  return [
    {
      name,
      comment,
      severity: 'error',
      from: known.length ? { path: from, pathNot: anyOf(known.map((k) => fileRe(k.from))) } : { path: from },
      to: { path: higher },
    },
    ...known.map((k) => ({
      name,
      comment: `${comment} (known: ${k.from} → ${k.to.join(', ')})`,
      severity: 'error',
      from: { path: fileRe(k.from) },
      to: { path: higher, pathNot: anyOf(k.to.map(fileRe)) },
    })),
  ];
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'every-module-on-a-level',
      comment: 'a module of src/ outside LEVELS would escape the layer rules: place it on a level first',
      severity: 'error',
      from: { path: '^src/', pathNot: pathOf(LEVELS.flat()) },
      to: {},
    },
    {
      name: 'no-import-of-an-unplaced-module',
      comment: 'a module of src/ outside LEVELS would escape the layer rules: place it on a level first',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: pathOf(LEVELS.flat()) },
    },
    {
      name: 'config-imports-only-catalog',
      comment: 'config/ is plain data: it imports only itself and catalog/, nothing else of ours',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: '^src/(config|catalog)/' },
    },
    {
      name: 'scenario-not-scaling-or-analysis',
      comment: 'scenario/ turns text into config: it reads config/, never the autoscalers (scaling/) or analysis/',
      severity: 'error',
      from: { path: '^src/scenario/' },
      to: { path: '^src/(scaling|analysis)/' },
    },
    {
      name: 'no-circular',
      comment: 'modules on one level may import each other only where no cycle arises',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import the checker cannot resolve would escape every rule above',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
