/** The catalog as data, for `infersim catalog --format json`: the same GPUs, MIG profiles, prices and latency tables `catalog` prints, with their sources. */
import { allGpus, type GpuSpec } from './gpus.js';
import { allProfiles, type LatencyProfile } from './profiles.js';

export interface CatalogJson {
  gpus: readonly GpuSpec[];
  profiles: readonly LatencyProfile[];
}

export function catalogJson(): CatalogJson {
  return { gpus: allGpus(), profiles: allProfiles() };
}
