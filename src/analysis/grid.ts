/**
 * Parameter grids for `sweep` and `plan`: `--vary path=values` specs → axes → the
 * cartesian product of `path=value` overrides. Pure: no I/O, errors are GridError.
 *
 *   "fleet.replicas=8..32:8"  ──parseVary──►  axis { path, values [8,16,24,32], texts ["8","16","24","32"] }
 *   axes ──buildGrid──► points (first axis slowest), each a list of `path=text` sets for loadScenario
 *
 * Values spec: comma-separated items; an item is either a numeric range `a..b` or
 * `a..b:step` (inclusive, step default ±1), or any YAML scalar (`16`, `l4`, `2ms`, `true`).
 * Commas inside quotes or brackets do not split, so `"a,b"` and `[1,2]` stay one value.
 */
import { parseDocument } from 'yaml';
import { YAML_OPTIONS, yamlToPlain } from '../scenario/plain.js';

/** A malformed --vary/--range/--values/--shard spec; `message` is the full `error: …` line. */
export class GridError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GridError';
  }
}

/** One varied field: its dotted path, the values (parsed as YAML) and their source texts (for `--set path=text`). */
export interface Axis {
  path: string;
  values: unknown[];
  texts: string[];
}

/** One grid point: its index in grid order, the value of each axis, and the overrides that produce it. */
export interface GridPoint {
  index: number;
  /** Value per axis path, in axis order. */
  values: Record<string, unknown>;
  /** `path=text` overrides, in axis order. */
  sets: string[];
}

/** The most values one axis (or a whole grid) may hold: a typo like `1..1e9` should fail, not hang. */
export const MAX_GRID_POINTS = 100_000;

