/**
 * Built-in GPU catalog: memory, on-demand price per GPU-hour and MIG geometry, each
 * number with the source and date it comes from (REFERENCE-DATA.md), so a user can see
 * where a default comes from and override it in the scenario.
 */

/** A number taken from (or derived from) a public source; `derived` marks an estimate, not a measurement or list price. */
export interface PricedNumber {
  value: number;
  source: string;
  date: string;
  derived: boolean;
}

/** One MIG GPU-instance profile; slots and placements are on the 8-slot memory axis. */
export interface MigProfile {
  id: string;
  /** Compute slices of the 7 a MIG GPU has. */
  computeSlices: number;
  /** Memory slots (of 8) one instance occupies. */
  memorySlots: number;
  maxInstances: number;
  /** Valid first memory slot of an instance (as `nvidia-smi mig -lgipp` lists them). */
  placements: number[];
  source: string;
  date: string;
}

export interface GpuSpec {
  id: string;
  name: string;
  memoryGb: number;
  /** USD per GPU-hour, on demand. */
  price: PricedNumber;
  migProfiles: MigProfile[];
  /** Where name and memory size come from. */
  specSource: string;
  specDate: string;
  /** Other spellings `findGpu` accepts (already normalized). */
  aliases: string[];
}

/** Compute slices of a MIG-capable GPU (A100, H100, H200). */
export const MIG_COMPUTE_SLICES = 7;
/** Memory slots on the MIG placement axis. */
export const MIG_MEMORY_SLOTS = 8;

const PRICE_DATE = '2025-06';
const SKYPILOT = 'SkyPilot catalog v8, AWS us-east-1 on-demand';
const MIG_SOURCE =
  'NVIDIA MIG user guide r580, https://docs.nvidia.com/datacenter/tesla/mig-user-guide/ (Supported MIG Profiles tables; ' +
  'nvidia-smi mig -lgipp placements under Getting Started); NVIDIA mig-parted deployments/systemd/config-default.yaml';
const MIG_DATE = '2025-01';

/** Rows of the REFERENCE-DATA MIG table: id, compute slices, memory slots, max instances, placements. */
type MigRow = [string, number, number, number, number[]];

function migProfiles(rows: MigRow[]): MigProfile[] {
  return rows.map(([id, computeSlices, memorySlots, maxInstances, placements]) => ({
    id,
    computeSlices,
    memorySlots,
    maxInstances,
    placements,
    source: MIG_SOURCE,
    date: MIG_DATE,
  }));
}

// Placement starts follow `nvidia-smi mig -lgipp` as the MIG user guide prints it for an
// A100-40GB (Getting Started, "List the possible placements", read 2026-12-04) and NVIDIA's
// H100 NVL listing, identical on A100, H100 and H200:
//   1g {0..6}:1, 1g+me {0..6}:1, double-memory 1g {0,2,4,6}:2, 2g {0,2,4}:2, 3g {0,4}:4, 4g {0}:4, 7g {0}:8.
// REFERENCE-DATA lists the double-memory 1g at 0/2/4 only, which could never hold the
// 4 instances its own table allows, so the hardware listing wins. NVML's placement API says a
// new GPU instance fails exactly when its memory slices overlap an existing one's, which is the
// rule checkMigLayout applies. The guide adds (Concepts, Partitioning) that 4g + 3g on one GPU
// needs driver R510 or later; the catalog follows current drivers and allows it.
const ONE_G = [0, 1, 2, 3, 4, 5, 6];
const ONE_G_DOUBLE = [0, 2, 4, 6];
const TWO_G = [0, 2, 4];
const THREE_G = [0, 4];
const AT_ZERO = [0];

/**
 * The seven GPU-instance profiles of an A100/H100/H200-class GPU, in the user guide's table
 * order: 1g, 1g+me (the one 1g instance with media extensions: NVDEC/JPEG/OFA; at most 1),
 * double-memory 1g, 2g, 3g, 4g, 7g. `mem` names them without the +me one.
 */
function standardMig(mem: [string, string, string, string, string, string]): MigProfile[] {
  return migProfiles([
    [mem[0], 1, 1, 7, ONE_G],
    [`${mem[0]}+me`, 1, 1, 1, ONE_G],
    [mem[1], 1, 2, 4, ONE_G_DOUBLE],
    [mem[2], 2, 2, 3, TWO_G],
    [mem[3], 3, 4, 2, THREE_G],
    [mem[4], 4, 4, 1, AT_ZERO],
    [mem[5], 7, 8, 1, AT_ZERO],
  ]);
}

