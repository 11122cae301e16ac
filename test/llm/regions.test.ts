/**
 * Regions for LLM scenarios (src/topology/llm-regions.ts): each region's LLM fleet behind the
 * request-level region router. The failover times are the router's rule, checked by hand:
 * health checks every `healthCheckInterval` from t = interval, a region that fails at t is still
 * answered by the probe at t, `failureThreshold` failures in a row make it unhealthy, and the
 * clients' DNS sees it `dnsTtl` later.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLlmRunScenario, loadLlmRunScenarioVariants, type LlmRunScenario } from '../../src/llm/regions-scenario.js';
import { runLlmFleet, type LlmFleetSpec, type LlmResults } from '../../src/llm/fleet.js';
import { runLlmRegions } from '../../src/topology/llm-regions.js';
import { cli, ROOT } from '../helpers/cli.js';
import { llmProblems } from '../helpers/llm.js';

const head = `
name: t
seed: 5
duration: 10m
llm:
  model: llama-3.1-8b
  gpu: h100-80gb
  replicas: 1
  engine: { maxNumSeqs: 64, maxNumBatchedTokens: 2048, numGpuBlocks: 4000, prefixCaching: false }
  stepTime: { beta0: 8ms, beta1: 0.00005, beta2: 0.0001, beta3: 0.0000001 }
report: { interval: 10s }
`;
const load = (text: string): LlmRunScenario => loadLlmRunScenario(text, { file: 's.yaml', baseDir: ROOT, readFile: (p) => readFileSync(p, 'utf8') });
const errors = (text: string): string[] => llmProblems(() => load(text)).lines;
/** One request (prompt 500, output 20) at t = 5 s, instead of the scenario's traffic. */
const lone = (spec: LlmFleetSpec): LlmFleetSpec => ({ ...spec, arrivals: { kind: 'trace', timesS: Float64Array.of(5), prompt: Int32Array.of(500), output: Int32Array.of(20), loop: false } });
const balanced = (r: LlmResults): void => {
  const q = r.requests;
  expect(q.arrived).toBe(q.completed + q.rejected + q.inFlightAtEnd);
};

