/**
 * Regions: where each request's users are, which region their DNS sends them to, and
 * what happens when a region fails.
 *
 *   arrival ──► population p (by share, stream "population")
 *           ──► region by routing among the regions p's DNS view holds healthy (stream "region-routing")
 *           ──► site.arrive (latency seen by the users = server time + rtt[p][region])
 *
 *   every healthCheckInterval, per region: pass = up with ≥ 1 ready replica
 *       failureThreshold consecutive failures ──► unhealthy ; as many passes ──► healthy
 *       every change reaches the clients' DNS view dnsTtl later, for all clients at once
 *   region-outage ──► every replica dies, what it held and what arrives fails (rejected) ──► restore after `for`
 *
 * Routing over the DNS view: active-active sends each population to the nearest region
 * (lowest RTT), or spreads it ∝ 1/RTT (latency-weighted) or by fixed weights; active-
 * passive sends everyone to the primary while it is DNS-healthy, else to the standbys
 * (by the same routing). When no candidate is healthy every candidate is used (Route 53
 * fails open), which is also how a cold standby with no replica first receives traffic:
 * it is released then and pays one cold start.
 */
import type { Simulation } from '../engine/simulation.js';
import type { RandomStream } from '../engine/rng.js';
import type { OutageReport } from '../metrics/summary.js';
import type { CacheSpec, RegionsTopology } from '../config/scenario.js';
import type { Network } from '../site/site.js';

/**
 * What the router needs of a region's site (site/site.ts Site, or an LLM fleet's: llm/site.ts):
 * taking a request, whether it is down (and since when) and how many replicas are ready (its
 * health check), its cold standby's release, its outage and restore, and whether its cache is keyed.
 */
export interface RegionSite {
  readonly down: boolean;
  readonly downSinceS: number;
  readonly fleet: { readonly numReady: number };
  readonly lifecycle: { release(): void };
  readonly sc: { readonly cache: CacheSpec | null };
  arrive(id: number): void;
  outage(nowS: number): void;
  restore(): void;
}

/** What the router reads of a regions topology (config/scenario.ts RegionsTopology is one; an LLM run's regions are another). */
export type RoutedTopology = Pick<RegionsTopology, 'mode' | 'routing' | 'weights' | 'primary' | 'failover'> & {
  readonly regions: readonly { readonly share: number; readonly rttS: readonly number[] }[];
};

/** What the router reads of the run's requests: how many ids there may be (the capacity of `counted`), and their keys (relabelled per population in a keyed cache). */
export interface RoutedRequests {
  readonly counted: { readonly length: number };
  readonly key: Int32Array;
}

/** What the run knows of an outage while it runs; the report is completed from the timeline at the end. */
export interface OutageRecord {
  region: number;
  atS: number;
  detectedAtS: number | null;
  trafficMovedAtS: number | null;
  /** Counted rejected + timed-out requests of the whole run just before the outage. */
  errorsBefore: number;
}

/** Smallest RTT used by latency-weighted routing (1 µs), so a region at 0 ms gets a finite weight. */
const MIN_RTT_S = 1e-6;

/** Routes requests to regions through the clients' DNS view and runs health checks, outages and restores. */
export class RegionRouter {
  /** Population of each request id (grown with the pool). */
  pop: Uint16Array;
  /** Every region-outage so far, in event order. */
  readonly outages: OutageRecord[] = [];
  /** Health as the checks last decided, and as the clients' DNS sees it (dnsTtl later). */
  readonly healthy: boolean[];
  readonly dnsHealthy: boolean[];
  private readonly fails: Int32Array;
  private readonly passes: Int32Array;
  private readonly cumShare: Float64Array;
  /** Per population: the one region it goes to, or −1 when it is spread by `cum`. */
  private readonly single: Int32Array;
  /** Per population: cumulative probabilities over the regions (used when single is −1). */
  private readonly cum: Float64Array[];
  private readonly downUntilS: Float64Array;
  private readonly onCheck: number;
  private readonly onDns: number;
  private readonly onRestore: number;
  /** Per region: whether its cache is keyed, so each population gets its own key space there. */
  private keyed: boolean[] = [];
  private sites: readonly RegionSite[] = [];
  private readonly n: number;

