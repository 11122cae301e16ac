/** `infersim compare`, `sweep` and `plan` on LLM scenario files (a top-level `llm:` block), as a user runs them. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT, W1_YAML } from '../helpers/cli.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'infersim-llm-compare-'));
const json = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
/** A CSV's rows as records (no quoted commas in these files but the scenario name, which is plain here). */
const csv = (path: string): Record<string, string>[] => {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
};
/** Without the engine block (wall time, the only part that may differ between equal runs) and the variant label. */
const comparable = (s: Record<string, unknown>): Record<string, unknown> => ({ ...s, engine: null, variant: null });

/**
 * A hand-checkable fleet: 8 closed-loop users, 1-token prompts, 10-token outputs, a step of 10 ms + 10 ms per
 * decode token (no prefill cost, no overheads), least-requests routing. On R replicas each holds 8/R users, so
 * a step decodes at most 8/R tokens: TPOT ≤ 10 + 10·8/R ms, i.e. 90 ms on 1 replica, 50 ms on 2 (SLO 60 ms).
 */
const TINY = [
  'name: tiny llm',
  'seed: 3',
  'duration: 30s',
  'warmup: 2s',
  'slo: { tpot: { p99: 60ms } }',
  'traffic: { users: 8, tokens: { prompt: 1, output: 10 } }',
  'llm:',
  '  model: llama-3.1-8b',
  '  gpu: a100-80gb',
  '  replicas: 1',
  '  routing: least-requests',
  '  engine: { numGpuBlocks: 4000 }',
  '  stepTime: { beta0: 10ms, beta1: 0, beta2: 10ms, beta3: 0 }',
  'report: { interval: 5s }',
  '',
].join('\n');

/** A fresh folder holding tiny.yaml: TINY and `extra` (variants). */
const tiny = (extra = ''): { dir: string; f: string } => {
  const dir = tmp();
  const f = join(dir, 'tiny.yaml');
  writeFileSync(f, `${TINY}${extra}`);
  return { dir, f };
};

