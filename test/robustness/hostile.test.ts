/**
 * Hostile input against the CLI and the loader (issue #14): every case here was an exit 1, a
 * crash, a hang, a write outside the output folder or lost results before. In process where the
 * loader decides; through the built CLI (batched: each spawn costs ~0.5 s) where the CLI does.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, loadScenarioVariants, ScenarioError } from '../../src/scenario/load.js';
import { pathText, type IssueCode } from '../../src/scenario/issues.js';

type Issue = { code: IssueCode; path: string; message: string };
import { parseHpaManifest, isHpaParseError } from '../../src/scenario/kubernetes.js';
import { BIN, cli } from '../helpers/cli.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'infersim-hostile-'));
const BASE = 'name: s\nduration: 20s\ntraffic: { rate: 20 }\nmodel: { latency: { 1: 4ms, 32: 12ms } }\nfleet: { replicas: 2 }\nslo: { p99: 100ms }\n';

/** What `fn` throws, each issue as the cases write it: its code, its path as the CLI prints it, its message. */
function issuesOf(fn: () => unknown): Issue[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues.map((i) => ({ code: i.code, path: pathText(i.path), message: i.message }));
    throw e;
  }
  throw new Error('expected a ScenarioError');
}
const load = (text: string, sets: string[] = []): unknown => loadScenario(text, { file: 's.yaml', baseDir: '/', sets });

