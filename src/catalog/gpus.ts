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

function describeLayout(profiles: readonly MigProfile[]): string {
  const counts = new Map<string, number>();
  for (const p of profiles) counts.set(p.id, (counts.get(p.id) ?? 0) + 1);
  return [...counts].map(([id, n]) => `${n} × ${id}`).join(' + ');
}

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth'];

/** "the 2g.20gb" when the layout has one of its profile, else "the second 3g.40gb" (by position in the layout). */
function sliceName(profiles: readonly MigProfile[], index: number): string {
  const p = profiles[index]!;
  let rank = 0;
  let total = 0;
  for (let i = 0; i < profiles.length; i++) {
    if (profiles[i] !== p) continue;
    total++;
    if (i <= index) rank++;
  }
  if (total === 1) return `the ${p.id}`;
  return `the ${ORDINALS[rank - 1] ?? `#${rank}`} ${p.id}`;
}

function slotRange(start: number, slots: number): string {
  return slots === 1 ? `slot ${start}` : `slots ${start}–${start + slots - 1}`;
}

/** "0", "0 or 4", "0, 2, 4 or 6". */
function orList(items: readonly (string | number)[]): string {
  if (items.length <= 1) return items.map(String).join('');
  return `${items.slice(0, -1).join(', ')} or ${String(items[items.length - 1])}`;
}

