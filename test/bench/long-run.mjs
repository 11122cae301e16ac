#!/usr/bin/env node
// A long run, not part of npm test: a simulated 24 hours at 10 000 requests/s (864 M
// requests; W1's fleet and batcher) on one core. Prints wall time, events, requests per
// wall second and peak RSS. Usage: node test/bench/long-run.mjs [--hours N] [--rps N]
// (needs `npm run build`).
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
if (!existsSync(join(root, 'dist', 'run.js'))) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
const { loadScenario } = await import(join(root, 'dist', 'scenario', 'load.js'));
const { startRun } = await import(join(root, 'dist', 'run.js'));

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const hours = arg('--hours', 24);
const rps = arg('--rps', 10_000);
const sc = loadScenario(
  `name: long run
duration: ${hours}h
traffic: { rate: ${rps} }
model: { latency: { 1: 4.25ms, 32: 12ms } }
fleet: { replicas: 20, routing: random, batching: { maxBatch: 32, maxQueueDelay: 2ms } }
report: { interval: 60s }
`,
  { file: 'long-run.yaml', baseDir: '.' },
);
const t0 = performance.now();
const run = startRun(sc, { wallClockS: () => performance.now() / 1000 });
const steps = 96;
for (let k = 1; k <= steps; k++) {
  run.runTo((run.endS * k) / steps);
  if (k % 8 === 0) process.stderr.write(`  ${((100 * k) / steps).toFixed(0)} % after ${((performance.now() - t0) / 1000).toFixed(0)} s, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB\n`);
}
const { summary } = run.finish(false);
const wall = (performance.now() - t0) / 1000;
const q = summary.requests;
console.log(
  JSON.stringify(
    {
      simulatedHours: hours,
      requests: q.arrived,
      booksBalance: q.arrived === q.completed + q.rejected + q.timedOut + q.inFlightAtEnd,
      events: summary.engine.events,
      wallSeconds: Number(wall.toFixed(1)),
      requestsPerWallSecond: Math.round(q.arrived / wall),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      p99Ms: summary.latencyMs.p99,
      utilization: summary.gpu.utilization,
    },
    null,
    2,
  ),
);
