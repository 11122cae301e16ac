/** Numbers as every table, log line and report shows them: plain figures, shares, money and milliseconds. */

/** Number with thousands separators and at most `digits` decimals. */
export function fmt(v: number, digits = 2): string {
  if (!Number.isFinite(v)) return String(v);
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Share as a percentage. */
export function pct(v: number, digits = 1): string {
  return `${(v * 100).toFixed(digits)} %`;
}

/** Money as on a bill: cents always shown ($1.60), four decimals below a dollar ($0.0123). */
export function usd(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v > 0 && v < 1) return `$${v.toFixed(4)}`;
  return `$${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** Milliseconds with at most two decimals and thousands separators ("1,014.65 ms"). */
export function ms(v: number): string {
  return `${fmt(v, 2)} ms`;
}