/** Every file under `dir`, relative. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

describe('YAML aliases, __proto__ and merge keys are input errors or data, never a crash', () => {
  it('a self-referencing alias in the file, in --set values; an unresolved alias in --set', () => {
    expect(issuesOf(() => load(`${BASE}x: &a [*a]\n`))[0]!.message).toMatch(/alias refers to a node that contains it/);
    expect(issuesOf(() => load(BASE, ['fleet.replicas=&a [*a]']))[0]!.message).toMatch(/--set .*alias refers to a node that contains it/);
    expect(issuesOf(() => load(BASE, ['fleet.replicas=*a']))[0]!.message).toMatch(/--set .*Unresolved alias/);
    expect(issuesOf(() => load(BASE, ['fleet=&b { replicas: &c [*b] }']))[0]!.message).toMatch(/cycle/);
  });

  it('an alias bomb, a cycle or an unresolved alias in an HPA manifest is a manifest error', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(i === 0 ? '*a' : `*a${i}`).join(', ')}]`)].join('\n');
    for (const text of [bomb, 'x: &a [*a]\n', 'spec: *nope\n']) {
      const r = parseHpaManifest(text, { file: 'hpa.yaml' });
      expect(isHpaParseError(r)).toBe(true);
    }
  });

  it('__proto__ through --set or as a YAML key is an unknown field and pollutes nothing', () => {
    const before = Object.keys(Object.prototype);
    expect(issuesOf(() => load(BASE, ['__proto__.polluted=1']))[0]!.message).toMatch(/__proto__: unknown field/);
    expect(issuesOf(() => load(BASE, ['fleet.__proto__.polluted=1']))[0]!.message).toMatch(/unknown field/);
    expect(issuesOf(() => load(BASE, ['fleet={ __proto__: { polluted: 1 } }']))[0]!.message).toMatch(/__proto__: unknown field/);
    expect(issuesOf(() => load(`${BASE}__proto__: { polluted: 1 }\n`))).toEqual([{ code: 'unknown_key', path: '__proto__', message: 'unknown field (__proto__ is never a field name)' }]);
    expect(issuesOf(() => load(BASE.replace('replicas: 2', 'replicas: 2, __proto__: { x: 1 }')))[0]).toMatchObject({ code: 'unknown_key', path: 'fleet.__proto__' });
    expect(issuesOf(() => load(BASE, ['__proto__.polluted=1']))[0]).toMatchObject({ code: 'invalid_override', path: '' });
    expect(Object.keys(Object.prototype)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // a later load is not affected
    expect(() => load(BASE)).not.toThrow();
  });

  it('YAML merge keys (<<) are honoured', () => {
    const sc = load(`${BASE.replace('fleet: { replicas: 2 }\n', '')}fleet: { <<: { replicas: 5, instances: 2 }, instances: 3 }\n`) as { fleet: { replicas: number; instances: number } };
    expect(sc.fleet.replicas).toBe(5);
    expect(sc.fleet.instances).toBe(3);
  });

  it('duplicate keys are still refused, in linear time (20 000 keys: yaml compared each with every earlier one)', () => {
    expect(issuesOf(() => load(`${BASE}name: t\n`))).toEqual([{ code: 'invalid_syntax', path: '', message: 'line 7, column 1: Map keys must be unique' }]);
    const many = `${BASE}x:\n${Array.from({ length: 20_000 }, (_, i) => `  k${i}: 1`).join('\n')}\n`;
    expect(issuesOf(() => load(many))[0]!.path).toBe('x');
  });

  it('names with control characters (terminal escapes) are refused; variant names must be one safe path segment', () => {
    expect(issuesOf(() => load(BASE.replace('name: s', 'name: "\\e[2Jx"')))[0]!.message).toMatch(/without control characters/);
    const variants = (names: string[]): Issue[] =>
      issuesOf(() => loadScenarioVariants(`${BASE}variants:\n${names.map((n) => `  ${JSON.stringify(n)}: {}`).join('\n')}\n`, { file: 's.yaml', baseDir: '/' }));
    const bad = ['../../x', '/abs', 'a/b', 'base', 'BASE', 'compare.csv', 'report.html', 'a\u0000b', '.hidden', '..', 'x'.repeat(65), 'é'];
    expect(variants(bad).map((i) => i.path)).toHaveLength(bad.length);
    expect(new Set(variants(bad).map((i) => i.code))).toEqual(new Set(['invalid_format']));
    expect(variants(['Fast', 'fast'])[0]!.message).toMatch(/case-insensitive/);
  });

  it('seeds past 2^53 − 1 are refused (neighbouring seeds there are the same double)', () => {
    expect(issuesOf(() => load(`${BASE}seed: 9007199254740993\n`))[0]).toMatchObject({ code: 'too_big', path: 'seed' });
  });
});

describe('the CLI on hostile files, paths and output folders (exit 2, nothing written outside --out)', () => {
  it('non-regular inputs, oversized and self-referencing files, unwritable outputs, escaping variants', () => {
    const dir = tmp();
    const w = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const fifo = join(dir, 'fifo.yaml');
    spawnSync('mkfifo', [fifo]);
    const s = w('s.yaml', BASE);
    const cases: { args: string[]; stderr: RegExp }[] = [
      { args: ['run', fifo], stderr: /fifo\.yaml: cannot read the scenario file \(not a regular file/ },
      { args: ['run', '/dev/zero'], stderr: /not a regular file/ },
      { args: ['run', w('tz.yaml', BASE.replace('{ rate: 20 }', '{ trace: { file: /dev/zero } }'))], stderr: /traffic\.trace\.file: \/dev\/zero is not a regular file/ },
      { args: ['run', w('tf.yaml', BASE.replace('{ rate: 20 }', `{ trace: { file: ${fifo} } }`))], stderr: /is not a regular file/ },
      { args: ['run', w('long.yaml', BASE.replace('{ rate: 20 }', '{ trace: { file: long.csv } }'))], stderr: /a line longer than 1048576 characters/ },
      { args: ['run', w('hz.yaml', `${BASE}autoscaler: { kind: hpa, manifest: /dev/zero }\n`)], stderr: /autoscaler\.manifest: cannot read \/dev\/zero \(not a regular file/ },
      { args: ['run', w('big.yaml', `${BASE}x: [${'1, '.repeat(600_000)}1]\n`)], stderr: /big\.yaml: cannot read the scenario file \(\d+ bytes, more than the 1048576/ },
      { args: ['run', s, '--out', w('afile', 'x')], stderr: /--out .*afile: exists and is not a folder/ },
      { args: ['run', s, '--out', join(dir, 'afile', 'sub')], stderr: /cannot write results to .*afile\/sub/ },
      { args: ['compare', w('v.yaml', `${BASE}variants: { "../../escaped": { fleet: { replicas: 3 } }, base: {} }\n`), '--out', join(dir, 'cmp')], stderr: /variants\.\.\.\/\.\.\/escaped: a variant's name is its results folder/ },
      { args: ['run', s, '--seed', '1e300'], stderr: /--seed must be an integer from 0 to 2\^53/ },
      { args: ['sweep', s, '--vary', 'fleet.replicas=1,2', '--seeds', '1e9'], stderr: /--seeds must be a positive integer/ },
      { args: ['sweep', s, '--vary', 'fleet.replicas=1,2', '--seeds', '100000'], stderr: /--seeds must be at most 10000/ },
      { args: ['sweep', s, '--vary', 'fleet.replicas=1,2', '--workers', '100000'], stderr: /--workers must be at most 256/ },
      { args: ['run', w('esc.yaml', BASE.replace('name: s', 'name: s\n"\\e[31mred": 1'))], stderr: /\\u001b\[31mred: unknown field/ },
    ];
    writeFileSync(join(dir, 'long.csv'), 'a'.repeat(3_000_000));
    // a scenario file that is also a name the results use, inside the output folder
    mkdirSync(join(dir, 'd'));
    const own = w('d/summary.json', JSON.stringify({ name: 's', duration: '20s', traffic: { rate: 20 }, model: { latency: { 1: '4ms' } } }));
    cases.push({ args: ['run', own, '--out', join(dir, 'd')], stderr: /summary\.json: the results written to .* would overwrite this input/ });
    // two files with one name would share a results folder
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    cases.push({ args: ['run', w('a/s.yaml', BASE), w('b/s.yaml', BASE), '--out', join(dir, 'two')], stderr: /b\/s\.yaml: its results would go to .*two\/s, as those of .*a\/s\.yaml/ });
    // region names that make the same timeline file
    const regions = `${BASE}regions:\n  - { name: us/east, share: 0.5, rtt: { us_east: 1ms } }\n  - { name: us_east, share: 0.5, rtt: { us/east: 1ms } }\n`;
    cases.push({ args: ['run', w('r.yaml', regions), '--out', join(dir, 'r')], stderr: /regions\.1\.name: "us_east" and "us\/east" would write the same timeline-us_east\.csv/ });
    // a folder without write permission (root can write anywhere: skipped then)
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    const root = process.getuid?.() === 0;
    if (!root) cases.push({ args: ['run', s, '--out', join(ro, 'x')], stderr: /cannot write results to .*ro\/x \(permission denied\)/ });

    for (const c of cases) {
      const r = cli([...c.args, '--no-report'], dir);
      expect(r.status, `${c.args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(r.stderr, c.args.join(' ')).toMatch(c.stderr);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(r.stdout).toBe('');
    }
    // nothing was written outside the temporary folder's own output folders, and no results for refused runs
    expect(existsSync(join(dir, 'escaped'))).toBe(false);
    expect(existsSync(join(dir, 'cmp'))).toBe(false);
    expect(readFileSync(own, 'utf8')).toMatch(/^\{"name":"s"/);
    expect(existsSync(join(dir, 'two'))).toBe(false);
    expect(existsSync(join(dir, 'results'))).toBe(false);
  }, 60_000);

  it('a closed stdout (`| head -1`) ends quietly and the remaining files still run and write their results', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.yaml'), BASE);
    writeFileSync(join(dir, 'b.yaml'), BASE.replace('name: s', 'name: b'));
    for (const cmd of [['run', 'a.yaml', 'b.yaml', '--out', 'o'], ['compare', 'a.yaml', 'b.yaml', '--out', 'c']]) {
      const child = spawn(process.execPath, [BIN, ...cmd, '--no-report'], { cwd: dir, env: { ...process.env, INFERSIM_DEBUG: '' } });
      child.stdout.destroy(); // the reader went away before the first line
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
      expect(stderr).not.toMatch(/EPIPE|internal error|\n\s+at /);
      expect(code, stderr).toBe(0);
    }
    expect(filesUnder(join(dir, 'o'))).toEqual(['a/summary.json', 'a/timeline.csv', 'b/summary.json', 'b/timeline.csv']);
    expect(filesUnder(join(dir, 'c'))).toEqual(['a/summary.json', 'a/timeline.csv', 'b/summary.json', 'b/timeline.csv', 'compare.csv']);
  }, 30_000);

  it('a second infersim writing into the same --out is refused while the first runs; a stale lock is taken over', () => {
    const dir = tmp();
    writeFileSync(join(dir, 's.yaml'), BASE);
    mkdirSync(join(dir, 'o'));
    // a live process holds the folder (this test's own parent, which outlives the CLI)
    writeFileSync(join(dir, 'o', '.infersim.lock'), `${process.pid}\n`);
    const busy = cli(['run', 's.yaml', '--out', 'o', '--no-report'], dir);
    expect(busy.status).toBe(2);
    expect(busy.stderr).toMatch(new RegExp(`another infersim \\(pid ${process.pid}\\) is writing its results here`));
    // a lock left by a process that is gone
    writeFileSync(join(dir, 'o', '.infersim.lock'), '2147483646\n');
    const ok = cli(['run', 's.yaml', '--out', 'o', '--no-report', '-q'], dir);
    expect(ok.status, ok.stderr).toBe(0);
    expect(filesUnder(join(dir, 'o'))).toEqual(['summary.json', 'timeline.csv']); // the lock is released
  }, 30_000);
});

describe('lost results and wrong answers', () => {
  it('a full disk: exit 2 naming the file, no .tmp left behind (tmpfs; skipped where it cannot be mounted)', () => {
    const dir = tmp();
    const mnt = join(dir, 'small');
    mkdirSync(mnt);
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', mnt]).status !== 0) return;
    try {
      writeFileSync(join(dir, 's.yaml'), BASE);
      writeFileSync(join(mnt, 'filler'), Buffer.alloc(12 * 1024)); // room for the lock, not for summary.json
      const r = cli(['run', 's.yaml', '--out', mnt, '--no-report'], dir);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/error: cannot write .*small\/summary\.json \(no space left on the device\)/);
      expect(r.stderr).not.toMatch(/internal error/);
      expect(readdirSync(mnt)).toEqual(['filler']);
    } finally {
      spawnSync('umount', [mnt]);
    }
  }, 30_000);

  it('plan --values 8,1,4 searches 1, 4, 8 in that order (it answered 8 although 1 meets the SLO)', () => {
    const dir = tmp();
    writeFileSync(join(dir, 's.yaml'), BASE);
    const r = cli(['plan', 's.yaml', '--values', '8,1,4', '--seeds', '1', '--workers', '1', '--format', 'json', '-q', '--out', 'p'], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).value).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, 'p', 'plan.json'), 'utf8')).candidates).toBe('[1, 4, 8]');
  }, 30_000);

  it('merge refuses tampered parts, a stem that names another folder, and impossible point counts', () => {
    const dir = tmp();
    writeFileSync(join(dir, 's.yaml'), BASE.replace('20s', '5s'));
    for (const i of [0, 1]) {
      const r = cli(['sweep', 's.yaml', '--vary', 'fleet.replicas=1,2', '--shard', `${i}/2`, '--workers', '1', '-q', '--out', `p${i}`, '--no-report'], dir);
      expect(r.status, r.stderr).toBe(0);
    }
    const part = JSON.parse(readFileSync(join(dir, 'p1', 'sweep.json'), 'utf8')) as Record<string, unknown> & { points: Record<string, unknown>[] };
    const variants: [string, unknown, RegExp][] = [
      ['tampered', { ...part, points: [{ ...part.points[0], p99Ms: 1 }] }, /its figures do not match its own runs/],
      ['stem', { ...part, stem: '../../evil' }, /"stem" must be a file name without folders/],
      ['count', { ...part, pointCount: 300_000_000 }, /"pointCount" 300000000 is not the axes' 2 points/],
      ['axes', { ...part, axes: [{ path: 'fleet.replicas', values: Array(400_000).fill(1), texts: Array(400_000).fill('1') }] }, /more than 100000 points/],
      ['runs', { ...part, points: [{ ...part.points[0], runs: [{}] }] }, /runs are not summaries infersim wrote/],
      ['shape', { ...part, axes: [7] }, /axes\.0: must be \{ path, values, texts \}/],
    ];
    for (const [name, doc] of variants) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'sweep.json'), JSON.stringify(doc));
    }
    const r = cli(['merge', 'p0', ...variants.map((v) => v[0]), '--out', 'merged'], dir);
    expect(r.status, r.stderr).toBe(2);
    for (const [, , why] of variants) expect(r.stderr).toMatch(why);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(existsSync(join(dir, 'merged'))).toBe(false);
    expect(existsSync(join(dir, '..', 'evil'))).toBe(false);
    // the untouched parts still merge, and merging into a part's own folder would overwrite it
    const own = cli(['merge', 'p0', 'p1', '--out', 'p0'], dir);
    expect(own.status).toBe(2);
    expect(own.stderr).toMatch(/p0\/sweep\.json: the results written to .* would overwrite this input/);
    const ok = cli(['merge', 'p0', 'p1', '--out', 'merged', '-q'], dir);
    expect(ok.status, ok.stderr).toBe(0);
  }, 60_000);
});

describe('a trace edited during a run (it was checked whole before) is an input error, not an internal one', () => {
  it('runScenario reports the changed file (exit 2) instead of throwing a TraceError', async () => {
    const { readScenarioFile } = await import('../../src/cli/scenario-files.js');
    const { runScenario } = await import('../../src/cli/run.js');
    const { UserError } = await import('../../src/cli/errors.js');
    const dir = tmp();
    writeFileSync(join(dir, 'arrivals.csv'), `t\n${Array.from({ length: 200 }, (_, i) => (i * 0.05).toFixed(2)).join('\n')}\n`);
    writeFileSync(join(dir, 's.yaml'), 'name: t\nduration: 10s\ntraffic: { trace: { file: arrivals.csv, timeColumn: t } }\nmodel: { latency: { 1: 1ms } }\n');
    const loaded = readScenarioFile(join(dir, 's.yaml'));
    // edited after the check, before the run reads it: now out of order
    writeFileSync(join(dir, 'arrivals.csv'), 't\n5.0\n1.0\n');
    let err: unknown = null;
    try {
      await runScenario(loaded.scenario, 't', true);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/arrivals\.csv: the trace changed while the run was reading it/);
  });
});