const GPUS: GpuSpec[] = [
  {
    id: 't4',
    name: 'NVIDIA T4',
    memoryGb: 16,
    price: { value: 0.526, source: `${SKYPILOT} g4dn.xlarge (1×T4, 0.526 $/h)`, date: PRICE_DATE, derived: false },
    migProfiles: [],
    specSource: 'NVIDIA T4 datasheet',
    specDate: '2019-03',
    aliases: ['tesla-t4', 't4-16gb'],
  },
  {
    id: 'a10g',
    name: 'NVIDIA A10G',
    memoryGb: 24,
    price: { value: 1.006, source: `${SKYPILOT} g5.xlarge (1×A10G, 1.006 $/h)`, date: PRICE_DATE, derived: false },
    migProfiles: [],
    specSource: 'AWS EC2 G5 instance specifications (A10G, 24 GB)',
    specDate: '2021-11',
    aliases: ['a10g-24gb'],
  },
  {
    id: 'l4',
    name: 'NVIDIA L4',
    memoryGb: 24,
    price: { value: 0.805, source: `${SKYPILOT} g6.xlarge (1×L4, 0.8048 $/h)`, date: PRICE_DATE, derived: false },
    migProfiles: [],
    specSource: 'NVIDIA L4 datasheet',
    specDate: '2023-03',
    aliases: ['l4-24gb'],
  },
  {
    id: 'l40s',
    name: 'NVIDIA L40S',
    memoryGb: 48,
    price: {
      value: 1.861,
      source: 'AWS EC2 on-demand us-east-1 g6e.xlarge (1×L40S, 1.861 $/h); not in the REFERENCE-DATA price table',
      date: '2024-08',
      derived: true,
    },
    migProfiles: [],
    specSource: 'NVIDIA L40S datasheet',
    specDate: '2023-08',
    aliases: ['l40s-48gb'],
  },
  {
    id: 'a100-40gb',
    name: 'NVIDIA A100 40GB',
    memoryGb: 40,
    price: { value: 2.74, source: `${SKYPILOT} p4d.24xlarge (8×A100-40GB, 21.958 $/h) ÷ 8`, date: PRICE_DATE, derived: false },
    migProfiles: standardMig(['1g.5gb', '1g.10gb', '2g.10gb', '3g.20gb', '4g.20gb', '7g.40gb']),
    specSource: 'NVIDIA A100 datasheet',
    specDate: '2021-06',
    aliases: ['a100', 'a100-40', 'a100-40g', 'a100-sxm4-40gb'],
  },
  {
    id: 'a100-80gb',
    name: 'NVIDIA A100 80GB',
    memoryGb: 80,
    price: { value: 3.43, source: `${SKYPILOT} p4de.24xlarge (8×A100-80GB, 27.447 $/h) ÷ 8`, date: PRICE_DATE, derived: false },
    migProfiles: standardMig(['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb']),
    specSource: 'NVIDIA A100 datasheet',
    specDate: '2021-06',
    aliases: ['a100-80', 'a100-80g', 'a100-sxm4-80gb'],
  },
  {
    id: 'h100-80gb',
    name: 'NVIDIA H100 80GB (SXM)',
    memoryGb: 80,
    price: { value: 6.88, source: `${SKYPILOT} p5.48xlarge (8×H100, 55.04 $/h) ÷ 8`, date: PRICE_DATE, derived: false },
    migProfiles: standardMig(['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb']),
    specSource: 'NVIDIA H100 datasheet',
    specDate: '2023-03',
    aliases: ['h100', 'h100-80', 'h100-80g', 'h100-sxm', 'h100-sxm5-80gb'],
  },
  {
    id: 'h200',
    name: 'NVIDIA H200 141GB',
    memoryGb: 141,
    price: {
      // No H200 row in the reference table: scale the H100 price by AWS's own H200/H100
      // ratio in one price list (Capacity Blocks, 5.408 vs 4.916 $/accelerator-hour).
      value: 7.57,
      source:
        'derived: H100 p5 price 6.88 $/GPU-h × 1.10 (AWS EC2 Capacity Blocks H200 5.408 vs H100 4.916 $/accelerator-h); not in the REFERENCE-DATA price table',
      date: '2025-06',
      derived: true,
    },
    migProfiles: standardMig(['1g.18gb', '1g.35gb', '2g.35gb', '3g.71gb', '4g.71gb', '7g.141gb']),
    specSource: 'NVIDIA H200 datasheet',
    specDate: '2024-11',
    aliases: ['h200-141gb', 'h200-141', 'h200-141g'],
  },
];

function normalizeGpuId(id: string): string {
  return id
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
    .replace(/^nvidia-/, '');
}

/** Looks a GPU up by id or alias, case-insensitively ("A100" → a100-40gb, "h100" → h100-80gb); undefined when unknown. */
export function findGpu(id: string): GpuSpec | undefined {
  const key = normalizeGpuId(id);
  return GPUS.find((g) => g.id === key || g.aliases.includes(key));
}

/** Canonical ids of all catalog GPUs, in catalog order. */
export function gpuIds(): string[] {
  return GPUS.map((g) => g.id);
}

