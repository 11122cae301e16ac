/**
 * Step-time models: how long one engine step takes for the batch the scheduler built.
 *
 *  - LinearStepModel: β0 + β1·(prefill tokens computed) + β2·(decode tokens) + β3·(KV tokens read
 *    by decodes) + β4·(prefill attention work, Σ chunk × (context + chunk/2)), in seconds. The
 *    β's come from a user, a built-in table, a roofline estimate or `calibrate`.
 *  - ProfileStepModel: an operator-level profile (LLMServingSim's bundle: dense.csv per-layer
 *    kernels by token count, attention.csv by (prefill chunk, prefill KV, decodes, decode KV),
 *    per_sequence.csv lm_head and sampler by sequence count, all µs for ONE decoder layer),
 *    composed as embedding + layers × (2 norms, qkv, rotary, attention, o, gate_up, act, down)
 *    + final norm + lm_head + sampler.
 *
 * Both are pure functions of the batch shape; evaluation allocates nothing.
 */

/** The composition of one engine step (filled by the scheduler; arrays reused step to step). */
export class BatchShape {
  /** Prefill chunks scheduled this step: tokens computed and the KV context before each chunk. */
  prefillCount = 0;
  prefillTokens = new Int32Array(64);
  prefillContext = new Int32Array(64);
  prefillTokenSum = 0;
  /** Σ chunk × (context + chunk/2): the attention work of the prefill chunks. */
  prefillAttnWork = 0;
  /** Decoding requests (one token each) and the KV tokens they read in total. */
  decodeCount = 0;
  decodeKvSum = 0;

  reset(): void {
    this.prefillCount = 0;
    this.prefillTokenSum = 0;
    this.prefillAttnWork = 0;
    this.decodeCount = 0;
    this.decodeKvSum = 0;
  }

  addPrefill(tokens: number, context: number): void {
    if (this.prefillCount === this.prefillTokens.length) {
      const t = new Int32Array(this.prefillCount * 2);
      t.set(this.prefillTokens);
      this.prefillTokens = t;
      const c = new Int32Array(this.prefillCount * 2);
      c.set(this.prefillContext);
      this.prefillContext = c;
    }
    this.prefillTokens[this.prefillCount] = tokens;
    this.prefillContext[this.prefillCount] = context;
    this.prefillCount++;
    this.prefillTokenSum += tokens;
    this.prefillAttnWork += tokens * (context + tokens / 2);
  }

  addDecode(context: number): void {
    this.decodeCount++;
    this.decodeKvSum += context;
  }

  /** Tokens computed this step. */
  get tokens(): number {
    return this.prefillTokenSum + this.decodeCount;
  }

  /** Sequences scheduled this step. */
  get sequences(): number {
    return this.prefillCount + this.decodeCount;
  }
}

export interface StepTimeModel {
  /** Where the numbers come from (shown in reports). */
  readonly label: string;
  /** Seconds the step takes. */
  stepTime(b: BatchShape): number;
}

/** β coefficients, seconds per unit. */
export interface LinearCoefficients {
  beta0: number;
  /** per prefill token computed */
  beta1: number;
  /** per decode token */
  beta2: number;
  /** per KV token read by a decode */
  beta3: number;
  /** per unit of prefill attention work (chunk × (context + chunk/2)); 0 when not modelled */
  beta4?: number;
}

export class LinearStepModel implements StepTimeModel {
  private readonly b0: number;
  private readonly b1: number;
  private readonly b2: number;
  private readonly b3: number;
  private readonly b4: number;

  constructor(readonly coefficients: LinearCoefficients, readonly label: string) {
    this.b0 = coefficients.beta0;
    this.b1 = coefficients.beta1;
    this.b2 = coefficients.beta2;
    this.b3 = coefficients.beta3;
    this.b4 = coefficients.beta4 ?? 0;
  }

  stepTime(b: BatchShape): number {
    return this.b0 + this.b1 * b.prefillTokenSum + this.b2 * b.decodeCount + this.b3 * b.decodeKvSum + this.b4 * b.prefillAttnWork;
  }
}

// ---------------------------------------------------------------------------------------------
// Operator-level profile bundle

/** The three CSV texts of one `tp<N>/` folder of a profile bundle. */
export interface ProfileBundleText {
  dense: string;
  attention: string;
  perSequence: string;
}

