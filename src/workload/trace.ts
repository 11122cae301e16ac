/**
 * Trace replay: turns a CSV or JSONL file of real request timestamps into arrival times
 * relative to the first arrival. Pure: lines come from a `LineSource` supplied by the CLI
 * layer (cli/line-source.ts), so the trace is streamed line by line, never loaded whole.
 *
 * Precision: timestamps are kept as integer epoch seconds plus integer nanoseconds, and the
 * first arrival's parts are subtracted before anything becomes a float. A float of epoch
 * seconds (~1.7e9) only resolves ~2.4e-7 s, which would blur the Azure traces' 100 ns digits.
 */
import type { TraceSpec } from '../config/scenario.js';

/** A pull-based source of text lines (without line terminators); null at end. Provided by the CLI layer. */
export interface LineSource {
  next(): string | null;
  /** Releases the source before its end (a replay that stops reading mid-file); optional. */
  close?(): void;
}

/** A malformed, out-of-order or empty trace; `line` is the 1-based file line number (0 when there is none). */
export class TraceError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
    this.name = 'TraceError';
  }
}

export type TimeFormat = 'iso' | 'epoch-s' | 'epoch-ms';

/** A point in time as whole epoch seconds (floor) plus nanoseconds in [0, 1e9). */
interface Instant {
  wholeS: number;
  ns: number;
}

const NS_PER_S = 1e9;
const SECONDS_PER_DAY = 86_400;
/** Interned (non-numeric) keys get ids from here up, so they never collide with numeric keys used as-is. */

// ---------------------------------------------------------------------------
// Timestamp parsing. Works on [start, end) of a larger string so the hot path never
// allocates a substring for the time field.

/** Position after the last digit consumed by readDigits; module state keeps the hot path allocation-free. */
let cursor = 0;

/** Reads minDigits..maxDigits decimal digits at s[i..end); returns the value (cursor moves past them) or -1. */
function readDigits(s: string, i: number, end: number, minDigits: number, maxDigits: number): number {
  let value = 0;
  let n = 0;
  while (i < end && n < maxDigits) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    value = value * 10 + c;
    i++;
    n++;
  }
  if (n < minDigits) return -1;
  cursor = i;
  return value;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Inverse of daysFromCivil: [year, month, day]. */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [month <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, month, day];
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Reads a fraction's digits at s[i..end) as nanoseconds (digits past the 9th are dropped); cursor moves past all digits. */
function readFractionNs(s: string, i: number, end: number, maxDigits: number): number {
  let ns = 0;
  let scale = 100_000_000;
  let n = 0;
  while (i < end) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    if (n < maxDigits) ns += c * scale;
    scale /= 10;
    i++;
    n++;
  }
  cursor = i;
  return n === 0 ? -1 : Math.round(ns);
}

/** YYYY-MM-DD[T| ]hh:mm[:ss[.f…]][Z|±hh[:mm]] → out; false if malformed or out of range. */
function parseIso(s: string, i: number, end: number, out: Instant): boolean {
  const year = readDigits(s, i, end, 4, 4);
  if (year < 0 || cursor >= end || s.charCodeAt(cursor) !== 45 /* - */) return false;
  const month = readDigits(s, cursor + 1, end, 1, 2);
  if (month < 1 || month > 12 || cursor >= end || s.charCodeAt(cursor) !== 45) return false;
  const day = readDigits(s, cursor + 1, end, 1, 2);
  if (day < 1 || day > daysInMonth(year, month) || cursor >= end) return false;
  const sep = s.charCodeAt(cursor);
  if (sep !== 84 /* T */ && sep !== 116 /* t */ && sep !== 32 /* space */) return false;
  const hour = readDigits(s, cursor + 1, end, 1, 2);
  if (hour < 0 || hour > 23 || cursor >= end || s.charCodeAt(cursor) !== 58 /* : */) return false;
  const minute = readDigits(s, cursor + 1, end, 2, 2);
  if (minute < 0 || minute > 59) return false;
  let second = 0;
  let ns = 0;
  if (cursor < end && s.charCodeAt(cursor) === 58) {
    second = readDigits(s, cursor + 1, end, 2, 2);
    if (second < 0 || second > 59) return false;
    if (cursor < end && (s.charCodeAt(cursor) === 46 /* . */ || s.charCodeAt(cursor) === 44 /* , */)) {
      ns = readFractionNs(s, cursor + 1, end, 9);
      if (ns < 0) return false;
    }
  }
  let offsetS = 0;
  if (cursor < end && s.charCodeAt(cursor) === 32) cursor++; // "18:17:03 +01:00"
  if (cursor < end) {
    const c = s.charCodeAt(cursor);
    if (c === 90 /* Z */ || c === 122 /* z */) {
      cursor++;
    } else if (c === 43 /* + */ || c === 45 /* - */) {
      const oh = readDigits(s, cursor + 1, end, 2, 2);
      if (oh < 0 || oh > 23) return false;
      let om = 0;
      if (cursor < end) {
        om = readDigits(s, s.charCodeAt(cursor) === 58 ? cursor + 1 : cursor, end, 2, 2);
        if (om < 0 || om > 59) return false;
      }
      offsetS = (c === 43 ? 1 : -1) * (oh * 3600 + om * 60);
    } else {
      return false;
    }
  }
  if (cursor !== end) return false;
  out.wholeS = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offsetS;
  out.ns = ns;
  return true;
}