function andList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]!}`;
}

function spanMask(p: MigProfile, start: number): number {
  return (((1 << p.memorySlots) - 1) << start) >>> 0;
}

/**
 * The order the placement search takes the slices in: most memory slots first, then fewest
 * placements, then layout order (the sets are tiny, ≤ 7 slices, and big slices with few starts
 * prune the search early). Stable, so copies of one profile keep their layout order.
 */
function searchOrder(profiles: readonly MigProfile[]): number[] {
  return profiles
    .map((_, i) => i)
    .sort(
      (a, b) =>
        profiles[b]!.memorySlots - profiles[a]!.memorySlots ||
        profiles[a]!.placements.length - profiles[b]!.placements.length ||
        a - b,
    );
}

/**
 * Places the first `count` slices of `order` without overlapping memory slots, trying each
 * slice's starts in ascending order with backtracking; the starts (indexed like `profiles`,
 * -1 for slices not placed) or null. Deterministic: the first arrangement in that search order.
 */
function findPlacement(profiles: readonly MigProfile[], order: readonly number[], count: number): number[] | null {
  const starts = new Array<number>(profiles.length).fill(-1);
  const place = (k: number, used: number): boolean => {
    if (k === count) return true;
    const i = order[k]!;
    const p = profiles[i]!;
    for (const start of p.placements) {
      const mask = spanMask(p, start);
      if ((used & mask) !== 0) continue;
      starts[i] = start;
      if (place(k + 1, used | mask)) return true;
    }
    starts[i] = -1;
    return false;
  };
  return place(0, 0) ? starts : null;
}

/** `profiles` as `gpu`'s own profile objects (matched by id: A100-80GB and H100 share ids), or why one is not `gpu`'s. */
function ownProfiles(gpu: GpuSpec, profiles: readonly MigProfile[]): MigProfile[] | string {
  const own: MigProfile[] = [];
  for (const p of profiles) {
    const q = gpu.migProfiles.find((g) => g.id === p.id);
    if (q === undefined) return unknownMigMessage(gpu, p.id);
    own.push(q);
  }
  return own;
}

/** Why `gpu`'s own slices cannot sit together by instance limits and compute slices, or null when those allow it. */
function countError(gpu: GpuSpec, profiles: readonly MigProfile[]): string | null {
  if (profiles.length === 0) return 'no MIG slices given';
  const prefix = `${describeLayout(profiles)} do not fit on one ${gpu.id}`;
  for (const p of gpu.migProfiles) {
    const n = profiles.filter((q) => q === p).length;
    if (n > p.maxInstances) {
      return `${prefix}: at most ${p.maxInstances} × ${p.id} per GPU, the layout has ${n}`;
    }
  }
  const computeSlices = profiles.reduce((sum, p) => sum + p.computeSlices, 0);
  if (computeSlices > MIG_COMPUTE_SLICES) {
    const parts = profiles.map((p) => p.computeSlices).join(' + ');
    return `${prefix}: they need ${computeSlices} compute slices (${parts}), a GPU has ${MIG_COMPUTE_SLICES}`;
  }
  return null;
}

/**
 * Names the slice that finds no room: the first one in search order whose addition makes the
 * slices so far unplaceable. Every arrangement of the slices before it blocks all its starts;
 * the message shows the search's first arrangement and which of those slices cover its starts.
 */
function placementError(gpu: GpuSpec, profiles: readonly MigProfile[], order: readonly number[]): string {
  let k = 1;
  while (k < order.length && findPlacement(profiles, order, k + 1) !== null) k++;
  // Slices order[0..k) fit; adding order[k] does not.
  const before = findPlacement(profiles, order, k)!;
  const failing = order[k]!;
  const p = profiles[failing]!;
  let reach = 0;
  for (const start of p.placements) reach |= spanMask(p, start);
  const blockers = order
    .slice(0, k)
    .filter((i) => (spanMask(profiles[i]!, before[i]!) & reach) !== 0)
    .sort((a, b) => before[a]! - before[b]!)
    .map((i) => `${sliceName(profiles, i)} (${slotRange(before[i]!, profiles[i]!.memorySlots)})`);
  const n = p.placements.length;
  const where = n === 1 ? `starts only at slot ${p.placements[0]!}` : `starts at slot ${orList(p.placements)}`;
  const taken = n === 1 ? 'taken' : n === 2 ? 'both taken' : 'all taken';
  const others = k > 1 ? '; no other arrangement of the slices leaves one free' : '';
  return (
    `${describeLayout(profiles)} do not fit on one ${gpu.id}: ${sliceName(profiles, failing)} has no free placement: ` +
    `${p.id} ${where} (${p.memorySlots} memory slot${p.memorySlots === 1 ? '' : 's'} of ${MIG_MEMORY_SLOTS}), ${taken} by ${andList(blockers)}${others}`
  );
}

/** resolveMigProfile's message for an id `gpu` lacks; when `gpu` has MIG, it also names the other GPUs that have that profile. */
function unknownMigMessage(gpu: GpuSpec, id: string): string {
  const resolved = resolveMigProfile(gpu, id);
  const message = typeof resolved === 'string' ? resolved : `${gpu.id} has no MIG profile "${id}"`;
  if (gpu.migProfiles.length === 0) return message;
  const key = id.trim().toLowerCase();
  const owners = GPUS.filter((g) => g !== gpu && g.migProfiles.some((q) => q.id === key)).map((g) => g.id);
  return owners.length === 0 ? message : `${message} ("${key}" is a MIG profile of ${owners.join(', ')})`;
}

/** Why `profiles` (copies may repeat) cannot share one GPU, or null when they can. */
function layoutError(gpu: GpuSpec, slices: readonly MigProfile[]): string | null {
  const profiles = ownProfiles(gpu, slices);
  if (typeof profiles === 'string') return profiles;
  const counted = countError(gpu, profiles);
  if (counted !== null) return counted;
  const order = searchOrder(profiles);
  return findPlacement(profiles, order, profiles.length) === null ? placementError(gpu, profiles, order) : null;
}

/**
 * Checks that the listed MIG slices (ids or profiles of `gpu`; ids may repeat) fit together on one
 * GPU: at most maxInstances of each profile, at most 7 compute slices, and a start for every slice
 * among its profile's placements with no two slices sharing a memory slot (NVML: a GPU instance
 * cannot be created over occupied memory slices). An error naming the slice and the reason, or null.
 */
export function checkMigLayout(gpu: GpuSpec, slices: readonly (string | MigProfile)[]): string | null {
  const profiles: MigProfile[] = [];
  for (const s of slices) {
    if (typeof s !== 'string') {
      profiles.push(s);
      continue;
    }
    const p = resolveMigProfile(gpu, s);
    if (typeof p === 'string') return unknownMigMessage(gpu, s);
    profiles.push(p);
  }
  return layoutError(gpu, profiles);
}

/**
 * Where each slice of a valid layout sits: its first memory slot (0–7), in the order of `profiles`;
 * null when the layout does not fit (checkMigLayout says why). Deterministic: slices are placed
 * largest first, each at its lowest free start, backtracking only when a later slice finds no room.
 */
export function placeMigLayout(gpu: GpuSpec, slices: readonly MigProfile[]): number[] | null {
  const profiles = ownProfiles(gpu, slices);
  if (typeof profiles === 'string' || countError(gpu, profiles) !== null) return null;
  return findPlacement(profiles, searchOrder(profiles), profiles.length);
}

/** Most copies one "N×profile" item may ask for before parsing gives up (a GPU holds at most 7). */
const MAX_REPEAT = 64;

const LAYOUT_EXAMPLE = '3g.40gb+2g.20gb+1g.10gb+1g.10gb';

/** Splits "3g.40gb + 2x1g.10gb+me" into items; "+me" (any item not starting with a digit) belongs to the item before it. */
function splitLayoutText(text: string): string[] | string {
  const items: string[] = [];
  for (const raw of text.split(/[+,]/)) {
    const token = raw.trim();
    if (token === '') return `empty slice in MIG layout "${text.trim()}" (write slices as ${LAYOUT_EXAMPLE})`;
    if (!/^\d/.test(token) && items.length > 0) items[items.length - 1] += `+${token}`;
    else items.push(token);
  }
  return items;
}

/**
 * Reads a MIG layout for one GPU of type `gpu`: "3g.40gb+2g.20gb+1g.10gb+1g.10gb" (spaces allowed,
 * "2x1g.10gb" or "2×1g.10gb" for repeats, "1g.10gb+me" for the media-extension profile) or a list
 * of ids (each may carry the repeat prefix), then validates it as checkMigLayout does. The slices'
 * profiles in layout order (repeats expanded), or an error naming the slice and why.
 */
export function parseMigLayout(gpu: GpuSpec, text: string | readonly string[]): { profiles: MigProfile[] } | { error: string } {
  const items = typeof text === 'string' ? (text.trim() === '' ? [] : splitLayoutText(text)) : text;
  if (typeof items === 'string') return { error: items };
  if (items.length === 0) return { error: `empty MIG layout: give at least one slice, e.g. ${LAYOUT_EXAMPLE}` };
  const profiles: MigProfile[] = [];
  for (const item of items) {
    const m = /^\s*(?:(\d+)\s*[x×]\s*)?(\S.*?)\s*$/i.exec(item);
    if (m === null) return { error: `empty slice in MIG layout (write slices as ${LAYOUT_EXAMPLE})` };
    const count = m[1] === undefined ? 1 : Number(m[1]);
    const id = m[2]!;
    if (count < 1 || count > MAX_REPEAT) {
      return { error: `"${item.trim()}": a repeat count must be a whole number from 1 to ${MAX_REPEAT}, got ${m[1]!}` };
    }
    const p = resolveMigProfile(gpu, id);
    if (typeof p === 'string') return { error: unknownMigMessage(gpu, id) };
    for (let i = 0; i < count; i++) profiles.push(p);
  }
  const error = layoutError(gpu, profiles);
  return error === null ? { profiles } : { error };
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