/** The segment [xs[i], xs[i+1]] that holds x (sorted xs, n ≥ 2): clamped to the first and last, bisected between. */
function segment(xs: Float64Array, x: number): number {
  const n = xs.length;
  if (x <= xs[0]!) return 0;
  if (x >= xs[n - 1]!) return n - 2;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const m = (lo + hi) >> 1;
    if (xs[m]! <= x) lo = m;
    else hi = m;
  }
  return lo;
}

/** 1D table, linear interpolation, linear extrapolation from the two end samples. */
class Curve {
  constructor(readonly xs: Float64Array, readonly ys: Float64Array) {}

  at(x: number): number {
    const xs = this.xs;
    const ys = this.ys;
    const n = xs.length;
    if (n === 1) return ys[0]!;
    const i = segment(xs, x);
    const x0 = xs[i]!;
    const x1 = xs[i + 1]!;
    const y0 = ys[i]!;
    if (x <= x0 && i === 0) return y0; // below the grid: the smallest sample (kernels have a floor)
    return y0 + ((ys[i + 1]! - y0) * (x - x0)) / (x1 - x0);
  }

  static from(points: Array<[number, number]>): Curve {
    points.sort((a, b) => a[0] - b[0]);
    return new Curve(Float64Array.from(points, (p) => p[0]), Float64Array.from(points, (p) => p[1]));
  }
}

/** 2D table given as curves along y for a set of x values (a scattered grid, each x row complete in y). */
class Surface {
  constructor(private readonly xs: Float64Array, private readonly rows: Curve[]) {}

  at(x: number, y: number): number {
    const xs = this.xs;
    const n = xs.length;
    if (n === 1) return this.rows[0]!.at(y);
    if (x <= xs[0]!) return this.rows[0]!.at(y);
    const i = segment(xs, x);
    const x0 = xs[i]!;
    const x1 = xs[i + 1]!;
    const v0 = this.rows[i]!.at(y);
    const v1 = this.rows[i + 1]!.at(y);
    return v0 + ((v1 - v0) * (x - x0)) / (x1 - x0);
  }

  static from(points: Array<[number, number, number]>): Surface {
    const byX = new Map<number, Array<[number, number]>>();
    for (const [x, y, v] of points) {
      let r = byX.get(x);
      if (!r) byX.set(x, (r = []));
      r.push([y, v]);
    }
    const xs = [...byX.keys()].sort((a, b) => a - b);
    return new Surface(Float64Array.from(xs), xs.map((x) => Curve.from(byX.get(x)!)));
  }
}

function parseCsv(text: string, what: string, columns: string[]): string[][] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new Error(`${what}: expected a header and at least one row`);
  const header = lines[0]!.split(',').map((s) => s.trim());
  const idx = columns.map((c) => header.indexOf(c));
  const missing = columns.filter((_, k) => idx[k]! < 0);
  if (missing.length > 0) throw new Error(`${what}: missing column(s) ${missing.join(', ')} (header: ${header.join(',')})`);
  return lines.slice(1).map((l, k) => {
    const cells = l.split(',');
    return idx.map((i, c) => {
      const v = cells[i]?.trim();
      if (v === undefined || v === '') throw new Error(`${what}: line ${k + 2}: column ${columns[c]} is empty`);
      return v;
    });
  });
}

