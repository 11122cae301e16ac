/**
 * Malformed input never crashes. In process (fast, many cases): the loader either
 * returns a Scenario or throws ScenarioError, for valid documents broken at random
 * paths and for garbage text. The broken documents the loader accepts are run in a
 * child process (a synchronous endless loop cannot be interrupted inside the test
 * worker) and must keep every invariant. Through the built CLI (about 40 spawns):
 * broken YAML, empty files, binary garbage, 10 000-deep nesting, very long strings,
 * an alias bomb, huge/tiny/negative/zero numbers: each exits 2 with its file named on
 * stderr and nothing on stdout, or runs (exit 0); never exit 1, a stack trace or a hang.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import { isIssueCode } from '../../src/scenario/issues.js';
import type { Scenario } from '../../src/config/scenario.js';
import type { Summary } from '../../src/metrics/summary.js';
import { Timeline } from '../../src/metrics/timeline.js';
import { peakArrivalRate as peakRate } from '../../src/workload/rate-shape.js';
import { replicaBounds } from '../../src/config/autoscaling.js';
import { BIN, DIST, ROOT } from '../helpers/cli.js';
import { garbageText, mutatedText, SECTIONS, scenarioDoc, renderDoc } from './arbitraries.js';
import { summaryViolations, timelineViolations } from './invariants.js';

const FUZZ_SEED = 20_251_128;
const tmp = (): string => mkdtempSync(join(tmpdir(), 'infersim-malformed-'));

/** Loads `text`: a Scenario, or the ScenarioError's issues; anything else thrown fails the test. */
function loadOrIssues(text: string): { sc: Scenario } | { issues: ScenarioError['issues'] } {
  try {
    return { sc: loadScenario(text, { file: 'fuzz.yaml', baseDir: '/fuzz' }) };
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw new Error(`loader threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}\n--- input ---\n${text.slice(0, 2000)}`);
    expect(e.issues.length).toBeGreaterThan(0);
    for (const i of e.issues) {
      expect(isIssueCode(i.code), i.code).toBe(true);
      expect(Array.isArray(i.path) && i.path.every((x) => typeof x === 'string' || (Number.isInteger(x) && x >= 0)), JSON.stringify(i.path)).toBe(true);
      expect(i.message.trim()).not.toBe('');
      expect(i.message).not.toContain('[object Object]');
    }
    return { issues: e.issues };
  }
}

/**
 * Small enough to run in a test: few requests, rows and replicas (a valid scenario may legitimately ask for a year);
 * with regions or shards, few sites, and few replicas and cache entries over all of them (a cache is allocated whole).
 */
function cheap(sc: Scenario): boolean {
  const peak = peakRate(sc) ?? Infinity;
  const t = sc.topology;
  const fleets = t === undefined ? [sc] : t.kind === 'shards' ? new Array<Scenario>(t.count).fill(sc) : t.kind === 'models' ? t.models : t.regions;
  let replicas = 0;
  for (const site of fleets) {
    const b = replicaBounds(site.autoscaler, site.fleet.replicas);
    const kpaUnbounded = site.autoscaler.kind === 'kpa' && b.max === Infinity;
    const most = kpaUnbounded && site.autoscaler.kind === 'kpa' ? peak / (site.autoscaler.config.target * site.autoscaler.config.targetUtilization) : b.max;
    replicas += Math.max(most, site.fleet.replicas) + site.fleet.warmPool;
    if (site.fleet.instances * site.fleet.batching.maxBatch > 4096) return false;
  }
  const entries = sc.cache?.mode === 'keyed' ? sc.cache.capacity * fleets.length : 0;
  const checksPerS = t?.kind === 'regions' ? t.regions.length / t.failover.healthCheckIntervalS : 0;
  return (
    peak * sc.durationS <= 200_000 &&
    sc.durationS / sc.report.intervalS <= 2000 &&
    (sc.durationS / sc.report.intervalS) * fleets.length <= 20_000 &&
    replicas <= 300 &&
    entries <= 1_000_000 &&
    checksPerS * sc.durationS <= 200_000
  );
}

