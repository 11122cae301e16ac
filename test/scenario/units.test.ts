import { describe, it, expect } from 'vitest';
import { parseDurationS, parseSizeBytes, UnitError } from '../../src/scenario/units.js';

function unitError(f: () => unknown): UnitError {
  try {
    f();
  } catch (e) {
    if (e instanceof UnitError) return e;
    throw e;
  }
  throw new Error('expected a UnitError');
}

describe('parseDurationS', () => {
  it('takes a number as seconds', () => {
    expect(parseDurationS(0)).toBe(0);
    expect(parseDurationS(2.5)).toBe(2.5);
    expect(parseDurationS(1200)).toBe(1200);
  });

  it.each([
    ['250us', 0.00025],
    ['250µs', 0.00025],
    ['2ms', 0.002],
    ['4.25ms', 0.00425],
    ['1.5s', 1.5],
    ['.5s', 0.5],
    ['15m', 900],
    ['2h', 7200],
    ['1d', 86400],
    ['0', 0],
    ['0s', 0],
    ['-0s', 0],
    ['1h30m', 5400],
    ['1m 30s', 90],
    [' 2 ms ', 0.002],
  ])('parses %j as %d s', (text, seconds) => {
    expect(parseDurationS(text)).toBe(seconds);
  });

  it.each([
    ['5 parsecs', '"5 parsecs" is not a duration (use e.g. 250ms, 1.5s, 15m, 2h)'],
    ['', '"" is not a duration (use e.g. 250ms, 1.5s, 15m, 2h)'],
    ['1e3s', '"1e3s" is not a duration (use e.g. 250ms, 1.5s, 15m, 2h)'],
    ['2MS', '"2MS" is not a duration (use e.g. 250ms, 1.5s, 15m, 2h)'],
    ['5', '"5" has no unit (write "5s" for seconds, or a plain number)'],
    ['-5s', 'must be ≥ 0 (got "-5s")'],
    [-1, 'must be ≥ 0 (got -1)'],
    [NaN, 'must be a finite number (got NaN)'],
    [Infinity, 'must be a finite number (got Infinity)'],
    [true, 'must be a duration such as 250ms, 1.5s or 2h, or a number of seconds (got true)'],
    [null, 'must be a duration such as 250ms, 1.5s or 2h, or a number of seconds (got null)'],
    [{ s: 1 }, 'must be a duration such as 250ms, 1.5s or 2h, or a number of seconds (got a mapping)'],
  ])('rejects %j', (value, message) => {
    const e = unitError(() => parseDurationS(value));
    expect(e.message).toBe(message);
  });

  it('marks negatives, so a field that needs > 0 can say so', () => {
    expect(unitError(() => parseDurationS('-2m')).negative).toBe(true);
    expect(unitError(() => parseDurationS('2 parsecs')).negative).toBe(false);
  });
});

describe('parseSizeBytes', () => {
  it.each([
    [512, 512],
    [0, 0],
    ['512B', 512],
    ['512', 512],
    ['2KiB', 2048],
    ['1.5KiB', 1536],
    ['1MiB', 1048576],
    ['1GiB', 1073741824],
    ['1KB', 1000],
    ['1kB', 1000],
    ['1MB', 1_000_000],
    ['1GB', 1_000_000_000],
    ['2Ki', 2048],
    ['3Mi', 3 * 1048576],
    ['2 KiB', 2048],
  ])('parses %j as %d bytes', (value, bytes) => {
    expect(parseSizeBytes(value)).toBe(bytes);
  });

  it.each([
    ['5 parsecs', '"5 parsecs" is not a size (use e.g. 512B, 2KiB, 1MB)'],
    ['1kib', '"1kib" is not a size (use e.g. 512B, 2KiB, 1MB)'],
    ['KiB', '"KiB" is not a size (use e.g. 512B, 2KiB, 1MB)'],
    ['-1KB', 'must be ≥ 0 (got "-1KB")'],
    [-1, 'must be ≥ 0 (got -1)'],
    [NaN, 'must be a finite number (got NaN)'],
    [false, 'must be a size such as 512B, 2KiB or 1MB, or a number of bytes (got false)'],
  ])('rejects %j', (value, message) => {
    expect(unitError(() => parseSizeBytes(value)).message).toBe(message);
  });
});