describe('LLM regions', () => {
  const twoRegions = (topology: string) => `${head}
traffic: { rate: 1, tokens: { prompt: 500, output: 20 } }
regions:
  - { name: a, share: 1, rtt: { a: 30ms, b: 80ms } }
  - { name: b, share: 0, rtt: { a: 80ms, b: 2ms } }
${topology}
`;

  it('a lone request: its users\' round trip adds exactly to TTFT and E2E, not to TPOT; served away from home, its output tokens pay inter-region transfer', () => {
    const single = runLlmFleet(lone(load(twoRegions('')).spec)).results;
    expect(single.requests.completed).toBe(1);
    // one prefill step alone: TTFT = β0 + β1 · 500 (no overheads with coefficients given)
    expect(single.ttftMs.mean).toBeCloseTo((0.008 + 0.00005 * 500) * 1e3, 9);
    for (const [topology, rttS, foreign] of [
      ['', 0.03, false],
      ['topology: { routing: weighted, weights: { a: 0, b: 1 } }', 0.08, true],
    ] as const) {
      const sc = load(twoRegions(topology));
      const out = runLlmRegions(lone(sc.spec), sc.regions!);
      const r = out.results;
      expect(r.requests.completed).toBe(1);
      expect(r.ttftMs.mean).toBeCloseTo(single.ttftMs.mean + rttS * 1e3, 9);
      expect(r.ttftMs.max).toBeCloseTo(single.ttftMs.max + rttS * 1e3, 9);
      expect(r.e2eMs.mean).toBeCloseTo(single.e2eMs.mean + rttS * 1e3, 9);
      expect(r.tpotMs.mean).toBeCloseTo(single.tpotMs.mean, 9);
      const served = out.regions.find((g) => g.results.requests.completed === 1)!;
      expect(served.name).toBe(foreign ? 'b' : 'a');
      // 20 output tokens × 4 bytes at $0.02 per GB (the defaults)
      expect(out.interRegionUsd).toBeCloseTo(foreign ? (20 * 4 * 0.02) / 1e9 : 0, 20);
    }
  });

  it("an outage moves the region's traffic to the other after the health checks and the DNS TTL, and back after the restore; the books balance", () => {
    const sc = load(`${head}
traffic: { rate: 4, tokens: { prompt: 200, output: 10 } }
regions:
  - { name: a, share: 0.5, rtt: { a: 2ms, b: 40ms } }
  - { name: b, share: 0.5, rtt: { a: 40ms, b: 2ms } }
failover: { healthCheckInterval: 10s, failureThreshold: 3, dnsTtl: 60s }
events:
  - { at: 100s, kind: region-outage, region: a, for: 200s }
`);
    const out = runLlmRegions(sc.spec, sc.regions!);
    const [o] = out.outages;
    // probes at 100 (still answered), 110, 120, 130: the third failure at 130; DNS at 130 + 60
    expect(o).toMatchObject({ region: 'a', atS: 100, detectedAtS: 130, trafficMovedAtS: 190 });
    // the first 10 s interval from 100 s without a failure: (190, 200]
    expect(o!.recoveredAtS).toBe(200);
    const [a, b] = out.regions;
    const rows = (t0: number, t1: number, tl = a!.timeline) => tl.filter((r) => r.t > t0 && r.t <= t1);
    // a gets its users until DNS moves them (every one rejected while it is down), none from 190 s
    expect(rows(100, 190).every((r) => r.arrivals > 0 && r.completed === 0 && r.rejected === r.arrivals)).toBe(true);
    // restored at 300 s with no cold start, so its replica is ready at once: the probe at 300 s
    // already passes (the restore was scheduled first), then 310 and 320: healthy at 320 s, DNS at 320 + 60
    expect(rows(190, 380).every((r) => r.arrivals === 0)).toBe(true);
    expect(rows(380, 390)[0]!.arrivals).toBeGreaterThan(0);
    expect(rows(380, 600).reduce((s, r) => s + r.arrivals, 0)).toBeGreaterThan(300);
    expect(rows(290, 300)[0]!.replicasReady).toBe(1);
    // b takes both populations in between: about twice its own rate
    const bBefore = rows(0, 100, b!.timeline).reduce((s, r) => s + r.arrivals, 0) / 100;
    const bDuring = rows(190, 380, b!.timeline).reduce((s, r) => s + r.arrivals, 0) / 190;
    expect(bBefore).toBeGreaterThan(1.5);
    expect(bBefore).toBeLessThan(2.5);
    expect(bDuring).toBeGreaterThan(3.3);
    expect(bDuring).toBeLessThan(4.7);
    // the failed requests are region a's rejections (no warmup: every request counts)
    expect(o!.failedRequests).toBe(a!.results.requests.rejected);
    expect(a!.results.requests.rejected).toBe(rows(0, 600).reduce((s, r) => s + r.rejected, 0));
    expect(b!.results.requests.rejected).toBe(0);
    // the books, per region and in total
    for (const g of out.regions) balanced(g.results);
    balanced(out.results);
    for (const k of ['arrived', 'completed', 'rejected', 'inFlightAtEnd'] as const) expect(out.results.requests[k]).toBe(a!.results.requests[k] + b!.results.requests[k]);
    expect(out.results.costUsd).toBeCloseTo(a!.results.costUsd + b!.results.costUsd, 12);
    // a is billed for its replica except while down: 400 of 600 s
    expect(a!.results.replicasStats.mean).toBeCloseTo(400 / 600, 9);
  });

  it('a region held as a cold standby starts its replicas (cold) only when DNS sends it traffic', () => {
    const sc = load(`${head.replace('replicas: 1', 'replicas: 1\n  coldStart: { loadBandwidth: 2GB }')}
traffic: { rate: 2, tokens: { prompt: 200, output: 10 } }
regions:
  - { name: a, share: 1, rtt: { b: 40ms } }
  - { name: b, share: 0, rtt: { a: 40ms } }
topology: { kind: active-passive, primary: a, standby: cold }
events:
  - { at: 100s, kind: region-outage, region: a }
`);
    const out = runLlmRegions(sc.spec, sc.regions!);
    const b = out.regions[1]!;
    // a fails at 100 s: probes fail at 110, 120, 130, DNS moves at 190 and releases b, whose replica loads for 8 s
    expect(out.outages[0]).toMatchObject({ detectedAtS: 130, trafficMovedAtS: 190 });
    expect(b.timeline.filter((r) => r.t < 190).every((r) => r.replicas === 0 && r.arrivals === 0)).toBe(true);
    expect(b.timeline.find((r) => r.t === 190)).toMatchObject({ replicas: 1, replicasReady: 0 });
    expect(b.timeline.find((r) => r.t === 200)).toMatchObject({ replicas: 1, replicasReady: 1 });
    expect(b.results.replicasStats.coldStarts).toBe(1);
    expect(b.results.requests.completed).toBeGreaterThan(500);
    for (const g of out.regions) balanced(g.results);
  });

  it.each([
    ['llm-hpa-step.yaml', ['duration=14m']],
    ['llm-prefix-affinity.yaml', []],
    ['llm-chat-azure.yaml', ['duration=3m', 'warmup=10s']],
    // the kinds regions take since runLlmFleet is one LlmSite: the KPA, the traffic shapes, a trace's scale
    ['llm-hpa-step.yaml', ['duration=8m', 'llm.autoscaler={kind: kpa, metric: concurrency, target: 16, minReplicas: 1, maxReplicas: 10}']],
    ['llm-hpa-step.yaml', ['duration=8m', 'traffic.diurnal={amplitude: 0.5, period: 4m, peakAt: 2m}', 'traffic.burst={kind: gamma, cv: 2}']],
    ['llm-hpa-step.yaml', ['duration=8m', 'traffic.rate=[{at: 0s, rate: 6}, {at: 1m, rate: 40, ramp: 4m}]']],
    ['llm-chat-azure.yaml', ['duration=3m', 'warmup=10s', 'traffic.scale=1.5']],
  ] as const)('one region with every user at 0 ms is the single fleet, figure for figure: %s %s', (file, sets) => {
    // the same code: runLlmFleet is one LlmSite fed by llm/arrivals.ts, as each region is
    const text = `${readFileSync(join(ROOT, 'scenarios', file), 'utf8')}\nregions:\n  - { name: only, share: 1, rtt: { only: 0s } }\n`;
    const sc = loadLlmRunScenario(text, { file, baseDir: join(ROOT, 'scenarios'), sets: [...sets], readFile: (p) => readFileSync(p, 'utf8') });
    const single = runLlmFleet(sc.spec);
    const regions = runLlmRegions(sc.spec, sc.regions!);
    // events: the router's health checks are events of their own
    expect({ ...regions.results, events: 0 }).toEqual({ ...single.results, events: 0 });
    expect(regions.timeline).toEqual(single.timeline);
    expect(regions.regions[0]!.timeline).toEqual(single.timeline);
    expect(single.results.requests.completed).toBeGreaterThan(500);
  });

  it('two regions take a shaped rate (diurnal) and a KPA: the arrivals follow the curve, the KPA region scales its own replicas, the other stays put', () => {
    const sc = load(`${head}
traffic: { rate: 20, diurnal: { amplitude: 0.8, period: 10m, peakAt: 5m }, tokens: { prompt: 500, output: 100 } }
regions:
  - { name: a, share: 0.5, rtt: { a: 2ms, b: 80ms }, llm: { autoscaler: { kind: kpa, metric: concurrency, target: 4, maxReplicas: 6 } } }
  - { name: b, share: 0.5, rtt: { a: 80ms, b: 2ms }, llm: { replicas: 3 } }
`);
    expect(sc.spec.arrivals.kind).toBe('shaped');
    expect(sc.regions!.regions[0]!.spec.kpa).toMatchObject({ metric: 'concurrency', target: 4, maxReplicas: 6 });
    expect(sc.regions!.regions[1]!.spec.kpa).toBeUndefined();
    const out = runLlmRegions(sc.spec, sc.regions!);
    // rate 20 × (1 + 0.8 cos(2π (t − 5m) / 10m)): 4 req/s at 0 and 10 min, 36 at 5 min
    const within = (from: number, to: number): number => out.timeline.filter((r) => r.t > from && r.t <= to).reduce((n, r) => n + r.arrivals, 0);
    expect(within(240, 360)).toBeGreaterThan(3 * within(0, 120));
    const [a, b] = out.regions;
    expect(a!.results.replicasStats.max).toBeGreaterThan(1);
    expect(Math.max(...a!.timeline.map((r) => r.replicasDesired))).toBeGreaterThan(1);
    expect(b!.results.replicasStats).toMatchObject({ min: 3, max: 3 });
    expect(a!.arrivedShare).toBeGreaterThan(0.45);
    expect(a!.arrivedShare).toBeLessThan(0.55);
    for (const g of out.regions) balanced(g.results);
    balanced(out.results);
  });

  it('validation names the field: a region\'s llm block, the region sections, and closed-loop users', () => {
    const text = (regions: string, rest = '') => `${head}
traffic: { rate: 1, tokens: { prompt: 500, output: 20 } }
regions:
${regions}
${rest}`;
    const ok = '  - { name: a, share: 0.5, rtt: { b: 80ms } }\n';
    expect(errors(text(`${ok}  - { name: b, share: 0.5, rtt: { a: 80ms }, llm: { replicas: 0 } }`))).toEqual(['error: s.yaml: regions.1.llm.replicas: expected an integer ≥ 1, got 0']);
    expect(errors(text(`${ok}  - { name: b, share: 0.5, rtt: { a: 80ms }, fleet: { replicas: 2 } }`))).toEqual([
      'error: s.yaml: regions.1.fleet: unknown field (expected one of: name, share, rtt, llm)',
    ]);
    expect(errors(text(`${ok}  - { name: b, share: 0.4, rtt: { a: 80ms } }`))[0]).toMatch(/^error: s\.yaml: regions: the regions' shares must sum to 1/);
    expect(errors(text(`${ok}  - { name: b, share: 0.5, rtt: { a: 80ms } }`, 'events: [{ at: 1m, kind: region-outage, region: c }]'))[0]).toMatch(/^error: s\.yaml: events\.0\.region: unknown region "?c"?/);
    expect(errors(text(`${ok}  - { name: b, share: 0.5, rtt: { a: 80ms } }`).replace('rate: 1,', 'users: 4,'))).toEqual([
      expect.stringMatching(/^error: s\.yaml: traffic\.users: closed-loop users are not supported with regions/),
    ]);
    expect(errors(`${head}\ntraffic: { rate: 1, tokens: { prompt: 5, output: 2 } }\nfailover: { dnsTtl: 10s }\n`)).toEqual([expect.stringMatching(/^error: s\.yaml: failover: .*regions/)]);
  });

  it('infersim run: summary.json has the request-level regions and failover blocks, a timeline per region, the regions table, and report.html with a row per region', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-regions-'));
    const file = join(dir, 'r.yaml');
    writeFileSync(
      file,
      `${head.replace('duration: 10m', 'duration: 3m')}
traffic: { rate: 2, tokens: { prompt: 200, output: 10 } }
regions:
  - { name: us-east, share: 0.6, rtt: { us-east: 2ms, eu-west: 80ms } }
  - { name: eu-west, share: 0.4, rtt: { us-east: 80ms, eu-west: 2ms }, llm: { replicas: 2 } }
events:
  - { at: 60s, kind: region-outage, region: us-east, for: 60s }
`,
    );
    const out = join(dir, 'out');
    const r = cli(['run', file, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/outage of us-east at 60 s: detected 90 s, traffic moved 150 s/);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      requests: { arrived: number; completed: number; rejected: number; timedOut: number; inFlightAtEnd: number };
      regions: { name: string; arrivedShare: number; requests: { arrived: number; completed: number; rejected: number; timedOut: number; inFlightAtEnd: number }; llm: { ttftMs: { p99: number } }; costUsd: number }[];
      failover: { outages: { region: string; detectedAtS: number }[] };
      cost: { totalUsd: number; gpuUsd: number; interRegionUsd: number; egressUsd: number };
    };
    expect(s.regions.map((g) => g.name)).toEqual(['us-east', 'eu-west']);
    for (const q of [s.requests, ...s.regions.map((g) => g.requests)]) expect(q.arrived).toBe(q.completed + q.rejected + q.timedOut + q.inFlightAtEnd);
    expect(s.regions[0]!.requests.rejected).toBeGreaterThan(0);
    expect(s.failover.outages[0]).toMatchObject({ region: 'us-east', detectedAtS: 90 });
    expect(s.cost.totalUsd).toBeCloseTo(s.cost.gpuUsd + s.cost.interRegionUsd, 12);
    expect(s.cost.egressUsd).toBe(s.cost.interRegionUsd);
    expect(s.regions.reduce((a, g) => a + g.costUsd, 0)).toBeCloseTo(s.cost.totalUsd, 9);
    for (const f of ['timeline.csv', 'timeline-us-east.csv', 'timeline-eu-west.csv']) expect(existsSync(join(out, f))).toBe(true);
    // report.html: the LLM run's page (the run's cards and charts) with a row per region and the outage's timing
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Regions</h2>');
    for (const g of s.regions) {
      const row = new RegExp(`<tr data-region="${g.name}"><td class="text">${g.name}</td><td>[^<]+</td><td>${g.requests.arrived}</td><td>${g.requests.completed}</td><td>${g.requests.rejected}</td>`);
      expect(html).toMatch(row);
    }
    expect(html).toMatch(/outage of <b>us-east<\/b> at 60 s: detected 90 s, traffic moved 150 s/);
    expect(html).toMatch(/<h2>Over time<\/h2>/);
    expect(cli(['run', file, '--out', join(dir, 'bare'), '--no-report']).status).toBe(0);
    expect(existsSync(join(dir, 'bare', 'report.html'))).toBe(false);
  });
});