/** A decimal number of seconds, or of milliseconds when `millis`, since the epoch → out. */
function parseEpoch(s: string, i: number, end: number, millis: boolean, out: Instant): boolean {
  const begin = i;
  let negative = false;
  const sign = s.charCodeAt(i);
  if (sign === 45 || sign === 43) {
    negative = sign === 45;
    i++;
  }
  let whole = 0;
  let intDigits = 0;
  while (i < end) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    whole = whole * 10 + c;
    i++;
    intDigits++;
  }
  // Fraction of the unit, in nanoseconds of that unit's scale below.
  let fracNs = 0;
  let fracDigits = 0;
  if (i < end && s.charCodeAt(i) === 46) {
    const start = i + 1;
    const ns = readFractionNs(s, start, end, millis ? 12 : 9);
    fracDigits = cursor - start;
    i = cursor;
    if (ns > 0) fracNs = ns;
  }
  if (intDigits + fracDigits === 0) return false;
  if (i < end) {
    const c = s.charCodeAt(i);
    if (c !== 101 && c !== 69) return false;
    return parseEpochExponent(s.slice(begin, end), millis, out);
  }
  if (whole > Number.MAX_SAFE_INTEGER) return false;
  let wholeS: number;
  let ns: number;
  if (millis) {
    wholeS = Math.floor(whole / 1000);
    // readFractionNs scaled the ms fraction as if it were seconds: 1e9 "ns" = 1 ms = 1e6 ns.
    ns = (whole - wholeS * 1000) * 1_000_000 + Math.floor(fracNs / 1000);
  } else {
    wholeS = whole;
    ns = fracNs;
  }
  if (negative) {
    if (ns > 0) {
      wholeS = -wholeS - 1;
      ns = NS_PER_S - ns;
    } else {
      wholeS = -wholeS;
    }
  }
  out.wholeS = wholeS;
  out.ns = ns;
  return true;
}

