#!/usr/bin/env node
// Checks the command-line and output contract (design/SCENARIO.md: commands, summary.json,
// timeline.csv, exit codes) against a build of infersim: names, types and exit codes only,
// never simulated values. A copy of the team's contract checker (shared/contract/check.mjs),
// kept in the repository so a bare clone tests its own contract; changed only in where it
// finds W1 (bench/w1/w1.yaml) and which infersim it runs (INFERSIM_BIN, default this
// repository's bin/infersim.js, instead of `npx infersim`).
//   node test/contract/check.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const w1 = join(here, '..', '..', 'bench', 'w1', 'w1.yaml');
const bin = process.env.INFERSIM_BIN ?? join(here, '..', '..', 'bin', 'infersim.js');
const problems = [];
const sim = (args) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
const out = mkdtempSync(join(tmpdir(), 'contract-'));

const short = join(out, 'short.yaml');
writeFileSync(short, readFileSync(w1, 'utf8').replace(/^duration: .*$/m, 'duration: 20s'));
const r = sim(['run', short, '--format', 'json', '--out', out]);
if (r.status !== 0) problems.push(`run exited ${r.status}: ${r.stderr.trim().split('\n').pop()}`);
let s = {};
try { s = JSON.parse(r.stdout); } catch { problems.push('run --format json did not print one JSON document on stdout'); }
const shape = {
  scenario: 'string', seed: 'number', simulatedSeconds: 'number',
  'requests.arrived': 'number', 'requests.completed': 'number', 'requests.cacheHits': 'number',
  'requests.rejected': 'number', 'requests.timedOut': 'number', 'requests.inFlightAtEnd': 'number',
  'latencyMs.mean': 'number', 'latencyMs.p50': 'number', 'latencyMs.p90': 'number', 'latencyMs.p95': 'number',
  'latencyMs.p99': 'number', 'latencyMs.p999': 'number', 'latencyMs.max': 'number',
  'slo.met': 'boolean', 'slo.attainment': 'number',
  'gpu.utilization': 'number', 'gpu.meanBatchSize': 'number', 'gpu.effectiveUtilization': 'number',
  'replicas.min': 'number', 'replicas.mean': 'number', 'replicas.max': 'number', 'replicas.coldStarts': 'number',
  'cost.totalUsd': 'number', 'cost.gpuUsd': 'number', 'cost.cacheUsd': 'number', 'cost.egressUsd': 'number',
  'cost.perMillionRequestsUsd': 'number', 'cost.monthlyUsd': 'number',
  'engine.events': 'number', 'engine.wallSeconds': 'number',
};
const get = (o, p) => p.split('.').reduce((v, k) => (v == null ? undefined : v[k]), o);
for (const [p, t] of Object.entries(shape)) if (typeof get(s, p) !== t) problems.push(`summary.${p} should be a ${t}, is ${JSON.stringify(get(s, p))}`);
if (!('cache' in s)) problems.push('summary.cache missing (null when there is no cache)');
const q = s.requests ?? {};
if (q.arrived !== q.completed + q.rejected + q.timedOut + q.inFlightAtEnd) problems.push('books do not balance: arrived ≠ completed + rejected + timedOut + inFlightAtEnd');

const files = ['summary.json', 'timeline.csv'];
const found = (name) => { try { return execFileSync('find', [out, '-name', name], { encoding: 'utf8' }).trim().split('\n')[0]; } catch { return ''; } };
for (const f of files) if (!found(f)) problems.push(`no ${f} under --out`);
const tl = found('timeline.csv');
if (tl && existsSync(tl)) {
  const head = readFileSync(tl, 'utf8').split(/\r?\n/)[0].split(',').map((c) => c.replace(/"/g, '').trim());
  for (const c of ['timeS', 'arrivals', 'completed', 'rejected', 'timedOut', 'p50Ms', 'p99Ms', 'replicasReady',
    'replicasStarting', 'replicasDesired', 'queueDepth', 'gpuUtilization', 'cacheHitRate', 'costUsd'])
    if (!head.includes(c)) problems.push(`timeline.csv lacks column ${c}`);
}

const bad = join(out, 'bad.yaml');
writeFileSync(bad, readFileSync(short, 'utf8').replace('maxBatch: 32', 'maxBatch: -4'));
const b = sim(['run', bad, '--format', 'json', '--out', join(out, 'bad')]);
if (b.status !== 2) problems.push(`a negative maxBatch should exit 2, exited ${b.status}`);
if (!/maxBatch/.test(b.stderr)) problems.push('the error for a negative maxBatch does not name fleet.batching.maxBatch');
if (b.stdout.trim()) problems.push('an invalid scenario printed on stdout');
const v = sim(['validate', short]);
if (v.status !== 0) problems.push(`validate on a valid file exited ${v.status}`);

console.log(problems.length ? `contract: ${problems.length} problem(s)\n- ${problems.join('\n- ')}` : 'contract: ok');
process.exit(problems.length ? 1 : 0);
