/**
 * Several models in one scenario, as a user runs them (#16): compare across sharing modes, sweep over the MIG
 * layout and the sharing block, a trace per model, and the timeline-<model>.csv names. Content, not timing.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'infersim-models-'));
const csv = (path: string): Record<string, string>[] => {
  const [head, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  const cols = head!.split(',');
  // the cells these tests read hold no comma (the JSON cells of a sharing={…} axis come first and are skipped by name)
  return rows.map((r) => Object.fromEntries(r.split(',').map((c, i) => [cols[i] ?? `extra${i}`, c])));
};

/** Two models (BERT-base, ResNet-50) with their own SLOs; variants: an L4 each, one A100-80GB cut by MIG, one A100-80GB shared. */
const TWO_MODELS = `name: two-models
duration: 40s
warmup: 10s
fleet: { gpu: l4, batching: { maxBatch: 8, maxQueueDelay: 2ms } }
models:
  - &bert
    name: bert
    traffic: { rate: 60 }
    model: { profile: bert-base-seq128 }
    slo: { p99: 20ms }
  - &resnet
    name: resnet
    traffic: { rate: 40 }
    model: { profile: resnet50 }
    slo: { p99: 10ms }
variants:
  dedicated: {}
  mig:
    fleet: { gpu: a100-80gb }
    sharing: { mode: mig, gpu: a100-80gb, layout: "3g.40gb+2g.20gb+1g.10gb+1g.10gb" }
    models:
      - { <<: *bert, fleet: { mig: 3g.40gb } }
      - { <<: *resnet, fleet: { mig: 2g.20gb } }
  shared:
    fleet: { gpu: a100-80gb }
    sharing: { mode: shared, gpu: a100-80gb, gpus: 1, overlap: 0.3 }
`;