  /**
   * A router for the topology's regions; start() gives it their sites. `keySpace` is the number
   * of distinct keys (zipf count) or 0 for unbounded ids; `errorsSoFar` reads the run's counted errors.
   */
  constructor(
    private readonly sim: Simulation,
    private readonly topo: RoutedTopology,
    private readonly pool: RoutedRequests,
    private readonly popRng: RandomStream,
    private readonly routeRng: RandomStream,
    private readonly keySpace: number,
    private readonly errorsSoFar: () => number,
  ) {
    const n = topo.regions.length;
    this.n = n;
    this.pop = new Uint16Array(pool.counted.length);
    this.healthy = new Array<boolean>(n).fill(true);
    this.dnsHealthy = new Array<boolean>(n).fill(true);
    this.fails = new Int32Array(n);
    this.passes = new Int32Array(n);
    this.downUntilS = new Float64Array(n);
    this.cumShare = new Float64Array(n);
    let acc = 0;
    topo.regions.forEach((r, i) => {
      acc += r.share;
      this.cumShare[i] = acc;
    });
    this.single = new Int32Array(n);
    this.cum = topo.regions.map(() => new Float64Array(n));
    this.onCheck = sim.register((r) => this.check(r));
    this.onDns = sim.register((x) => this.applyDns(x >> 1, (x & 1) === 1));
    this.onRestore = sim.register((r) => this.restore(r));
  }

  /** Takes the regions' sites (in the topology's order), schedules the first health checks and routes by the initial (all healthy) view. */
  start(sites: readonly RegionSite[]): void {
    this.sites = sites;
    this.keyed = sites.map((s) => s.sc.cache !== null && s.sc.cache.mode === 'keyed' && this.n > 1);
    const every = this.topo.failover.healthCheckIntervalS;
    for (let r = 0; r < this.n; r++) this.sim.at(every, this.onCheck, r);
    this.recompute();
  }

  /** The network view a region's site needs: the population of each request and the round trips to it. */
  networkFor(region: number): Network {
    const router = this;
    const rtt = Float64Array.from(this.topo.regions.map((r) => r.rttS[region]!));
    return {
      get pop(): Uint16Array {
        return router.pop;
      },
      rttByPopS: rtt,
      home: region,
    };
  }

  /** Picks the request's population and region and hands it to that region's site. */
  dispatch(id: number): void {
    if (this.pop.length < this.pool.counted.length) this.grow();
    const u = this.popRng.uniform();
    const cs = this.cumShare;
    let p = 0;
    while (p < this.n - 1 && u >= cs[p]!) p++;
    let r = this.single[p]!;
    if (r < 0) {
      const v = this.routeRng.uniform();
      const c = this.cum[p]!;
      r = 0;
      while (r < this.n - 1 && v >= c[r]!) r++;
    }
    this.pop[id] = p;
    if (this.keyed[r]) this.relabelKey(id, p, r);
    this.sites[r]!.arrive(id);
  }

  /**
   * Gives each population its own key space in region r's cache: population r (the home one)
   * keeps its keys, so a prewarmed cache holds the home users' keys; the others are shifted
   * above the key space, or, when it has no bound (unique keys) or n of it do not fit in 31
   * bits, counted down from the top of the ids (the home keys count up from 0: key·n + off
   * would give a foreign key 0 the id of the home key off).
   */
  private relabelKey(id: number, p: number, r: number): void {
    const off = (p - r + this.n) % this.n;
    if (off === 0) return;
    const key = this.pool.key[id]!;
    const top = 0x7fffffff;
    this.pool.key[id] =
      this.keySpace > 0 && this.keySpace * this.n <= top ? key + off * this.keySpace : top - 1 - ((key * (this.n - 1) + off - 1) % top);
  }

  /** The region-outage event: region `r` fails now for `forS` seconds (Infinity: to the end). */
  outage(r: number, forS: number): void {
    const now = this.sim.now;
    this.outages.push({ region: r, atS: now, detectedAtS: null, trafficMovedAtS: null, errorsBefore: this.errorsSoFar() });
    const until = now + forS;
    if (!(until <= this.downUntilS[r]!)) this.downUntilS[r] = until;
    this.sites[r]!.outage(now);
    if (forS < Infinity) this.sim.at(until, this.onRestore, r);
  }

  private restore(r: number): void {
    if (this.sim.now < this.downUntilS[r]!) return; // a later outage of the same region extended it
    this.sites[r]!.restore();
  }

  /** One health check of region r: a region that went down at this very instant still answered this probe. */
  private check(r: number): void {
    const now = this.sim.now;
    const site = this.sites[r]!;
    const pass = site.down ? !(site.downSinceS < now) : site.fleet.numReady > 0;
    const threshold = this.topo.failover.failureThreshold;
    if (pass) {
      this.fails[r] = 0;
      this.passes[r]!++;
      if (!this.healthy[r] && this.passes[r]! >= threshold) this.change(r, true);
    } else {
      this.passes[r] = 0;
      this.fails[r]!++;
      if (this.healthy[r] && this.fails[r]! >= threshold) this.change(r, false);
    }
    this.sim.at(now + this.topo.failover.healthCheckIntervalS, this.onCheck, r);
  }