const NUMBER = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`;
const RANGE = new RegExp(String.raw`^(${NUMBER})\s*\.\.\s*(${NUMBER})(?:\s*:\s*(${NUMBER}))?$`);
/** Looks like the start of a range (a number then `..`) but may be broken; `../x.csv` does not match. */
const RANGE_LIKE = new RegExp(String.raw`^${NUMBER}\s*\.\.`);

/** Parses one `--vary path=values` spec into an axis; throws GridError naming `flag` and the spec. */
export function parseVary(spec: string, flag = '--vary'): Axis {
  const fail = (why: string): never => {
    throw new GridError(`error: ${flag} ${spec}: ${why}`);
  };
  const eq = spec.indexOf('=');
  if (eq < 0) fail('expected path=values, e.g. fleet.replicas=4..16:4 or fleet.gpu=l4,a100-80gb');
  const path = spec.slice(0, eq).trim();
  if (path === '' || path.split('.').some((s) => s.trim() === '')) fail(`bad field path "${path}"`);
  const { values, texts } = parseValues(spec.slice(eq + 1), fail);
  return { path, values, texts };
}

/** Parses a values list (`8,16,32`, `1..10:2`, `l4,a100-80gb`, mixed); `fail` reports a problem and throws. */
export function parseValues(text: string, fail: (why: string) => never): { values: unknown[]; texts: string[] } {
  const items = splitItems(text, fail);
  if (items.length === 0 || items.every((i) => i === '')) fail('no values given');
  const values: unknown[] = [];
  const texts: string[] = [];
  for (const item of items) {
    if (item === '') fail('empty value (two commas in a row, or a trailing comma)');
    const m = RANGE.exec(item);
    if (m) {
      for (const v of expandRange(item, m[1]!, m[2]!, m[3], fail)) {
        values.push(v);
        texts.push(String(v));
      }
    } else if (RANGE_LIKE.test(item)) {
      fail(`malformed range "${item}" (expected a..b or a..b:step with numbers, e.g. 1..10:2)`);
    } else {
      const doc = parseDocument(item, { prettyErrors: false, ...YAML_OPTIONS });
      if (doc.errors.length > 0) fail(`"${item}" is not a valid YAML value (${doc.errors[0]!.message.split('\n')[0]})`);
      // aliases (a cycle, an unresolved one) and __proto__ are refused here as in --set
      const plain = yamlToPlain(doc);
      if (!('value' in plain)) fail(`"${item}": ${plain.path.length === 0 ? '' : `${plain.path.join('.')}: `}${plain.message}`);
      else values.push(plain.value);
      texts.push(item);
    }
    if (values.length > MAX_GRID_POINTS) fail(`more than ${MAX_GRID_POINTS} values`);
  }
  const seen = new Map<string, string>();
  values.forEach((v, i) => {
    const key = JSON.stringify(v) ?? String(v);
    const before = seen.get(key);
    if (before !== undefined) fail(`lists the value ${texts[i]} twice${before !== texts[i] ? ` (as ${before} and ${texts[i]})` : ''}`);
    seen.set(key, texts[i]!);
  });
  return { values, texts };
}

/** Splits on commas that are outside quotes and brackets, trimming each item. */
function splitItems(text: string, fail: (why: string) => never): string[] {
  const items: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== null) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      items.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (quote !== null) fail(`unterminated ${quote} quote`);
  if (depth !== 0) fail('unbalanced brackets');
  items.push(text.slice(start).trim());
  return items;
}

/** Decimal places written in a number's text (`0.25` → 2, `1e-3` → 3), to undo float drift in a + k·step. */
function decimals(text: string): number {
  const m = /^[-+]?(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(text);
  if (!m) return 0;
  const frac = m[2]?.length ?? 0;
  const exp = m[3] === undefined ? 0 : Number(m[3]);
  return Math.max(0, frac - exp);
}

/** The inclusive range a..b by step (default +1, or −1 when b < a); values rounded to the decimals the spec writes. */
function expandRange(item: string, aText: string, bText: string, stepText: string | undefined, fail: (why: string) => never): number[] {
  const a = Number(aText);
  const b = Number(bText);
  const step = stepText === undefined ? (b >= a ? 1 : -1) : Number(stepText);
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(step)) fail(`range "${item}" has a number out of range`);
  if (step === 0) fail(`range "${item}": step must not be 0`);
  if ((b - a) * step < 0) fail(`range "${item}" is empty: step ${step} goes away from ${b}`);
  const places = Math.min(12, Math.max(decimals(aText), decimals(bText), stepText === undefined ? 0 : decimals(stepText)));
  // a tolerance so 0..1:0.1 includes 1 despite 10 · 0.1 falling a hair short or long
  const count = Math.floor((b - a) / step + 1e-9) + 1;
  if (count > MAX_GRID_POINTS) fail(`range "${item}" has ${count} values (at most ${MAX_GRID_POINTS})`);
  const out: number[] = [];
  for (let k = 0; k < count; k++) out.push(Number((a + k * step).toFixed(places)));
  return out;
}

/** The cartesian product of `axes` (the first axis varies slowest); throws GridError for a repeated path or too many points. */
export function buildGrid(axes: Axis[]): GridPoint[] {
  const paths = new Set<string>();
  for (const a of axes) {
    if (paths.has(a.path)) throw new GridError(`error: --vary ${a.path}: the same field is varied twice (put all its values in one --vary)`);
    paths.add(a.path);
  }
  const total = gridSize(axes);
  if (total > MAX_GRID_POINTS) throw new GridError(`error: --vary: the grid has ${total} points (at most ${MAX_GRID_POINTS})`);
  const points: GridPoint[] = [];
  for (let index = 0; index < total; index++) points.push(gridPoint(axes, index));
  return points;
}

/** Number of points in the product of `axes` (1 for no axes: the file itself). */
export function gridSize(axes: Axis[]): number {
  return axes.reduce((n, a) => n * a.values.length, 1);
}

/** The point at `index` in grid order (mixed radix, last axis fastest). */
export function gridPoint(axes: Axis[], index: number): GridPoint {
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  let rest = index;
  const digits: number[] = new Array<number>(axes.length);
  for (let i = axes.length - 1; i >= 0; i--) {
    const n = axes[i]!.values.length;
    digits[i] = rest % n;
    rest = Math.floor(rest / n);
  }
  axes.forEach((a, i) => {
    values[a.path] = a.values[digits[i]!];
    sets.push(`${a.path}=${a.texts[digits[i]!]}`);
  });
  return { index, values, sets };
}

/** A shard `i/n` (0 ≤ i < n): the points with index ≡ i (mod n). */
export interface Shard {
  index: number;
  count: number;
}

/** Parses `--shard i/n` (0-based i); throws GridError. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new GridError(`error: --shard ${text}: expected i/n with 0 ≤ i < n, e.g. 0/4`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new GridError(`error: --shard ${text}: need 0 ≤ i < n (i is 0-based), e.g. 0/${Math.max(count, 2)}`);
  return { index, count };
}

/** Whether grid point `index` belongs to `shard` (every point when shard is null). */
export function inShard(index: number, shard: Shard | null): boolean {
  return shard === null || index % shard.count === shard.index;
}

/** An integer range `a..b` for plan's --range (a ≤ b); throws GridError. */
export function parseIntRange(text: string, flag = '--range'): { lo: number; hi: number } {
  const m = /^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$/.exec(text);
  if (!m) throw new GridError(`error: ${flag} ${text}: expected an integer range a..b, e.g. 1..500`);
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  if (lo > hi) throw new GridError(`error: ${flag} ${text}: the range is empty (${lo} > ${hi})`);
  if (hi - lo + 1 > 10_000_000) throw new GridError(`error: ${flag} ${text}: more than 10000000 values`);
  return { lo, hi };
}