// Runs scenario texts one by one in a child (the built library), one JSON line each; NaN and ±Infinity survive as strings.
const RUNNER = `
  import { readFileSync } from 'node:fs';
  import { simulate } from ${JSON.stringify(join(DIST, 'run.js'))};
  import { loadScenario } from ${JSON.stringify(join(DIST, 'scenario', 'load.js'))};
  const texts = JSON.parse(readFileSync(process.argv[1], 'utf8'));
  const enc = (k, v) => (typeof v === 'number' && !Number.isFinite(v) ? '#' + v : v);
  texts.forEach((text, i) => {
    try {
      const r = simulate(loadScenario(text, { file: 'fuzz.yaml', baseDir: '/fuzz' }));
      process.stdout.write(JSON.stringify({ i, summary: r.summary, rows: r.timeline.rows.map((x) => Array.from(x)) }, enc) + '\\n');
    } catch (e) {
      process.stdout.write(JSON.stringify({ i, error: String(e && e.stack || e) }) + '\\n');
    }
  });
`;

const dec = (_k: string, v: unknown): unknown => (typeof v === 'string' && /^#(NaN|-?Infinity)$/.test(v) ? Number(v.slice(1)) : v);

/** Broken documents the loader accepts and that are cheap to run (drawn with a fixed seed). */
function acceptedCheapCases(count: number): string[] {
  const out: string[] = [];
  for (const { text } of fc.sample(mutatedText(), { seed: FUZZ_SEED + 3, numRuns: 3000 })) {
    const r = loadOrIssues(text);
    if ('sc' in r && cheap(r.sc)) out.push(text);
    if (out.length === count) break;
  }
  return out;
}

describe('the loader on malformed input returns a Scenario or throws ScenarioError, nothing else', () => {
  it('valid documents broken at one to three random paths (huge, tiny, negative, zero, NaN, wrong types, deleted, unknown keys)', () => {
    let rejected = 0;
    let accepted = 0;
    fc.assert(
      fc.property(mutatedText(), ({ text }) => {
        if ('issues' in loadOrIssues(text)) rejected++;
        else accepted++;
      }),
      { seed: FUZZ_SEED, numRuns: 1500 },
    );
    // most mutations break the document; some (e.g. a deleted optional field) leave it valid
    expect(rejected).toBeGreaterThan(750);
    expect(accepted).toBeGreaterThan(50);
  });

  it('garbage text: YAML-ish fragments, arbitrary unicode, raw bytes', () => {
    fc.assert(
      fc.property(garbageText(), (text) => {
        loadOrIssues(text);
      }),
      { seed: FUZZ_SEED, numRuns: 1500 },
    );
  });

  it('the broken documents the loader accepts run to the end and keep every invariant (child process, 120 s cap)', () => {
    const acceptedCheap = acceptedCheapCases(120);
    expect(acceptedCheap.length).toBe(120);
    const dir = tmp();
    const file = join(dir, 'cases.json');
    writeFileSync(file, JSON.stringify(acceptedCheap));
    const p = spawnSync(process.execPath, ['--input-type=module', '-e', RUNNER, file], { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 30 });
    const lines = p.stdout.trim() === '' ? [] : p.stdout.trim().split('\n');
    if (p.signal !== null || p.status !== 0) {
      const hung = acceptedCheap[lines.length];
      throw new Error(`runner ${p.signal ?? `exit ${p.status}`} at case ${lines.length}:\n${hung}\n${p.stderr.slice(0, 2000)}`);
    }
    expect(lines).toHaveLength(acceptedCheap.length);
    for (const line of lines) {
      const out = JSON.parse(line, dec) as { i: number; summary?: Summary; rows?: number[][]; error?: string };
      const text = acceptedCheap[out.i]!;
      if (out.error !== undefined) throw new Error(`case ${out.i} threw: ${out.error}\n${text}`);
      const sc = loadScenario(text, { file: 'fuzz.yaml', baseDir: '/fuzz' });
      const timeline = new Timeline();
      for (const row of out.rows!) timeline.rows.push(Float64Array.from(row));
      const v = [...summaryViolations(out.summary!, sc, false), ...timelineViolations(timeline, out.summary!, sc, false)];
      expect(v, `case ${out.i}:\n${text}`).toEqual([]);
    }
  });
});

// ---------------------------------------------------------------- the CLI

const VALID = 'name: ok\nduration: 20s\ntraffic: { rate: 50 }\nmodel: { latency: { 1: 4ms, 8: 9ms } }\nfleet: { replicas: 2, batching: { maxBatch: 8 } }\n';
const withOverride = (line: string): string => `${VALID}${line}\n`;

function aliasBomb(): string {
  const names = 'abcdefghi';
  const lines = ['name: bomb', `a: &a [${new Array(9).fill('"lol"').join(', ')}]`];
  for (let i = 1; i < names.length; i++) lines.push(`${names[i]}: &${names[i]} [${new Array(9).fill(`*${names[i - 1]}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

/** Deterministic pseudo-random bytes (a linear congruential generator), NULs and invalid UTF-8 included. */
function garbageBytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    b[i] = x & 0xff;
  }
  return b;
}

/** Inputs the CLI must refuse with exit 2; by name, the file contents. */
const BAD_FILES: Record<string, string | Buffer> = {
  'empty.yaml': '',
  'comments-only.yaml': '# nothing here\n\n',
  'unclosed-flow.yaml': 'name: [unclosed\nduration: 1m\n',
  'bad-indent.yaml': 'name: x\n  duration: 1m\n traffic:\n',
  'tabs.yaml': 'name: x\ntraffic:\n\trate: 5\n',
  'unterminated-string.yaml': 'name: "unterminated\n',
  'broken-json.json': '{"name": , "duration": }',
  'two-documents.yaml': 'name: a\n---\nname: b\n',
  'duplicate-keys.yaml': 'name: a\nname: b\n',
  'top-level-scalar.yaml': '42\n',
  'binary.bin': garbageBytes(4096, 7),
  'nul-bytes.yaml': Buffer.concat([Buffer.from('name: x\n'), Buffer.alloc(64), Buffer.from('duration: 1m\n')]),
  'deep-flow-map.yaml': `name: x\nfoo: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`,
  'deep-flow-list.json': `{"name": ${'['.repeat(10_000)}1${']'.repeat(10_000)}}`,
  'deep-hpa-spec.yaml': withOverride(`autoscaler: { kind: hpa, spec: ${'['.repeat(10_000)}${']'.repeat(10_000)} }`),
  'long-name-unknown-key.yaml': `${VALID}${'k'.repeat(100_000)}: 1\n`,
  'long-string-routing.yaml': VALID.replace('replicas: 2', `replicas: 2, routing: ${'r'.repeat(100_000)}`),
  'alias-bomb.yaml': aliasBomb(),
  'nan-and-inf.yaml': 'name: x\nduration: .nan\ntraffic: { rate: .inf }\nmodel: { latency: { 1: -.inf } }\n',
  'rate-1e308.yaml': VALID.replace('rate: 50', 'rate: 1e308'),
  'duration-2p53.yaml': VALID.replace('duration: 20s', 'duration: 9007199254740992'),
  'replicas-2p53.yaml': VALID.replace('replicas: 2', 'replicas: 9007199254740992'),
  'maxbatch-1e308.yaml': VALID.replace('maxBatch: 8', 'maxBatch: 1e308'),
  'interval-1e-300.yaml': withOverride('report: { interval: 1e-300 }'),
  'hpa-sync-1e-300.yaml': withOverride('autoscaler: { kind: hpa, spec: { maxReplicas: 4 }, syncPeriod: 1e-300 }'),
  'cv-1e308.yaml': VALID.replace('model: { latency: { 1: 4ms, 8: 9ms } }', 'model: { latency: { 1: 4ms, 8: 9ms }, variability: { dist: lognormal, cv: 1e308 } }'),
  'negative-and-zero.yaml': 'name: x\nduration: 0\ntraffic: { rate: -5 }\nmodel: { latency: { 1: 0ms } }\nfleet: { replicas: -1, queue: { maxDepth: 0, timeout: 0 } }\n',
  'wrong-types.yaml': 'name: 42\nduration: true\ntraffic: [1, 2]\nmodel: "x"\nfleet: { replicas: [3] }\n',
};

describe('the CLI on malformed files: exit 2, the file named on stderr, nothing on stdout, never a crash or a hang', () => {
  const dir = tmp();
  const files = Object.entries(BAD_FILES).map(([name, content]) => {
    const f = join(dir, name);
    writeFileSync(f, content);
    return f;
  });

  const expectCleanRefusal = (r: { status: number | null; stdout: string; stderr: string }, file: string): void => {
    expect(r.status, r.stderr.slice(0, 500)).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith(`error: ${file}: `), r.stderr.slice(0, 300)).toBe(true);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr).not.toContain('internal error');
  };

  it('validate, all of them at once: every file gets its own error lines', () => {
    const r = timed(['validate', ...files]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain('internal error');
    for (const f of files) expect(r.stderr, f).toContain(`error: ${f}: `);
  });

  for (const f of files) {
    it(`run ${f.slice(dir.length + 1)}`, () => {
      const out = join(dir, 'out');
      const r = timed(['run', f, '--out', out, '--format', 'json', '-q', '--no-report']);
      expectCleanRefusal(r, f);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('a valid file with a BOM and CRLF line endings runs (exit 0)', () => {
    const f = join(dir, 'bom-crlf.yaml');
    writeFileSync(f, `\ufeff${VALID.replace(/\n/g, '\r\n')}`);
    const r = timed(['run', f, '--out', join(dir, 'bom-out'), '--format', 'json', '-q', '--no-report']);
    expect(r.status, r.stderr).toBe(0);
    const q = (JSON.parse(r.stdout) as Summary).requests;
    expect(q.arrived).toBe(q.completed + q.rejected + q.timedOut + q.inFlightAtEnd);
  });

  it('eight randomly broken scenarios: exit 0 with balanced books, or exit 2 cleanly', () => {
    const samples = fc.sample(mutatedText(), { seed: FUZZ_SEED + 1, numRuns: 8 });
    samples.forEach(({ text }, i) => {
      const f = join(dir, `sampled-${i}.yaml`);
      writeFileSync(f, text);
      const r = timed(['run', f, '--out', join(dir, `sampled-out-${i}`), '--format', 'json', '-q', '--no-report']);
      if (r.status === 0) {
        const q = (JSON.parse(r.stdout) as Summary).requests;
        expect(q.arrived).toBe(q.completed + q.rejected + q.timedOut + q.inFlightAtEnd);
      } else expectCleanRefusal(r, f);
    });
  });

  it('valid generated scenarios in all three text forms run through the CLI (exit 0)', () => {
    const [{ doc }] = fc.sample(scenarioDoc(SECTIONS), { seed: FUZZ_SEED + 2, numRuns: 1 });
    const f = join(dir, 'generated.yaml');
    writeFileSync(f, renderDoc(doc!, 'yaml-flow'));
    const r = timed(['run', f, '--out', join(dir, 'gen-out'), '--format', 'json', '-q', '--no-report']);
    expect(r.status, `${r.stderr}\n${stringify(doc)}`).toBe(0);
  });
});

/** `cli` with a hard 60 s cap: a hang fails the test instead of stalling the suite. */
function timed(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, INFERSIM_DEBUG: '' },
    timeout: 60_000,
    maxBuffer: 1 << 28,
  });
  if (r.signal !== null) throw new Error(`infersim ${args.slice(0, 2).join(' ')} did not finish within 60 s (${r.signal})`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
