/** How a service time varies around its mean: shared by the model's batch latency and the feature store. */
export type VariabilityDist = 'deterministic' | 'exponential' | 'lognormal' | 'gamma';

export interface Variability {
  dist: VariabilityDist;
  /** Coefficient of variation (lognormal, gamma); exponential is cv 1, deterministic 0. */
  cv: number;
}
