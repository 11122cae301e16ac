/**
 * MIG layouts against NVIDIA's documentation: every layout NVIDIA documents for A100-40GB,
 * A100-80GB and H100-80GB is accepted, invalid ones are rejected with the reason, and the
 * catalog's profile data match NVIDIA's tables.
 *
 * Sources (read 2026-12-04):
 * - NVIDIA Multi-Instance GPU User Guide r580, https://docs.nvidia.com/datacenter/tesla/mig-user-guide/
 *   - supported-mig-profiles.html: Table 6 "GPU Instance Profiles on A100" (A100-SXM4-40GB; "For
 *     A100-SXM4-80GB, the profile names will change according to the memory proportion – for
 *     example, 1g.10gb, 1g.10gb+me, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb respectively"),
 *     Table 7 "GPU Instance Profiles on H100": profile names, fraction of SMs, instances available.
 *   - getting-started-with-mig.html, "List the possible placements": `nvidia-smi mig -lgipp` on an
 *     A100-40GB: profile 19 (1g.5gb) {0,1,2,3,4,5,6}:1, 20 (1g.5gb+me) {0,…,6}:1, 15 (1g.10gb)
 *     {0,2,4,6}:2, 14 (2g.10gb) {0,2,4}:2, 9 (3g.20gb) {0,4}:4, 5 (4g.20gb) {0}:4, 0 (7g.40gb) {0}:8.
 *     NVIDIA's H100 NVL listing (NVIDIA technical blog on MIG for H100 NVL) prints the same placements.
 *   - concepts.html, Partitioning: the valid combinations are drawn as a figure ("Figure 7 MIG
 *     Profiles on A100", "Figure 8 Profile Placements on A100"), with the note that 4g + 3g needs
 *     driver R510 or later. The guide's combination list for A100 (and H100, same geometry) is an
 *     image whose text could not be retrieved here, so NVIDIA_CONFIGURATIONS below is derived:
 *     every maximal placement of the original five profiles (1g, 2g, 3g, 4g, 7g) on the 8-slot
 *     axis by the lgipp placements above. That gives 19 configurations, the number NVIDIA's A100
 *     diagram shows; the test checks the list against an enumeration from the catalog's data.
 * - NVIDIA mig-parted, deployments/systemd/config-default.yaml (the GPU operator's default MIG
 *   configs): all-1g.10gb (7 on A100-80GB/H100, 4 on A100-40GB), all-1g.20gb (4), all-balanced
 *   (2 × 1g + 1 × 2g + 1 × 3g), one all-<profile> per profile at its instance limit.
 */
import { describe, it, expect } from 'vitest';
import {
  checkMigLayout,
  findGpu,
  MIG_MEMORY_SLOTS,
  parseMigLayout,
  placeMigLayout,
  type GpuSpec,
  type MigProfile,
} from '../../src/catalog/index.js';

function gpu(id: string): GpuSpec {
  const g = findGpu(id);
  if (g === undefined) throw new Error(`no GPU ${id}`);
  return g;
}

/** Profile kinds, named as on the guide's diagrams: the k-compute-slice profile, plus the two 1g variants. */
type Kind = '1g' | '1g+me' | '1g.2m' | '2g' | '3g' | '4g' | '7g';

interface NvidiaProfile {
  kind: Kind;
  computeSlices: number;
  memorySlots: number;
  maxInstances: number;
  placements: number[];
}

