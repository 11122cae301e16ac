#!/usr/bin/env node
// npm run bench: the engine's speed on reference model W1 (simulated requests per wall
// second), its memory as the simulated duration grows tenfold, and, when the C reference
// and `gcc` are there, the wall-time ratio against the hand-written C (../shared/bench).
// Needs a build (npm run build). Prints a small table; exits 0.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = join(root, '..', 'shared');
const w1 = join(shared, 'bench', 'w1.yaml');
if (!existsSync(join(root, 'dist', 'run.js'))) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });

/** Runs W1 for `seconds` in a fresh process; returns completed requests, wall seconds and peak RSS (MB). */
function runW1(seconds) {
  const code = `
    import { readFileSync } from 'node:fs';
    import { loadScenario } from ${JSON.stringify(join(root, 'dist', 'scenario', 'load.js'))};
    import { simulate } from ${JSON.stringify(join(root, 'dist', 'run.js'))};
    const text = readFileSync(${JSON.stringify(w1)}, 'utf8');
    const sc = loadScenario(text, { file: 'w1.yaml', baseDir: '.', sets: ['duration=${seconds}s'] });
    const t0 = performance.now();
    const s = simulate(sc).summary;
    const wall = (performance.now() - t0) / 1000;
    console.log(JSON.stringify({ completed: s.requests.completed, wall, events: s.engine.events, rssMb: process.resourceUsage().maxRSS / 1024, mean: s.latencyMs.mean, p99: s.latencyMs.p99, util: s.gpu.utilization }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

if (!existsSync(w1)) {
  console.log(`bench: ${w1} not found (the shared bench folder sits beside the repo)`);
  process.exit(0);
}
const rows = [];
for (const seconds of [120, 1200]) {
  const r = runW1(seconds);
  rows.push([`W1 ${seconds} s`, r.completed.toLocaleString('en-US'), r.wall.toFixed(2), Math.round(r.completed / r.wall).toLocaleString('en-US'), Math.round(r.events / r.wall).toLocaleString('en-US'), r.rssMb.toFixed(0)]);
}
const head = ['run', 'requests', 'wall s', 'requests/s', 'events/s', 'peak RSS MB'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const r of [head, ...rows]) console.log(r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  '));

const script = join(shared, 'bench', 'run-w1.sh');
if (existsSync(script) && spawnSync('gcc', ['--version']).status === 0) {
  console.log('\nagainst the hand-written C (../shared/bench/run-w1.sh):');
  const r = spawnSync('bash', [script, `node ${join(root, 'bin', 'infersim.js')}`], { cwd: root, encoding: 'utf8' });
  console.log((r.stdout + r.stderr).trim().split('\n').slice(-4).join('\n'));
}
