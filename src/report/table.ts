/** Plain-text tables for the terminal: aligned columns fitted to a width, wrapped lines, colours. */

/** How a column is aligned: text to the left, figures to the right. */
export type Align = 'left' | 'right';

/**
 * Aligns rows of cells into columns, two spaces apart, each line prefixed by `indent` and without
 * trailing spaces. Columns are aligned as `align` says; without it, numeric-looking cells past the
 * first column are right-aligned and the rest left-aligned.
 */
export function alignTable(rows: string[][], indent = '', align?: readonly Align[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const numeric = /^[-+]?[$]?[\d.,]+(e[-+]?\d+)?\s*(%|ms|s|x|\/s)?$/i;
  const right = (c: string, i: number): boolean => (align !== undefined ? align[i] === 'right' : i > 0 && numeric.test(c));
  return rows
    .map((r) =>
      indent +
      r
        .map((c, i) => (right(c, i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Terminal width the tables fit by default (`--wide` lifts it). */
export const DEFAULT_WIDTH = 100;

/** How terminal text is laid out: the width to fit and whether to colour it. */
export interface TerminalStyle {
  /** Columns to fit (Infinity: no limit). */
  width: number;
  /** ANSI colours (the CLI decides: a terminal, NO_COLOR, FORCE_COLOR). */
  color: boolean;
}

export const PLAIN: TerminalStyle = { width: DEFAULT_WIDTH, color: false };

/**
 * Whether to colour output, by the conventions of no-color.org and FORCE_COLOR: FORCE_COLOR
 * set (and not "0" or "false") forces it, NO_COLOR set and non-empty disables it, else only on a terminal.
 */
export function colorWanted(env: Record<string, string | undefined>, isTty: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTty && env.TERM !== 'dumb';
}

const ANSI = { green: 32, red: 31, yellow: 33, bold: 1, dim: 2 } as const;

/** `text` in an ANSI colour when `on`. */
export function paint(text: string, color: keyof typeof ANSI, on: boolean): string {
  return on ? `\u001b[${ANSI[color]}m${text}\u001b[0m` : text;
}

/** Table text with its verdict words coloured: met green, MISSED/missed red, ★ yellow (after alignment: colour codes take no column). */
export function colorCells(text: string, on: boolean): string {
  if (!on) return text;
  return text
    .replace(/\b(MISSED|missed)\b/g, (m) => paint(m, 'red', true))
    .replace(/\bmet\b/g, (m) => paint(m, 'green', true))
    .replace(/★/g, (m) => paint(m, 'yellow', true));
}

/** Wraps one line at spaces to `width`, continuation lines indented by `hang` spaces (a word longer than the room stays whole). */
export function wrapLine(line: string, width: number, hang: number): string[] {
  if (!(line.length > width)) return [line];
  const out: string[] = [];
  const lead = /^\s*/.exec(line)![0];
  const words = line.slice(lead.length).split(' ');
  let cur = lead;
  let fresh = true;
  for (const w of words) {
    if (!fresh && cur.length + 1 + w.length > width) {
      out.push(cur.trimEnd());
      cur = ' '.repeat(hang) + w;
    } else cur = fresh ? cur + w : `${cur} ${w}`;
    fresh = false;
  }
  out.push(cur.trimEnd());
  return out;
}

/** Every line of `text` wrapped to `width` (continuations indented 4 past the line's own indent). */
export function wrapText(text: string, width: number): string {
  if (width === Infinity) return text;
  return text
    .split('\n')
    .flatMap((l) => wrapLine(l, width, /^\s*/.exec(l)![0].length + 4))
    .join('\n');
}

/**
 * alignTable fitted to `width`: when the table is wider, its columns are split into blocks
 * stacked one under the other, each repeating the first `keep` columns (the row labels).
 */
export function fitTable(rows: string[][], width: number, indent = '', keep = 1): string {
  const whole = alignTable(rows, indent);
  if (width === Infinity || whole.split('\n').every((l) => l.length <= width)) return whole;
  const n = Math.max(0, ...rows.map((r) => r.length));
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const keepWidth = indent.length + widths.slice(0, keep).reduce((a, w) => a + w + 2, 0);
  const blocks: number[][] = [];
  let cur: number[] = [];
  let used = keepWidth;
  for (let i = keep; i < n; i++) {
    const w = widths[i]! + 2;
    if (cur.length > 0 && used + w > width) {
      blocks.push(cur);
      cur = [];
      used = keepWidth;
    }
    cur.push(i);
    used += w;
  }
  if (cur.length > 0) blocks.push(cur);
  return blocks
    .map((cols) => alignTable(rows.map((r) => [...r.slice(0, keep), ...cols.map((i) => r[i] ?? '')]), indent))
    .join('\n\n');
}