function num(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${what}: expected a number, got "${v}"`);
  return n;
}

const LAYER_OPS = ['qkv_proj', 'rotary_emb', 'o_proj', 'gate_up_proj', 'act_fn', 'down_proj'];

export interface ProfileModelOptions {
  /** Decoder layers of the full model (the bundle times one). */
  layers: number;
  label: string;
  /** Precompute dense and per-sequence costs up to this many tokens per step (default 8192). */
  maxTokens?: number;
}

/**
 * Step time from an operator-level profile bundle. Dense and per-sequence costs are tabulated
 * per token count once; attention is interpolated per step: prefill chunks from the pure-prefill
 * rows (by chunk, then prefill KV), decodes from the pure-decode rows (by decode count, then the
 * decodes' mean KV), and a step with both subtracts the median saving the profile's mixed rows
 * show against the sum of the two (one fused kernel instead of two).
 */
export class ProfileStepModel implements StepTimeModel {
  readonly label: string;
  private readonly perToken: Float64Array;
  private readonly perSeq: Float64Array;
  private readonly prefillAttn: Surface;
  private readonly decodeAttn: Surface;
  private readonly mixedSaving: number;
  private readonly layers: number;
  private readonly tokenCurve: (t: number) => number;
  private readonly seqCurve: (s: number) => number;

  constructor(bundle: ProfileBundleText, opts: ProfileModelOptions) {
    this.label = opts.label;
    this.layers = opts.layers;
    const dense = new Map<string, Array<[number, number]>>();
    for (const [layer, tokens, t] of parseCsv(bundle.dense, 'dense.csv', ['layer', 'tokens', 'time_us'])) {
      let r = dense.get(layer!);
      if (!r) dense.set(layer!, (r = []));
      r.push([num(tokens!, 'dense.csv tokens'), num(t!, 'dense.csv time_us') * 1e-6]);
    }
    const need = ['embedding', 'layernorm', 'final_layernorm', ...LAYER_OPS];
    const missingOps = need.filter((l) => !dense.has(l));
    if (missingOps.length > 0) throw new Error(`dense.csv: missing layer(s) ${missingOps.join(', ')}`);
    const curves = new Map([...dense].map(([k, v]) => [k, Curve.from(v)]));
    const c = (k: string): Curve => curves.get(k)!;
    const per = new Map<string, Array<[number, number]>>();
    for (const [layer, seqs, t] of parseCsv(bundle.perSequence, 'per_sequence.csv', ['layer', 'sequences', 'time_us'])) {
      let r = per.get(layer!);
      if (!r) per.set(layer!, (r = []));
      r.push([num(seqs!, 'per_sequence.csv sequences'), num(t!, 'per_sequence.csv time_us') * 1e-6]);
    }
    for (const l of ['lm_head', 'sampler']) if (!per.has(l)) throw new Error(`per_sequence.csv: missing layer ${l}`);
    const lmHead = Curve.from(per.get('lm_head')!);
    const sampler = Curve.from(per.get('sampler')!);
    const L = opts.layers;
    this.tokenCurve = (t: number): number => {
      let layer = 2 * c('layernorm').at(t);
      for (const op of LAYER_OPS) layer += c(op).at(t);
      return c('embedding').at(t) + c('final_layernorm').at(t) + L * layer;
    };
    this.seqCurve = (s: number): number => lmHead.at(s) + sampler.at(s);
    const maxT = opts.maxTokens ?? 8192;
    this.perToken = new Float64Array(maxT + 1);
    for (let t = 1; t <= maxT; t++) this.perToken[t] = this.tokenCurve(t);
    this.perSeq = new Float64Array(1025);
    for (let s = 1; s <= 1024; s++) this.perSeq[s] = this.seqCurve(s);

    const pre: Array<[number, number, number]> = [];
    const dec: Array<[number, number, number]> = [];
    const mixed: Array<[number, number, number, number, number]> = [];
    for (const row of parseCsv(bundle.attention, 'attention.csv', ['prefill_chunk', 'kv_prefill', 'n_decode', 'kv_decode', 'time_us'])) {
      const [pc, kvp, nd, kvd, t] = row.map((v) => num(v, 'attention.csv')) as [number, number, number, number, number];
      const s = t * 1e-6;
      if (nd === 0 && pc > 0) pre.push([pc, kvp, s]);
      else if (pc === 0 && nd > 0) dec.push([nd, kvd, s]);
      else if (pc > 0 && nd > 0) mixed.push([pc, kvp, nd, kvd, s]);
    }
    if (pre.length === 0 || dec.length === 0) throw new Error('attention.csv: needs pure-prefill rows (n_decode 0) and pure-decode rows (prefill_chunk 0)');
    this.prefillAttn = Surface.from(pre);
    this.decodeAttn = Surface.from(dec);
    const savings = mixed.map(([pc, kvp, nd, kvd, t]) => this.prefillAttn.at(pc, kvp) + this.decodeAttn.at(nd, kvd) - t).sort((a, b) => a - b);
    this.mixedSaving = savings.length > 0 ? savings[savings.length >> 1]! : 0;
  }

  /** Seconds of attention (all layers) for the step. */
  attention(b: BatchShape): number {
    let a = 0;
    for (let i = 0; i < b.prefillCount; i++) a += this.prefillAttn.at(b.prefillTokens[i]!, b.prefillContext[i]!);
    if (b.decodeCount > 0) {
      a += this.decodeAttn.at(b.decodeCount, b.decodeKvSum / b.decodeCount);
      if (b.prefillCount > 0) a -= this.mixedSaving;
    }
    return this.layers * a;
  }

  stepTime(b: BatchShape): number {
    const t = b.tokens;
    const s = b.sequences;
    const dense = t < this.perToken.length ? this.perToken[t]! : this.tokenCurve(t);
    const perSeq = s < this.perSeq.length ? this.perSeq[s]! : this.seqCurve(s);
    return dense + perSeq + this.attention(b);
  }
}
