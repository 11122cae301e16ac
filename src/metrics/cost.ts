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

/** The cost block of a summary from billed GPU-seconds and the run's totals. */
export function costBreakdown(a: {
  billedGpuSeconds: number;
  gpuHourlyUsd: number | null;
  cacheHourlyUsd: number;
  egressPerGbUsd: number | null;
  responseBytes: number;
  completed: number;
  windowS: number;
  utilization: number;
}): CostBreakdown {
  const hours = a.windowS / 3600;
  const gpuUsd = ((a.gpuHourlyUsd ?? 0) * a.billedGpuSeconds) / 3600;
  const cacheUsd = a.cacheHourlyUsd * hours;
  const egress = egressUsd(a.responseBytes * a.completed, hours, a.egressPerGbUsd);
  const totalUsd = gpuUsd + cacheUsd + egress;
  return {
    totalUsd,
    gpuUsd,
    cacheUsd,
    egressUsd: egress,
    perMillionRequestsUsd: a.completed > 0 ? (totalUsd / a.completed) * 1e6 : 0,
    monthlyUsd: hours > 0 ? (totalUsd / hours) * HOURS_PER_MONTH : 0,
    idleGpuUsd: gpuUsd * (1 - a.utilization),
  };
}
