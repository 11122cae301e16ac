/**
 * A several-model scenario's validation: every error of the models list and `sharing`, each with
 * its code, path and message; the MIG layouts NVIDIA documents accepted in a scenario, invalid
 * ones rejected with the catalog's reason; and the books of every sharing mode balance (arrived =
 * completed + rejected + timedOut + inFlightAtEnd, per model and for the run).
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run.js';
import { loadScenario } from '../../src/scenario/load.js';
import { pathText, ScenarioError, type IssueCode } from '../../src/scenario/issues.js';
import type { Scenario } from '../../src/config/scenario.js';
import type { Summary } from '../../src/metrics/summary.js';

const BASE = 'name: v\nduration: 10m\n';

function load(text: string): Scenario {
  return loadScenario(BASE + text, { file: 's.yaml', baseDir: '.' });
}

/** What loading `text` throws, each issue as [code, path as the CLI prints it, message]. */
function issues(text: string): [IssueCode, string, string][] {
  try {
    load(text);
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues.map((i) => [i.code, pathText(i.path), i.message]);
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

/** A model entry in flow style: `extra` is more fields (", fleet: { … }"). */
const model = (name: string, extra = ''): string => `  - { name: ${name}, traffic: { rate: 10 }, model: { latency: { 1: 10ms } }${extra} }\n`;
const TWO = `models:\n${model('a')}${model('b')}`;

describe('the models list and its sharing: errors', () => {
  const cases: [string, string, [IssueCode, string, string][]][] = [
    ['an empty list', 'models: []\n', [['too_small', 'models', 'must list at least one model']]],
    ['a name used twice', `models:\n${model('a')}${model('a')}`, [['cross_field', 'models.1.name', 'model name "a" is used twice; each model needs its own name']]],
    ['top-level traffic', `traffic: { rate: 5 }\n${TWO}`, [['unsupported', 'traffic', 'with a models list each model has its own traffic: move it into models[].traffic']]],
    ['top-level model', `model: { latency: { 1: 5ms } }\n${TWO}`, [['unsupported', 'model', 'with a models list each model has its own model: move it into models[].model']]],
    [
      'top-level autoscaler',
      `autoscaler: { kind: schedule, schedule: [ { at: 0s, replicas: 1 } ] }\n${TWO}`,
      [['unsupported', 'autoscaler', 'with a models list each model has its own autoscaler: move it into models[].autoscaler']],
    ],
    ['top-level cache', `cache: { capacity: 100 }\n${TWO}`, [['unsupported', 'cache', 'with a models list each model has its own cache: move it into models[].cache']]],
    [
      'regions',
      `regions:\n  - { name: x, share: 1 }\n${TWO}`,
      [['unsupported', 'regions', 'regions cannot be combined with a models list (several models run in one place; regions and shards split one model)']],
    ],
    [
      'shards',
      `shards: { count: 2 }\n${TWO}`,
      [['unsupported', 'shards', 'shards cannot be combined with a models list (several models run in one place; regions and shards split one model)']],
    ],
    [
      'sharing without models',
      'traffic: { rate: 5 }\nmodel: { latency: { 1: 5ms } }\nsharing: { mode: shared, gpu: l4 }\n',
      [['cross_field', 'sharing', 'sharing says how several models share GPUs: it needs a models list']],
    ],
    [
      'mode mig without gpu and layout',
      `sharing: { mode: mig }\n${TWO}`,
      [
        ['required', 'sharing.gpu', 'required with sharing.mode mig: the GPU type the models share (a catalog id, e.g. a100-80gb)'],
        ['required', 'sharing.layout', 'required with sharing.mode mig: the MIG slices of each GPU, e.g. "3g.40gb+2g.20gb+1g.10gb+1g.10gb"'],
      ],
    ],
    [
      'mode mig without layout',
      `sharing: { mode: mig, gpu: a100-80gb }\n${TWO}`,
      [['required', 'sharing.layout', 'required with sharing.mode mig: the MIG slices of each GPU, e.g. "3g.40gb+2g.20gb+1g.10gb+1g.10gb"']],
    ],
    [
      'mode shared without gpu',
      `sharing: { mode: shared }\n${TWO}`,
      [['required', 'sharing.gpu', 'required with sharing.mode shared: the GPU type the models share (a catalog id, e.g. a100-80gb)']],
    ],
    [
      'an unknown GPU',
      `sharing: { mode: shared, gpu: zz }\n${TWO}`,
      [['unknown_reference', 'sharing.gpu', 'unknown GPU "zz" (known: t4, a10g, l4, l40s, a100-40gb, a100-80gb, h100-80gb, h200)']],
    ],
    ['gpu with mode dedicated', `sharing: { mode: dedicated, gpu: l4 }\n${TWO}`, [['cross_field', 'sharing.gpu', 'gpu does not apply to sharing.mode dedicated']]],
    ['overlap with mode mig', `sharing: { mode: mig, gpu: a100-80gb, layout: "7g.80gb", overlap: 0.5 }\nmodels:\n${model('a', ', fleet: { mig: 7g.80gb }')}`, [['cross_field', 'sharing.overlap', 'overlap does not apply to sharing.mode mig']]],
    ['layout with mode shared', `sharing: { mode: shared, gpu: l4, layout: "7g.80gb" }\n${TWO}`, [['cross_field', 'sharing.layout', 'layout does not apply to sharing.mode shared']]],
    [
      'a layout that does not fit (the catalog says which slice and why, once)',
      `sharing: { mode: mig, gpu: a100-80gb, layout: "3g.40gb+3g.40gb+1g.10gb" }\nmodels:\n${model('a', ', fleet: { mig: 3g.40gb }')}`,
      [
        [
          'cross_field',
          'sharing.layout',
          '2 × 3g.40gb + 1 × 1g.10gb do not fit on one a100-80gb: the 1g.10gb has no free placement: 1g.10gb starts at slot 0, 1, 2, 3, 4, 5 or 6 (1 memory slot of 8), all taken by the first 3g.40gb (slots 0–3) and the second 3g.40gb (slots 4–7); no other arrangement of the slices leaves one free',
        ],
      ],
    ],
    [
      "a model's fleet.mig not in the layout",
      `sharing: { mode: mig, gpu: a100-80gb, layout: "3g.40gb+3g.40gb" }\nmodels:\n${model('a', ', fleet: { mig: 2g.20gb }')}`,
      [['cross_field', 'models.0.fleet.mig', "MIG profile 2g.20gb is not a slice of sharing.layout (3g.40gb+3g.40gb): the model's pods could never be placed"]],
    ],
    [
      'mode mig, a model without fleet.mig',
      `sharing: { mode: mig, gpu: a100-80gb, layout: "3g.40gb+3g.40gb" }\nmodels:\n${model('a')}`,
      [['required', 'models.0.fleet.mig', "required: the MIG profile this model's pods request (fleet.mig, or sharing.profiles.<model>), one of sharing.layout's slices"]],
    ],
    [
      "a model's fleet.gpu is not sharing.gpu",
      `sharing: { mode: shared, gpu: l4 }\nmodels:\n${model('a', ', fleet: { gpu: a100-80gb }')}`,
      [['cross_field', 'models.0.fleet.gpu', 'fleet.gpu is a100-80gb, but with sharing.mode shared every model runs on sharing.gpu (l4): leave it out']],
    ],
    [
      "mode mig, a model's fleet.gpu is another GPU",
      `sharing: { mode: mig, gpu: a100-80gb, layout: "7g.80gb" }\nmodels:\n${model('a', ', fleet: { gpu: h100-80gb, mig: 7g.80gb }')}`,
      [['cross_field', 'models.0.fleet.gpu', 'fleet.gpu is h100-80gb, but with sharing.mode mig every model runs on sharing.gpu (a100-80gb): leave it out']],
    ],
    [
      'mode shared, a model with its own replicas',
      `sharing: { mode: shared, gpu: l4 }\nmodels:\n${model('a', ', fleet: { replicas: 2 }')}`,
      [['unsupported', 'models.0.fleet.replicas', 'fleet.replicas is set by sharing (mode shared, scaling unit: one replica of every model on each of sharing.gpus GPUs): leave it out, or set sharing.scaling: per-model']],
    ],
    [
      'mode shared, a model with its own warm pool',
      `sharing: { mode: shared, gpu: l4 }\nmodels:\n${model('a', ', fleet: { warmPool: 1 }')}`,
      [['unsupported', 'models.0.fleet.warmPool', 'fleet.warmPool is set by sharing (mode shared, scaling unit: one replica of every model on each of sharing.gpus GPUs): leave it out, or set sharing.scaling: per-model']],
    ],
    [
      'replica-crash in mode shared',
      `sharing: { mode: shared, gpu: l4 }\nevents:\n  - { at: 1m, kind: replica-crash }\n${TWO}`,
      [['unsupported', 'events.0.kind', 'replica-crash is not simulated with sharing.mode shared (a crash takes a whole GPU and every model on it); use mode dedicated or mig']],
    ],
    ["a model's own field, under models.<i>", `models:\n${model('a')}  - { name: b, traffic: { rate: -3 }, model: { latency: { 1: 10ms } } }\n`, [['too_small', 'models.1.traffic.rate', 'must be > 0 (got -3)']]],
    [
      "a model's own fleet field, under models.<i>",
      `models:\n${model('a', ', fleet: { batching: { maxBatch: 0 } }')}`,
      [['too_small', 'models.0.fleet.batching.maxBatch', 'must be a positive integer (got 0)']],
    ],
    [
      'a model without a latency',
      'models:\n  - { name: a, traffic: { rate: 1 } }\n',
      [['required', 'models.0.model.latency', 'required: a batch-size → latency table, or model.profile with fleet.gpu']],
    ],
  ];

  for (const [what, text, expected] of cases) {
    it(what, () => expect(issues(text)).toEqual(expected));
  }
});

describe('MIG layouts in a scenario', () => {
  /** Layouts NVIDIA documents (the MIG user guide's configurations and mig-parted's defaults; see test/catalog/mig-layouts.test.ts), per GPU. */
  const documented: Record<string, string[]> = {
    'a100-40gb': ['7g.40gb', '4g.20gb+3g.20gb', '3g.20gb+3g.20gb', '3g.20gb+2g.10gb+2x1g.5gb', '2x2g.10gb+3g.20gb', '3x2g.10gb+1g.5gb', '7x1g.5gb', '4x1g.10gb', '1g.5gb+me+6x1g.5gb'],
    'a100-80gb': ['7g.80gb', '4g.40gb+3g.40gb', '3g.40gb+3g.40gb', '3g.40gb+2g.20gb+1g.10gb+1g.10gb', '4g.40gb+2g.20gb+1g.10gb', '3x2g.20gb+1g.10gb', '7x1g.10gb', '4x1g.20gb', '1g.20gb+2g.20gb+2g.20gb+1g.10gb'],
    'h100-80gb': ['7g.80gb', '4g.40gb+3g.40gb', '3g.40gb+3g.40gb', '3g.40gb+2g.20gb+1g.10gb+1g.10gb', '3x2g.20gb+1g.10gb', '7x1g.10gb', '4x1g.20gb', '1g.10gb+me+6x1g.10gb'],
  };
  for (const [gpu, layouts] of Object.entries(documented)) {
    it(`${gpu}: ${layouts.length} documented layouts accepted, each model on a slice of it`, () => {
      for (const layout of layouts) {
        const first = layout.split('+')[0]!.replace(/^\d+x/, '');
        const sc = load(`sharing: { mode: mig, gpu: ${gpu}, layout: "${layout}" }\nmodels:\n${model('a', `, fleet: { mig: ${first} }`)}`);
        const topo = sc.topology;
        if (topo?.kind !== 'models' || topo.sharing.mode !== 'mig') throw new Error('expected a models topology in mode mig');
        expect(topo.sharing.gpu).toBe(gpu);
        expect(topo.sharing.layout.length).toBeGreaterThan(0);
        // compute shares: k/7 per slice, at most 7/7 in all
        expect(topo.sharing.shares.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-12);
        expect(topo.models[0]!.fleet.mig).toBe(first);
        expect(topo.models[0]!.fleet.gpu).toBe(gpu);
      }
    });
  }

  // [gpu, layout, the model's fleet.mig (a slice the GPU has, so the layout's is the only problem), reason]
  const invalid: [string, string, string, RegExp][] = [
    ['a100-80gb', '4g.40gb+4g.40gb', '4g.40gb', /^2 × 4g.40gb do not fit on one a100-80gb: at most 1 × 4g.40gb per GPU, the layout has 2$/],
    ['a100-80gb', '8x1g.10gb', '1g.10gb', /^8 × 1g.10gb do not fit on one a100-80gb: at most 7 × 1g.10gb per GPU, the layout has 8$/],
    ['a100-80gb', '7g.80gb+1g.10gb', '7g.80gb', /^1 × 7g.80gb \+ 1 × 1g.10gb do not fit on one a100-80gb: they need 8 compute slices \(7 \+ 1\), a GPU has 7$/],
    ['a100-80gb', '4g.40gb+3g.40gb+1g.10gb', '4g.40gb', /they need 8 compute slices \(4 \+ 3 \+ 1\), a GPU has 7$/],
    ['a100-80gb', '2x1g.10gb+me', '1g.10gb+me', /^2 × 1g.10gb\+me do not fit on one a100-80gb: at most 1 × 1g.10gb\+me per GPU, the layout has 2$/],
    ['a100-80gb', '3g.20gb', '3g.40gb', /^a100-80gb has no MIG profile "3g.20gb"; .*\("3g.20gb" is a MIG profile of a100-40gb\)$/],
    ['h100-80gb', '3g.40gb+3g.40gb+1g.10gb', '3g.40gb', /the 1g.10gb has no free placement/],
    ['a100-40gb', '4g.20gb+2g.10gb+2g.10gb', '4g.20gb', /do not fit on one a100-40gb/],
  ];
  it(`${invalid.length} invalid layouts rejected at sharing.layout with the reason, and nothing else`, () => {
    for (const [gpu, layout, mig, reason] of invalid) {
      const got = issues(`sharing: { mode: mig, gpu: ${gpu}, layout: "${layout}" }\nmodels:\n${model('a', `, fleet: { mig: ${mig} }`)}`);
      expect(got, `${gpu} ${layout}`).toHaveLength(1);
      expect(got[0]![0]).toBe('cross_field');
      expect(got[0]![1]).toBe('sharing.layout');
      expect(got[0]![2]).toMatch(reason);
    }
  });

  it('a GPU without MIG: the layout is rejected, and the model’s own fleet.mig too', () => {
    expect(issues(`sharing: { mode: mig, gpu: l4, layout: "1g.10gb" }\nmodels:\n${model('a', ', fleet: { mig: 1g.10gb }')}`)).toEqual([
      ['cross_field', 'sharing.layout', 'GPU "l4" has no MIG profiles (MIG exists on a100-40gb, a100-80gb, h100-80gb, h200)'],
      ['unknown_reference', 'models.0.fleet.mig', 'l4 does not support MIG (got "1g.10gb")'],
    ]);
  });
});

describe('the books balance in every mode: arrived = completed + rejected + timedOut + inFlightAtEnd', () => {
  // two models, one overloaded (rejections at a short queue, timeouts), stopped mid-flight
  const modes: [string, string, string][] = [
    ['dedicated', '{ mode: dedicated }', ''],
    ['mig', '{ mode: mig, gpu: a100-80gb, layout: "3g.40gb+2g.20gb+1g.10gb+1g.10gb" }', 'mig: 1g.10gb'],
    ['shared, overlap 0', '{ mode: shared, gpu: l4, gpus: 2 }', ''],
    ['shared, overlap 0.5', '{ mode: shared, gpu: l4, overlap: 0.5 }', ''],
  ];
  for (const [name, sharing, mig] of modes) {
    it(name, () => {
      const s: Summary = simulate(
        loadScenario(
          `name: books
seed: 5
duration: 2m
warmup: 10s
report: { interval: 10s }
fleet: { batching: { maxBatch: 4, maxQueueDelay: 2ms }, queue: { maxDepth: 20, timeout: 150ms } }
sharing: ${sharing}
models:
  - name: a
    traffic: { rate: 200 }
    model: { latency: { 1: 4ms, 4: 10ms }, variability: { dist: exponential } }
    fleet: { ${mig} }
  - name: b
    traffic: { rate: [ { at: 0s, rps: 100 }, { at: 60s, rps: 1500 } ] }
    model: { latency: { 1: 4ms, 4: 10ms }, variability: { dist: exponential } }
    fleet: { ${mig} }
`,
          { file: 'b.yaml', baseDir: '.' },
        ),
      ).summary;
      const balance = (r: Summary['requests']): number => r.completed + r.rejected + r.timedOut + r.inFlightAtEnd;
      for (const m of s.models!) expect(balance(m.requests), m.name).toBe(m.requests.arrived);
      expect(balance(s.requests)).toBe(s.requests.arrived);
      for (const k of ['arrived', 'completed', 'rejected', 'timedOut', 'inFlightAtEnd'] as const) {
        expect(s.requests[k]).toBe(s.models![0]!.requests[k] + s.models![1]!.requests[k]);
      }
      // b's overload shows in its own books (queue full, timeouts)
      expect(s.models![1]!.requests.rejected + s.models![1]!.requests.timedOut).toBeGreaterThan(0);
    });
  }
});