describe('compare of several-model runs', () => {
  it('runs the same models and arrivals under dedicated, mig and shared; compare.csv adds per-model p99 and SLO, GPUs billed and idle cost after the usual columns', () => {
    const dir = tmp();
    const f = join(dir, 'two.yaml');
    writeFileSync(f, TWO_MODELS);
    const out = join(dir, 'out');
    const r = cli(['compare', f, '--out', out, '--no-report']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const head = readFileSync(join(out, 'compare.csv'), 'utf8').split('\n')[0]!;
    // the single-model columns first and unchanged, then the models' own
    expect(head).toBe(
      'variant,scenario,seed,p50Ms,p99Ms,meanMs,attainment,sloMet,sloFailedBy,errorRate,utilization,meanBatchSize,replicasMean,replicasMax,coldStarts,cacheHitRate,costUsd,monthlyUsd,recoveryS,' +
        'model.bert.p99Ms,model.bert.sloMet,model.resnet.p99Ms,model.resnet.sloMet,gpusBilled,idleMonthlyUsd,unchargedMonthlyUsd',
    );
    const rows = csv(join(out, 'compare.csv'));
    expect(rows.map((x) => x.variant)).toEqual(['base', 'dedicated', 'mig', 'shared']);
    const by = Object.fromEntries(rows.map((x) => [x.variant!, x]));
    // the same arrivals in every variant: each model's stream is its own
    const arrived = (v: string, m: string): number => (JSON.parse(readFileSync(join(out, v, 'summary.json'), 'utf8')) as { models: { name: string; requests: { arrived: number } }[] }).models.find((x) => x.name === m)!.requests.arrived;
    for (const m of ['bert', 'resnet']) expect(new Set(['dedicated', 'mig', 'shared'].map((v) => arrived(v, m))).size).toBe(1);
    // dedicated: one L4 per model; mig and shared: one A100-80GB
    expect(Number(by.dedicated!.gpusBilled)).toBe(2);
    expect(Number(by.mig!.gpusBilled)).toBe(1);
    expect(Number(by.shared!.gpusBilled)).toBe(1);
    for (const v of ['dedicated', 'mig', 'shared']) {
      const row = by[v]!;
      const s = JSON.parse(readFileSync(join(out, v, 'summary.json'), 'utf8')) as { models: { name: string; latencyMs: { p99: number }; slo: { met: boolean } }[]; cost: { totalUsd: number; monthlyUsd: number; idleGpuUsd: number }; sharing: { idleUsd: number } };
      for (const m of s.models) {
        expect(Number(row[`model.${m.name}.p99Ms`])).toBeCloseTo(m.latencyMs.p99, 5);
        expect(row[`model.${m.name}.sloMet`]).toBe(String(m.slo.met));
      }
      // the monthly projection of the idle GPU time and of the time no model is charged for, at the run's rate
      expect(Number(row.idleMonthlyUsd)).toBeCloseTo((s.cost.idleGpuUsd / s.cost.totalUsd) * s.cost.monthlyUsd, 4);
      expect(Number(row.unchargedMonthlyUsd)).toBeCloseTo((s.sharing.idleUsd / s.cost.totalUsd) * s.cost.monthlyUsd, 4);
    }
    // dedicated GPUs are charged to their models whole; MIG's free slices and the shared GPU's idle time are not
    expect(Number(by.dedicated!.unchargedMonthlyUsd)).toBe(0);
    expect(Number(by.mig!.unchargedMonthlyUsd)).toBeGreaterThan(0);
    // the table leads with each model's p99 and verdict, the GPUs and the costs
    const table = r.stdout.split('\n');
    const header = table.find((l) => l.includes('bert p99 ms / SLO'))!;
    expect(header).toMatch(/variant\s+bert p99 ms \/ SLO\s+resnet p99 ms \/ SLO\s+SLO\s+errors\s+GPUs\s+GPU util/);
    expect(table.find((l) => /^\s+mig\s/.test(l))).toMatch(/^\s+mig\s+[\d.]+ (met|MISSED)\s/);
    expect(r.stdout).toContain('idle $/month');
    // timelines per model in every variant
    for (const v of ['dedicated', 'mig', 'shared']) for (const m of ['bert', 'resnet']) expect(existsSync(join(out, v, `timeline-${m}.csv`))).toBe(true);
  });
});

/** The MIG variant alone, for sweeps. */
const MIG = `name: mig-sweep
duration: 30s
warmup: 5s
fleet: { gpu: a100-80gb, batching: { maxBatch: 8, maxQueueDelay: 2ms } }
sharing: { mode: mig, gpu: a100-80gb, layout: "3g.40gb+2g.20gb+1g.10gb+1g.10gb" }
models:
  - name: bert
    traffic: { rate: 60 }
    model: { profile: bert-base-seq128 }
    fleet: { mig: 3g.40gb }
    slo: { p99: 20ms }
  - name: resnet
    traffic: { rate: 40 }
    model: { profile: resnet50 }
    fleet: { mig: 1g.10gb }
    slo: { p99: 1ms }
`;

describe('sweep and plan over several-model runs', () => {
  it('varies sharing.layout (values with + and ., split at commas) and shows each model\'s SLO: the run meets it only when every model does', () => {
    const dir = tmp();
    const f = join(dir, 'mig.yaml');
    writeFileSync(f, MIG);
    const out = join(dir, 'out');
    const r = cli(['sweep', f, '--vary', 'sharing.layout=3g.40gb+2g.20gb+1g.10gb+1g.10gb,3g.40gb+1g.10gb+1g.10gb+1g.10gb+1g.10gb', '--vary', 'models.1.slo.p99=1ms,50ms', '--out', out, '--no-report', '--workers', '1']);
    expect(r.stderr).toContain('sweep: 4 point(s)');
    expect(r.status).toBe(0);
    const rows = csv(join(out, 'sweep.csv'));
    expect(rows.map((x) => x['sharing.layout'])).toEqual([
      '3g.40gb+2g.20gb+1g.10gb+1g.10gb',
      '3g.40gb+2g.20gb+1g.10gb+1g.10gb',
      '3g.40gb+1g.10gb+1g.10gb+1g.10gb+1g.10gb',
      '3g.40gb+1g.10gb+1g.10gb+1g.10gb+1g.10gb',
    ]);
    for (const x of rows) {
      // resnet on a 1g.10gb slice cannot answer in 1 ms; bert meets its 20 ms
      expect(x['model.bert.sloMet']).toBe('true');
      expect(x['model.resnet.sloMet']).toBe(x['models.1.slo.p99'] === '50ms' ? 'true' : 'false');
      expect(x.sloMet).toBe(x['model.resnet.sloMet']);
      expect(Number(x.gpusBilled)).toBe(1);
      expect(Number(x['model.bert.p99Ms'])).toBeGreaterThan(0);
    }
    expect(r.stdout).toMatch(/bert p99 ms \/ SLO/);
    expect(r.stdout).toContain('★ cheapest point meeting the SLO');
  });

  it('varies the whole sharing block across modes (mappings in braces keep their commas), and plan sizes sharing.gpus on every model\'s SLO', () => {
    const dir = tmp();
    const f = join(dir, 'modes.yaml');
    writeFileSync(
      f,
      MIG.replace(/^sharing: .*\n/m, 'sharing: { mode: dedicated }\n').replace(/\n {4}fleet: \{ mig: [^}]+\}/g, '').replace('p99: 1ms', 'p99: 50ms'),
    );
    const out = join(dir, 'out');
    const r = cli(['sweep', f, '--vary', 'sharing={mode: dedicated},{mode: shared, gpu: a100-80gb, gpus: 1},{mode: shared, gpu: l4, gpus: 2, overlap: 0.5}', '--out', out, '--workers', '1']);
    expect(r.stderr).toContain('sweep: 3 point(s)');
    expect(r.status).toBe(0);
    // report.html: the varied mappings as JSON, the SLO as each model's own
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).not.toContain('[object Object]');
    expect(html).toContain('SLO each model’s own (bert p99 ≤ 20 ms; resnet p99 ≤ 50 ms)');
    expect(html).toContain('{&quot;mode&quot;:&quot;shared&quot;,&quot;gpu&quot;:&quot;l4&quot;,&quot;gpus&quot;:2,&quot;overlap&quot;:0.5}');
    const doc = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { points: { runs: { sharing: { mode: string; gpu: string | null; gpus: { mean: number } } }[] }[] };
    expect(doc.points.map((p) => [p.runs[0]!.sharing.mode, p.runs[0]!.sharing.gpu, p.runs[0]!.sharing.gpus.mean])).toEqual([
      ['dedicated', null, 2],
      ['shared', 'a100-80gb', 1],
      ['shared', 'l4', 2],
    ]);
    const p = cli(['plan', f, '--set', 'sharing={mode: shared, gpu: l4}', '--find', 'sharing.gpus', '--range', '1..3', '--seeds', '1', '--out', join(dir, 'plan'), '--format', 'json']);
    expect(p.status).toBe(0);
    const plan = JSON.parse(p.stdout) as { path: string; value: number | null; summary: { slo: { met: boolean }; models: { slo: { met: boolean } }[] } };
    expect(plan.path).toBe('sharing.gpus');
    expect(plan.value).toBe(1);
    expect(plan.summary.models.every((m) => m.slo.met)).toBe(true);
    // capacity scales the one traffic: several models are refused with the sweep that does it per model
    const c = cli(['capacity', f, '--out', join(dir, 'cap')]);
    expect(c.status).toBe(2);
    expect(c.stderr).toContain(`error: ${f}: models: capacity scales the scenario's traffic, and each model here has its own: sweep a model's rate instead`);
  });
});

