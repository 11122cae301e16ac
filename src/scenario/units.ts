/**
 * Duration and size literals of the scenario format ("250ms", "1.5s", "2KiB").
 * A bare number is seconds (durations) or bytes (sizes), as in SCENARIO.md.
 */
import * as M from './messages.js';
import type { IssueCode } from './issues.js';

/** A value that is not a valid duration or size; `message` is ready for the user (no field path), `code` its issue code. */
export class UnitError extends Error {
  /** `negative` marks a well-formed but negative value, so callers with a stricter bound can reword it. */
  constructor(
    message: string,
    readonly code: IssueCode,
    readonly negative = false,
  ) {
    super(message);
    this.name = 'UnitError';
  }
}

// Sub-second units divide rather than multiply by 1e-3: "4.25ms" then gives exactly the double 0.00425.
const DURATION_UNIT: Readonly<Record<string, { mul: number; div: number }>> = {
  us: { mul: 1, div: 1e6 },
  'µs': { mul: 1, div: 1e6 },
  'μs': { mul: 1, div: 1e6 },
  ms: { mul: 1, div: 1e3 },
  s: { mul: 1, div: 1 },
  m: { mul: 60, div: 1 },
  h: { mul: 3600, div: 1 },
  d: { mul: 86400, div: 1 },
};

const SIZE_UNIT_BYTES: Readonly<Record<string, number>> = {
  B: 1,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  // Kubernetes quantity suffixes, for people who write resource requests all day.
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

const NUMBER = String.raw`(?:\d+(?:\.\d*)?|\.\d+)`;
const PLAIN_NUMBER = new RegExp(`^${NUMBER}$`);
// Go-style compounds ("1h30m") are accepted because Kubernetes users write them.
const DURATION_PART = new RegExp(`(${NUMBER})\\s*(us|µs|μs|ms|s|m|h|d)`, 'y');
const SIZE = new RegExp(`^(${NUMBER})\\s*([A-Za-z]+)?$`);

/** Seconds ≥ 0 from a number of seconds or a string with a unit (us, ms, s, m, h, d); throws UnitError otherwise. */
export function parseDurationS(v: unknown): number {
  if (typeof v === 'number') return checkNumber(v);
  if (typeof v !== 'string') throw new UnitError(M.durationType(v), 'invalid_type');
  const text = v.trim();
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1).trim() : text;
  let seconds: number;
  if (PLAIN_NUMBER.test(body)) {
    seconds = Number(body);
    // "0" needs no unit; any other bare string is ambiguous (seconds? ms?), so say so.
    if (seconds !== 0) throw new UnitError(M.durationWithoutUnit(text), 'invalid_format');
  } else {
    const parsed = parseDurationParts(body);
    if (parsed === null) throw new UnitError(M.notADuration(v), 'invalid_format');
    seconds = parsed;
  }
  if (negative && seconds !== 0) throw new UnitError(M.notNegative(v), 'too_small', true);
  if (!Number.isFinite(seconds)) throw new UnitError(M.notFinite(v), 'invalid_type');
  return seconds;
}

function parseDurationParts(body: string): number | null {
  if (body === '') return null;
  let total = 0;
  let pos = 0;
  while (pos < body.length) {
    DURATION_PART.lastIndex = pos;
    const m = DURATION_PART.exec(body);
    if (m === null) return null;
    const unit = DURATION_UNIT[m[2] as string] as { mul: number; div: number };
    total += (Number(m[1]) * unit.mul) / unit.div;
    pos = DURATION_PART.lastIndex;
    while (pos < body.length && body[pos] === ' ') pos++;
  }
  return total;
}

/** Bytes ≥ 0 from a number of bytes or a string with a unit (B, KB=1000, KiB=1024, MB, MiB, GB, GiB, …); throws UnitError otherwise. */
export function parseSizeBytes(v: unknown): number {
  if (typeof v === 'number') return checkNumber(v);
  if (typeof v !== 'string') throw new UnitError(M.sizeType(v), 'invalid_type');
  const text = v.trim();
  const negative = text.startsWith('-');
  const m = SIZE.exec(negative ? text.slice(1).trim() : text);
  if (m === null) throw new UnitError(M.notASize(v), 'invalid_format');
  const unit = m[2] ?? 'B';
  const factor = SIZE_UNIT_BYTES[unit];
  if (factor === undefined) throw new UnitError(M.notASize(v), 'invalid_format');
  const bytes = Number(m[1]) * factor;
  if (negative && bytes !== 0) throw new UnitError(M.notNegative(v), 'too_small', true);
  if (!Number.isFinite(bytes)) throw new UnitError(M.notFinite(v), 'invalid_type');
  return bytes;
}

function checkNumber(v: number): number {
  if (!Number.isFinite(v)) throw new UnitError(M.notFinite(v), 'invalid_type');
  if (v < 0) throw new UnitError(M.notNegative(v), 'too_small', true);
  // Normalises -0, which would otherwise print as "0" but compare oddly in Object.is.
  return v === 0 ? 0 : v;
}
