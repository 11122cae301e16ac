#!/usr/bin/env node
/**
 * Long run: a simulated day at 10 000 requests/s (864 M requests) on one core, to show
 * that time and memory scale as they should (time with requests, memory flat).
 * Not part of `npm test`. Uses the built library (dist/: `npm run build` first).
 *
 *   node test/bench/long-run.mjs               # 24 h at 10 000 req/s
 *   node test/bench/long-run.mjs --hours 1     # a shorter run
 *   node test/bench/long-run.mjs --rate 2000   # another load
 *
 * Prints progress on stderr (every 5 % of simulated time) and one JSON line on stdout:
 * simulated hours, requests, events, wall seconds, requests and events per wall second,
 * peak RSS in MB. Exits 1 when the books do not balance or peak RSS reaches 500 MB.
 */
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { startRun } = await import(join(root, 'dist', 'run.js'));
const { loadScenario } = await import(join(root, 'dist', 'scenario', 'load.js'));

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!(v > 0)) {
    process.stderr.write(`long-run: --${name} needs a positive number\n`);
    process.exit(2);
  }
  return v;
}

const hours = arg('hours', 24);
const rate = arg('rate', 10_000);
const RSS_LIMIT_MB = 500;

// The W1 fleet (bench/w1/w1.yaml): 20 L4-class replicas, dynamic batching up to 32, random routing;
// at 10 000 req/s it runs at about 70 % utilization, so queues stay short and every request is simulated.
const text = `
name: long run
duration: ${hours}h
traffic: { rate: ${rate} }
model: { latency: { 1: 4.25ms, 32: 12ms } }
fleet: { replicas: 20, routing: random, batching: { maxBatch: 32, maxQueueDelay: 2ms } }
report: { interval: 10s }
`;
const sc = loadScenario(text, { file: 'long-run.yaml', baseDir: root });
const rssMb = () => process.resourceUsage().maxRSS / 1024;
const fmt = (x, d = 1) => x.toFixed(d);

const started = performance.now();
const run = startRun(sc, { wallClockS: () => performance.now() / 1000 });
const steps = 20;
for (let k = 1; k <= steps; k++) {
  run.runTo((run.endS * k) / steps);
  const wallS = (performance.now() - started) / 1000;
  process.stderr.write(
    `long-run: ${fmt((run.nowS / 3600) * 1, 2)} of ${hours} simulated h, ${fmt(wallS)} s wall, peak RSS ${fmt(rssMb(), 0)} MB\n`,
  );
}
const result = run.finish(false);
const wallS = (performance.now() - started) / 1000;
const s = result.summary;
const q = s.requests;
const peakRssMb = rssMb();
const report = {
  simulatedHours: hours,
  rateRps: rate,
  requests: q.arrived,
  completed: q.completed,
  events: s.engine.events,
  wallSeconds: Number(fmt(wallS, 2)),
  requestsPerWallSecond: Math.round(q.arrived / wallS),
  eventsPerWallSecond: Math.round(s.engine.events / wallS),
  peakRssMb: Number(fmt(peakRssMb, 1)),
  timelineRows: result.timeline.rows.length,
  p99Ms: s.latencyMs.p99,
  gpuUtilization: s.gpu.utilization,
};
process.stdout.write(`${JSON.stringify(report)}\n`);

const balanced = q.arrived === q.completed + q.rejected + q.timedOut + q.inFlightAtEnd;
if (!balanced) process.stderr.write('long-run: the books do not balance\n');
if (peakRssMb >= RSS_LIMIT_MB) process.stderr.write(`long-run: peak RSS ${fmt(peakRssMb, 0)} MB ≥ ${RSS_LIMIT_MB} MB\n`);
process.exitCode = balanced && peakRssMb < RSS_LIMIT_MB ? 0 : 1;