describe('scenarios/llm-region-outage.yaml (its comment)', () => {
  const text = readFileSync(join(ROOT, 'scenarios', 'llm-region-outage.yaml'), 'utf8');
  const run = (sets: string[]) => {
    const sc = loadLlmRunScenario(text, { file: 'llm-region-outage.yaml', baseDir: join(ROOT, 'scenarios'), sets, readFile: (p) => readFileSync(p, 'utf8') });
    return runLlmRegions(sc.spec, sc.regions!);
  };

  it('2 replicas + HPA per region: errors for the 90 s of checks and DNS, then two slow intervals while eu-west scales; a floor of 5 recovers one interval after DNS', () => {
    const base = run([]);
    const [o] = base.outages;
    expect(o).toMatchObject({ region: 'us-east', atS: 600, detectedAtS: 630, trafficMovedAtS: 690, recoveredAtS: 780, recoveryS: 180, failedRequests: 2256 });
    // 0.6 × 40 req/s × 90 s, plus what us-east held
    expect(o!.failedRequests).toBeGreaterThan(0.6 * 40 * 90);
    const eu = base.regions[1]!;
    const at = (t: number) => eu.timeline.find((r) => r.t === t)!;
    expect(at(720).ttftP99Ms).toBeGreaterThan(5900);
    expect(at(750).ttftP99Ms).toBeGreaterThan(9400);
    expect(at(750).replicasReady).toBe(8);
    expect(base.results.slo.targets.map((t) => [t.metric, t.met])).toEqual([
      ['ttft', true],
      ['tpot', false],
    ]);
    expect(base.results.tpotMs.p99).toBeGreaterThan(95);
    expect(base.results.costUsd + base.interRegionUsd).toBeCloseTo(23.94, 2);
    expect(base.interRegionUsd).toBeCloseTo(0.0002, 4);

    // the file's variant floor-5 (what compare runs beside the base)
    const { variants } = loadLlmRunScenarioVariants(text, { file: 'llm-region-outage.yaml', baseDir: join(ROOT, 'scenarios'), readFile: (p) => readFileSync(p, 'utf8') });
    const five = variants.find((v) => v.name === 'floor-5')!.scenario;
    const floor = runLlmRegions(five.spec, five.regions!);
    expect(floor.outages[0]).toMatchObject({ detectedAtS: 630, trafficMovedAtS: 690, recoveredAtS: 720, recoveryS: 120, failedRequests: 2190 });
    expect(floor.results.slo.met).toBe(true);
    expect(floor.results.costUsd + floor.interRegionUsd).toBeCloseTo(28.67, 2);
    for (const out of [base, floor]) {
      for (const g of out.regions) balanced(g.results);
      balanced(out.results);
    }
  });
});