  private change(r: number, healthy: boolean): void {
    const now = this.sim.now;
    this.healthy[r] = healthy;
    if (!healthy) {
      for (let i = this.outages.length - 1; i >= 0; i--) {
        const o = this.outages[i]!;
        if (o.region !== r) continue;
        if (o.detectedAtS === null && o.atS <= now) o.detectedAtS = now;
        break;
      }
    }
    this.sim.at(now + this.topo.failover.dnsTtlS, this.onDns, r * 2 + (healthy ? 1 : 0));
  }

  private applyDns(r: number, healthy: boolean): void {
    this.dnsHealthy[r] = healthy;
    if (!healthy) {
      for (const o of this.outages) if (o.region === r && o.detectedAtS !== null && o.trafficMovedAtS === null) o.trafficMovedAtS = this.sim.now;
    }
    this.recompute();
  }

  /** The regions each population may be sent to now, and how; releases a cold standby that becomes a candidate. */
  private recompute(): void {
    const n = this.n;
    const t = this.topo;
    const dns = this.dnsHealthy;
    let candidates: number[];
    if (t.mode === 'active-passive' && t.primary !== null) {
      const primary = t.primary;
      if (dns[primary]) candidates = [primary];
      else {
        const standbys = [...Array(n).keys()].filter((r) => r !== primary);
        const healthy = standbys.filter((r) => dns[r]);
        candidates = healthy.length > 0 ? healthy : standbys.length > 0 ? standbys : [primary];
      }
    } else {
      const all = [...Array(n).keys()];
      const healthy = all.filter((r) => dns[r]);
      candidates = healthy.length > 0 ? healthy : all;
    }
    for (const r of candidates) this.sites[r]!.lifecycle.release();
    for (let p = 0; p < n; p++) {
      const weights = new Float64Array(n);
      const rtt = t.regions[p]!.rttS;
      if (t.routing === 'nearest') {
        let best = candidates[0]!;
        for (const r of candidates) if (rtt[r]! < rtt[best]!) best = r;
        weights[best] = 1;
      } else {
        for (const r of candidates) weights[r] = t.routing === 'weighted' ? t.weights![r]! : 1 / Math.max(rtt[r]!, MIN_RTT_S);
        // weighted routing with no weight on any candidate: spread evenly rather than send nothing
        if (candidates.every((r) => weights[r] === 0)) for (const r of candidates) weights[r] = 1;
      }
      const sum = weights.reduce((a, b) => a + b, 0);
      const c = this.cum[p]!;
      let acc = 0;
      let only = -1;
      let count = 0;
      for (let r = 0; r < n; r++) {
        acc += weights[r]! / sum;
        c[r] = acc;
        if (weights[r]! > 0) {
          only = r;
          count++;
        }
      }
      c[n - 1] = 1;
      this.single[p] = count === 1 ? only : -1;
    }
  }

  private grow(): void {
    const next = new Uint16Array(this.pool.counted.length);
    next.set(this.pop);
    this.pop = next;
  }
}

/** One report interval as the failover report reads it. */
export interface IntervalHealth {
  /** End of the interval (the timeline's timeS). */
  endS: number;
  /** Latency at the SLO percentile within target and no rejected or timed-out request. */
  ok: boolean;
  /** Counted rejected + timed-out requests of the run up to the interval's end. */
  errorsSoFar: number;
}

/** Completes each outage record from the report intervals (see OutageReport for every field's definition). */
export function failoverReport(outages: readonly OutageRecord[], names: readonly string[], intervals: readonly IntervalHealth[], errorsAtEnd: number): OutageReport[] {
  return outages.map((o) => {
    let recovered: IntervalHealth | null = null;
    let startS = 0;
    for (const iv of intervals) {
      if (startS >= o.atS && iv.ok) {
        recovered = iv;
        break;
      }
      startS = iv.endS;
    }
    return {
      region: names[o.region]!,
      atS: o.atS,
      detectedAtS: o.detectedAtS,
      trafficMovedAtS: o.trafficMovedAtS,
      recoveredAtS: recovered === null ? null : recovered.endS,
      recoveryS: recovered === null ? null : recovered.endS - o.atS,
      failedRequests: (recovered === null ? errorsAtEnd : recovered.errorsSoFar) - o.errorsBefore,
    };
  });
}