/** Canonical ids of the GPUs that support MIG. */
export function migGpuIds(): string[] {
  return GPUS.filter((g) => g.migProfiles.length > 0).map((g) => g.id);
}

/** The MIG profile `id` (case-insensitive) of `gpu`; undefined when the GPU has no such profile. */
export function findMigProfile(gpu: GpuSpec, id: string): MigProfile | undefined {
  const key = id.trim().toLowerCase();
  return gpu.migProfiles.find((p) => p.id === key);
}

/** The error for an unknown GPU id, naming the known ones. */
export function unknownGpuMessage(id: string): string {
  return `unknown GPU "${id}" (known: ${gpuIds().join(', ')})`;
}

/** The MIG profile `id` of `gpu`, or a message saying why there is none (no MIG on this GPU, or which profiles exist). */
export function resolveMigProfile(gpu: GpuSpec, id: string): MigProfile | string {
  if (gpu.migProfiles.length === 0) {
    return `GPU "${gpu.id}" has no MIG profiles (MIG exists on ${migGpuIds().join(', ')})`;
  }
  const profile = findMigProfile(gpu, id);
  if (profile === undefined) {
    return `${gpu.id} has no MIG profile "${id}"; it has ${gpu.migProfiles.map((p) => p.id).join(', ')}`;
  }
  return profile;
}

/** Share of the full GPU's compute a slice of `profile` gets (k/7); also its share of the GPU's price. */
export function migComputeShare(profile: MigProfile): number {
  return profile.computeSlices / MIG_COMPUTE_SLICES;
}

function describeLayout(profiles: MigProfile[]): string {
  const counts = new Map<string, number>();
  for (const p of profiles) counts.set(p.id, (counts.get(p.id) ?? 0) + 1);
  return [...counts].map(([id, n]) => `${n} × ${id}`).join(' + ');
}

/** Tries every placement (backtracking over an 8-bit slot mask); the sets are tiny (≤ 7 instances). */
function placeAll(profiles: MigProfile[], index: number, usedMask: number): boolean {
  if (index === profiles.length) return true;
  const p = profiles[index]!;
  const span = ((1 << p.memorySlots) - 1) >>> 0;
  for (const start of p.placements) {
    const mask = span << start;
    if ((usedMask & mask) === 0 && placeAll(profiles, index + 1, usedMask | mask)) return true;
  }
  return false;
}

/** Checks that the listed MIG slices (ids may repeat) fit together on one GPU by max instances, compute slices and placement; an error message or null. */
export function checkMigLayout(gpu: GpuSpec, migProfileIds: string[]): string | null {
  if (migProfileIds.length === 0) return 'no MIG slices given';
  const profiles: MigProfile[] = [];
  for (const id of migProfileIds) {
    const p = resolveMigProfile(gpu, id);
    if (typeof p === 'string') return p;
    profiles.push(p);
  }
  const layout = describeLayout(profiles);
  const prefix = `${layout} do not fit on one ${gpu.id}`;
  for (const p of gpu.migProfiles) {
    const n = profiles.filter((q) => q === p).length;
    if (n > p.maxInstances) {
      return `${prefix}: at most ${p.maxInstances} instance${p.maxInstances === 1 ? '' : 's'} of ${p.id} per GPU`;
    }
  }
  const computeSlices = profiles.reduce((sum, p) => sum + p.computeSlices, 0);
  if (computeSlices > MIG_COMPUTE_SLICES) {
    return `${prefix}: they need ${computeSlices} compute slices, a GPU has ${MIG_COMPUTE_SLICES}`;
  }
  // Larger slices first: they have the fewest placements, so the search prunes early.
  const ordered = [...profiles].sort((a, b) => b.memorySlots - a.memorySlots);
  if (!placeAll(ordered, 0, 0)) {
    const rules = [...new Set(ordered)]
      .map((p) => `${p.id} takes ${p.memorySlots} slot${p.memorySlots === 1 ? '' : 's'} starting at ${p.placements.join('/')}`)
      .join('; ');
    return `${prefix}: no valid placement in the ${MIG_MEMORY_SLOTS} memory slots (${rules})`;
  }
  return null;
}

/** Checks that `count` slices of `migProfileId` fit on one GPU by compute slices, max instances and placement; returns an error message or null. */
export function checkMigFit(gpu: GpuSpec, migProfileId: string, count: number): string | null {
  if (!Number.isInteger(count) || count < 1) {
    return `MIG slice count must be a whole number ≥ 1, got ${count}`;
  }
  return checkMigLayout(gpu, new Array<string>(count).fill(migProfileId));
}

/** All catalog GPUs, in catalog order (shared objects: treat as read-only). */
export function allGpus(): readonly GpuSpec[] {
  return GPUS;
}
