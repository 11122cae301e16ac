#!/usr/bin/env node
// npm run bench: the engine's speed on reference model W1 (bench/w1: simulated requests per
// wall second), its memory as the simulated duration grows tenfold, what a keyed cache of
// 10^6 entries in front of W1 costs, the Che estimate over 10^6 Zipf keys, and the wall-time
// ratio against the hand-written C model (bench/w1/w1.c, compiled with gcc).
// Speed is measured here, never asserted in `npm test`.
//
// Inputs: the build (npm run build), bench/w1/{w1.yaml,w1.c,run-w1.sh}, test/bench/cache-lru.c
// and gcc. A missing input is an error (exit 1) naming it: a bench that silently measures
// less is not a bench. `npm run bench -- --no-c` measures without gcc (the C comparisons left out).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const w1 = join(root, 'bench', 'w1', 'w1.yaml');
const noC = process.argv.includes('--no-c');
const inputs = [
  [join(root, 'dist', 'run.js'), 'the build (run `npm run build`)'],
  [w1, 'reference model W1 (the scenario)'],
  ...(noC
    ? []
    : [
        [join(root, 'bench', 'w1', 'w1.c'), 'reference model W1 (the C model)'],
        [join(root, 'bench', 'w1', 'run-w1.sh'), 'the W1 runner script'],
        [join(root, 'test', 'bench', 'cache-lru.c'), 'the C cache for scale'],
      ]),
];
const missing = inputs.filter(([f]) => !existsSync(f)).map(([f, what]) => `bench: missing ${what}: ${f}`);
if (!noC && spawnSync('gcc', ['--version']).status !== 0) missing.push('bench: gcc not found (needed to compile the C references; install it, or run `npm run bench -- --no-c` to leave them out)');
if (missing.length > 0) {
  for (const m of missing) console.error(m);
  process.exit(1);
}

/**
 * Runs W1 for `seconds` in a fresh process, with `extra` (plain objects) merged into its
 * top-level sections; returns completed requests, the engine's wall seconds (loading and
 * start-up excluded), peak RSS (MB), young-generation collections during the run and the cache hit rate.
 */
