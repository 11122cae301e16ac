/**
 * A small strict parser for protobuf text format (the language of Triton's config.pbtxt).
 * No npm package maintains one (protobufjs reads .proto schemas and binary/JSON, not text
 * format), so this reads the grammar of protobuf's text-format spec that config files use:
 *
 *   message := field*            field := NAME ':' value | NAME ':'? '{' message '}' | NAME ':'? '<' message '>'
 *   value   := scalar | '[' (scalar|message) (',' …)* ']'      separators ',' or ';' are optional
 *   scalar  := number | identifier (enum, true/false) | string ("…" or '…', adjacent strings concatenate)
 *   comments run from '#' to the end of the line
 *
 * Schema-free: a message is a list of fields in file order (a repeated field appears once
 * per value). Any syntax error is thrown as PbtxtError with its line and column.
 */

export type PbValue = PbScalar | PbMessage;

export interface PbScalar {
  kind: 'number' | 'identifier' | 'string';
  /** The literal as written (numbers keep their text, strings are unescaped). */
  text: string;
  line: number;
}

export interface PbMessage {
  kind: 'message';
  fields: PbField[];
  line: number;
}

export interface PbField {
  name: string;
  value: PbValue;
  line: number;
}

export class PbtxtError extends Error {
  constructor(
    readonly line: number,
    readonly col: number,
    readonly reason: string,
  ) {
    super(`line ${line}, column ${col}: ${reason}`);
    this.name = 'PbtxtError';
  }
}

type Tok =
  | { t: 'name'; v: string; line: number; col: number }
  | { t: 'number'; v: string; line: number; col: number }
  | { t: 'string'; v: string; line: number; col: number }
  | { t: 'punct'; v: string; line: number; col: number }
  | { t: 'eof'; v: ''; line: number; col: number };

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const col = (): number => i - lineStart + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const start = col();
    if ('{}<>[]:,;'.includes(c)) {
      out.push({ t: 'punct', v: c, line, col: start });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      let s = '';
      for (;;) {
        if (i >= text.length || text[i] === '\n') throw new PbtxtError(line, start, 'unterminated string');
        const d = text[i]!;
        if (d === c) {
          i++;
          break;
        }
        if (d === '\\') {
          const e = text[i + 1];
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '?': '?' };
          if (e !== undefined && map[e] !== undefined) {
            s += map[e];
            i += 2;
            continue;
          }
          throw new PbtxtError(line, col(), `unsupported escape \\${e ?? ''}`);
        }
        s += d;
        i++;
      }
      out.push({ t: 'string', v: s, line, col: start });
      continue;
    }
    if (/[-+\d.]/.test(c)) {
      const num = /^[-+]?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?[fF]?|inf(?:inity)?|nan)(?![\w.])/i.exec(text.slice(i, i + 64));
      if (num === null) throw new PbtxtError(line, start, 'malformed number');
      out.push({ t: 'number', v: num[0], line, col: start });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 256));
    if (id !== null) {
      out.push({ t: 'name', v: id[0], line, col: start });
      i += id[0].length;
      continue;
    }
    throw new PbtxtError(line, start, `unexpected character ${JSON.stringify(c)}`);
  }
  out.push({ t: 'eof', v: '', line, col: col() });
  return out;
}

/** Parses protobuf text format into its fields; throws PbtxtError at the first syntax error. */
export function parsePbtxt(text: string): PbMessage {
  const toks = tokenize(text);
  let p = 0;
  const peek = (): Tok => toks[p]!;
  const next = (): Tok => toks[p++]!;
  const fail = (t: Tok, what: string): never => {
    throw new PbtxtError(t.line, t.col, `expected ${what}, found ${t.t === 'eof' ? 'the end of the file' : JSON.stringify(t.v)}`);
  };
  const isPunct = (t: Tok, v: string): boolean => t.t === 'punct' && t.v === v;

  function message(close: string | null, line: number): PbMessage {
    const fields: PbField[] = [];
    for (;;) {
      const t = peek();
      if (close === null ? t.t === 'eof' : isPunct(t, close)) {
        next();
        return { kind: 'message', fields, line };
      }
      if (t.t === 'eof') fail(t, `"${close}"`);
      if (t.t !== 'name') fail(t, 'a field name');
      next();
      const colon = isPunct(peek(), ':');
      if (colon) next();
      const v = peek();
      if (isPunct(v, '{') || isPunct(v, '<')) {
        next();
        fields.push({ name: t.v, value: message(v.v === '{' ? '}' : '>', v.line), line: t.line });
      } else if (isPunct(v, '[')) {
        next();
        if (isPunct(peek(), ']')) next();
        else {
          for (;;) {
            const e = peek();
            if (isPunct(e, '{') || isPunct(e, '<')) {
              next();
              fields.push({ name: t.v, value: message(e.v === '{' ? '}' : '>', e.line), line: e.line });
            } else {
              if (!colon) fail(e, `"{" (a list of scalars needs "${t.v}:")`);
              fields.push({ name: t.v, value: scalar(), line: e.line });
            }
            const sep = next();
            if (isPunct(sep, ']')) break;
            if (!isPunct(sep, ',')) fail(sep, '"," or "]"');
          }
        }
      } else {
        if (!colon) fail(v, `":" after ${t.v}`);
        fields.push({ name: t.v, value: scalar(), line: t.line });
      }
      if (isPunct(peek(), ',') || isPunct(peek(), ';')) next();
    }
  }

  function scalar(): PbScalar {
    const t = next();
    if (t.t === 'number') return { kind: 'number', text: t.v, line: t.line };
    if (t.t === 'name') return { kind: 'identifier', text: t.v, line: t.line };
    if (t.t === 'string') {
      let s = t.v;
      while (peek().t === 'string') s += next().v;
      return { kind: 'string', text: s, line: t.line };
    }
    return fail(t, 'a value');
  }

  return message(null, 1);
}
