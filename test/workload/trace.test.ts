import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileLineSource, stringLineSource } from '../../src/cli/line-source.js';
import type { TraceSpec } from '../../src/config/scenario.js';
import {
  TraceError,
  TraceReader,
  detectTimeFormat,
  parseTimestampS,
  scanTrace,
  type LineSource,
} from '../../src/workload/trace.js';

/** The vendored Azure traces (scenarios/traces, CC BY 4.0). */
const TRACES = resolve(dirname(fileURLToPath(import.meta.url)), '../../scenarios/traces');
const CODE = join(TRACES, 'azure-llm-code-2023-11-16.csv');
const CONV = join(TRACES, 'azure-llm-conv-2023-11-16.csv');

function spec(overrides: Partial<TraceSpec> = {}): TraceSpec {
  return { file: 'x.csv', timeColumn: 'TIMESTAMP', keyColumn: null, speedup: 1, rateMultiplier: 1, loop: false, timeFormat: 'auto', ...overrides };
}

function readAll(lines: LineSource, s: TraceSpec, label = 'traces/x.csv'): { times: number[]; keys: number[] } {
  const reader = new TraceReader(lines, s, label);
  const times: number[] = [];
  const keys: number[] = [];
  for (let t = reader.nextTimeS(); !Number.isNaN(t); t = reader.nextTimeS()) {
    times.push(t);
    keys.push(reader.lastKey());
  }
  return { times, keys };
}

function timesOf(text: string, s: TraceSpec = spec()): number[] {
  return readAll(stringLineSource(text), s).times;
}

/** The TraceError thrown while reading `text` to the end. */
function errorOf(text: string, s: TraceSpec = spec(), label = 'traces/x.csv'): TraceError {
  try {
    readAll(stringLineSource(text), s, label);
  } catch (e) {
    if (e instanceof TraceError) return e;
    throw e;
  }
  throw new Error('expected a TraceError');
}

describe('Azure traces replay', () => {
  const cases = [
    // Spans computed by hand from the first and last rows: 19:14:19.9280160 − 18:17:03.9799600, 19:14:08.4025270 − 18:15:46.6805900.
    { file: CODE, count: 8819, spanS: 3435.948056, secondS: 0.052 },
    { file: CONV, count: 19366, spanS: 3501.721937, secondS: 4.314579 },
  ];
  for (const c of cases) {
    it(`${c.file.split('/').pop()} gives ${c.count} non-decreasing arrivals from 0`, () => {
      const src = fileLineSource(c.file);
      const reader = new TraceReader(src, spec(), c.file);
      const times: number[] = [];
      for (let t = reader.nextTimeS(); !Number.isNaN(t); t = reader.nextTimeS()) times.push(t);
      src.close();
      expect(times.length).toBe(c.count);
      expect(reader.linesRead).toBe(c.count + 1);
      expect(reader.lastKey()).toBe(-1);
      expect(times[0]).toBe(0);
      expect(times[1]).toBe(c.secondS);
      expect(times[times.length - 1]).toBe(c.spanS);
      // README: roughly an hour (18:17–19:14 and 18:15–19:15).
      expect(c.spanS).toBeGreaterThan(56 * 60);
      expect(c.spanS).toBeLessThan(60 * 60);
      for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1] as number);

      // Cross-check every arrival against Date.parse, which truncates to milliseconds.
      const rows = readFileSync(c.file, 'utf8').split('\r\n').slice(1).filter((l) => l !== '');
      const epochMs = rows.map((r) => Date.parse(`${r.split(',')[0]}Z`));
      const first = epochMs[0] as number;
      let worst = 0;
      epochMs.forEach((ms, i) => {
        worst = Math.max(worst, Math.abs((times[i] as number) - (ms - first) / 1000));
      });
      expect(worst).toBeLessThan(1e-3);

      expect(scanTrace(fileLineSource(c.file), spec(), c.file)).toEqual({ count: c.count, spanS: c.spanS });
    });
  }

  it('speedup 2 halves the span (and every gap)', () => {
    const { times } = readAll(fileLineSource(CODE), spec({ speedup: 2 }));
    expect(times.length).toBe(8819);
    expect(times[1]).toBe(0.026);
    expect(times[times.length - 1]).toBe(3435.948056 / 2);
    expect(scanTrace(fileLineSource(CODE), spec({ speedup: 2 }), 'code').spanS).toBe(1717.974028);
  });

  it('a key column is interned to ids from 0 in order of first appearance (ContextTokens 4808, 3180 → 0, 1)', () => {
    const { keys } = readAll(fileLineSource(CODE), spec({ keyColumn: 'ContextTokens' }));
    expect(keys.slice(0, 2)).toEqual([0, 1]);
    const distinct = new Set(keys).size;
    expect(keys.every((k) => Number.isInteger(k) && k >= 0 && k < distinct)).toBe(true);
  });
});