/** NVIDIA's Table 6/7 (compute, instances) and the lgipp listing (memory slots, starts); identical for the three GPUs. */
const NVIDIA_GEOMETRY: NvidiaProfile[] = [
  { kind: '1g', computeSlices: 1, memorySlots: 1, maxInstances: 7, placements: [0, 1, 2, 3, 4, 5, 6] },
  { kind: '1g+me', computeSlices: 1, memorySlots: 1, maxInstances: 1, placements: [0, 1, 2, 3, 4, 5, 6] },
  { kind: '1g.2m', computeSlices: 1, memorySlots: 2, maxInstances: 4, placements: [0, 2, 4, 6] },
  { kind: '2g', computeSlices: 2, memorySlots: 2, maxInstances: 3, placements: [0, 2, 4] },
  { kind: '3g', computeSlices: 3, memorySlots: 4, maxInstances: 2, placements: [0, 4] },
  { kind: '4g', computeSlices: 4, memorySlots: 4, maxInstances: 1, placements: [0] },
  { kind: '7g', computeSlices: 7, memorySlots: 8, maxInstances: 1, placements: [0] },
];

/** Profile names per GPU (Table 6, its 80GB note, Table 7). */
const NAMES: Record<string, Record<Kind, string>> = {
  'a100-40gb': { '1g': '1g.5gb', '1g+me': '1g.5gb+me', '1g.2m': '1g.10gb', '2g': '2g.10gb', '3g': '3g.20gb', '4g': '4g.20gb', '7g': '7g.40gb' },
  'a100-80gb': { '1g': '1g.10gb', '1g+me': '1g.10gb+me', '1g.2m': '1g.20gb', '2g': '2g.20gb', '3g': '3g.40gb', '4g': '4g.40gb', '7g': '7g.80gb' },
  'h100-80gb': { '1g': '1g.10gb', '1g+me': '1g.10gb+me', '1g.2m': '1g.20gb', '2g': '2g.20gb', '3g': '3g.40gb', '4g': '4g.40gb', '7g': '7g.80gb' },
};
const GPU_IDS = Object.keys(NAMES);

/**
 * NVIDIA's A100 configurations (same on H100): each slice as kind@start slot, left to right on the
 * 8-slot axis. Derived (see the header): the maximal placements of 1g, 2g, 3g, 4g and 7g.
 */
const NVIDIA_CONFIGURATIONS: string[] = [
  '7g@0',
  '4g@0 3g@4', // needs driver ≥ R510 (concepts.html)
  '4g@0 2g@4 1g@6',
  '4g@0 1g@4 1g@5 1g@6',
  '3g@0 3g@4',
  '3g@0 2g@4 1g@6',
  '3g@0 1g@4 1g@5 1g@6',
  '2g@0 2g@2 3g@4',
  '2g@0 2g@2 2g@4 1g@6',
  '2g@0 2g@2 1g@4 1g@5 1g@6',
  '2g@0 1g@2 1g@3 3g@4',
  '2g@0 1g@2 1g@3 2g@4 1g@6',
  '2g@0 1g@2 1g@3 1g@4 1g@5 1g@6',
  '1g@0 1g@1 2g@2 3g@4',
  '1g@0 1g@1 2g@2 2g@4 1g@6',
  '1g@0 1g@1 2g@2 1g@4 1g@5 1g@6',
  '1g@0 1g@1 1g@2 1g@3 3g@4',
  '1g@0 1g@1 1g@2 1g@3 2g@4 1g@6',
  '1g@0 1g@1 1g@2 1g@3 1g@4 1g@5 1g@6',
];

/** Distinct non-empty slice sets that fit one A100/H100 (all seven profiles), by the brute-force enumeration below. */
const EXPECTED_VALID_LAYOUTS = 127;
/** Maximal placements of all seven profiles (nothing more fits), and how many distinct slice sets they hold. */
const MAXIMAL_ALL = 239;
const MAXIMAL_ALL_SETS = 64;

/** Layouts from mig-parted's default config (kind → count), each valid on all three GPUs. */
const MIG_PARTED_CONFIGS: Record<string, Partial<Record<Kind, number>>> = {
  'all-1g': { '1g': 7 },
  'all-1g.me': { '1g+me': 1 },
  'all-1g.2m': { '1g.2m': 4 },
  'all-2g': { '2g': 3 },
  'all-3g': { '3g': 2 },
  'all-4g': { '4g': 1 },
  'all-7g': { '7g': 1 },
  'all-balanced': { '1g': 2, '2g': 1, '3g': 1 },
};

