/**
 * The built-in catalog: GPUs (memory, price, MIG geometry) and model latency profiles,
 * every number with its source and date. Scenario resolution and the CLI import from here.
 */
export type { GpuSpec, MigProfile, PricedNumber } from './gpus.js';
export {
  allGpus,
  checkMigFit,
  checkMigLayout,
  findGpu,
  findMigProfile,
  gpuIds,
  migComputeShare,
  migGpuIds,
  MIG_COMPUTE_SLICES,
  MIG_MEMORY_SLOTS,
  parseMigLayout,
  placeMigLayout,
  resolveMigProfile,
  unknownGpuMessage,
} from './gpus.js';
export type { LatencyProfile, ProfileEntry, ProfileLatency } from './profiles.js';
export {
  allProfiles,
  findProfile,
  h100Speedup,
  migLatencyExponent,
  migLatencyFactor,
  profileIds,
  profileLatency,
} from './profiles.js';
