/**
 * Shards: the traffic split onto `count` separate fleets, each the scenario's own fleet,
 * autoscaler and cache.
 *
 *   key-hash: shard = hash32(request key) mod count — with unique keys every shard gets
 *             1/count of the traffic; with Zipf keys a hot key makes a hot shard
 *   tenant:   a Zipf tenant per request (stream "tenants"), shard = tenant mod count —
 *             tenant 0, the most popular, and its shard-mates make one shard hot
 */
import type { KeySampler } from '../workload/keys.js';
import type { RequestPool } from '../serving/requests.js';
import type { ShardsTopology } from '../config/scenario.js';
import type { Site } from '../site/site.js';

/**
 * A 32-bit integer hash with full avalanche (Chris Wellons' "lowbias32": xor-shift,
 * multiply, twice): consecutive ids land on unrelated values, so `mod count` is even.
 */
export function hash32(key: number): number {
  let x = key | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Sends each request to its shard's site. */
export class ShardRouter {
  /** Arrivals routed to each shard (all, warmup included). */
  readonly arrivals: Float64Array;
  private readonly byKey: boolean;

  /** A router over `sites` (one per shard); `tenants` draws tenant ids (required when sharding by tenant). */
  constructor(
    topo: ShardsTopology,
    private readonly sites: Site[],
    private readonly pool: RequestPool,
    private readonly tenants: KeySampler | null,
  ) {
    this.byKey = topo.by === 'key-hash';
    if (!this.byKey && tenants === null) throw new Error('shards by tenant need a tenant sampler');
    this.arrivals = new Float64Array(sites.length);
  }

  /** Hands request `id` (its key set) to its shard. */
  dispatch(id: number): void {
    const n = this.sites.length;
    const s = this.byKey ? hash32(this.pool.key[id]!) % n : this.tenants!.next() % n;
    this.arrivals[s]!++;
    this.sites[s]!.arrive(id);
  }
}