interface Placed {
  kind: Kind;
  start: number;
}

function spanMask(p: NvidiaProfile, start: number): number {
  return ((1 << p.memorySlots) - 1) << start;
}

/**
 * Every set of non-overlapping instances of `profiles` within their instance limits, each as its
 * instances in slot order: slot by slot, either nothing starts there or one profile that may start
 * there and fits. Independent of the catalog code (brute force on NVIDIA_GEOMETRY).
 */
function allPlacements(profiles: readonly NvidiaProfile[]): Placed[][] {
  const out: Placed[][] = [];
  const counts = new Map<Kind, number>();
  const acc: Placed[] = [];
  const visit = (slot: number, used: number): void => {
    if (slot === MIG_MEMORY_SLOTS) {
      out.push([...acc]);
      return;
    }
    visit(slot + 1, used);
    if ((used & (1 << slot)) !== 0) return;
    for (const p of profiles) {
      const mask = spanMask(p, slot);
      if (!p.placements.includes(slot) || (used & mask) !== 0 || (counts.get(p.kind) ?? 0) >= p.maxInstances) continue;
      counts.set(p.kind, (counts.get(p.kind) ?? 0) + 1);
      acc.push({ kind: p.kind, start: slot });
      visit(slot + 1, used | mask);
      acc.pop();
      counts.set(p.kind, counts.get(p.kind)! - 1);
    }
  };
  visit(0, 0);
  return out;
}

function isMaximal(placement: readonly Placed[], profiles: readonly NvidiaProfile[]): boolean {
  let used = 0;
  for (const s of placement) used |= spanMask(geometry(s.kind), s.start);
  return !profiles.some(
    (p) =>
      placement.filter((s) => s.kind === p.kind).length < p.maxInstances &&
      p.placements.some((start) => (used & spanMask(p, start)) === 0),
  );
}

function geometry(kind: Kind): NvidiaProfile {
  return NVIDIA_GEOMETRY.find((p) => p.kind === kind)!;
}

function configKey(placement: readonly Placed[]): string {
  return placement.map((s) => `${s.kind}@${s.start}`).join(' ');
}

function parseConfig(config: string): Placed[] {
  return config.split(' ').map((item) => {
    const [kind, start] = item.split('@') as [Kind, string];
    return { kind, start: Number(start) };
  });
}

/** A multiset of kinds as a stable key, e.g. "1g×2 2g×1 3g×1". */
function multisetKey(kinds: readonly Kind[]): string {
  const counts = new Map<Kind, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  return NVIDIA_GEOMETRY.filter((p) => counts.has(p.kind))
    .map((p) => `${p.kind}×${counts.get(p.kind)!}`)
    .join(' ');
}

function layoutText(gpuId: string, kinds: readonly Kind[]): string {
  return kinds.map((k) => NAMES[gpuId]![k]).join('+');
}

function accepted(g: GpuSpec, text: string | readonly string[]): MigProfile[] {
  const r = parseMigLayout(g, text);
  if ('error' in r) throw new Error(`${g.id} "${String(text)}": ${r.error}`);
  return r.profiles;
}

function rejected(g: GpuSpec, text: string | readonly string[]): string {
  const r = parseMigLayout(g, text);
  if (!('error' in r)) throw new Error(`${g.id} "${String(text)}" was accepted`);
  return r.error;
}

/** Checks that `starts` put each slice at one of its profile's placements with no memory slot shared. */
function expectValidPlacement(profiles: readonly MigProfile[], starts: readonly number[] | null): void {
  expect(starts).not.toBeNull();
  expect(starts).toHaveLength(profiles.length);
  let used = 0;
  profiles.forEach((p, i) => {
    const start = starts![i]!;
    expect(p.placements, p.id).toContain(start);
    const mask = ((1 << p.memorySlots) - 1) << start;
    expect(used & mask, `${p.id} at ${start} overlaps`).toBe(0);
    used |= mask;
  });
}