describe('a trace per model', () => {
  /** A trace of `n` arrivals, one every `gapS` seconds from `gapS`. */
  const trace = (n: number, gapS: number): string => ['t', ...Array.from({ length: n }, (_, i) => ((i + 1) * gapS).toFixed(4))].join('\n') + '\n';
  const scenario = (b: string): string => `name: traced
duration: 20s
fleet: { gpu: a100-80gb }
sharing: { mode: shared, gpu: a100-80gb, gpus: 1, overlap: 0 }
models:
  - name: a
    traffic: { trace: { file: a.csv, timeColumn: t, timeFormat: epoch-s } }
    model: { profile: bert-base-seq128 }
    slo: { p99: 50ms }
  - name: b
    traffic: { trace: { file: ${b}, timeColumn: t, timeFormat: epoch-s } }
    model: { profile: resnet50 }
    slo: { p99: 50ms }
`;

  it('replays each model\'s own trace file in run, compare and sweep, and checks each before the run', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.csv'), trace(150, 0.1)); // 150 arrivals over 15 s
    writeFileSync(join(dir, 'b.csv'), trace(40, 0.25)); // 40 arrivals over 10 s
    const f = join(dir, 'traced.yaml');
    writeFileSync(f, scenario('b.csv'));
    const out = join(dir, 'out');
    const r = cli(['run', f, '--out', out, '--no-report', '--format', 'json']);
    expect(r.stderr).toContain(`traced: results in ${out}`);
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout) as { models: { name: string; requests: { arrived: number } }[] };
    expect(s.models.map((m) => [m.name, m.requests.arrived])).toEqual([
      ['a', 150],
      ['b', 40],
    ]);
    // a sweep's workers open the traces themselves
    const sw = cli(['sweep', f, '--vary', 'sharing.overlap=0,0.5', '--out', join(dir, 'sw'), '--no-report', '--format', 'json', '--workers', '1']);
    expect(sw.status).toBe(0);
    const doc = JSON.parse(sw.stdout) as { points: { runs: { models: { requests: { arrived: number } }[] }[] }[] };
    for (const p of doc.points) expect(p.runs[0]!.models.map((m) => m.requests.arrived)).toEqual([150, 40]);

    // the second model's trace is checked before anything runs, and named by its path in the scenario
    writeFileSync(f, scenario('missing.csv'));
    const bad = cli(['run', f, '--out', join(dir, 'bad'), '--no-report']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(`error: ${f}: models.1.traffic.trace.file: cannot read ${join(dir, 'missing.csv')} (no such file)\n`);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
    writeFileSync(join(dir, 'broken.csv'), 't\n1\nnot-a-time\n');
    writeFileSync(f, scenario('broken.csv'));
    const broken = cli(['run', f, '--out', join(dir, 'bad'), '--no-report']);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(new RegExp(`^error: ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: models\\.1\\.traffic\\.trace\\.file: `));
  });

  it('refuses two model names that would write the same timeline file', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.csv'), trace(10, 0.1));
    const f = join(dir, 'clash.yaml');
    writeFileSync(f, scenario('a.csv').replace('name: a\n', 'name: x/y\n').replace('name: b\n', 'name: x_y\n'));
    const r = cli(['run', f, '--out', join(dir, 'out'), '--no-report']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`error: ${f}: models.1.name: "x_y" and "x/y" would write the same timeline-x_y.csv: rename one\n`);
  });
});
