/**
 * Step-time models: how long one engine step takes for the batch the scheduler built.
 *
 *  - LinearStepModel: β0 + β1·(prefill tokens computed) + β2·(decode tokens) + β3·(KV tokens read
 *    by decodes) + β4·(prefill attention work, Σ chunk × (context + chunk/2)), in seconds. The
 *    β's come from a user, a built-in table, a roofline estimate or `calibrate`.
 *  - ProfileStepModel: an operator-level profile (LLMServingSim's bundle: dense.csv per-layer
 *    kernels by token count, attention.csv by (prefill chunk, prefill KV, decodes, decode KV),
 *    per_sequence.csv lm_head and sampler by sequence count, all µs for ONE decoder layer;
 *    optionally skew_fit.csv, the correction for decodes of unequal KV, which meta.yaml enables),
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
  /** The longest and shortest KV a decode reads this step (the profile's skew correction uses them). */
  decodeKvMax = 0;
  decodeKvMin = 0;
  /** Σ chunk × KV context before it, over the prefill chunks (their chunk-weighted mean context is this / prefillTokenSum). */
  prefillTokenContext = 0;

  reset(): void {
    this.prefillCount = 0;
    this.prefillTokenSum = 0;
    this.prefillAttnWork = 0;
    this.prefillTokenContext = 0;
    this.decodeCount = 0;
    this.decodeKvSum = 0;
    this.decodeKvMax = 0;
    this.decodeKvMin = 0;
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
    this.prefillTokenContext += tokens * context;
    this.prefillAttnWork += tokens * (context + tokens / 2);
  }

  addDecode(context: number): void {
    if (this.decodeCount === 0 || context > this.decodeKvMax) this.decodeKvMax = context;
    if (this.decodeCount === 0 || context < this.decodeKvMin) this.decodeKvMin = context;
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

/** Bin edges and labels of one of the skew table's binned axes (meta.yaml `skew_fit.bucket_axes`; the fifth axis, the prefill chunk, is matched exactly). */
interface SkewAxis {
  bins: number[];
  labels: string[];
}

/**
 * LLMServingSim's defaults for a meta.yaml written before `bucket_axes` was recorded
 * (serving/core/trace_generator.py `_DEFAULT_SKEW_AXES`, casys-kaist/LLMServingSim@5daddb2).
 */
const DEFAULT_SKEW_AXES: Record<'n' | 'skewRate' | 'kvBig' | 'kp', SkewAxis> = {
  n: { bins: [0, 2, 4, 8, 16, 32, 64, 128, 1_000_000], labels: ['n<=2', 'n<=4', 'n<=8', 'n<=16', 'n<=32', 'n<=64', 'n<=128', 'n>128'] },
  skewRate: { bins: [-0.01, 0.05, 0.15, 0.4, 0.7, 1.01], labels: ['sr<=5%', 'sr<=15%', 'sr<=40%', 'sr<=70%', 'sr>70%'] },
  kvBig: { bins: [0, 1024, 4096, 16384, 1_000_000_000], labels: ['kvB<=1k', 'kvB<=4k', 'kvB<=16k', 'kvB>16k'] },
  kp: { bins: [-1, 0, 2048, 1_000_000_000], labels: ['kp=0', 'kp<=2k', 'kp>2k'] },
};

/** The label index of `v` on an axis: buckets are (bins[i], bins[i+1]], the last one open (`_bucket_label`). */
function bucket(axis: SkewAxis, v: number): number {
  const n = axis.labels.length;
  for (let i = 0; i < n; i++) if (v <= axis.bins[i + 1]!) return i;
  return n - 1;
}

/**
 * The profile's correction for decodes of unequal KV length in one step. attention.csv times
 * batches whose decodes all read the same KV; a real batch mixes long and short ones, and
 * FlashAttention's varlen kernel then pays tile padding and SM imbalance that the batch's mean
 * KV does not show. The profiler measures it (skew.csv) and fits, per bucket of (prefill chunk,
 * decodes, skew rate, longest KV, prefill KV), an α with
 *   t = t(mean KV) + α · (t(max KV) − t(mean KV)),
 * skew rate = (mean − min) / (max − min). This follows the bundle's consumer exactly
 * (LLMServingSim serving/core/trace_generator.py `_lookup_attention_with_skew`, `_skew_alpha`,
 * casys-kaist/LLMServingSim@5daddb2; docs/docs/profiler/skew-alpha-fit.md): the bucket's α from
 * tp<N>/skew_fit.csv, else the pooled `alpha_default`; the prefill chunk must be one of the
 * table's grid values (else `alpha_default`); α is not clamped; no correction when the longest
 * decode is not slower than the mean.
 */
export class SkewFit {
  private readonly axes: Record<'n' | 'skewRate' | 'kvBig' | 'kp', SkewAxis>;
  /** Prefill-chunk grid value → its index in the key. */
  private readonly pcIndex = new Map<number, number>();
  private readonly alphas = new Map<number, number>();

  constructor(
    readonly alphaDefault: number,
    axes: Partial<Record<'n' | 'skewRate' | 'kvBig' | 'kp', SkewAxis>>,
    table: string | undefined,
  ) {
    this.axes = { ...DEFAULT_SKEW_AXES, ...axes };
    if (table === undefined) return;
    const rows = parseCsv(table, 'skew_fit.csv', ['pc', 'n_label', 'skew_rate_label', 'kv_big_label', 'kp_label', 'alpha']);
    for (const [pc, nl, sl, kl, pl, a] of rows) {
      const idx = [this.axes.n.labels.indexOf(nl!), this.axes.skewRate.labels.indexOf(sl!), this.axes.kvBig.labels.indexOf(kl!), this.axes.kp.labels.indexOf(pl!)];
      if (idx.some((i) => i < 0)) continue; // a label the axes do not produce is never looked up
      const p = num(pc!, 'skew_fit.csv pc');
      let pi = this.pcIndex.get(p);
      if (pi === undefined) this.pcIndex.set(p, (pi = this.pcIndex.size));
      this.alphas.set(this.key(pi, idx[0]!, idx[1]!, idx[2]!, idx[3]!), num(a!, 'skew_fit.csv alpha'));
    }
  }

  private key(pc: number, n: number, sr: number, kvb: number, kp: number): number {
    const a = this.axes;
    return (((pc * a.n.labels.length + n) * a.skewRate.labels.length + sr) * a.kvBig.labels.length + kvb) * a.kp.labels.length + kp;
  }

  /** α for a step: Σ prefill chunk `pc`, `n` decodes, skew rate, longest decode KV, Σ prefill KV. */
  alpha(pc: number, n: number, skewRate: number, kvBig: number, kp: number): number {
    const pi = this.pcIndex.get(pc);
    if (pi === undefined) return this.alphaDefault;
    const a = this.axes;
    const sr = skewRate < 0 ? 0 : skewRate > 1 ? 1 : skewRate;
    const v = this.alphas.get(this.key(pi, bucket(a.n, n), bucket(a.skewRate, sr), bucket(a.kvBig, kvBig), bucket(a.kp, kp)));
    return v ?? this.alphaDefault;
  }

  /**
   * The skew correction a bundle asks for: from its meta.yaml (parsed) and, when the meta names
   * one, the text of tp<tp>/skew_fit.csv. Null when `skew_fit` is absent or not `enabled` (the
   * consumer then applies none: "apply no correction you have not measured").
   */
  static fromMeta(meta: unknown, tp: number, table: string | undefined): SkewFit | null {
    const fit = (meta as { skew_fit?: unknown } | null)?.skew_fit as Record<string, unknown> | undefined;
    if (!fit || fit.enabled !== true) return null;
    const perTp = (fit.per_tp ?? {}) as Record<string, Record<string, unknown> | undefined>;
    const entry = perTp[String(tp)];
    const number = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
    if (!entry) return new SkewFit(number(fit.alpha_default), {}, undefined);
    const raw = (entry.bucket_axes ?? fit.bucket_axes) as Record<string, unknown> | undefined;
    const axes: Partial<Record<'n' | 'skewRate' | 'kvBig' | 'kp', SkewAxis>> = {};
    const axis = (bins: unknown, labels: unknown): SkewAxis | undefined =>
      Array.isArray(bins) && Array.isArray(labels) && bins.length === labels.length + 1 ? { bins: bins.map(Number), labels: labels.map(String) } : undefined;
    if (raw) {
      const n = axis(raw.n_bins, raw.n_labels);
      const sr = axis(raw.skew_rate_bins, raw.skew_rate_labels);
      const kvb = axis(raw.kv_big_bins, raw.kv_big_labels);
      const kp = axis(raw.kp_bins, raw.kp_labels);
      if (n) axes.n = n;
      if (sr) axes.skewRate = sr;
      if (kvb) axes.kvBig = kvb;
      if (kp) axes.kp = kp;
    }
    // alpha_by_bucket inline (older metas) is not supported: the table is read from the CSV the meta names
    return new SkewFit(number(entry.alpha_default), axes, typeof entry.bucket_table === 'string' ? table : undefined);
  }
}

const LAYER_OPS = ['qkv_proj', 'rotary_emb', 'o_proj', 'gate_up_proj', 'act_fn', 'down_proj'];

/** Where x falls on sorted xs (n ≥ 1): the lower index and the fraction towards the next; 0 below the first sample (clamped), > 1 above the last (linear extrapolation from the top two). */
function bracket(xs: Float64Array, x: number): number {
  const n = xs.length;
  if (n === 1 || x <= xs[0]!) return 0;
  const i = segment(xs, x);
  return i + (x - xs[i]!) / (xs[i + 1]! - xs[i]!);
}

/**
 * attention.csv's mixed rows (one prefill chunk and n decodes in one attention call), looked up
 * the way the bundle's consumer does (LLMServingSim serving/core/trace_generator.py
 * `_lookup_attention`, casys-kaist/LLMServingSim@5daddb2): linear on each axis, bracketing
 * (prefill chunk, decodes) over their profiled values, then bilinear on (prefill KV, decode KV)
 * inside each of the four (chunk, decodes) slices; a slice the profile lacks takes the nearest one.
 */
class MixedTable {
  private constructor(
    private readonly pcs: Float64Array,
    private readonly nds: Float64Array,
    private readonly slices: Surface[],
  ) {}

  static from(rows: Array<[number, number, number, number, number]>): MixedTable | null {
    if (rows.length === 0) return null;
    const bySlice = new Map<string, Array<[number, number, number]>>();
    for (const [pc, kp, nd, kd, t] of rows) {
      const k = `${pc}|${nd}`;
      let r = bySlice.get(k);
      if (!r) bySlice.set(k, (r = []));
      r.push([kp, kd, t]);
    }
    const pcs = Float64Array.from(new Set(rows.map((r) => r[0]))).sort();
    const nds = Float64Array.from(new Set(rows.map((r) => r[2]))).sort();
    const present = [...bySlice.keys()].map((k) => k.split('|').map(Number) as [number, number]);
    const slices: Surface[] = [];
    for (const pc of pcs)
      for (const nd of nds) {
        let pts = bySlice.get(`${pc}|${nd}`);
        if (!pts) {
          let best = present[0]!;
          for (const p of present) if ((p[0] - pc) ** 2 + (p[1] - nd) ** 2 < (best[0] - pc) ** 2 + (best[1] - nd) ** 2) best = p;
          pts = bySlice.get(`${best[0]}|${best[1]}`)!;
        }
        slices.push(Surface.from(pts));
      }
    return new MixedTable(pcs, nds, slices);
  }

  at(pc: number, kp: number, nd: number, kd: number): number {
    const nN = this.nds.length;
    const fp = bracket(this.pcs, pc);
    const fn = bracket(this.nds, nd);
    // lower corner: at most the second-to-last sample, so a fraction > 1 extrapolates from the top two
    const ip = Math.min(Math.floor(fp), Math.max(0, this.pcs.length - 2));
    const jn = Math.min(Math.floor(fn), Math.max(0, nN - 2));
    const tp = fp - ip;
    const tn = fn - jn;
    const ip1 = tp > 0 ? ip + 1 : ip;
    const jn1 = tn > 0 ? jn + 1 : jn;
    const c00 = this.slices[ip * nN + jn]!.at(kp, kd);
    const c01 = jn1 === jn ? c00 : this.slices[ip * nN + jn1]!.at(kp, kd);
    const c10 = ip1 === ip ? c00 : this.slices[ip1 * nN + jn]!.at(kp, kd);
    const c11 = ip1 === ip ? c01 : jn1 === jn ? c10 : this.slices[ip1 * nN + jn1]!.at(kp, kd);
    const v0 = c00 + tn * (c01 - c00);
    const v1 = c10 + tn * (c11 - c10);
    return v0 + tp * (v1 - v0);
  }
}

export interface ProfileModelOptions {
  /** Decoder layers of the full model (the bundle times one). */
  layers: number;
  label: string;
  /** Precompute dense and per-sequence costs up to this many tokens per step (default 8192). */
  maxTokens?: number;
  /** The bundle's correction for decodes of unequal KV (SkewFit.fromMeta); none when null or absent. */
  skew?: SkewFit | null;
}

/**
 * Step time from an operator-level profile bundle. Dense and per-sequence costs are tabulated
 * per token count once; attention is interpolated per step (`attention`): prefill chunks from the
 * pure-prefill rows, decodes from the pure-decode rows, or, in a step with both, from the mixed
 * rows; plus the bundle's skew correction for decodes of unequal KV when its meta.yaml enables it.
 * The kernel times are summed with nothing between them: the serving runs use CUDA graphs
 * (`cudagraph_mode` FULL_AND_PIECEWISE) and async scheduling, so launch gaps and the CPU side
 * overlap the GPU; the profile itself is taken eager (`enforce_eager`), per kernel (vLLM's
 * layerwise_profile CUDA time: LLMServingSim profiler/core/hooks/timings.py), which leaves those
 * gaps out as well.
 */
export class ProfileStepModel implements StepTimeModel {
  readonly label: string;
  private readonly perToken: Float64Array;
  private readonly perSeq: Float64Array;
  private readonly prefillAttn: Surface;
  private readonly decodeAttn: Surface;
  private readonly mixed: MixedTable | null;
  private readonly layers: number;
  private readonly skew: SkewFit | null;
  private readonly tokenCurve: (t: number) => number;
  private readonly seqCurve: (s: number) => number;

  constructor(bundle: ProfileBundleText, opts: ProfileModelOptions) {
    this.label = opts.label;
    this.layers = opts.layers;
    this.skew = opts.skew ?? null;
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
    this.mixed = MixedTable.from(mixed);
  }

  /**
   * Seconds of attention (all layers) for the step. Prefill chunks alone: the pure-prefill rows
   * by (chunk, prefill KV), summed over the chunks. Decodes alone: the pure-decode rows by
   * (decodes, their mean KV). Both in one step: vLLM runs them in one varlen attention call, and
   * the profile's mixed rows (one chunk + n decodes) show the decodes costing far more there
   * than alone (on these bundles 1.3–2.5× the sum of the two pure rows at 64–128 decodes;
   * consistent with vLLM's FlashAttention backend, whose FA2 decode path, packed GQA for
   * max_query_len = 1, a batch with a prefill does not take: vllm/v1/attention/backends/
   * flash_attn.py FlashAttentionMetadataBuilder, vllm-project/vllm@0084b783); the decodes are charged what the mixed rows
   * add over the chunk alone, M(P, K, n, kv) − pre(P, K), at the step's total chunk P and its
   * chunk-weighted mean prefill KV K (one chunk: exactly the measured mixed row). Unequal decode
   * KVs add the bundle's skew correction (SkewFit) on the decode term (its prefill-KV bucket keyed
 * by K; the consumer keys it by the chunks' summed KV: the same for one chunk).
   */
  attention(b: BatchShape): number {
    let a = 0;
    for (let i = 0; i < b.prefillCount; i++) a += this.prefillAttn.at(b.prefillTokens[i]!, b.prefillContext[i]!);
    if (b.decodeCount > 0) {
      const n = b.decodeCount;
      const mean = b.decodeKvSum / n;
      const mixed = b.prefillCount > 0 ? this.mixed : null;
      const P = b.prefillTokenSum;
      const K = P > 0 ? b.prefillTokenContext / P : 0;
      const base = mixed !== null ? this.prefillAttn.at(P, K) : 0;
      let d = mixed !== null ? mixed.at(P, K, n, mean) - base : this.decodeAttn.at(n, mean);
      const sk = this.skew;
      if (sk !== null && n > 1 && b.decodeKvMax > b.decodeKvMin) {
        const alpha = sk.alpha(P, n, (mean - b.decodeKvMin) / (b.decodeKvMax - b.decodeKvMin), b.decodeKvMax, K);
        if (alpha !== 0) {
          const dMax = mixed !== null ? mixed.at(P, K, n, b.decodeKvMax) - base : this.decodeAttn.at(n, b.decodeKvMax);
          if (dMax > d) d += alpha * (dMax - d);
        }
      }
      a += d;
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