describe('catalog MIG data against NVIDIA', () => {
  it.each(GPU_IDS)('%s has exactly the profiles of NVIDIA\'s table, with their slices, instance limits and lgipp placements', (id) => {
    const g = gpu(id);
    const expected = NVIDIA_GEOMETRY.map((p) => ({
      id: NAMES[id]![p.kind],
      computeSlices: p.computeSlices,
      memorySlots: p.memorySlots,
      maxInstances: p.maxInstances,
      placements: p.placements,
    }));
    expect(g.migProfiles.map(({ id: pid, computeSlices, memorySlots, maxInstances, placements }) => ({ id: pid, computeSlices, memorySlots, maxInstances, placements }))).toEqual(expected);
  });
});

describe('every layout NVIDIA documents is accepted', () => {
  const classic = NVIDIA_GEOMETRY.filter((p) => ['1g', '2g', '3g', '4g', '7g'].includes(p.kind));

  it('the 19 configurations are exactly the maximal placements of 1g, 2g, 3g, 4g and 7g on the 8 memory slots', () => {
    const maximal = allPlacements(classic).filter((p) => isMaximal(p, classic)).map(configKey);
    expect(NVIDIA_CONFIGURATIONS).toHaveLength(19);
    expect(new Set(NVIDIA_CONFIGURATIONS).size).toBe(19);
    expect([...maximal].sort()).toEqual([...NVIDIA_CONFIGURATIONS].sort());
    // They hold 14 distinct sets of slices (some differ only by position, e.g. 2g+1g+1g+3g vs 1g+1g+2g+3g).
    expect(new Set(NVIDIA_CONFIGURATIONS.map((c) => multisetKey(parseConfig(c).map((s) => s.kind)))).size).toBe(14);
  });

  it(`with the double-memory 1g and 1g+me too (newer profiles), ${MAXIMAL_ALL} maximal placements holding ${MAXIMAL_ALL_SETS} distinct slice sets`, () => {
    const maximal = allPlacements(NVIDIA_GEOMETRY).filter((p) => isMaximal(p, NVIDIA_GEOMETRY));
    expect(maximal.length).toBe(MAXIMAL_ALL);
    expect(new Set(maximal.map((p) => multisetKey(p.map((s) => s.kind)))).size).toBe(MAXIMAL_ALL_SETS);
  });

  for (const id of GPU_IDS) {
    it.each(NVIDIA_CONFIGURATIONS)(`${id}: %s is accepted, every sub-layout too, and placed validly`, (config) => {
      const g = gpu(id);
      const kinds = parseConfig(config).map((s) => s.kind);
      const profiles = accepted(g, layoutText(id, kinds));
      expect(profiles.map((p) => p.id)).toEqual(kinds.map((k) => NAMES[id]![k]));
      expectValidPlacement(profiles, placeMigLayout(g, profiles));
      // Dropping slices from a valid layout leaves a valid one (a partly filled GPU).
      for (let mask = 1; mask < 1 << kinds.length; mask++) {
        const sub = kinds.filter((_, i) => (mask & (1 << i)) !== 0);
        expect(checkMigLayout(g, sub.map((k) => NAMES[id]![k])), `${id} ${sub.join('+')}`).toBeNull();
      }
    });

    it(`${id}: mig-parted's default configs are accepted`, () => {
      const g = gpu(id);
      for (const [name, counts] of Object.entries(MIG_PARTED_CONFIGS)) {
        const text = Object.entries(counts)
          .map(([k, n]) => `${n}x${NAMES[id]![k as Kind]}`)
          .join(' + ');
        expect(parseMigLayout(g, text), `${name}: ${text}`).not.toHaveProperty('error');
      }
    });
  }

  it.each(GPU_IDS)('%s: with the double-memory 1g and 1g+me too, a layout is accepted exactly when some placement holds it', (id) => {
    const g = gpu(id);
    const placeable = new Set(allPlacements(NVIDIA_GEOMETRY).map((p) => multisetKey(p.map((s) => s.kind))));
    // Every multiset within the instance limits: 8 · 2 · 5 · 4 · 3 · 2 · 2 = 3840.
    let accepts = 0;
    let total = 0;
    const visit = (i: number, kinds: Kind[]): void => {
      if (i === NVIDIA_GEOMETRY.length) {
        if (kinds.length === 0) return;
        total++;
        const text = layoutText(id, kinds);
        const r = parseMigLayout(g, text);
        const valid = placeable.has(multisetKey(kinds));
        expect('profiles' in r, `${id} ${text}: ${'error' in r ? r.error : 'accepted'}`).toBe(valid);
        if ('profiles' in r) {
          accepts++;
          expectValidPlacement(r.profiles, placeMigLayout(g, r.profiles));
        } else {
          expect(placeMigLayout(g, kinds.map((k) => g.migProfiles.find((p) => p.id === NAMES[id]![k])!))).toBeNull();
        }
        return;
      }
      const p = NVIDIA_GEOMETRY[i]!;
      for (let n = 0; n <= p.maxInstances; n++) visit(i + 1, [...kinds, ...new Array<Kind>(n).fill(p.kind)]);
    };
    visit(0, []);
    expect(total).toBe(3839);
    expect(accepts).toBe(placeable.size - 1); // minus the empty layout
    expect(accepts).toBe(EXPECTED_VALID_LAYOUTS);
  });
});

