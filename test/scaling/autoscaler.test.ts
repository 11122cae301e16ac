/**
 * The autoscaler's bounds (src/scaling/autoscaler.ts): the replica count a run starts from and
 * the range every count stays in, for each kind of autoscaler (scenarios loaded from YAML).
 */
import { describe, expect, it } from 'vitest';
import { initialReplicas } from '../../src/scaling/autoscaler.js';
import { replicaBounds } from '../../src/config/autoscaling.js';
import { loadScenario } from '../../src/scenario/load.js';

const BASE = 'name: a\nduration: 60s\ntraffic: { rate: 10 }\nmodel: { latency: { 1: 5ms } }\n';

describe('initialReplicas and replicaBounds', () => {
  const cases: { name: string; yaml: string; initial: number; bounds: { min: number; max: number } }[] = [
    { name: 'none: the fleet’s count, fixed', yaml: 'fleet: { replicas: 3 }', initial: 3, bounds: { min: 3, max: 3 } },
    { name: 'hpa: the fleet’s count inside [min, max]', yaml: 'fleet: { replicas: 3 }\nautoscaler: { kind: hpa, spec: { minReplicas: 2, maxReplicas: 6 } }', initial: 3, bounds: { min: 2, max: 6 } },
    { name: 'hpa: raised to minReplicas', yaml: 'fleet: { replicas: 1 }\nautoscaler: { kind: hpa, spec: { minReplicas: 2, maxReplicas: 6 } }', initial: 2, bounds: { min: 2, max: 6 } },
    { name: 'hpa: lowered to maxReplicas', yaml: 'fleet: { replicas: 9 }\nautoscaler: { kind: hpa, spec: { minReplicas: 2, maxReplicas: 6 } }', initial: 6, bounds: { min: 2, max: 6 } },
    { name: 'kpa: maxReplicas 0 is unbounded', yaml: 'fleet: { replicas: 4 }\nautoscaler: { kind: kpa, minReplicas: 1, maxReplicas: 0 }', initial: 4, bounds: { min: 1, max: Infinity } },
    { name: 'kpa: clamped to its bounds', yaml: 'fleet: { replicas: 0 }\nautoscaler: { kind: kpa, minReplicas: 2, maxReplicas: 5 }', initial: 2, bounds: { min: 2, max: 5 } },
    {
      name: 'schedule with a first step at 0: that step’s count; bounds over the steps and the fleet',
      yaml: 'fleet: { replicas: 3 }\nautoscaler: { kind: schedule, schedule: [ { at: 0s, replicas: 1 }, { at: 30s, replicas: 5 } ] }',
      initial: 1,
      bounds: { min: 1, max: 5 },
    },
    {
      name: 'schedule starting later: the fleet’s count until then, inside the bounds',
      yaml: 'fleet: { replicas: 7 }\nautoscaler: { kind: schedule, schedule: [ { at: 30s, replicas: 2 } ] }',
      initial: 7,
      bounds: { min: 2, max: 7 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const sc = loadScenario(`${BASE}${c.yaml}\n`, { file: 'a.yaml', baseDir: '/' });
      expect(initialReplicas(sc)).toBe(c.initial);
      expect(replicaBounds(sc.autoscaler, sc.fleet.replicas)).toEqual(c.bounds);
    });
  }
});