/** Rare path: numbers in exponent notation (e.g. from JSON) go through a float; precision is what the float has. */
function parseEpochExponent(text: string, millis: boolean, out: Instant): boolean {
  const value = Number(text);
  if (!Number.isFinite(value)) return false;
  const seconds = millis ? value / 1000 : value;
  let wholeS = Math.floor(seconds);
  let ns = Math.round((seconds - wholeS) * NS_PER_S);
  if (ns >= NS_PER_S) {
    wholeS += 1;
    ns -= NS_PER_S;
  }
  out.wholeS = wholeS;
  out.ns = ns;
  return true;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

/** Parses s[start..end) (surrounding spaces ignored) in `format` into out; false if it cannot. */
function parseParts(s: string, start: number, end: number, format: TimeFormat, out: Instant): boolean {
  while (start < end && isSpace(s.charCodeAt(start))) start++;
  while (end > start && isSpace(s.charCodeAt(end - 1))) end--;
  if (start === end) return false;
  if (format === 'iso') return parseIso(s, start, end, out);
  return parseEpoch(s, start, end, format === 'epoch-ms', out);
}

/** Parses one timestamp to seconds (ISO date-time with up to 9 fractional digits, 'T' or space separator, optional Z or ±hh:mm offset, UTC when none; or epoch seconds; or epoch milliseconds). Returns NaN when it cannot. */
export function parseTimestampS(text: string, format: TimeFormat): number {
  const out: Instant = { wholeS: 0, ns: 0 };
  if (!parseParts(text, 0, text.length, format, out)) return NaN;
  return out.wholeS + out.ns / NS_PER_S;
}

/** Detects the format from a first value: ISO if it has '-' and ':', epoch-ms if a number ≥ 1e11, else epoch-s. */
export function detectTimeFormat(text: string): TimeFormat {
  if (text.includes('-') && text.includes(':')) return 'iso';
  const value = Number(text.trim());
  return Number.isFinite(value) && value >= 1e11 ? 'epoch-ms' : 'epoch-s';
}

// ---------------------------------------------------------------------------
// Formatting for error messages (cold path).

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Renders an instant with `digits` fractional-second digits (truncated, not rounded, so it never shows a later time). */
function formatInstant(t: Instant, format: TimeFormat, digits: number, withDate: boolean): string {
  const frac = pad(t.ns, 9).slice(0, digits);
  if (format === 'iso') {
    const days = Math.floor(t.wholeS / SECONDS_PER_DAY);
    const secOfDay = t.wholeS - days * SECONDS_PER_DAY;
    const clock = `${pad(Math.floor(secOfDay / 3600), 2)}:${pad(Math.floor((secOfDay % 3600) / 60), 2)}:${pad(secOfDay % 60, 2)}.${frac}`;
    if (!withDate) return clock;
    const [y, m, d] = civilFromDays(days);
    return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)} ${clock}`;
  }
  if (format === 'epoch-ms') {
    const ms = t.wholeS * 1000 + Math.floor(t.ns / 1_000_000);
    return digits > 3 ? `${ms}.${frac.slice(3)}` : String(ms);
  }
  return `${t.wholeS}.${frac}`;
}

/** Formats two instants with just enough digits (at least milliseconds) to tell them apart. */
function formatPair(a: Instant, b: Instant, format: TimeFormat): [string, string] {
  const withDate = format === 'iso' && Math.floor(a.wholeS / SECONDS_PER_DAY) !== Math.floor(b.wholeS / SECONDS_PER_DAY);
  let digits = 3;
  let fa = formatInstant(a, format, digits, withDate);
  let fb = formatInstant(b, format, digits, withDate);
  while (fa === fb && digits < 9) {
    digits++;
    fa = formatInstant(a, format, digits, withDate);
    fb = formatInstant(b, format, digits, withDate);
  }
  return [fa, fb];
}

function quoteForMessage(text: string): string {
  const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return `"${shown}"`;
}

const FORMAT_NOUN: Record<TimeFormat, string> = {
  iso: 'a date-time',
  'epoch-s': 'a number of seconds since the epoch',
  'epoch-ms': 'a number of milliseconds since the epoch',
};

// ---------------------------------------------------------------------------
// CSV fields.

/** Bounds of the field found by locateField (module state, so the fast path allocates nothing). */
let fieldStart = 0;
let fieldEnd = 0;

/** Finds field `index` of an unquoted CSV line; false if the line has fewer fields. */
function locateField(line: string, index: number): boolean {
  let start = 0;
  for (let k = 0; k < index; k++) {
    const comma = line.indexOf(',', start);
    if (comma < 0) return false;
    start = comma + 1;
  }
  const comma = line.indexOf(',', start);
  fieldStart = start;
  fieldEnd = comma < 0 ? line.length : comma;
  return true;
}

/** Splits a CSV line with simple double quoting ("a,b" and "" for a quote); a quoted field cannot span lines. */
function splitQuoted(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    // Leading spaces before an opening quote are tolerated, as in `a, "b"`.
    let j = i;
    while (j < line.length && isSpace(line.charCodeAt(j))) j++;
    if (j < line.length && line.charCodeAt(j) === 34) {
      j++;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) {
          field += line.slice(j);
          j = line.length;
          break;
        }
        field += line.slice(j, q);
        if (line.charCodeAt(q + 1) === 34) {
          field += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      const comma = line.indexOf(',', j);
      field += line.slice(j, comma < 0 ? line.length : comma).trim();
      fields.push(field);
      if (comma < 0) return fields;
      i = comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      fields.push(line.slice(i, comma < 0 ? line.length : comma));
      if (comma < 0) return fields;
      i = comma + 1;
    }
  }
}

function countFields(line: string): number {
  return line.indexOf('"') < 0 ? line.split(',').length : splitQuoted(line).length;
}


// ---------------------------------------------------------------------------

/**
 * Streams arrivals from CSV or JSONL lines: times relative to the first arrival, divided by speedup.
 *
 * Keys: every distinct value of the key column is interned through a Map to consecutive ids from 0
 * (in order of first appearance). The Map grows with the number of distinct keys, not with the
 * number of requests.
 */
export class TraceReader {
  private readonly lines: LineSource;
  private readonly label: string;
  private readonly timeColumn: string;
  private readonly keyColumn: string | null;
  private readonly speedup: number;
  private readonly internKeys: boolean;
  private format: TimeFormat | null;
  private lineNo = 0;
  private started = false;
  private ended = false;
  private jsonl = false;
  /** First data line of a JSONL file, read while detecting the kind of file. */
  private pending: string | null = null;
  private timeIndex = -1;
  private keyIndex = -1;
  private headerWidth = 0;
  private readonly cur: Instant = { wholeS: 0, ns: 0 };
  private readonly prev: Instant = { wholeS: 0, ns: 0 };
  private prevLineNo = 0;
  private firstWholeS = 0;
  private firstNs = 0;
  private count = 0;
  private key = -1;
  private readonly keyIds: Map<string, number>;

  /**
   * Wraps `lines`; nothing is read until the first `nextTimeS()`. `keys: 'check'` (used by scanTrace) checks the key column
   * without interning; `keyIds` shares one key → id table between readers of the same file (a replay's copies and repetitions).
   */
  constructor(lines: LineSource, spec: TraceSpec, fileLabel: string, keys: 'intern' | 'check' = 'intern', keyIds: Map<string, number> = new Map()) {
    this.keyIds = keyIds;
    if (!(spec.speedup > 0) || !Number.isFinite(spec.speedup)) throw new RangeError(`trace speedup must be a positive number (got ${spec.speedup})`);
    this.lines = lines;
    this.label = fileLabel;
    this.timeColumn = spec.timeColumn;
    this.keyColumn = spec.keyColumn;
    this.speedup = spec.speedup;
    this.format = spec.timeFormat === 'auto' ? null : spec.timeFormat;
    this.internKeys = keys === 'intern';
  }

  /** File lines consumed so far (header and blank lines included). */
  get linesRead(): number {
    return this.lineNo;
  }

  /** Arrivals returned so far. */
  get arrivals(): number {
    return this.count;
  }

  /** Key of the arrival last returned (an integer id: the key column's value hashed/interned to an int ≥ 0), or -1 without a key column. */
  lastKey(): number {
    return this.key;
  }

  /** Next arrival time in seconds from the trace start (first arrival = 0), or NaN at the end. Throws TraceError on a malformed or out-of-order line. */
  nextTimeS(): number {
    if (this.ended) return NaN;
    if (!this.started) this.start();
    for (;;) {
      let line: string | null;
      if (this.pending !== null) {
        line = this.pending;
        this.pending = null;
      } else {
        line = this.readLine();
      }
      if (line === null) {
        this.ended = true;
        if (this.count === 0) throw new TraceError(`${this.label} has no arrivals`, this.lineNo);
        return NaN;
      }
      if (isBlank(line)) continue;
      if (this.jsonl) this.parseJsonRow(line);
      else this.parseCsvRow(line);
      return this.accept();
    }
  }

  private readLine(): string | null {
    const raw = this.lines.next();
    if (raw === null) return null;
    this.lineNo++;
    let line = raw;
    if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    if (this.lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    return line;
  }

  /** Reads up to the first non-blank line: a CSV header, or the first JSONL record. */
  private start(): void {
    this.started = true;
    let line = this.readLine();
    while (line !== null && isBlank(line)) line = this.readLine();
    if (line === null) return; // nextTimeS reports "no arrivals"
    if (line.trimStart().startsWith('{')) {
      this.jsonl = true;
      this.pending = line;
      return;
    }
    const columns = (line.indexOf('"') < 0 ? line.split(',') : splitQuoted(line)).map((c) => c.trim());
    this.headerWidth = columns.length;
    this.timeIndex = this.findColumn(columns, this.timeColumn);
    if (this.keyColumn !== null) this.keyIndex = this.findColumn(columns, this.keyColumn);
  }

  private findColumn(columns: string[], name: string): number {
    const index = columns.indexOf(name);
    if (index >= 0) return index;
    const similar = columns.find((c) => c.toLowerCase() === name.toLowerCase());
    const hint = similar === undefined ? '' : ` (did you mean "${similar}"?)`;
    throw new TraceError(
      `${this.label} line ${this.lineNo}: no column "${name}" in the header${hint}; the columns are ${columns.join(', ')}`,
      this.lineNo,
    );
  }

  private fail(message: string): never {
    throw new TraceError(`${this.label} line ${this.lineNo}: ${message}`, this.lineNo);
  }

  private missingField(line: string, column: string): never {
    const n = countFields(line);
    return this.fail(`no value in column "${column}" (the row has ${n} field${n === 1 ? '' : 's'}; the header has ${this.headerWidth})`);
  }

  private parseCsvRow(line: string): void {
    if (line.indexOf('"') < 0) {
      if (!locateField(line, this.timeIndex)) this.missingField(line, this.timeColumn);
      this.parseTime(line, fieldStart, fieldEnd);
      if (this.keyIndex >= 0) {
        if (!locateField(line, this.keyIndex)) this.missingField(line, this.keyColumn ?? '');
        this.key = this.internKeys ? this.keyId(line, fieldStart, fieldEnd) : 0;
      }
      return;
    }
    const fields = splitQuoted(line);
    const time = fields[this.timeIndex];
    if (time === undefined) this.missingField(line, this.timeColumn);
    this.parseTime(time, 0, time.length);
    if (this.keyIndex >= 0) {
      const key = fields[this.keyIndex];
      if (key === undefined) this.missingField(line, this.keyColumn ?? '');
      this.key = this.internKeys ? this.keyId(key, 0, key.length) : 0;
    }
  }

  private parseJsonRow(line: string): void {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (e) {
      this.fail(`not a JSON object (${e instanceof Error ? e.message : String(e)})`);
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) this.fail('not a JSON object');
    const fields = record as Record<string, unknown>;
    const time = this.jsonField(fields, this.timeColumn);
    const timeText = typeof time === 'number' ? String(time) : time;
    this.parseTime(timeText, 0, timeText.length);
    if (this.keyColumn !== null) {
      const key = this.jsonField(fields, this.keyColumn);
      if (!this.internKeys) this.key = 0;
      else {
        const keyText = String(key);
        this.key = this.keyId(keyText, 0, keyText.length);
      }
    }
  }

  private jsonField(fields: Record<string, unknown>, name: string): string | number {
    if (!Object.prototype.hasOwnProperty.call(fields, name)) this.fail(`no "${name}" field`);
    const value = fields[name];
    if (typeof value === 'string' || typeof value === 'number') return value;
    return this.fail(`field "${name}" must be a string or a number (got ${value === null ? 'null' : typeof value})`);
  }

  private parseTime(s: string, start: number, end: number): void {
    if (this.format === null) this.format = detectTimeFormat(s.slice(start, end));
    if (!parseParts(s, start, end, this.format, this.cur)) {
      this.fail(`timestamp ${quoteForMessage(s.slice(start, end).trim())} is not ${FORMAT_NOUN[this.format]}`);
    }
  }

  private keyId(s: string, start: number, end: number): number {
    // every distinct key (numeric or not) gets the next id from 0, so ids index the cache's int32 arrays
    const text = start === 0 && end === s.length ? s : s.slice(start, end);
    let id = this.keyIds.get(text);
    if (id === undefined) {
      id = this.keyIds.size;
      this.keyIds.set(text, id);
    }
    return id;
  }

  /** Checks order against the previous arrival, records this one, and returns its relative time. */
  private accept(): number {
    const cur = this.cur;
    const prev = this.prev;
    if (this.count === 0) {
      this.firstWholeS = cur.wholeS;
      this.firstNs = cur.ns;
    } else if (cur.wholeS < prev.wholeS || (cur.wholeS === prev.wholeS && cur.ns < prev.ns)) {
      const [now, before] = formatPair(cur, prev, this.format ?? 'iso');
      this.fail(`arrivals out of order: ${now} comes after ${before} (line ${this.prevLineNo}); sort the trace first`);
    }
    prev.wholeS = cur.wholeS;
    prev.ns = cur.ns;
    this.prevLineNo = this.lineNo;
    this.count++;
    // Exact integer nanoseconds (below 2^53 ns ≈ 104 days of trace), then a single rounding to seconds.
    const deltaNs = (cur.wholeS - this.firstWholeS) * NS_PER_S + (cur.ns - this.firstNs);
    const deltaS = deltaNs / NS_PER_S;
    return this.speedup === 1 ? deltaS : deltaS / this.speedup;
  }
}

function isBlank(line: string): boolean {
  if (line.length === 0) return true;
  const c = line.charCodeAt(0);
  return (c === 32 || c === 9) && line.trim().length === 0;
}

/** Reads the whole trace once to check it (used by `validate` and before a run so that nothing is written on a bad trace): returns { count, spanS } or throws TraceError. */
export function scanTrace(lines: LineSource, spec: TraceSpec, fileLabel: string): { count: number; spanS: number } {
  const reader = new TraceReader(lines, spec, fileLabel, 'check');
  let spanS = 0;
  for (let t = reader.nextTimeS(); !Number.isNaN(t); t = reader.nextTimeS()) spanS = t;
  return { count: reader.arrivals, spanS };
}