describe('invalid layouts are rejected with the reason', () => {
  const a80 = gpu('a100-80gb');
  const a40 = gpu('a100-40gb');
  const h100 = gpu('h100-80gb');

  it('too many compute slices: 4g + 2g + 2g needs 8 of 7', () => {
    expect(rejected(h100, '4g.40gb+2g.20gb+2g.20gb')).toBe(
      '1 × 4g.40gb + 2 × 2g.20gb do not fit on one h100-80gb: they need 8 compute slices (4 + 2 + 2), a GPU has 7',
    );
  });

  it('4g + 3g + 1g on an A100 fails on compute slices (8 of 7), before any placement question', () => {
    expect(rejected(a40, '4g.20gb + 3g.20gb + 1g.5gb')).toBe(
      '1 × 4g.20gb + 1 × 3g.20gb + 1 × 1g.5gb do not fit on one a100-40gb: they need 8 compute slices (4 + 3 + 1), a GPU has 7',
    );
  });

  it('too many instances of a profile', () => {
    expect(rejected(a80, '2x7g.80gb')).toBe('2 × 7g.80gb do not fit on one a100-80gb: at most 1 × 7g.80gb per GPU, the layout has 2');
    expect(rejected(a80, '3×3g.40gb')).toBe('3 × 3g.40gb do not fit on one a100-80gb: at most 2 × 3g.40gb per GPU, the layout has 3');
    expect(rejected(h100, '1g.10gb+me + 1g.10gb+me')).toBe(
      '2 × 1g.10gb+me do not fit on one h100-80gb: at most 1 × 1g.10gb+me per GPU, the layout has 2',
    );
    expect(rejected(a40, '5x1g.10gb')).toBe('5 × 1g.10gb do not fit on one a100-40gb: at most 4 × 1g.10gb per GPU, the layout has 5');
  });

  it('placement conflict: 3g + 3g + 1g (7 compute slices, instance limits met) leaves the 1g no slot', () => {
    expect(rejected(a80, '3g.40gb+3g.40gb+1g.10gb')).toBe(
      '2 × 3g.40gb + 1 × 1g.10gb do not fit on one a100-80gb: the 1g.10gb has no free placement: ' +
        '1g.10gb starts at slot 0, 1, 2, 3, 4, 5 or 6 (1 memory slot of 8), all taken by the first 3g.40gb (slots 0–3) ' +
        'and the second 3g.40gb (slots 4–7); no other arrangement of the slices leaves one free',
    );
  });

  it('placement conflict: four double-memory 1g fill all 8 memory slots with 4 compute slices used', () => {
    expect(rejected(h100, '4x1g.20gb + 1g.10gb')).toBe(
      '4 × 1g.20gb + 1 × 1g.10gb do not fit on one h100-80gb: the 1g.10gb has no free placement: ' +
        '1g.10gb starts at slot 0, 1, 2, 3, 4, 5 or 6 (1 memory slot of 8), all taken by the first 1g.20gb (slots 0–1), ' +
        'the second 1g.20gb (slots 2–3), the third 1g.20gb (slots 4–5) and the fourth 1g.20gb (slots 6–7); ' +
        'no other arrangement of the slices leaves one free',
    );
  });

  it('placement conflict: 4g + 2 double-memory 1g + 1g (7 compute slices) leave the 1g no slot', () => {
    // The 4g starts only at slot 0 (slots 0–3); the two 1g.20gb take 4–5 and 6–7.
    expect(rejected(a80, '4g.40gb + 2x1g.20gb + 1g.10gb')).toContain(
      'the 1g.10gb has no free placement: 1g.10gb starts at slot 0, 1, 2, 3, 4, 5 or 6 (1 memory slot of 8), all taken by ' +
        'the 4g.40gb (slots 0–3), the first 1g.20gb (slots 4–5) and the second 1g.20gb (slots 6–7)',
    );
  });

  it('unknown profile: the message lists the GPU\'s profiles', () => {
    expect(rejected(a80, '3g.40gb+5g.50gb')).toBe(
      'a100-80gb has no MIG profile "5g.50gb"; it has 1g.10gb, 1g.10gb+me, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb',
    );
  });

  it('a profile of another GPU names that GPU', () => {
    expect(rejected(a80, ['3g.40gb', '1g.5gb'])).toBe(
      'a100-80gb has no MIG profile "1g.5gb"; it has 1g.10gb, 1g.10gb+me, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb ("1g.5gb" is a MIG profile of a100-40gb)',
    );
    expect(rejected(a40, '3g.40gb')).toBe(
      'a100-40gb has no MIG profile "3g.40gb"; it has 1g.5gb, 1g.5gb+me, 1g.10gb, 2g.10gb, 3g.20gb, 4g.20gb, 7g.40gb ("3g.40gb" is a MIG profile of a100-80gb, h100-80gb)',
    );
    // A profile object of another GPU with the same id is this GPU's profile (A100-80GB and H100 share names).
    expect(checkMigLayout(a80, [h100.migProfiles[4]!, h100.migProfiles[4]!])).toBeNull();
    expect(checkMigLayout(a80, [a40.migProfiles[0]!])).toContain('"1g.5gb" is a MIG profile of a100-40gb');
  });

  it('empty layouts and empty slices', () => {
    const empty = 'empty MIG layout: give at least one slice, e.g. 3g.40gb+2g.20gb+1g.10gb+1g.10gb';
    expect(rejected(a80, '')).toBe(empty);
    expect(rejected(a80, '   ')).toBe(empty);
    expect(rejected(a80, [])).toBe(empty);
    expect(rejected(a80, '3g.40gb++1g.10gb')).toBe(
      'empty slice in MIG layout "3g.40gb++1g.10gb" (write slices as 3g.40gb+2g.20gb+1g.10gb+1g.10gb)',
    );
    expect(rejected(a80, '3g.40gb+')).toContain('empty slice in MIG layout');
    expect(rejected(a80, ['3g.40gb', ' '])).toContain('empty slice in MIG layout');
    expect(checkMigLayout(a80, [])).toBe('no MIG slices given');
  });

  it('bad repeat counts and GPUs without MIG', () => {
    expect(rejected(a80, '0x1g.10gb')).toBe('"0x1g.10gb": a repeat count must be a whole number from 1 to 64, got 0');
    expect(rejected(a80, '1000x1g.10gb')).toContain('a repeat count must be a whole number from 1 to 64');
    expect(rejected(gpu('l4'), '1g.10gb')).toBe('GPU "l4" has no MIG profiles (MIG exists on a100-40gb, a100-80gb, h100-80gb, h200)');
  });
});