function runW1(seconds, extra = {}) {
  const code = `
    import { readFileSync } from 'node:fs';
    import { parse, stringify } from 'yaml';
    import { loadScenario } from ${JSON.stringify(join(root, 'dist', 'scenario', 'load.js'))};
    import { simulate } from ${JSON.stringify(join(root, 'dist', 'run.js'))};
    const doc = parse(readFileSync(${JSON.stringify(w1)}, 'utf8'));
    for (const [k, v] of Object.entries(${JSON.stringify(extra)})) doc[k] = typeof v === 'object' ? { ...doc[k], ...v } : v;
    const sc = loadScenario(stringify(doc), { file: 'w1.yaml', baseDir: '.', sets: ['duration=${seconds}s'] });
    // young-generation collections during the run: the engine allocates nothing per request, so these stay few
    const { PerformanceObserver, constants } = await import('node:perf_hooks');
    let youngGcs = 0;
    const gcs = new PerformanceObserver((list) => { for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) youngGcs++; });
    gcs.observe({ entryTypes: ['gc'] });
    const t0 = performance.now();
    const s = simulate(sc).summary;
    const wall = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 20));
    gcs.disconnect();
    console.log(JSON.stringify({ youngGcs, completed: s.requests.completed, wall, events: s.engine.events, rssMb: process.resourceUsage().maxRSS / 1024, mean: s.latencyMs.mean, p99: s.latencyMs.p99, util: s.gpu.utilization, hitRate: s.cache ? s.cache.hitRate : null }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', cwd: root });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

const rows = [];
for (const seconds of [120, 1200]) {
  const r = runW1(seconds);
  rows.push([`W1 ${seconds} s`, r.completed.toLocaleString('en-US'), r.wall.toFixed(2), Math.round(r.completed / r.wall).toLocaleString('en-US'), Math.round(r.events / r.wall).toLocaleString('en-US'), r.rssMb.toFixed(0), String(r.youngGcs)]);
}
const head = ['run', 'requests', 'wall s', 'requests/s', 'events/s', 'peak RSS MB', 'young GCs'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const r of [head, ...rows]) console.log(r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  '));

// A keyed cache of 10^6 entries in front of W1 (Zipf 0.9 keys), against W1 alone and against
// W1 behind a fixed-hit-rate cache of the same hit rate (the same GPU traffic, no keys):
// the engine's wall time, best of three runs each, interleaved so that a noisy machine
// weighs on all alike.
console.log('\nkeyed cache of 10^6 entries in front of W1 (1200 s, engine wall, best of 3):');
const cacheRows = [];
for (const count of [1_000_000, 10_000_000]) {
  const keyed = { traffic: { keys: { kind: 'zipf', count, exponent: 0.9 } }, cache: { capacity: 1_000_000, ttl: '1h' } };
  const best = { plain: Infinity, rate: Infinity, keyed: Infinity };
  let hitRate = null;
  for (let rep = 0; rep < 3; rep++) {
    best.plain = Math.min(best.plain, runW1(1200).wall);
    const k = runW1(1200, keyed);
    best.keyed = Math.min(best.keyed, k.wall);
    hitRate ??= k.hitRate;
    best.rate = Math.min(best.rate, runW1(1200, { cache: { hitRate } }).wall);
  }
  cacheRows.push([`Zipf 0.9 over ${count.toLocaleString('en-US')} keys`, (100 * hitRate).toFixed(1) + ' %', best.plain.toFixed(2), best.rate.toFixed(2), best.keyed.toFixed(2), (best.keyed / best.rate).toFixed(2), (best.keyed / best.plain).toFixed(2)]);
}
const cacheHead = ['keys', 'hit rate', 'W1 s', 'hit-rate cache s', 'keyed s', 'keyed/hit-rate', 'keyed/W1'];
const cw = cacheHead.map((h, i) => Math.max(h.length, ...cacheRows.map((r) => r[i].length)));
for (const r of [cacheHead, ...cacheRows]) console.log(r.map((c, i) => (i ? c.padStart(cw[i]) : c.padEnd(cw[i]))).join('  '));

// the Che approximation over 10^6 Zipf keys (theory/capacity.ts): its speed, which `npm test` does not assert
{
  const { zipfPopularities, cheLruHitRatio } = await import(pathToFileURL(join(root, 'dist', 'theory', 'capacity.js')).href);
  const p = zipfPopularities(1_000_000, 1);
  let best = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    cheLruHitRatio(p, 10_000);
    best = Math.min(best, performance.now() - t0);
  }
  console.log(`\nChe's approximation, 10^6 Zipf(1) keys, capacity 10^4: ${best.toFixed(0)} ms (best of 3)`);
}

if (noC) process.exit(0);

// the same cache operations in C, for scale: the memory reads any implementation pays here
const bin = join(mkdtempSync(join(tmpdir(), 'infersim-bench-')), 'cache-lru');
const cc = spawnSync('gcc', ['-O2', '-o', bin, join(root, 'test', 'bench', 'cache-lru.c'), '-lm'], { encoding: 'utf8' });
if (cc.status !== 0) {
  console.error(`bench: gcc could not compile test/bench/cache-lru.c:\n${cc.stderr}`);
  process.exit(1);
}
for (const count of [1_000_000, 10_000_000]) console.log(spawnSync(bin, [String(count)], { encoding: 'utf8' }).stdout.trim());

console.log('\nagainst the hand-written C (bench/w1/run-w1.sh):');
const r = spawnSync('bash', [join(root, 'bench', 'w1', 'run-w1.sh'), `node ${join(root, 'bin', 'infersim.js')}`], { cwd: root, encoding: 'utf8' });
console.log((r.stdout + r.stderr).trim().split('\n').slice(-4).join('\n'));
if (r.status !== 0) {
  console.error('bench: run-w1.sh failed');
  process.exit(1);
}
