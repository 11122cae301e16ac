/** The regions, topology, failover and shards sections: defaults, and every problem named with its path and message. */
import { describe, expect, it } from 'vitest';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import { pathText, type IssueCode } from '../../src/scenario/issues.js';
import type { RegionsTopology, Scenario } from '../../src/config/scenario.js';

const BASE = `
name: t
duration: 10m
traffic: { rate: 100 }
model: { latency: { 1: 4ms, 32: 12ms } }
fleet: { replicas: 2 }
`;

const TWO = `
regions:
  - name: us-east
    share: 0.6
    rtt: { eu-west: 80ms }
  - name: eu-west
    share: 0.4
    rtt: { us-east: 80ms }
`;

function load(text: string, sets?: string[]): Scenario {
  return loadScenario(BASE + text, { file: 's.yaml', baseDir: '.', ...(sets ? { sets } : {}) });
}

/** What loading `text` throws, each issue as the cases write it: code, path as the CLI prints it, message. */
function issues(text: string): [IssueCode, string, string][] {
  try {
    load(text);
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues.map((i) => [i.code, pathText(i.path), i.message]);
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

describe('resolving regions', () => {
  it('fills the defaults: active-active, nearest, checks 10 s × 3, TTL 60 s, 0.02 $/GB, own RTT 0', () => {
    const t = load(TWO).topology as RegionsTopology;
    expect(t.kind).toBe('regions');
    expect(t.mode).toBe('active-active');
    expect(t.routing).toBe('nearest');
    expect(t.weights).toBeNull();
    expect(t.primary).toBeNull();
    expect(t.standby).toBe('warm');
    expect(t.failover).toEqual({ healthCheckIntervalS: 10, failureThreshold: 3, dnsTtlS: 60 });
    expect(t.interRegionPerGbUsd).toBe(0.02);
    expect(t.regions.map((r) => [r.name, r.share, r.rttS])).toEqual([
      ['us-east', 0.6, [0, 0.08]],
      ['eu-west', 0.4, [0.08, 0]],
    ]);
  });

  it("merges a region's fleet onto the top-level one and replaces the autoscaler; a scenario without regions has no topology", () => {
    const t = load(`
regions:
  - { name: a, share: 0.5, rtt: { b: 10ms }, fleet: { replicas: 5, batching: { maxBatch: 8 } } }
  - { name: b, share: 0.5, rtt: { a: 10ms }, autoscaler: { kind: kpa, target: 4 } }
topology: { kind: active-passive, primary: b, standby: cold, routing: weighted, weights: { a: 2 } }
failover: { dnsTtl: 0s }
cost: { interRegionPerGB: 0.01 }
events: [ { at: 1m, kind: region-outage, region: b } ]
`);
    const topo = t.topology as RegionsTopology;
    expect(topo.regions[0]!.fleet.replicas).toBe(5);
    expect(topo.regions[0]!.fleet.batching.maxBatch).toBe(8);
    expect(topo.regions[0]!.autoscaler.kind).toBe('none');
    expect(topo.regions[1]!.fleet.replicas).toBe(2);
    expect(topo.regions[1]!.autoscaler.kind).toBe('kpa');
    expect(topo).toMatchObject({ mode: 'active-passive', primary: 1, standby: 'cold', weights: [2, 0], interRegionPerGbUsd: 0.01 });
    expect(topo.failover.dnsTtlS).toBe(0);
    expect(t.events).toEqual([{ atS: 60, kind: 'region-outage', region: 'b', forS: Infinity }]);
    expect(load('').topology).toBeUndefined();
  });

  it('resolves shards, and --set reaches into the regions list', () => {
    expect(load('shards: { count: 4, by: tenant, tenants: { count: 200 } }').topology).toEqual({
      kind: 'shards',
      count: 4,
      by: 'tenant',
      tenants: { count: 200, exponent: 1 },
    });
    expect(load('shards: { count: 3 }').topology).toEqual({ kind: 'shards', count: 3, by: 'key-hash', tenants: null });
    const t = load(TWO, ['regions.0.share=0.5', 'regions.1.share=0.5']).topology as RegionsTopology;
    expect(t.regions.map((r) => r.share)).toEqual([0.5, 0.5]);
  });
});

describe('problems, each with its path', () => {
  const cases: [string, string, [IssueCode, string, string][]][] = [
    ['an empty list', 'regions: []', [['too_small', 'regions', 'must list at least one region']]],
    [
      'duplicate names, shares that do not add up, a round trip to nowhere, a missing one',
      `
regions:
  - { name: a, share: 0.5, rtt: { b: 10ms, c: 5ms } }
  - { name: a, share: 0.3 }
  - { name: b, share: 0.1, rtt: { a: 10ms } }
`,
      [
        ['cross_field', 'regions.1.name', 'duplicate region name "a": every region needs its own name'],
        ['cross_field', 'regions', "the regions' shares must sum to 1 (got 0.9)"],
        ['unknown_reference', 'regions.0.rtt.c', 'unknown region "c" (regions: a, b); did you mean "a"?'],
        ['cross_field', 'regions.1.rtt', 'missing the round trip to b (rtt needs every other region; its own defaults to 0)'],
      ],
    ],
    [
      'missing fields and bad values in a region',
      'regions: [ { share: 1.5, rtt: { x: fast } } ]',
      [
        ['required', 'regions.0.name', 'required: a region name (a string)'],
        ['too_big', 'regions.0.share', 'must be between 0 and 1 (got 1.5)'],
        ['invalid_format', 'regions.0.rtt.x', '"fast" is not a duration (use e.g. 250ms, 1.5s, 15m, 2h)'],
      ],
    ],
    [
      'weighted routing without weights; active-passive without a primary',
      `${TWO}topology: { kind: active-passive, routing: weighted }`,
      [
        ['required', 'topology.weights', 'required for routing weighted: a weight per region, e.g. { us-east: 0.5, eu-west: 0.5 }'],
        ['required', 'topology.primary', 'required for kind active-passive: the primary region (a name from regions)'],
      ],
    ],
    [
      'weights for another routing, unknown names in weights and primary',
      `${TWO}topology: { kind: active-passive, weights: { us-west: 1 }, primary: us-wets }`,
      [
        ['cross_field', 'topology.weights', 'weights apply only to routing weighted (routing is nearest)'],
        ['unknown_reference', 'topology.weights.us-west', 'unknown region "us-west" (regions: us-east, eu-west); did you mean "us-east"?'],
        ['unknown_reference', 'topology.primary', 'unknown region "us-wets" (regions: us-east, eu-west)'],
      ],
    ],
    [
      'all-zero weights; primary and standby under active-active; a bad failover',
      `${TWO}topology: { routing: weighted, weights: { us-east: 0 }, primary: us-east, standby: hot }\nfailover: { failureThreshold: 0, dnsTtl: -1s }`,
      [
        ['invalid_enum_value', 'topology.standby', 'must be one of warm, cold (got "hot")'],
        ['too_small', 'failover.failureThreshold', 'must be a positive integer (got 0)'],
        ['too_small', 'failover.dnsTtl', 'must be ≥ 0 (got "-1s")'],
        ['cross_field', 'topology.weights', 'at least one region needs a weight > 0'],
        ['cross_field', 'topology.primary', 'primary applies only to kind active-passive (kind is active-active)'],
      ],
    ],
    [
      'outages of an unknown region, without a region, with a count; region on a crash',
      `${TWO}events:
  - { at: 1m, kind: region-outage, region: us-eats, for: 0s }
  - { at: 2m, kind: region-outage, count: 2 }
  - { at: 3m, kind: replica-crash, region: us-east }`,
      [
        ['too_small', 'events.0.for', 'must be > 0 (got "0s")'],
        ['cross_field', 'events.1.count', 'count applies only to kind replica-crash (kind is region-outage)'],
        ['cross_field', 'events.2.region', 'region applies only to kind region-outage (kind is replica-crash)'],
        ['unknown_reference', 'events.0.region', 'unknown region "us-eats" (regions: us-east, eu-west); did you mean "us-east"?'],
        ['required', 'events.1.region', 'required for kind region-outage: the region that fails (a name from regions)'],
      ],
    ],
    [
      'topology, failover and a region outage without regions',
      'topology: { kind: active-active }\nfailover: {}\nevents: [ { at: 1m, kind: region-outage, region: x } ]',
      [
        ['cross_field', 'topology', 'topology applies only with a regions section'],
        ['cross_field', 'failover', 'failover applies only with a regions section'],
        ['cross_field', 'events.0.kind', 'a region-outage event needs a regions section'],
      ],
    ],
    [
      'regions with shards, and a feature store with either',
      `${TWO}shards: { count: 2 }\nfeatureStore: { serviceTime: 1ms }`,
      [
        ['unsupported', 'shards', 'regions and shards together are not supported yet: shard within one fleet (shards) or spread over regions (regions), not both'],
        ['unsupported', 'featureStore', 'a feature store is not supported with regions or shards yet'],
      ],
    ],
    [
      'shards by tenant without tenants',
      'shards: { count: 0, by: tenant }',
      [
        ['too_small', 'shards.count', 'must be an integer between 1 and 1000 (got 0)'],
        ['required', 'shards.tenants', 'required for by tenant: tenants: { count, exponent }'],
      ],
    ],
    [
      'tenants under key-hash, an unknown way to shard',
      'shards: { count: 2, by: key-hash, tenants: { count: 10 } }',
      [['cross_field', 'shards.tenants', 'tenants applies only to by tenant (by is key-hash)']],
    ],
    ['an unknown way to shard', 'shards: { count: 2, by: random }', [['invalid_enum_value', 'shards.by', 'must be one of key-hash, tenant (got "random")']]],
    ['more shards than fleets a run can hold', 'shards: { count: 5000 }', [['too_big', 'shards.count', 'must be an integer between 1 and 1000 (got 5000)']]],
  ];
  for (const [what, text, expected] of cases) {
    it(what, () => {
      expect(issues(text)).toEqual(expected);
    });
  }

  it("names a region's own fleet and autoscaler problems under the region, after merging", () => {
    expect(
      issues(`
regions:
  - { name: a, share: 0.5, rtt: { b: 1ms }, fleet: { routing: round_robin } }
  - { name: b, share: 0.5, rtt: { a: 1ms }, autoscaler: { kind: kpa, target: 0 } }
`),
    ).toEqual([
      ['invalid_enum_value', 'regions.0.fleet.routing', 'must be one of random, round-robin, least-outstanding, power-of-two, shared-queue (got "round_robin"); did you mean "round-robin"?'],
      ['too_small', 'regions.1.autoscaler.target', 'must be > 0 (got 0)'],
    ]);
    // the catalog and the cross-field rules judge the merged fleet: reported under the region, for each region
    expect(
      issues(`
regions:
  - { name: a, share: 0.5, rtt: { b: 1ms }, fleet: { gpu: l5 } }
  - { name: b, share: 0.5, rtt: { a: 1ms }, autoscaler: { kind: kpa, target: 4, tick: 2s, minReplicas: 3, maxReplicas: 2 } }
`),
    ).toEqual([
      ['unknown_reference', 'regions.0.fleet.gpu', 'unknown GPU "l5" (known: t4, a10g, l4, l40s, a100-40gb, a100-80gb, h100-80gb, h200); did you mean "l4"?'],
      ['cross_field', 'regions.1.autoscaler.maxReplicas', 'must be ≥ minReplicas (3) or 0 for unbounded (got 2)'],
    ]);
    // valid on its own, wrong once merged: a fixed fleet of 0 replicas
    expect(issues(`
regions:
  - { name: a, share: 1, fleet: { replicas: 0 } }
`)).toEqual([['cross_field', 'regions.0.fleet.replicas', 'must be ≥ 1 without an autoscaler (got 0): a fixed fleet of no replicas serves nothing']]);
  });
});