describe('parseMigLayout syntax', () => {
  const a80 = gpu('a100-80gb');
  const ids = (text: string | readonly string[]): string[] => accepted(a80, text).map((p) => p.id);

  it('reads "+"-joined ids, with spaces, any case, repeats (2x, 2×, 2 x) and +me', () => {
    const layout = ['3g.40gb', '2g.20gb', '1g.10gb', '1g.10gb'];
    expect(ids('3g.40gb+2g.20gb+1g.10gb+1g.10gb')).toEqual(layout);
    expect(ids(' 3g.40gb + 2g.20gb + 1g.10gb + 1g.10gb ')).toEqual(layout);
    expect(ids('3G.40GB+2g.20gb+2x1g.10gb')).toEqual(layout);
    expect(ids('3g.40gb + 2g.20gb + 2×1g.10gb')).toEqual(layout);
    expect(ids('3g.40gb + 2g.20gb + 2 x 1g.10gb')).toEqual(layout);
    expect(ids('3g.40gb,2g.20gb,2x1g.10gb')).toEqual(layout);
    expect(ids('3g.40gb + 1g.10gb+me + 2x1g.10gb')).toEqual(['3g.40gb', '1g.10gb+me', '1g.10gb', '1g.10gb']);
    expect(ids('1g.10gb+ME')).toEqual(['1g.10gb+me']);
  });

  it('reads a list of ids, each with an optional repeat', () => {
    expect(ids(['3g.40gb', '2g.20gb', '2x1g.10gb'])).toEqual(['3g.40gb', '2g.20gb', '1g.10gb', '1g.10gb']);
    expect(ids(['1g.10gb+me', '6x1g.10gb'])).toEqual(['1g.10gb+me', ...new Array<string>(6).fill('1g.10gb')]);
  });
});