describe('precision', () => {
  it('keeps the 7th fractional digit: rows 100 ns apart are 1e-7 s apart', () => {
    const text = 'TIMESTAMP\n2023-11-16 18:17:03.9799600\n2023-11-16 18:17:03.9799601\n2023-11-16 19:17:03.9799602\n';
    expect(timesOf(text)).toEqual([0, 1e-7, 3600.0000002]);
  });

  it('keeps nanoseconds for epoch seconds with 9 digits and across a second boundary', () => {
    const text = 'ts\n1700158623.999999999\n1700158624.000000001\n';
    expect(timesOf(text, spec({ timeColumn: 'ts' }))).toEqual([0, 2e-9]);
  });

  it('keeps microseconds of epoch milliseconds', () => {
    const text = 'ts\n1700158623979.9996\n1700158623980.0007\n';
    expect(timesOf(text, spec({ timeColumn: 'ts' }))).toEqual([0, 1.1e-6]);
  });
});

describe('parseTimestampS and detectTimeFormat', () => {
  const base = Date.UTC(2023, 10, 16, 18, 17, 3) / 1000; // 2023-11-16 18:17:03 UTC

  it('parses ISO date-times as UTC unless an offset says otherwise', () => {
    expect(parseTimestampS('2023-11-16 18:17:03', 'iso')).toBe(base);
    expect(parseTimestampS('2023-11-16T18:17:03Z', 'iso')).toBe(base);
    expect(parseTimestampS('2023-11-16t18:17:03z', 'iso')).toBe(base);
    expect(parseTimestampS('2023-11-16T19:17:03+01:00', 'iso')).toBe(base);
    expect(parseTimestampS('2023-11-16T12:47:03-0530', 'iso')).toBe(base);
    expect(parseTimestampS('2023-11-16T20:17:03+02', 'iso')).toBe(base);
    expect(parseTimestampS('2023-11-16 18:17:03 +00:00', 'iso')).toBe(base);
    expect(parseTimestampS('2023-11-16T18:17', 'iso')).toBe(base - 3);
    expect(parseTimestampS('  2023-11-16 18:17:03.5  ', 'iso')).toBe(base + 0.5);
    expect(parseTimestampS('2023-11-16 18:17:03,25', 'iso')).toBe(base + 0.25);
    expect(parseTimestampS('2024-02-29 00:00:00', 'iso')).toBe(Date.UTC(2024, 1, 29) / 1000);
    expect(parseTimestampS('1969-12-31T23:59:59.5Z', 'iso')).toBe(-0.5);
  });

  it('returns NaN for what is not a date-time', () => {
    for (const bad of ['2023-11-16 18:17:0x', '2023-02-29 00:00:00', '2023-13-01 00:00', '2023-11-16 24:00:00', '2023-11-16 18:60:00', '2023-11-16', '18:17:03', '', '2023-11-16 18:17:03+25:00', '2023-11-16 18:17:03.', '2023-11-16 18:17:03 UTC']) {
      expect(parseTimestampS(bad, 'iso'), bad).toBeNaN();
    }
  });

  it('parses epoch seconds and milliseconds', () => {
    expect(parseTimestampS('1700158623', 'epoch-s')).toBe(1700158623);
    expect(parseTimestampS('1700158623.25', 'epoch-s')).toBe(1700158623.25);
    expect(parseTimestampS('-1.25', 'epoch-s')).toBe(-1.25);
    expect(parseTimestampS('1.7e9', 'epoch-s')).toBe(1.7e9);
    expect(parseTimestampS('1700158623250', 'epoch-ms')).toBe(1700158623.25);
    expect(parseTimestampS('1700158623250.5', 'epoch-ms')).toBe(1700158623.2505);
    for (const bad of ['abc', '', '-', '.', '12a', '1,5', '2023-11-16 18:17:03']) expect(parseTimestampS(bad, 'epoch-s'), bad).toBeNaN();
  });

  it('detects the format from a first value', () => {
    expect(detectTimeFormat('2023-11-16 18:17:03.9799600')).toBe('iso');
    expect(detectTimeFormat('2023-11-16T18:17:03Z')).toBe('iso');
    expect(detectTimeFormat('1700158623979')).toBe('epoch-ms');
    expect(detectTimeFormat('100000000000')).toBe('epoch-ms');
    expect(detectTimeFormat('99999999999')).toBe('epoch-s');
    expect(detectTimeFormat('1700158623.98')).toBe('epoch-s');
    expect(detectTimeFormat('0')).toBe('epoch-s');
  });
});