describe('compare on an LLM file', () => {
  it("runs the base and each variant on the same arrivals; each row's figures are the single run's of that variant", () => {
    const { dir, f } = tiny(`variants:\n  two: { llm: { replicas: 2 } }\n  h100: { llm: { gpu: h100-80gb } }\n`);
    const out = join(dir, 'cmp');
    const r = cli(['compare', f, '--out', out, '-q']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^compare: tiny llm \(seed 3, same arrivals for every run\)/);
    expect(r.stdout).toMatch(/TPOT p99 ms \/ SLO/);
    const rows = csv(join(out, 'compare.csv'));
    expect(rows.map((x) => x.variant)).toEqual(['base', 'two', 'h100']);
    const cols = Object.keys(rows[0]!);
    // the contract's columns first, the LLM ones after them
    expect(cols.slice(0, 6)).toEqual(['variant', 'scenario', 'seed', 'p50Ms', 'p99Ms', 'meanMs']);
    for (const c of ['ttftP99Ms', 'tpotP99Ms', 'e2eP99Ms', 'slo.tpot.p99Ms', 'slo.tpot.p99Met', 'goodputRps', 'outputTokensPerS', 'preemptions', 'kvUtilizationPeak', 'gpus', 'costPerMillionTokens']) expect(cols).toContain(c);
    expect(cols.indexOf('ttftP99Ms')).toBeGreaterThan(cols.indexOf('monthlyUsd'));
    for (const [variant, args] of [['base', []], ['two', ['--variant', 'two']], ['h100', ['--variant', 'h100']]] as const) {
      const one = join(dir, `run-${variant}`);
      const run = cli(['run', f, ...args, '--out', one, '-q', '--format', 'json']);
      expect(run.status).toBe(0);
      const s = json(join(one, 'summary.json')) as { latencyMs: { p99: number }; cost: { monthlyUsd: number }; llm: { ttftMs: { p99: number }; tpotMs: { p99: number }; goodputRps: number; preemptions: number } };
      expect(comparable(json(join(out, variant, 'summary.json')))).toEqual(comparable(s));
      // compare.csv writes numbers to 6 decimals (report/csv.ts)
      const row = rows.find((x) => x.variant === variant)!;
      expect(Number(row.p99Ms)).toBeCloseTo(s.latencyMs.p99, 6);
      expect(Number(row.ttftP99Ms)).toBeCloseTo(s.llm.ttftMs.p99, 6);
      expect(Number(row.tpotP99Ms)).toBeCloseTo(s.llm.tpotMs.p99, 6);
      expect(Number(row.goodputRps)).toBeCloseTo(s.llm.goodputRps, 6);
      expect(Number(row.preemptions)).toBe(s.llm.preemptions);
      expect(Number(row.monthlyUsd)).toBeCloseTo(s.cost.monthlyUsd, 6);
    }
    // the hand-checked figures: 1 replica decodes up to 8 tokens a step (90 ms), 2 replicas up to 4 (50 ms)
    const base = rows.find((x) => x.variant === 'base')!;
    const two = rows.find((x) => x.variant === 'two')!;
    expect(Number(base.tpotP99Ms)).toBeGreaterThan(60);
    expect(base.sloMet).toBe('false');
    expect(Number(two.tpotP99Ms)).toBeLessThanOrEqual(50 + 1e-6);
    expect(two.sloMet).toBe('true');
    expect(two.gpus).toBe('2');
  });

  it('writes report.html: a row per run with its summary.json figures and verdict, the charts overlaid; not with --no-report', () => {
    const { dir, f } = tiny(`variants:\n  two: { llm: { replicas: 2 } }\n`);
    const out = join(dir, 'cmp');
    const r = cli(['compare', f, '--out', out, '-q']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h1>Compare: tiny llm</h1>');
    expect(html).toContain(`<pre class="command"><code>infersim compare ${f} --out ${out} -q</code></pre>`);
    expect([...html.matchAll(/<tr data-run="([^"]*)">/g)].map((m) => m[1])).toEqual(['base', 'two']);
    // 1 replica misses TPOT p99 ≤ 60 ms (90 ms), 2 meet it (50 ms): the cell, the badge and the highlight say so
    for (const [variant, verdict] of [['base', 'missed'], ['two', 'met']] as const) {
      const s = json(join(out, variant, 'summary.json')) as { llm: { tpotMs: { p99: number } } };
      const row = html.match(new RegExp(`<tr data-run="${variant}">(.*?)</tr>`))![1]!;
      const tpot = `${s.llm.tpotMs.p99.toLocaleString('en-US', { maximumFractionDigits: 2 })} ms`;
      expect(row).toContain(`<td class="${variant === 'two' ? 'best ' : ''}${verdict}" data-col="tpot-p99">${tpot}</td>`);
      expect(row).toContain(`<span class="badge ${verdict}">${verdict}</span>`);
    }
    expect(html).toContain('<figure class="chart" id="chart-tpot">');
    expect(html).toContain('>SLO p99 60 ms</text>');
    const none = join(dir, 'none');
    expect(cli(['compare', f, '--out', none, '-q', '--no-report']).status).toBe(0);
    expect(existsSync(join(none, 'compare.csv'))).toBe(true);
    expect(existsSync(join(none, 'report.html'))).toBe(false);
  });

  it('refuses LLM and request-level files in one command (exit 2, nothing run)', () => {
    const { dir, f } = tiny();
    const r = cli(['compare', f, W1_YAML, '--out', join(dir, 'out')]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: compare: ${f} is an LLM scenario (an llm: block) and ${W1_YAML} is request-level: compare runs one kind at a time\n`);
  });

  it('a bad variant is reported under variants.<name> (exit 2)', () => {
    const { dir, f } = tiny(`variants:\n  bad: { llm: { tensorParallel: 3 } }\n`);
    const r = cli(['compare', f, '--out', join(dir, 'out')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: ${f}: variants\\.bad\\.llm\\.tensorParallel: expected 1, 2, 4 or 8`));
  });
});

describe('run on an LLM file with variants', () => {
  it('runs the base with a --set that a variant could not take, as run reads a request-level file (only --variant resolves the variants)', () => {
    // the variant asks for 2 replicas; --set llm.autoscaler.maxReplicas=1 with minReplicas 2 would be invalid only in it
    const { dir, f } = tiny(`variants:\n  two: { llm: { replicas: 2, autoscaler: { metric: 'vllm:num_requests_waiting', target: 1, minReplicas: 2 } } }\n`);
    const base = cli(['run', f, '--set', 'llm.autoscaler.maxReplicas=1', '--set', 'llm.autoscaler.metric=vllm:num_requests_waiting', '--set', 'llm.autoscaler.target=1', '--out', join(dir, 'b'), '-q', '--no-report']);
    expect(base.stderr).toBe('');
    expect(base.status).toBe(0);
    const bad = cli(['run', f, '--variant', 'two', '--set', 'llm.autoscaler.maxReplicas=1', '--set', 'llm.autoscaler.metric=vllm:num_requests_waiting', '--set', 'llm.autoscaler.target=1', '--out', join(dir, 'v'), '-q', '--no-report']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/variants\.two\.llm\.autoscaler\.maxReplicas: must be ≥ minReplicas \(2\)/);
  });
});

describe('compare and sweep on an LLM file with regions', () => {
  /** TINY as open-loop traffic over two regions (a region's own fleet in its llm block), with a variant. */
  const REGIONS = [
    'name: tiny llm regions',
    'seed: 3',
    'duration: 30s',
    'slo: { tpot: { p99: 60ms } }',
    'traffic: { rate: 4, tokens: { prompt: 1, output: 10 } }',
    'llm: { model: llama-3.1-8b, gpu: a100-80gb, replicas: 1, engine: { numGpuBlocks: 4000 }, stepTime: { beta0: 10ms, beta1: 0, beta2: 10ms, beta3: 0 } }',
    'regions:',
    '  - { name: east, share: 0.5, rtt: { east: 2ms, west: 70ms } }',
    '  - { name: west, share: 0.5, rtt: { east: 70ms, west: 2ms }, llm: { replicas: 2 } }',
    'report: { interval: 5s }',
    'variants:',
    '  more: { llm: { replicas: 3 } }',
    '',
  ].join('\n');

  it('compare runs the base and the variant with their regions; each row is the single run of that variant', () => {
    const dir = tmp();
    const f = join(dir, 'regions.yaml');
    writeFileSync(f, REGIONS);
    const r = cli(['compare', f, '--out', join(dir, 'cmp'), '-q']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const base = json(join(dir, 'cmp', 'base', 'summary.json'));
    expect((base.regions as { name: string }[]).map((g) => g.name)).toEqual(['east', 'west']);
    const run = cli(['run', f, '--variant', 'more', '--out', join(dir, 'run'), '--format', 'json', '-q']);
    expect(run.status).toBe(0);
    expect(comparable(json(join(dir, 'cmp', 'more', 'summary.json')))).toEqual(comparable(json(join(dir, 'run', 'summary.json'))));
  });

  it('sweep varies the top-level fleet of every region that does not set its own', () => {
    const dir = tmp();
    const f = join(dir, 'regions.yaml');
    writeFileSync(f, REGIONS.replace(/variants:[\s\S]*$/, ''));
    const r = cli(['sweep', f, '--vary', 'llm.replicas=1,2', '--out', join(dir, 'sw'), '-q']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // east takes the top-level llm.replicas (1, then 2); west keeps its own 2
    expect(csv(join(dir, 'sw', 'sweep.csv')).map((row) => row.gpus)).toEqual(['3', '4']);
  });
});

describe('sweep on an LLM file', () => {
  it('runs the grid in the worker pool: one row per point, the request-level columns then the LLM ones; a point equals `run --set`', () => {
    const { dir, f } = tiny();
    const out = join(dir, 'sw');
    const r = cli(['sweep', f, '--vary', 'llm.replicas=1,2', '--vary', 'llm.gpu=a100-80gb,h100-80gb', '--vary', 'llm.tensorParallel=1,2', '--seeds', '1', '--workers', '2', '--out', out, '-q']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const rows = csv(join(out, 'sweep.csv'));
    expect(rows).toHaveLength(8);
    const cols = Object.keys(rows[0]!);
    expect(cols.slice(0, 4)).toEqual(['llm.replicas', 'llm.gpu', 'llm.tensorParallel', 'p99Ms']);
    for (const c of ['attainment', 'sloMet', 'costUsd', 'monthlyUsd', 'ttftP99Ms', 'tpotP99Ms', 'slo.tpot.p99Met', 'goodputRps', 'gpus', 'costPerMillionTokens']) expect(cols).toContain(c);
    expect(cols.indexOf('ttftP99Ms')).toBeGreaterThan(cols.indexOf('sloFailedBy'));
    expect(rows.map((x) => x.sloMet)).toEqual(['false', 'false', 'false', 'false', 'true', 'true', 'true', 'true']);
    // the cheapest point meeting the SLO: 2 replicas of 1 A100 (the step time is the same on every GPU here)
    expect(r.stdout).toMatch(/★ cheapest point meeting the SLO: llm\.replicas=2 llm\.gpu=a100-80gb llm\.tensorParallel=1/);
    const doc = json(join(out, 'sweep.json')) as { points: { runs: Record<string, unknown>[] }[] };
    const one = join(dir, 'one');
    expect(cli(['run', f, '--set', 'llm.replicas=2', '--set', 'llm.gpu=h100-80gb', '--set', 'llm.tensorParallel=2', '--out', one, '-q']).status).toBe(0);
    expect(comparable(doc.points[7]!.runs[0]!)).toEqual(comparable(json(join(one, 'summary.json'))));
    expect(rows[7]!.gpus).toBe('4');
  });

  it("report.html names the LLM SLO targets and draws the E2E p99 target on the p99 chart (its p99 is E2E's)", () => {
    const { dir, f } = tiny();
    expect(cli(['sweep', f, '--vary', 'llm.replicas=1,2', '--seeds', '1', '--out', join(dir, 'a'), '-q']).status).toBe(0);
    const a = readFileSync(join(dir, 'a', 'report.html'), 'utf8');
    expect(a).toContain('SLO TPOT p99 ≤ 60 ms');
    expect(a).not.toContain('SLO p99 '); // no E2E target: no line on the E2E p99 chart
    expect(cli(['sweep', f, '--vary', 'llm.replicas=1,2', '--seeds', '1', '--set', 'slo={tpot: {p99: 60ms}, e2e: {p99: 2s}}', '--out', join(dir, 'b'), '-q']).status).toBe(0);
    const b = readFileSync(join(dir, 'b', 'report.html'), 'utf8');
    expect(b).toContain('SLO TPOT p99 ≤ 60 ms, E2E p99 ≤ 2000 ms');
    expect(b).toContain('SLO p99 2000 ms');
  });

  it('an unknown --vary path is an error naming the field (exit 2, nothing run)', () => {
    const { dir, f } = tiny();
    const r = cli(['sweep', f, '--vary', 'llm.replicaz=1,2', '--out', join(dir, 'out')]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^error: ${f}: llm\\.replicaz: unknown field \\(expected one of: model, gpu, tensorParallel, replicas,`));
    const g = cli(['sweep', f, '--vary', 'fleet.replicas=1,2', '--out', join(dir, 'out')]);
    expect(g.status).toBe(2);
    expect(g.stderr).toMatch(new RegExp(`^error: ${f}: fleet: unknown field`));
  });
});

describe('plan on an LLM file', () => {
  it('finds the cheapest configuration meeting every SLO: the smallest llm.replicas per GPU × TP, then the cheapest', () => {
    const { dir, f } = tiny();
    const out = join(dir, 'plan');
    const r = cli(['plan', f, '--vary', 'llm.gpu=h100-80gb,a100-80gb', '--vary', 'llm.tensorParallel=1,2', '--range', '1..8', '--seeds', '1', '--format', 'json', '--out', out, '-q']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { path: string; value: number; configuration: Record<string, unknown>; summary: { cost: { monthlyUsd: number }; llm: { tpotMs: { p99: number } } }; configurations: { values: Record<string, unknown>; value: number; monthlyUsd: number }[] };
    expect(doc.path).toBe('llm.replicas');
    expect(doc.value).toBe(2);
    expect(doc.configuration).toEqual({ 'llm.gpu': 'a100-80gb', 'llm.tensorParallel': 1 });
    // every configuration needs 2 replicas (the step time does not depend on the GPU here): the cheapest GPU-hours win
    expect(doc.configurations.map((c) => c.value)).toEqual([2, 2, 2, 2]);
    const cheapest = Math.min(...doc.configurations.map((c) => c.monthlyUsd));
    expect(doc.summary.cost.monthlyUsd).toBe(cheapest);
    expect(doc.summary.llm.tpotMs.p99).toBeLessThanOrEqual(60);
    const saved = json(join(out, 'plan.json')) as { configurations: { probes: { value: number; met: boolean }[] }[] };
    expect(saved.configurations[0]!.probes).toEqual([{ value: 1, met: false }, { value: 2, met: true }]);
    // the table: the answer line names the configuration and the value
    const t = cli(['plan', f, '--vary', 'llm.gpu=h100-80gb,a100-80gb', '--range', '1..8', '--seeds', '1', '--out', join(dir, 'plan2'), '-q']);
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/answer: llm\.gpu=a100-80gb llm\.replicas=2 — \$[\d,.]+\/month/);
  });

  it('--headroom k (N+k) counts llm.replicas: sweep stars the point whose k-smaller neighbour meets too, plan answers the smallest meeting + k', () => {
    const { dir, f } = tiny();
    const sw = cli(['sweep', f, '--vary', 'llm.replicas=1..3', '--headroom', '1', '--seeds', '1', '--out', join(dir, 'sw'), '-q']);
    expect(sw.status).toBe(0);
    expect(sw.stdout).toMatch(/★ cheapest point meeting the SLO with 1 replica\(s\) lost \(N\+1\): llm\.replicas=3 /);
    const pl = cli(['plan', f, '--headroom', '1', '--range', '1..8', '--seeds', '1', '--format', 'json', '--out', join(dir, 'pl'), '-q']);
    expect(pl.status).toBe(0);
    const doc = JSON.parse(pl.stdout) as { value: number; headroom: unknown; summary: { replicas: { mean: number } } };
    expect(doc).toMatchObject({ value: 3, headroom: { replicasLost: 1, minimumMeeting: 2 } });
    expect(doc.summary.replicas.mean).toBe(3);
    const bad = cli(['sweep', f, '--vary', 'llm.tensorParallel=1,2', '--headroom', '1', '--out', join(dir, 'bad')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/needs --vary llm\.replicas=…/);
  });

  it('--vary on a request-level file is refused (exit 2)', () => {
    const r = cli(['plan', W1_YAML, '--vary', 'fleet.gpu=l4,a100-80gb']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: plan: --vary sizes each configuration of an LLM scenario/);
  });
});

describe('the lesson scenarios/llm-chat-azure.yaml', () => {
  const lesson = join(ROOT, 'scenarios', 'llm-chat-azure.yaml');

  it('compare runs its base and variants (the README table, shortened here to 1 minute)', () => {
    const dir = tmp();
    const r = cli(['compare', lesson, '--set', 'duration=1m', '--set', 'warmup=10s', '--out', join(dir, 'out'), '-q', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const variants = (JSON.parse(r.stdout) as { variant: string; llm: unknown }[]).map((s) => s.variant);
    expect(variants).toHaveLength(15);
    expect(variants[0]).toBe('base');
    const rows = csv(join(dir, 'out', 'compare.csv'));
    expect(rows.map((x) => x.variant)).toEqual(variants);
  });

  it('every --variant the README and the file name is one of its variants', () => {
    const names = new Set(['base', ...[...readFileSync(lesson, 'utf8').matchAll(/^ {2}([\w-]+): \{ llm:/gm)].map((m) => m[1]!)]);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8') + readFileSync(lesson, 'utf8');
    const used = [...readme.matchAll(/llm-chat-azure\.yaml --variant ([\w-]+)/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThanOrEqual(3);
    for (const v of used) expect(names).toContain(v);
  });
});
