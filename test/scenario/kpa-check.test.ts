/**
 * The KPA configuration is checked where the user wrote it: each field at its own path with
 * Knative's ranges (the schema's, from kpa-check.ts' KNATIVE), and the one rule over several
 * fields (target × targetUtilization ≥ 0.01) at the field the user set. Before, a check inside
 * the runtime (scaling/kpa.ts) reported its internal names ("stableWindowS", "tickS") at
 * `autoscaler`, with ranges of its own.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import { kpaConfigIssues } from '../../src/scenario/kpa-check.js';
import { KNATIVE } from '../../src/config/kpa.js';
import type { IssueCode, ScenarioIssue } from '../../src/scenario/issues.js';

const BASE = 'name: k\nduration: 10m\ntraffic: { rate: 100 }\nmodel: { latency: { 1: 4ms, 32: 12ms } }\nfleet: { coldStart: { modelLoad: 10s } }\n';

function issuesOf(autoscaler: string): ScenarioIssue[] {
  try {
    loadScenario(`${BASE}autoscaler: { kind: kpa, ${autoscaler} }\n`, { file: 's.yaml', baseDir: '/' });
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues;
    throw e;
  }
  return [];
}

const WINDOW = "must be a whole number of seconds from 6s to 3600s (Knative's stable window)";

describe('a KPA autoscaler with a bad field: one issue, at the field, with its code', () => {
  const cases: [autoscaler: string, code: IssueCode, path: (string | number)[], message: string][] = [
    ['target: 0', 'too_small', ['autoscaler', 'target'], 'must be > 0 (got 0)'],
    ['target: .nan', 'invalid_type', ['autoscaler', 'target'], 'must be a number > 0 (got NaN)'],
    ['targetUtilization: 0', 'too_small', ['autoscaler', 'targetUtilization'], 'must be > 0 and ≤ 1 (got 0)'],
    ['targetUtilization: 1.2', 'too_big', ['autoscaler', 'targetUtilization'], 'must be > 0 and ≤ 1 (got 1.2)'],
    [
      'target: 0.01, targetUtilization: 0.5',
      'cross_field',
      ['autoscaler', 'target'],
      "target × targetUtilization must be at least 0.01, Knative's smallest per-pod target (got 0.01 × 0.5 = 0.005)",
    ],
    // only the utilization written: the default target (100) is not the user's to blame
    [
      'targetUtilization: 0.00005',
      'cross_field',
      ['autoscaler', 'targetUtilization'],
      "target × targetUtilization must be at least 0.01, Knative's smallest per-pod target (got 100 × 0.00005 = 0.005)",
    ],
    ['minReplicas: -1', 'too_small', ['autoscaler', 'minReplicas'], 'must be an integer ≥ 0 (got -1)'],
    ['minReplicas: 1.5', 'invalid_type', ['autoscaler', 'minReplicas'], 'must be an integer ≥ 0 (got 1.5)'],
    ['maxReplicas: -2', 'too_small', ['autoscaler', 'maxReplicas'], 'must be an integer ≥ 0 (got -2)'],
    ['minReplicas: 5, maxReplicas: 3', 'cross_field', ['autoscaler', 'maxReplicas'], 'must be ≥ minReplicas (5) or 0 for unbounded (got 3)'],
    ['stableWindow: 5s', 'too_small', ['autoscaler', 'stableWindow'], `${WINDOW} (got "5s")`],
    ['stableWindow: 3601', 'too_big', ['autoscaler', 'stableWindow'], `${WINDOW} (got 3601)`],
    ['stableWindow: 60.5s', 'invalid_type', ['autoscaler', 'stableWindow'], `${WINDOW} (got "60.5s")`],
    ['panicWindowPercentage: 0.5', 'too_small', ['autoscaler', 'panicWindowPercentage'], 'must be between 1 and 100 (got 0.5)'],
    ['panicThreshold: 100', 'too_small', ['autoscaler', 'panicThreshold'], 'must be between 110 and 1000 (got 100)'],
    ['panicThreshold: 1001', 'too_big', ['autoscaler', 'panicThreshold'], 'must be between 110 and 1000 (got 1001)'],
    ['maxScaleUpRate: 1', 'too_small', ['autoscaler', 'maxScaleUpRate'], 'must be > 1 (got 1)'],
    ['maxScaleDownRate: 0.5', 'too_small', ['autoscaler', 'maxScaleDownRate'], 'must be > 1 (got 0.5)'],
    ['tick: 0', 'too_small', ['autoscaler', 'tick'], 'must be > 0 (got 0)'],
    ['scaleToZeroGracePeriod: 0', 'too_small', ['autoscaler', 'scaleToZeroGracePeriod'], 'must be > 0 (got 0)'],
    ['metric: cpu', 'invalid_enum_value', ['autoscaler', 'metric'], 'must be one of concurrency, rps (got "cpu")'],
  ];
  it.each(cases)('%s', (autoscaler, code, path, message) => {
    expect(issuesOf(autoscaler)).toEqual([{ code, path, message }]);
  });

  it("accepts Knative's defaults, the bounds themselves, and maxReplicas 0 (unbounded) with any minReplicas", () => {
    expect(issuesOf('')).toEqual([]);
    expect(issuesOf('stableWindow: 6s, panicWindowPercentage: 1, panicThreshold: 110, target: 0.02, targetUtilization: 0.5')).toEqual([]);
    expect(issuesOf('stableWindow: 1h, panicWindowPercentage: 100, panicThreshold: 1000')).toEqual([]);
    expect(issuesOf('minReplicas: 7, maxReplicas: 0')).toEqual([]);
  });
});

describe('kpaConfigIssues', () => {
  it('passes a per-pod target of exactly the minimum, and blames target when both were written', () => {
    expect(kpaConfigIssues({}, { target: KNATIVE.targetMin, targetUtilization: 1 })).toEqual([]);
    expect(kpaConfigIssues({ target: 1, targetUtilization: 0.001 }, { target: 1, targetUtilization: 0.001 }).map((i) => [i.code, i.path])).toEqual([
      ['cross_field', ['autoscaler', 'target']],
    ]);
  });
});