describe('placeMigLayout', () => {
  const a80 = gpu('a100-80gb');
  const place = (text: string): number[] | null => placeMigLayout(a80, accepted(a80, text));

  it('returns each slice\'s first memory slot, in layout order', () => {
    // 3g at 0 leaves 2g + 1g + 1g no room (1g cannot start at slot 7), so the 3g goes to slot 4.
    expect(place('3g.40gb+2g.20gb+1g.10gb+1g.10gb')).toEqual([4, 0, 2, 3]);
    expect(place('1g.10gb+1g.10gb+2g.20gb+3g.40gb')).toEqual([2, 3, 0, 4]);
    expect(place('4g.40gb+3g.40gb')).toEqual([0, 4]);
    expect(place('3g.40gb+3g.40gb')).toEqual([0, 4]);
    expect(place('7x1g.10gb')).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(place('4x1g.20gb')).toEqual([0, 2, 4, 6]);
    expect(place('1g.10gb+4g.40gb+1g.20gb')).toEqual([6, 0, 4]);
  });

  it('is deterministic and independent of how often it is asked', () => {
    const profiles = accepted(a80, '2g.20gb+1g.10gb+3g.40gb+1g.10gb');
    const first = placeMigLayout(a80, profiles);
    for (let i = 0; i < 5; i++) expect(placeMigLayout(a80, profiles)).toEqual(first);
    expectValidPlacement(profiles, first);
  });

  it('is null for a layout that does not fit or holds another GPU\'s profile', () => {
    const g3 = a80.migProfiles.find((p) => p.id === '3g.40gb')!;
    const g1 = a80.migProfiles.find((p) => p.id === '1g.10gb')!;
    expect(placeMigLayout(a80, [g3, g3, g1])).toBeNull();
    expect(placeMigLayout(a80, [])).toBeNull();
    expect(placeMigLayout(a80, [gpu('a100-40gb').migProfiles[0]!])).toBeNull();
  });
});