describe('CSV input', () => {
  it('reads epoch seconds and epoch milliseconds (auto-detected and explicit)', () => {
    expect(timesOf('ts\n1700000000\n1700000000.5\n1700000002.25\n', spec({ timeColumn: 'ts' }))).toEqual([0, 0.5, 2.25]);
    expect(timesOf('ts\n1700000000000\n1700000000250\n1700000003000\n', spec({ timeColumn: 'ts' }))).toEqual([0, 0.25, 3]);
    // Forced: the same digits read as seconds.
    expect(timesOf('ts\n100\n250\n', spec({ timeColumn: 'ts', timeFormat: 'epoch-ms' }))).toEqual([0, 0.15]);
    expect(timesOf('ts\n100\n250\n', spec({ timeColumn: 'ts', timeFormat: 'epoch-s' }))).toEqual([0, 150]);
  });

  it('applies Z and offsets per row', () => {
    const text = 'at\n2023-11-16T18:00:00Z\n2023-11-16T19:00:01+01:00\n2023-11-16T12:30:02-05:30\n2023-11-16 18:00:03\n';
    expect(timesOf(text, spec({ timeColumn: 'at' }))).toEqual([0, 1, 2, 3]);
  });

  it('treats CRLF and LF alike, skips blank lines and a BOM, and finds the column anywhere', () => {
    const lf = '\uFEFFid,TIMESTAMP,n\n\na,2023-11-16 18:17:03.0000000,1\n  \nb,2023-11-16 18:17:04.5000000,2';
    const crlf = lf.replace(/\n/g, '\r\n') + '\r\n';
    expect(timesOf(lf)).toEqual([0, 1.5]);
    expect(timesOf(crlf)).toEqual([0, 1.5]);
  });

  it('reads simple double-quoted fields, commas and "" inside them', () => {
    const text = '"note","TIMESTAMP"\n"a, b",2023-11-16 18:00:00\n"say ""hi""","2023-11-16 18:00:02.5"\n';
    expect(timesOf(text)).toEqual([0, 2.5]);
  });

  it('accepts equal timestamps', () => {
    expect(timesOf('TIMESTAMP\n2023-11-16 18:00:00\n2023-11-16 18:00:00\n2023-11-16 18:00:01\n')).toEqual([0, 0, 1]);
  });

  it('keeps returning NaN after the end and counts the lines it read', () => {
    const reader = new TraceReader(stringLineSource('TIMESTAMP\n\n2023-11-16 18:00:00\n\n'), spec(), 'x');
    expect(reader.linesRead).toBe(0);
    expect(reader.nextTimeS()).toBe(0);
    expect(reader.linesRead).toBe(3);
    expect(reader.nextTimeS()).toBeNaN();
    expect(reader.nextTimeS()).toBeNaN();
    expect(reader.linesRead).toBe(4);
  });
});

describe('keys', () => {
  it('interns every distinct key to consecutive ids from 0; "007", "42" and "bob" are strings like any other', () => {
    const text = [
      'user,TIMESTAMP',
      'alice,2023-11-16 18:00:00',
      'bob,2023-11-16 18:00:01',
      'alice,2023-11-16 18:00:02',
      '42,2023-11-16 18:00:03',
      '007,2023-11-16 18:00:04',
      '"bob",2023-11-16 18:00:05',
      '2147483648,2023-11-16 18:00:06',
      '0,2023-11-16 18:00:07',
    ].join('\n');
    const { keys } = readAll(stringLineSource(text), spec({ keyColumn: 'user' }));
    expect(keys).toEqual([0, 1, 0, 2, 3, 1, 4, 5]);
  });

  it('is -1 without a key column', () => {
    const { keys } = readAll(stringLineSource('user,TIMESTAMP\nalice,2023-11-16 18:00:00\n'), spec());
    expect(keys).toEqual([-1]);
  });
});

