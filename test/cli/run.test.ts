/** The command-line contract: outputs, exit codes, error messages, determinism. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cli, ROOT, TRACES, W1_YAML } from '../helpers/cli.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'infersim-test-'));
const w1Short = (dir: string, duration = '20s'): string => {
  const f = join(dir, 'w1.yaml');
  writeFileSync(f, readFileSync(W1_YAML, 'utf8').replace(/^duration: .*$/m, `duration: ${duration}`));
  return f;
};

describe('infersim run', () => {
  it('prints one JSON summary with --format json and writes summary.json and timeline.csv', () => {
    const dir = tmp();
    const out = join(dir, 'out');
    const r = cli(['run', w1Short(dir), '--format', 'json', '--out', out]);
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.scenario).toBe('W1 batching reference');
    const q = s.requests;
    expect(q.arrived).toBe(q.completed + q.rejected + q.timedOut + q.inFlightAtEnd);
    expect(q.arrived).toBeGreaterThan(190_000);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toEqual(s);
    const csv = readFileSync(join(out, 'timeline.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(
      'timeS,arrivals,completed,rejected,timedOut,p50Ms,p99Ms,meanBatchSize,replicasReady,replicasStarting,replicasDesired,queueDepth,gpuUtilization,cacheHitRate,cacheMissRate,featureStoreUtilization,costUsd',
    );
    expect(csv).toHaveLength(3); // header + 2 intervals of 10 s
    const row = csv[1]!.split(',');
    expect(row[0]).toBe('10');
    expect(row[13]).toBe(''); // no cache: empty cell
    expect(row[15]).toBe(''); // no feature store
  });

  it('writes to results/<file name>/ by default and prints a table with a verdict', () => {
    const dir = tmp();
    const f = w1Short(dir, '5s');
    const r = cli(['run', f, '--set', 'slo.p99=1ms'], dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('SLO MISSED (latency): p99');
    expect(existsSync(join(dir, 'results', 'w1', 'summary.json'))).toBe(true);
  });

  it('--assert-slo exits 3 when the SLO is missed and 0 when met', () => {
    const dir = tmp();
    const f = w1Short(dir, '5s');
    expect(cli(['run', f, '--set', 'slo.p99=1ms', '--assert-slo', '--out', join(dir, 'a')]).status).toBe(3);
    expect(cli(['run', f, '--set', 'slo.p99=1s', '--assert-slo', '--out', join(dir, 'b')]).status).toBe(0);
  });

  it('same seed gives a byte-identical summary (engine aside); another seed differs', () => {
    const dir = tmp();
    const f = w1Short(dir, '10s');
    const run = (seed: string, out: string): string => {
      expect(cli(['run', f, '--seed', seed, '--out', join(dir, out), '--format', 'json']).status).toBe(0);
      const text = readFileSync(join(dir, out, 'summary.json'), 'utf8');
      return text.replace(/"engine": \{[^}]*\}/, '"engine": {}');
    };
    const a = run('5', 'a');
    const b = run('5', 'b');
    const c = run('6', 'c');
    expect(a).toBe(b);
    expect(readFileSync(join(dir, 'a', 'timeline.csv'), 'utf8')).toBe(readFileSync(join(dir, 'b', 'timeline.csv'), 'utf8'));
    expect(c).not.toBe(a);
  });

  it('runs several files in one call, one results folder each, and a JSON array', () => {
    const dir = tmp();
    const f = w1Short(dir, '2s');
    const g = join(dir, 'other.yaml');
    writeFileSync(g, readFileSync(f, 'utf8').replace('replicas: 20', 'replicas: 25'));
    const r = cli(['run', f, g, '--format', 'json', '--out', join(dir, 'out')]);
    expect(r.status).toBe(0);
    const arr = JSON.parse(r.stdout);
    expect(arr).toHaveLength(2);
    expect(existsSync(join(dir, 'out', 'w1', 'summary.json'))).toBe(true);
    expect(existsSync(join(dir, 'out', 'other', 'summary.json'))).toBe(true);
  });

  it('replays the Azure conversation trace as it is (CRLF, 7-digit fractions)', () => {
    const dir = tmp();
    const f = join(dir, 'trace.yaml');
    writeFileSync(
      f,
      [
        'name: azure conv replay',
        'duration: 1h',
        'traffic:',
        `  trace: { file: ${join(TRACES, 'azure-llm-conv-2023-11-16.csv')}, timeColumn: TIMESTAMP }`,
        'model: { latency: { 1: 20ms } }',
        'fleet: { replicas: 2 }',
      ].join('\n'),
    );
    const r = cli(['run', f, '--format', 'json', '--out', join(dir, 'out')]);
    expect(r.stderr).toBe(`trace: results in ${join(dir, 'out')}\n`);
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.requests.arrived).toBe(19366);
    expect(s.requests.completed).toBe(19366);
    // the trace spans 3501.72 s of the hour: said, not silent
    expect(s.warnings).toEqual([
      `traffic.trace: ${join(TRACES, 'azure-llm-conv-2023-11-16.csv')} ends at 3501.72 s, before the run's duration 3600 s: no arrivals for the last 98.2781 s (2.7 % of the run); set traffic.trace.loop: true to repeat it, or a shorter duration`,
    ]);
    const v = cli(['validate', f]);
    expect(v.status).toBe(0);
    expect(v.stdout).toContain('warning: traffic.trace: ');
  });

  it('loops the Azure conversation trace over 2 hours: every period P = span · N/(N − 1) again, no warning', () => {
    const dir = tmp();
    const file = join(TRACES, 'azure-llm-conv-2023-11-16.csv');
    const f = join(dir, 'loop.yaml');
    writeFileSync(f, ['name: azure conv loop', 'duration: 2h', 'traffic:', `  trace: { file: ${file}, loop: true }`, 'model: { latency: { 1: 20ms } }', 'fleet: { replicas: 2 }'].join('\n'));
    const r = cli(['run', f, '--format', 'json', '--out', join(dir, 'out'), '--no-report']);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    // by hand from the file: repetitions 0 and 1 whole (2P = 7003.8 s < 7200 s), then the arrivals of repetition 2 before 7200 s
    const rows = readFileSync(file, 'utf8').split('\r\n').slice(1).filter((l) => l !== '').map((l) => Date.parse(`${l.split(',')[0]}Z`) / 1000);
    const span = 3501.721937;
    const P = (span * 19366) / 19365;
    const third = rows.filter((t) => t - rows[0]! + 2 * P < 7200).length;
    expect(third).toBe(885); // the arrivals of the first 196.2 s of the trace
    expect(s.requests.arrived).toBe(2 * 19366 + third);
    expect(s.warnings).toEqual([]);
  });
});

describe('bad input: exit 2, the file and field named, no stack trace, nothing written', () => {
  const fixtures = join(ROOT, 'test', 'fixtures', 'bad');
  for (const name of readdirSync(fixtures).filter((f) => f.endsWith('.yaml'))) {
    it(name, () => {
      const dir = tmp();
      const out = join(dir, 'out');
      const r = cli(['run', join(fixtures, name), '--out', out]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^error: ${join(fixtures, name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(out)).toBe(false);
    });
  }

  it('the contract example: a negative maxBatch names fleet.batching.maxBatch', () => {
    const dir = tmp();
    const f = join(dir, 'w1.yaml');
    writeFileSync(f, readFileSync(w1Short(dir), 'utf8').replace('maxBatch: 32', 'maxBatch: -4'));
    const r = cli(['run', f, '--format', 'json', '--out', join(dir, 'out')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`error: ${f}: fleet.batching.maxBatch: must be a positive integer (got -4)\n`);
  });

  it('a missing file', () => {
    const r = cli(['run', '/nonexistent/x.yaml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('error: /nonexistent/x.yaml: cannot read the scenario file (no such file)\n');
  });

  it('an unreadable file', () => {
    if (process.getuid?.() === 0) {
      // root reads anything: a directory stands in for an unreadable path
      const dir = tmp();
      const r = cli(['run', dir]);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`error: ${dir}: is a directory, not a scenario file\n`);
      return;
    }
    const dir = tmp();
    const f = w1Short(dir);
    chmodSync(f, 0o000);
    const r = cli(['run', f]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`error: ${f}: cannot read the scenario file (permission denied)\n`);
  });

  const traceScenario = (dir: string, csv: string): string => {
    writeFileSync(join(dir, 'arrivals.csv'), csv);
    const f = join(dir, 's.yaml');
    writeFileSync(f, 'name: t\nduration: 10s\ntraffic: { trace: { file: arrivals.csv, timeColumn: t } }\nmodel: { latency: { 1: 1ms } }\n');
    return f;
  };

  it('a trace out of order names the line', () => {
    const dir = tmp();
    const f = traceScenario(dir, 't\n1.0\n2.0\n1.5\n3.0\n');
    const r = cli(['run', f, '--out', join(dir, 'out')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: .*s\.yaml: traffic\.trace\.file: .*arrivals\.csv line 4: arrivals out of order/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('an empty trace', () => {
    const dir = tmp();
    const f = traceScenario(dir, 't\n');
    const r = cli(['run', f]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/traffic\.trace\.file: .*arrivals\.csv has no arrivals/);
  });

  it('a missing trace file', () => {
    const dir = tmp();
    const f = join(dir, 's.yaml');
    writeFileSync(f, 'name: t\nduration: 10s\ntraffic: { trace: { file: nope.csv } }\nmodel: { latency: { 1: 1ms } }\n');
    const r = cli(['validate', f]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`error: ${f}: traffic.trace.file: cannot read ${join(dir, 'nope.csv')} (no such file)\n`);
  });

  it('usage errors exit 2', () => {
    expect(cli(['run']).status).toBe(2);
    expect(cli(['frobnicate']).status).toBe(2);
    expect(cli(['run', 'x.yaml', '--format', 'xml']).status).toBe(2);
    expect(cli(['run', 'x.yaml', '--seed', '-3']).status).toBe(2);
  });

  it('validate reports every bad file and exits 2; a good one exits 0', () => {
    const dir = tmp();
    const good = w1Short(dir);
    expect(cli(['validate', good]).status).toBe(0);
    const bad = join(ROOT, 'test', 'fixtures', 'bad', 'zero-rate.yaml');
    const r = cli(['validate', good, bad, '/nonexistent.yaml']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
  });
});

/**
 * The contract checker (test/contract/check.mjs, a copy of the team's shared checker kept in the
 * repository), run against the tests' build: names, types and exit codes of run and validate.
 */
describe('the contract check (test/contract/check.mjs)', () => {
  it('passes on the build under test', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'test', 'contract', 'check.mjs')], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, INFERSIM_BIN: BIN } });
    expect(r.stdout.trim()).toBe('contract: ok');
    expect(r.status).toBe(0);
  });
});
