/**
 * Money. GPU time is billed per second from the moment capacity is requested to its
 * release (a MIG slice at its share of a GPU); cache nodes per hour; egress per GB,
 * either a flat price or AWS's internet tiers applied to the run's monthly rate.
 */

/** Hours in the monthly projection (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;

/** AWS internet egress tiers per month: [upper bound in GB, USD per GB]. Source: AWS EC2 on-demand data transfer pricing (REFERENCE-DATA.md), 2025. */
export const AWS_EGRESS_TIERS: readonly (readonly [number, number])[] = [
  [100, 0],
  [10_240, 0.09],
  [51_200, 0.085],
  [153_600, 0.07],
  [Infinity, 0.05],
];

/** Cost in USD of `gb` of egress in one month under tiered pricing. */
export function tieredMonthlyEgressUsd(gb: number): number {
  let usd = 0;
  let lower = 0;
  for (const [upper, price] of AWS_EGRESS_TIERS) {
    if (gb <= lower) break;
    usd += (Math.min(gb, upper) - lower) * price;
    lower = upper;
  }
  return usd;
}

/**
 * Egress cost of `bytes` sent over `hours`: flat when `perGbUsd` is set, else the
 * tiered monthly price of the same sending rate, prorated to the run's length.
 */
export function egressUsd(bytes: number, hours: number, perGbUsd: number | null): number {
  const gb = bytes / 1e9;
  if (perGbUsd !== null) return gb * perGbUsd;
  if (hours <= 0 || gb === 0) return 0;
  const monthlyGb = (gb * HOURS_PER_MONTH) / hours;
  return (tieredMonthlyEgressUsd(monthlyGb) * hours) / HOURS_PER_MONTH;
}

export interface CostBreakdown {
  totalUsd: number;
  gpuUsd: number;
  cacheUsd: number;
  egressUsd: number;
  perMillionRequestsUsd: number;
  monthlyUsd: number;
  /** GPU dollars spent while the GPU executed nothing (billed × (1 − utilization)). */
  idleGpuUsd: number;
}

/** What one site of a run is billed on (after warmup). */
export interface SiteBill {
  billedGpuSeconds: number;
  gpuHourlyUsd: number | null;
  cacheHourlyUsd: number;
  /** The site's GPU utilization (its idle GPU dollars are billed × (1 − utilization)). */
  utilization: number;
  /** Counted completions, and those served outside their users' region. */
  completed: number;
  foreignCompleted: number;
}

/** The bill of a run of N ≥ 1 sites: the cost block, each site's share, and the prices the timeline's cost column uses. */
export interface RunBill {
  cost: CostBreakdown & { interRegionUsd: number };
  /** Each site's GPU and cache bill, its share of egress (by completions) and the inter-region transfer it sent. */
  siteUsd: number[];
  /** Egress per completed response at the run's average price (the timeline's cost column). */
  egressPerResponseUsd: number;
  /** Inter-region transfer per response served outside its users' region. */
  interRegionPerResponseUsd: number;
}

/**
 * The cost of a run of N ≥ 1 sites (a plain run is one): each site's GPU-seconds and cache
 * hours at its own prices; egress on every completed response, at the tiered price of the
 * run's total; inter-region transfer (regions) on the responses served away from their users.
 */
export function runCost(
  sites: readonly SiteBill[],
  a: { completed: number; windowS: number; responseBytes: number; egressPerGbUsd: number | null; interRegionPerGbUsd: number },
): RunBill {
  const hours = a.windowS / 3600;
  const bytes = a.responseBytes;
  const egressAll = egressUsd(bytes * a.completed, hours, a.egressPerGbUsd);
  const siteGpu = sites.map((s) => ((s.gpuHourlyUsd ?? 0) * s.billedGpuSeconds) / 3600);
  const siteCache = sites.map((s) => s.cacheHourlyUsd * hours);
  const siteInter = sites.map((s) => (s.foreignCompleted * bytes * a.interRegionPerGbUsd) / 1e9);
  const sum = (xs: number[]): number => xs.reduce((x, y) => x + y, 0);
  const gpuUsd = sum(siteGpu);
  const cacheUsd = sum(siteCache);
  const interRegionUsd = sum(siteInter);
  const totalUsd = gpuUsd + cacheUsd + egressAll + interRegionUsd;
  return {
    cost: {
      totalUsd,
      gpuUsd,
      cacheUsd,
      egressUsd: egressAll + interRegionUsd,
      perMillionRequestsUsd: a.completed > 0 ? (totalUsd / a.completed) * 1e6 : 0,
      monthlyUsd: hours > 0 ? (totalUsd / hours) * HOURS_PER_MONTH : 0,
      idleGpuUsd: sum(sites.map((s, i) => siteGpu[i]! * (1 - s.utilization))),
      interRegionUsd,
    },
    siteUsd: sites.map((s, i) => siteGpu[i]! + siteCache[i]! + (a.completed > 0 ? (egressAll * s.completed) / a.completed : 0) + siteInter[i]!),
    egressPerResponseUsd: a.completed > 0 ? egressAll / a.completed : 0,
    interRegionPerResponseUsd: (bytes * a.interRegionPerGbUsd) / 1e9,
  };
}