describe('JSONL input', () => {
  it('reads string and number times and keys', () => {
    const text = [
      '{"t":"2023-11-16T18:00:00Z","user":"alice"}',
      '',
      '{"user":7,"t":"2023-11-16T18:00:00.25Z"}',
      '{"t":"2023-11-16T19:00:01+01:00","user":"alice","extra":[1,2]}',
      '{"t":"2023-11-16T18:00:03Z","user":"7"}',
    ].join('\r\n');
    const { times, keys } = readAll(stringLineSource(text), spec({ timeColumn: 't', keyColumn: 'user' }));
    expect(times).toEqual([0, 0.25, 1, 3]);
    expect(keys).toEqual([0, 1, 0, 1]); // 7 and "7" are one identity
  });

  it('reads numeric epoch times, auto-detecting milliseconds', () => {
    expect(timesOf('{"ts":1700000000000}\n{"ts":1700000000500.25}\n', spec({ timeColumn: 'ts' }))).toEqual([0, 0.50025]);
    expect(timesOf('{"ts":1700000000.5}\n{"ts":1700000001}\n', spec({ timeColumn: 'ts' }))).toEqual([0, 0.5]);
  });

  it('names the line of a missing or mistyped field and of invalid JSON', () => {
    const s = spec({ timeColumn: 'ts' });
    expect(errorOf('{"ts":1}\n{"time":2}\n', s).message).toBe('traces/x.csv line 2: no "ts" field');
    expect(errorOf('{"ts":1}\n\n{"ts":null}\n', s).message).toBe('traces/x.csv line 3: field "ts" must be a string or a number (got null)');
    const broken = errorOf('{"ts":1}\n{"ts":2\n', s);
    expect(broken.line).toBe(2);
    expect(broken.message).toMatch(/^traces\/x\.csv line 2: not a JSON object \(/);
    expect(errorOf('{"ts":1}\n[1]\n', s).message).toBe('traces/x.csv line 2: not a JSON object');
  });
});

describe('errors', () => {
  it('names the first line out of order and the arrival it precedes', () => {
    const rows = ['TIMESTAMP,ContextTokens,GeneratedTokens'];
    for (let i = 0; i < 7; i++) rows.push(`2023-11-16 18:16:5${i}.0000000,1,1`); // lines 2–8
    rows[7] = '2023-11-16 18:17:04.0319600,1,1'; // line 8
    rows.push('2023-11-16 18:17:03.9799600,1,1'); // line 9
    const e = errorOf(rows.join('\r\n'));
    expect(e).toBeInstanceOf(TraceError);
    expect(e.line).toBe(9);
    expect(e.message).toBe(
      'traces/x.csv line 9: arrivals out of order: 18:17:03.979 comes after 18:17:04.031 (line 8); sort the trace first',
    );
  });

  it('shows just enough digits, and the dates when they differ, to tell the two times apart', () => {
    const close = errorOf('TIMESTAMP\n2023-11-16 18:17:03.9799601\n\n2023-11-16 18:17:03.9799600\n');
    expect(close.message).toBe(
      'traces/x.csv line 4: arrivals out of order: 18:17:03.9799600 comes after 18:17:03.9799601 (line 2); sort the trace first',
    );
    const days = errorOf('TIMESTAMP\n2023-11-17 00:00:01\n2023-11-16 23:59:59.5\n');
    expect(days.message).toBe(
      'traces/x.csv line 3: arrivals out of order: 2023-11-16 23:59:59.500 comes after 2023-11-17 00:00:01.000 (line 2); sort the trace first',
    );
    const epoch = errorOf('ts\n1700000004.25\n1700000003\n', spec({ timeColumn: 'ts' }));
    expect(epoch.message).toBe(
      'traces/x.csv line 3: arrivals out of order: 1700000003.000 comes after 1700000004.250 (line 2); sort the trace first',
    );
  });

  it('rejects a timestamp that does not parse, naming line and value', () => {
    const rows = ['TIMESTAMP,ContextTokens,GeneratedTokens'];
    for (let i = 0; i < 55; i++) rows.push('2023-11-16 18:17:03.9799600,1,1');
    rows.push('2023-11-16 18:17:0x,1,1'); // line 57
    const e = errorOf(rows.join('\n'));
    expect(e.line).toBe(57);
    expect(e.message).toBe('traces/x.csv line 57: timestamp "2023-11-16 18:17:0x" is not a date-time');
    expect(errorOf('ts\n1700000000\nsoon\n', spec({ timeColumn: 'ts' })).message).toBe(
      'traces/x.csv line 3: timestamp "soon" is not a number of seconds since the epoch',
    );
    expect(errorOf('ts\n1700000000000\n\n', spec({ timeColumn: 'ts', timeFormat: 'iso' })).message).toBe(
      'traces/x.csv line 2: timestamp "1700000000000" is not a date-time',
    );
  });

  it('lists the header columns when the time or key column is missing', () => {
    const text = 'TIMESTAMP,ContextTokens,GeneratedTokens\r\n2023-11-16 18:17:03.9799600,1,1\r\n';
    const e = errorOf(text, spec({ timeColumn: 'time' }), 'traces/azure.csv');
    expect(e.line).toBe(1);
    expect(e.message).toBe(
      'traces/azure.csv line 1: no column "time" in the header; the columns are TIMESTAMP, ContextTokens, GeneratedTokens',
    );
    expect(errorOf(text, spec({ timeColumn: 'timestamp' })).message).toBe(
      'traces/x.csv line 1: no column "timestamp" in the header (did you mean "TIMESTAMP"?); the columns are TIMESTAMP, ContextTokens, GeneratedTokens',
    );
    expect(errorOf(text, spec({ keyColumn: 'user' })).message).toBe(
      'traces/x.csv line 1: no column "user" in the header; the columns are TIMESTAMP, ContextTokens, GeneratedTokens',
    );
  });

  it('rejects a row too short to hold the time column', () => {
    const e = errorOf('a,b,TIMESTAMP\n1,2,2023-11-16 18:00:00\n1,2\n');
    expect(e.message).toBe('traces/x.csv line 3: no value in column "TIMESTAMP" (the row has 2 fields; the header has 3)');
  });

  it('rejects a trace without arrivals', () => {
    expect(errorOf('TIMESTAMP,ContextTokens,GeneratedTokens\r\n\r\n').message).toBe('traces/x.csv has no arrivals');
    expect(errorOf('').message).toBe('traces/x.csv has no arrivals');
    expect(() => scanTrace(stringLineSource('TIMESTAMP\n'), spec(), 'traces/empty.csv')).toThrow(
      new TraceError('traces/empty.csv has no arrivals', 1),
    );
  });

  it('scanTrace reports the same errors as the reader', () => {
    expect(() => scanTrace(stringLineSource('TIMESTAMP\n2023-11-16 18:00:01\n2023-11-16 18:00:00\n'), spec(), 'a.csv')).toThrow(
      'a.csv line 3: arrivals out of order: 18:00:00.000 comes after 18:00:01.000 (line 2); sort the trace first',
    );
  });
});

describe('line sources', () => {
  it('fileLineSource splits like stringLineSource at any chunk size, keeping multi-byte UTF-8 intact', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infersim-trace-'));
    try {
      const text = 'TIMESTAMP,user\r\n2023-11-16 18:00:00,zoë\r\n\r\n2023-11-16 18:00:01,日本語🙂\nlast line without newline';
      const path = join(dir, 't.csv');
      writeFileSync(path, text, 'utf8');
      const expected = ['TIMESTAMP,user', '2023-11-16 18:00:00,zoë', '', '2023-11-16 18:00:01,日本語🙂', 'last line without newline'];
      const drain = (src: LineSource): string[] => {
        const out: string[] = [];
        for (let l = src.next(); l !== null; l = src.next()) out.push(l);
        return out;
      };
      expect(drain(stringLineSource(text))).toEqual(expected);
      for (const chunkBytes of [1, 2, 3, 5, 7, 64, 1 << 20]) {
        expect(drain(fileLineSource(path, chunkBytes)), `chunk ${chunkBytes}`).toEqual(expected);
      }
      writeFileSync(path, 'a\nb\n', 'utf8');
      expect(drain(fileLineSource(path, 1))).toEqual(['a', 'b']);
      const src = fileLineSource(path);
      src.close();
      src.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
