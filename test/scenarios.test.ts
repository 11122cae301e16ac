/** Every file in scenarios/ is documentation: each one validates and runs, and shows its lesson. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { simulate } from '../src/run.js';
import { loadScenarioVariants } from '../src/scenario/load.js';
import { ROOT } from './helpers/cli.js';
import { loadLlmRunScenarioVariants } from '../src/llm/regions-scenario.js';
import { runLlmFleet } from '../src/llm/fleet.js';
import { runLlmRegions } from '../src/topology/llm-regions.js';

const dir = join(ROOT, 'scenarios');
// llm-*.yaml are LLM scenarios (an llm: block, src/llm): each and its variants run briefly below; test/llm/* checks their lessons
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && !f.startsWith('llm-'));
const load = (f: string) =>
  loadScenarioVariants(readFileSync(join(dir, f), 'utf8'), { file: f, baseDir: dir, readFile: (p) => readFileSync(p, 'utf8') });

// each scenario (and variant) is simulated once and its result shared by the tests below
const memo = new Map<string, ReturnType<typeof simulate>>();
function runOnce(sc: Parameters<typeof simulate>[0]): ReturnType<typeof simulate> {
  const key = JSON.stringify(sc);
  let r = memo.get(key);
  if (!r) {
    r = simulate(sc);
    memo.set(key, r);
  }
  return r;
}

describe('scenarios/', () => {
  it('has the example scenarios the README promises', () => {
    for (const f of [
      'quickstart.yaml',
      'batching-none.yaml',
      'batching-dynamic.yaml',
      'cold-start-vs-warm-pool.yaml',
      'hpa-cpu-gpu-bound.yaml',
      'hpa-vs-kpa-spike.yaml',
      'cache-expiry-storm.yaml',
      'feature-store-bottleneck.yaml',
      'embedding-cache.yaml',
      'region-outage.yaml',
      'hot-tenant-shards.yaml',
      'from-your-files.yaml',
    ]) {
      expect(files).toContain(f);
    }
  });

  const balanced = (sc: Parameters<typeof simulate>[0]): void => {
    const q = runOnce(sc).summary.requests;
    expect(q.arrived).toBeGreaterThan(0);
    expect(q.arrived).toBe(q.completed + q.rejected + q.timedOut + q.inFlightAtEnd);
  };
  for (const f of files) {
    // each variant is a test of its own (below): one test is at most one scenario's run (bert-10k-qps's
    // two runs of 15 M requests took ~28 s of CPU in one test, past the timeout on a loaded machine)
    const variantNames = Object.keys((parse(readFileSync(join(dir, f), 'utf8')) as { variants?: Record<string, unknown> } | null)?.variants ?? {});
    it(`${f}: is commented, validates and runs with balanced books`, () => {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(text.split('\n').filter((l) => l.trim().startsWith('#')).length).toBeGreaterThanOrEqual(5);
      const { base, variants } = load(f);
      expect(base.warnings.filter((w) => !/derived/.test(w))).toEqual([]);
      expect(variants.map((v) => v.name)).toEqual(variantNames); // each of them is run by a test below
      balanced(base);
    });
    for (const name of variantNames) {
      it(`${f}, variant ${name}: runs with balanced books`, () => {
        const v = load(f).variants.find((x) => x.name === name);
        expect(v, name).toBeDefined();
        balanced(v!.scenario);
      });
    }
  }
});

describe('the lessons the scenarios teach', () => {
  it('from your files: config.pbtxt, perf_analyzer and Prometheus; one L4 fails the surge, two hold it', () => {
    const { base, variants } = load('from-your-files.yaml');
    expect(base.fleet.batching).toEqual({ maxBatch: 32, maxQueueDelayS: 0.002, preferred: [16, 32] });
    expect(base.fleet.queue).toEqual({ maxDepth: 512, timeoutS: 0.5 });
    expect(base.model.overheadS).toBeCloseTo(426e-6, 12);
    const one = runOnce(variants.find((v) => v.name === 'one-replica')!.scenario).summary;
    const two = runOnce(base).summary;
    expect(one.slo.met).toBe(false);
    expect(one.requests.rejected + one.requests.timedOut).toBeGreaterThan(0);
    expect(two.slo.met).toBe(true);
  });

  it('batching: no batching drowns the fleet that dynamic batching serves within its SLO', () => {
    const none = runOnce(load('batching-none.yaml').base).summary;
    const dyn = runOnce(load('batching-dynamic.yaml').base).summary;
    expect(none.slo.met).toBe(false);
    expect(dyn.slo.met).toBe(true);
    expect(none.gpu.utilization).toBeGreaterThan(0.95); // nvidia-smi says busy…
    expect(none.gpu.effectiveUtilization).toBeLessThan(0.6); // …but at batch 1 half the GPU's throughput is wasted
    expect(dyn.gpu.meanBatchSize).toBeGreaterThan(2);
  });

  it('cold start vs warm pool: the warm pool cuts errors and p99 and costs more', () => {
    const { base, variants } = load('cold-start-vs-warm-pool.yaml');
    const cold = runOnce(base).summary;
    const warm = runOnce(variants[0]!.scenario).summary;
    expect(warm.slo.errorRate).toBeLessThan(cold.slo.errorRate / 5);
    expect(warm.latencyMs.p99).toBeLessThan(cold.latencyMs.p99 / 2);
    expect(warm.cost.totalUsd).toBeGreaterThan(cold.cost.totalUsd);
  });

  it('HPA on CPU never scales a GPU-bound pod; HPA on in-flight requests does', () => {
    const { base, variants } = load('hpa-cpu-gpu-bound.yaml');
    const cpu = runOnce(base).summary;
    const inflight = runOnce(variants[0]!.scenario).summary;
    expect(cpu.replicas.max).toBe(2);
    expect(cpu.slo.errorRate).toBeGreaterThan(0.1);
    expect(inflight.replicas.max).toBeGreaterThan(6);
    expect(inflight.slo.errorRate).toBeLessThan(0.01);
  });

  it('HPA vs KPA: the KPA reacts sooner to the spike', () => {
    const { base, variants } = load('hpa-vs-kpa-spike.yaml');
    const firstScaleUp = (sc: typeof base): number => {
      const r = runOnce(sc);
      const t = r.timeline.column('timeS');
      const d = r.timeline.column('replicasDesired');
      return t[d.findIndex((v, i) => t[i]! > 480 && v > 3)]!;
    };
    expect(firstScaleUp(variants[0]!.scenario)).toBeLessThan(firstScaleUp(base));
  });

  it('expiry storm: without jitter the miss rate more than doubles at t = TTL and requests time out; ±20 % jitter removes the spike', () => {
    const { base, variants } = load('cache-expiry-storm.yaml');
    const missPeak = (r: ReturnType<typeof simulate>): { before: number; storm: number } => {
      const t = r.timeline.column('timeS');
      const m = r.timeline.column('cacheMissRate');
      const before = m.filter((_, i) => t[i]! > 500 && t[i]! <= 595);
      const storm = m.filter((_, i) => t[i]! > 600 && t[i]! <= 630);
      return { before: before.reduce((a, b) => a + b, 0) / before.length, storm: Math.max(...storm) };
    };
    const none = runOnce(base);
    const jitter = runOnce(variants.find((v) => v.name === 'jitter')!.scenario);
    const a = missPeak(none);
    const b = missPeak(jitter);
    expect(a.storm).toBeGreaterThan(2 * a.before);
    expect(none.summary.requests.timedOut).toBeGreaterThan(0);
    expect(b.storm).toBeLessThan(1.3 * b.before);
    expect(jitter.summary.requests.timedOut).toBe(0);
  });

  it('feature store: the store, not the GPUs, is the bottleneck; a read replica fixes it, more GPUs do not', () => {
    const { base, variants } = load('feature-store-bottleneck.yaml');
    const s = runOnce(base).summary;
    const replica = runOnce(variants.find((v) => v.name === 'read-replica')!.scenario).summary;
    const gpus = runOnce(variants.find((v) => v.name === 'more-gpus')!.scenario).summary;
    expect(s.featureStore!.utilization).toBeGreaterThan(0.95);
    expect(s.gpu.utilization).toBeLessThan(0.6);
    expect(s.slo.met).toBe(false);
    expect(replica.slo.met).toBe(true);
    expect(gpus.slo.met).toBe(false);
  });

  it('embedding cache: two GPUs behind a cache beat four without one on p99 and cost', () => {
    const { base, variants } = load('embedding-cache.yaml');
    const none = runOnce(base).summary;
    const cached = runOnce(variants[0]!.scenario).summary;
    expect(cached.cache!.hitRate).toBeGreaterThan(0.6);
    expect(cached.slo.met).toBe(true);
    expect(cached.cost.totalUsd).toBeLessThan(none.cost.totalUsd);
    expect(cached.cache!.gpuRequestsSaved).toBeGreaterThan(0.6 * cached.requests.arrived);
  });

  it('region outage: active-active recovers fastest; a warm standby recovers sooner than a cold one and costs more', () => {
    const { base, variants } = load('region-outage.yaml');
    const aa = runOnce(base).summary;
    const warm = runOnce(variants.find((v) => v.name === 'warm-standby')!.scenario).summary;
    const cold = runOnce(variants.find((v) => v.name === 'cold-standby')!.scenario).summary;
    const outage = (s: typeof aa) => s.failover!.outages[0]!;
    for (const s of [aa, warm, cold]) {
      // health checks 10 s × 3 from the outage at 600 s, then the 60 s TTL: the same for every topology
      expect(outage(s)).toMatchObject({ region: 'us-east', atS: 600, detectedAtS: 630, trafficMovedAtS: 690 });
      expect(outage(s).recoveredAtS).not.toBeNull();
    }
    expect(outage(aa).recoveryS!).toBeLessThan(outage(warm).recoveryS!);
    expect(outage(warm).recoveryS!).toBeLessThan(outage(cold).recoveryS!);
    // the cold standby's first pod alone needs 3.5 min after DNS moved
    expect(outage(cold).recoveredAtS!).toBeGreaterThanOrEqual(690 + 210);
    expect(outage(aa).failedRequests).toBeLessThan(outage(warm).failedRequests);
    expect(outage(warm).failedRequests).toBeLessThan(outage(cold).failedRequests);
    expect(warm.cost.totalUsd).toBeGreaterThan(cold.cost.totalUsd);
    expect(aa.cost.totalUsd).toBeGreaterThan(warm.cost.totalUsd);
    expect(aa.regions!.map((r) => r.name)).toEqual(['us-east', 'eu-west']);
  });

  it('hot tenant: sharding by tenant overloads one shard while others idle; key-hash balances it', () => {
    const { base, variants } = load('hot-tenant-shards.yaml');
    const tenant = runOnce(base).summary;
    const hashed = runOnce(variants[0]!.scenario).summary;
    const [hot, ...rest] = tenant.shards!;
    expect(hot!.slo.met).toBe(false);
    for (const s of rest) expect(s.slo.met).toBe(true);
    expect(Math.min(...rest.map((s) => s.gpu.utilization))).toBeLessThan(0.7);
    expect(tenant.shardImbalance!).toBeGreaterThan(1.4);
    expect(hashed.shardImbalance!).toBeLessThan(1.01);
    expect(hashed.shards!.every((s) => s.slo.met)).toBe(true);
    expect(hashed.slo.met).toBe(true);
    expect(hashed.cost.gpuUsd).toBe(tenant.cost.gpuUsd);
  });
});

describe('scenarios/llm-*.yaml', () => {
  const llmFiles = readdirSync(dir).filter((f) => f.startsWith('llm-') && f.endsWith('.yaml'));
  // a short run of the base and of every variant (their lessons are checked in full by test/llm/*);
  // the region lesson runs past its outage at 10 min, the scale-to-zero one into its first burst at 5 min
  const cases = llmFiles.flatMap((f) => {
    const sets = f === 'llm-region-outage.yaml' ? ['duration=12m'] : f === 'llm-scale-to-zero.yaml' ? ['duration=8m'] : ['duration=90s', 'warmup=10s'];
    const { base, variants } = loadLlmRunScenarioVariants(readFileSync(join(dir, f), 'utf8'), { file: f, baseDir: dir, sets, readFile: (p) => readFileSync(p, 'utf8') });
    return [{ f, name: 'base', sc: base }, ...variants.map((v) => ({ f, name: v.name, sc: v.scenario }))];
  });

  it('are all here: the chat, HPA, prefix-affinity, region and scale-to-zero lessons', () => {
    expect(llmFiles.sort()).toEqual(['llm-chat-azure.yaml', 'llm-hpa-step.yaml', 'llm-prefix-affinity.yaml', 'llm-region-outage.yaml', 'llm-scale-to-zero.yaml']);
  });

  it.each(cases.map((c) => [`${c.f} ${c.name}`, c] as const))('%s validates and runs; every request is counted', (_label, c) => {
    const r = c.sc.regions !== null ? runLlmRegions(c.sc.spec, c.sc.regions).results : runLlmFleet(c.sc.spec).results;
    const q = r.requests;
    expect(q.arrived).toBeGreaterThan(0);
    expect(q.completed + q.rejected + q.inFlightAtEnd).toBe(q.arrived);
  });
});
