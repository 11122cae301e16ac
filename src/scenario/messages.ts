/**
 * Every user-facing text of the scenario front end, in one place, so wording stays
 * consistent and tests can assert exact messages. A message never repeats the field
 * path: load.ts prefixes `error: <file>: <path>: `.
 */

/** Longest user text quoted in full; longer text is cut, so a 1 MB value makes no 1 MB line. */
const QUOTE_MAX = 80;

/** A user's text in double quotes (JSON escapes), cut to its first 60 characters when long. */
export function quote(text: string): string {
  if (text.length <= QUOTE_MAX) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, 60))}… (${text.length} characters)`;
}

/** Renders a value the way the user wrote it: strings quoted, containers named, numbers as-is. */
export function formatGot(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    return String(value);
  }
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

/** Formats seconds compactly for messages (e.g. 600 → "600s", 0.002 → "2ms"). */
export function formatSeconds(seconds: number): string {
  if (seconds !== 0 && Math.abs(seconds) < 1) return `${roundForText(seconds * 1000)}ms`;
  return `${roundForText(seconds)}s`;
}

function roundForText(x: number): string {
  return String(Number(x.toPrecision(12)));
}

/** `must be <expected> (got <value>)`: the standard shape of a value error. */
export function mustBe(expected: string, got: unknown): string {
  return `must be ${expected} (got ${formatGot(got)})`;
}

/** A required field is missing. */
export function required(expected: string): string {
  return `required: ${expected}`;
}

export function oneOf(options: readonly string[], got: unknown): string {
  const base = `must be one of ${options.join(', ')} (got ${formatGot(got)})`;
  const hint = typeof got === 'string' ? didYouMean(got, options) : null;
  return hint === null ? base : `${base}; did you mean "${hint}"?`;
}

// Units (units.ts)
export const DURATION_EXAMPLES = 'use e.g. 250ms, 1.5s, 15m, 2h';
export const SIZE_EXAMPLES = 'use e.g. 512B, 2KiB, 1MB';
export function notADuration(text: string): string {
  return `${quote(text)} is not a duration (${DURATION_EXAMPLES})`;
}
export function durationWithoutUnit(text: string): string {
  return `${quote(text)} has no unit (write ${quote(`${text.trim()}s`)} for seconds, or a plain number)`;
}
export function notASize(text: string): string {
  return `${quote(text)} is not a size (${SIZE_EXAMPLES})`;
}
export function durationType(got: unknown): string {
  return mustBe('a duration such as 250ms, 1.5s or 2h, or a number of seconds', got);
}
export function sizeType(got: unknown): string {
  return mustBe('a size such as 512B, 2KiB or 1MB, or a number of bytes', got);
}
export function notNegative(got: unknown): string {
  return mustBe('≥ 0', got);
}
export function notFinite(got: unknown): string {
  return mustBe('a finite number', got);
}

// Document level (load.ts)
export function yamlSyntax(line: number, column: number, reason: string): string {
  return `line ${line}, column ${column}: ${reason}`;
}
export const YAML_MULTIPLE_DOCS = 'a scenario file holds one YAML document, but this one has another after "---"';
export const EMPTY_FILE =
  'the file holds no scenario: expected a mapping with at least name, duration, traffic and model';
export function notAMapping(got: unknown): string {
  return `expected a scenario, a mapping of fields such as name, duration, traffic (got ${formatGot(got)})`;
}
/** An unknown key; `alsoSuggest` are names worth a did-you-mean but not worth listing (unsupported sections). */
export function unknownField(key: string, known: readonly string[], alsoSuggest: readonly string[] = []): string {
  const hint = didYouMean(key, [...known, ...alsoSuggest]);
  if (hint !== null) return `unknown field; did you mean "${hint}"?`;
  return known.length > 0 ? `unknown field (known fields here: ${known.join(', ')})` : 'unknown field';
}
export const NOT_SUPPORTED = 'not supported by this version of infersim yet';
/** A zod type name ("object", "array", …) as the user knows it. */
export function typePhrase(zodType: string): string {
  switch (zodType) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'number':
      return 'a number';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    default:
      return 'a valid value';
  }
}
export function invalidValue(got: unknown): string {
  return mustBe('a valid value', got);
}

// --set overrides
export function setWithoutEquals(arg: string): string {
  return `--set ${quote(arg)}: expected path=value, e.g. --set fleet.replicas=12`;
}
export function setBadPath(arg: string): string {
  return `--set ${quote(arg)}: the path needs dot-separated names, e.g. fleet.batching.maxBatch`;
}
export function setBadYaml(arg: string, reason: string): string {
  return `--set ${quote(arg)}: the value is not valid YAML: ${reason}`;
}
export function setBadValue(arg: string, reason: string): string {
  return `--set ${quote(arg)}: ${reason}`;
}
export function setThroughScalar(arg: string, parentPath: string, got: unknown): string {
  return `--set ${quote(arg)}: ${parentPath} is ${formatGot(got)}, not a mapping or list`;
}
export function setBadIndex(arg: string, parentPath: string, segment: string, length: number): string {
  return `--set ${quote(arg)}: ${parentPath} is a list of ${length}; "${segment}" is not an index from 0 to ${length}`;
}

/** What a field expects, as used after "required:" and "must be" (schema.ts). */
export const EXPECT = {
  positive: '> 0',
  nonEmptyString: 'a non-empty string',
  name: 'a name for the scenario (a string)',
  duration: 'the simulated time, e.g. 1h or 3600 (seconds)',
  offset: 'a duration ≥ 0 (from the start)',
  positiveDuration: 'a duration > 0',
  stepRps: 'a rate ≥ 0 in requests/s',
  step: 'a step { at, rps, ramp }',
  spike: 'a spike { at, factor, for }',
  spikes: 'a list of { at, factor, for } spikes',
  spikeFactor: 'a rate multiplier > 0',
  amplitude: 'a number in [0, 1)',
  traceFile: 'the path of a CSV or JSONL file, relative to the scenario file',
  gammaCv: 'a cv > 0',
  zipfCount: 'the number of distinct keys, a positive integer',
  batchSize: 'a batch size',
  batchSizes: 'a list of batch sizes',
  durationDist: 'a duration (e.g. 30s), { mean, cv } (lognormal) or { min, max } (uniform)',
  autoscalerKind: 'hpa, kpa, schedule or none',
  signal: 'a signal: rps, concurrency, queueDepth, gpuUtilization, cpu or latencyP99Ms',
  signalMapping: 'a signal (rps, concurrency, queueDepth, gpuUtilization, cpu or latencyP99Ms) or { signal, scale } / { signal, unit }',
  replicaCount: 'a replica count, an integer ≥ 0',
  scheduleSteps: 'a list of { at, replicas } steps',
  eventKind: 'replica-crash, cache-flush or region-outage',
  region: 'a region { name, share, rtt, fleet, autoscaler }',
  regionName: 'a region name (a string)',
  modelName: 'a model name (a string)',
  modelEntry: 'a model { name, traffic, model, fleet, slo, autoscaler, cache, featureStore }',
  sharingGpu: 'the GPU type the models share (a catalog id, e.g. a100-80gb)',
  migLayout: 'the MIG slices of each GPU, e.g. "3g.40gb+2g.20gb+1g.10gb+1g.10gb"',
  modelMigProfile: 'the MIG profile this model\'s pods request (fleet.mig, or sharing.profiles.<model>), one of sharing.layout\'s slices',
  migProfileName: 'a MIG profile id, one of sharing.layout\'s slices (e.g. 3g.40gb)',
  sharing: 'how the models share GPUs { mode: dedicated | mig | shared, gpu, layout, gpus, overlap, scaling }',
  share: 'the share of the users in this region, a number between 0 and 1',
  rtt: 'a round-trip time such as 80ms',
  weight: 'a relative weight ≥ 0',
  outageRegion: 'the region that fails (a name from regions)',
  shardCount: 'the number of shards, a positive integer',
  tenantCount: 'the number of tenants, a positive integer',
  tenants: 'tenants: { count, exponent } (a Zipf popularity over the tenants)',
  primary: 'the primary region (a name from regions)',
  cacheMode: 'capacity (a keyed LRU, needs traffic.keys) or hitRate (a fixed hit probability)',
  serviceTime: 'a duration (fixed) or { mean, cv, dist }',
} as const;

export const HPA_SOURCE = 'the HorizontalPodAutoscaler: manifest (a file path) or spec (inline)';
export const HPA_BOTH = 'give either autoscaler.manifest or autoscaler.spec, not both';
export function hpaUnmappedMetric(name: string): string {
  return `metric "${name}" has no simulated signal: add autoscaler.signals: { ${name}: rps } (one of rps, concurrency, queueDepth, gpuUtilization, cpu, latencyP99Ms)`;
}
/** Units a metric may report a signal in, as the factor from the signal's own unit. */
export const SIGNAL_UNITS: Record<string, Record<string, number>> = {
  rps: { perSecond: 1, perMinute: 60 },
  concurrency: { requests: 1 },
  queueDepth: { requests: 1 },
  gpuUtilization: { fraction: 1, percent: 100 },
  cpu: { cores: 1, millicores: 1000 },
  latencyP99Ms: { ms: 1, s: 0.001 },
};
export const SIGNAL_SCALE_AND_UNIT = 'give scale or unit, not both (unit percent is scale 100)';
export function signalUnitChoice(signal: string, got: unknown): string {
  const units = Object.keys(SIGNAL_UNITS[signal] ?? {});
  const base = mustBe(`a unit of ${signal}: ${units.join(', ')}`, got);
  const hint = typeof got === 'string' ? didYouMean(got, units) : null;
  return hint === null ? base : `${base}; did you mean "${hint}"?`;
}
/** A target the mapped signal can never reach: the HPA keeps scaling one way. */
export function hpaUnreachableTarget(metric: string, target: number, signal: string, bound: string, effect: string): string {
  return `${metric}: target ${roundForText(target)} can never be reached: ${signal} ${bound}, so the HPA ${effect}; if the metric reports another unit, map it as { signal: ${signal}, scale: … } (e.g. scale 100 for a 0–100 percent)`;
}
export function hpaMeanAsAverageValue(metric: string, signal: string): string {
  return `${metric}: an AverageValue target divides the metric by the replica count, but ${signal} at fleet level is a mean, not a sum; use a Value target`;
}
export function hpaTargetBelowMilli(metric: string, target: number): string {
  return `${metric}: target ${roundForText(target)} is below Kubernetes' resolution of 0.001 (1m): the cluster reads it as 0.001`;
}
export function rateWindowTooShort(path: string, windowS: number, scrapeS: number): string {
  return `${path}: a window of ${roundForText(windowS)} s holds fewer than two scrapes ${roundForText(scrapeS)} s apart, so rate() never has a value and the HPA never acts on rps or cpu; use a window of at least ${roundForText(2 * scrapeS)} s (Prometheus advises 4 scrape intervals)`;
}
export function hpaFeatureGate(field: string, gate: string, stage: string, without: string): string {
  return `${field} needs the Kubernetes feature gate ${gate} (${stage}); without it ${without}`;
}
export function hpaUnsupportedResource(name: string): string {
  return `resource metric "${name}" cannot be simulated (infersim models cpu only); use cpu, or a Pods/External metric mapped in autoscaler.signals`;
}
export function cannotReadFile(path: string, why: string): string {
  return `cannot read ${path} (${why})`;
}

// Cross-field rules (schema.ts)
export function warmupNotBelowDuration(warmupS: number, durationS: number): string {
  return `must be less than duration ${formatSeconds(durationS)} (got ${formatSeconds(warmupS)})`;
}
export const RATE_OR_TRACE = 'a rate (requests/s, or a list of { at, rps, ramp } steps) or a trace to replay';
export const RATE_AND_TRACE = 'give either traffic.rate or traffic.trace, not both';
export const RATE_SHAPE = 'a rate in requests/s (> 0) or a list of { at, rps, ramp } steps';
export const SCHEDULE_EMPTY = 'must list at least one { at, rps } step';
export function scheduleFirstAt(atS: number): string {
  return `the first step must be at 0 (got ${formatSeconds(atS)})`;
}
export function scheduleNotAscending(atS: number, previousAtS: number): string {
  return `steps must be in ascending order of at (got ${formatSeconds(atS)} after ${formatSeconds(previousAtS)})`;
}
export function scheduleRampOverlap(endS: number, nextAtS: number): string {
  return `the ramp must end by the next step (it ends at ${formatSeconds(endS)}, the next step is at ${formatSeconds(nextAtS)})`;
}
export const SCHEDULE_ALL_ZERO = 'at least one step must have rps > 0';
export function onlyForKind(field: string, kinds: string, kind: string): string {
  return `${field} applies only to kind ${kinds} (kind is ${kind})`;
}
export function requiredForKind(kind: string, expected: string): string {
  return `required for kind ${kind}: ${expected}`;
}
export function mmppHighFactor(lowFactor: number, got: number): string {
  return mustBe(`> lowFactor ${lowFactor}`, got);
}
export function mmppLowFactor(highFactor: number, got: number): string {
  return mustBe(`< highFactor ${highFactor}`, got);
}
export const KEYS_TRACE_NEEDS_COLUMN =
  'kind trace needs traffic.trace.keyColumn (the trace column holding request keys)';
export const KEYS_TRACE_NEEDS_TRACE = 'kind trace needs traffic.trace with a keyColumn';
export function ignoredWithTrace(field: string): string {
  return `traffic.${field} is ignored when replaying traffic.trace`;
}
export const LATENCY_REQUIRED = 'a batch-size → latency table, or model.profile with fleet.gpu';
export const LATENCY_TABLE_SHAPE = 'a mapping of batch size → batch latency, e.g. { 1: 4.25ms, 32: 12ms }';
export const LATENCY_TABLE_EMPTY = 'must list at least one batch size, e.g. { 1: 4.25ms, 32: 12ms }';
export function batchKey(key: string): string {
  return `batch size must be a positive integer (got ${quote(key)})`;
}
export function latencyDecreasing(batch: number, latencyS: number, prevBatch: number, prevLatencyS: number): string {
  return (
    `latency must not decrease as the batch grows ` +
    `(got ${formatSeconds(latencyS)} at batch ${batch}, below ${formatSeconds(prevLatencyS)} at batch ${prevBatch})`
  );
}
export function singlePointTable(batch: number, maxBatch: number): string {
  return (
    `a table with only batch ${batch} cannot be extrapolated to fleet.batching.maxBatch ${maxBatch}; ` +
    `add a point at a larger batch`
  );
}
export function extrapolatedWarning(maxBatch: number, largestBatch: number): string {
  return (
    `fleet.batching.maxBatch: ${maxBatch} exceeds the latency table's largest batch ${largestBatch}: ` +
    `latency beyond batch ${largestBatch} is extrapolated`
  );
}
export function derivedProfileWarning(profile: string, gpu: string, notes: readonly string[]): string {
  const why = notes.length > 0 ? `: ${notes.join('; ')}` : '';
  return `model.profile: the latency of ${profile} on ${gpu} is derived, not measured${why}`;
}
export function cvFixed(dist: string, cv: number): string {
  return `${dist} has a fixed cv of ${cv}; use lognormal or gamma for another cv`;
}
export function preferredAboveMax(maxBatch: number, got: number): string {
  return `must be ≤ maxBatch ${maxBatch} (got ${got})`;
}
export function unknownGpu(id: string, known: readonly string[]): string {
  const hint = didYouMean(id, known);
  const base = `unknown GPU ${quote(id)} (known: ${known.join(', ')})`;
  return hint === null ? base : `${base}; did you mean "${hint}"?`;
}
export const MIG_NEEDS_GPU = 'needs fleet.gpu (a MIG profile is a slice of a GPU)';
export function unknownMig(id: string, gpu: string, known: readonly string[]): string {
  if (known.length === 0) return `${gpu} does not support MIG (got ${quote(id)})`;
  const hint = didYouMean(id, known);
  const base = `${quote(id)} is not a MIG profile of ${gpu} (known: ${known.join(', ')})`;
  return hint === null ? base : `${base}; did you mean "${hint}"?`;
}
export const NO_PRICE_SOURCE = 'none (set cost.gpuHourly or fleet.gpu)';

/**
 * The candidate closest to `word` when it is plausibly a typo (case, `_`/`-` and small
 * edit distance ignored), else null. Lives here because it only ever feeds messages.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | null {
  const norm = (s: string): string => s.toLowerCase().replace(/[_\-\s]/g, '');
  const w = norm(word);
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, norm(c));
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  if (best === null) return null;
  // A third of the length keeps "replica"→"replicas" while refusing unrelated words.
  const limit = Math.max(1, Math.min(3, Math.floor(Math.max(w.length, norm(best).length) / 3)));
  return bestDistance <= limit ? best : null;
}

/** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j] + 1, d[i * cols + j - 1] + 1, d[(i - 1) * cols + j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[(i - 2) * cols + j - 2] + 1);
      }
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1];
}

/** Bounds of a numeric field as a phrase for "must be …": "a positive integer", "> 0", "between 0 and 1". */
export function rangePhrase(r: { int?: boolean; min?: number; gt?: number; max?: number; lt?: number }): string {
  if (r.int === true && r.gt === undefined && r.max === undefined && r.lt === undefined) {
    if (r.min === 1) return 'a positive integer';
    if (r.min !== undefined) return `an integer ≥ ${r.min}`;
    return 'an integer';
  }
  const low = r.gt !== undefined ? `> ${r.gt}` : r.min !== undefined ? `≥ ${r.min}` : null;
  const high = r.lt !== undefined ? `< ${r.lt}` : r.max !== undefined ? `≤ ${r.max}` : null;
  let phrase: string;
  if (r.min !== undefined && r.max !== undefined && r.gt === undefined && r.lt === undefined) {
    phrase = `between ${r.min} and ${r.max}`;
  } else if (r.min !== undefined && r.lt !== undefined && r.gt === undefined) {
    phrase = `in [${r.min}, ${r.lt})`;
  } else {
    phrase = [low, high].filter((x): x is string => x !== null).join(' and ');
  }
  return r.int === true ? `an integer ${phrase}` : phrase;
}

/** The type half of a numeric expectation: "a number > 0" where the range alone says "> 0". */
export function numberPhrase(range: string): string {
  return range.startsWith('a') ? range : range === '' ? 'a number' : `a number ${range}`;
}

export const NO_COLD_START =
  'fleet.coldStart is not set: new replicas become ready instantly, which hides the autoscaler lag (set e.g. { imagePull: 60s, modelLoad: 30s })';
export function hpaInitialClamped(replicas: number, min: number, max: number): string {
  return `fleet.replicas ${replicas} is outside the HPA's [${min}, ${max}]: the first sync moves it into range`;
}
export const CACHE_FLUSH_NEEDS_CACHE = 'a cache-flush event needs a cache section';
export const ZERO_FIXED_FLEET = 'must be ≥ 1 without an autoscaler (got 0): a fixed fleet of no replicas serves nothing';
export const CACHE_BOTH_MODES = 'give either cache.capacity (keyed LRU) or cache.hitRate (fixed probability), not both';
export function CACHE_KEYED_ONLY(field: string): string {
  return `${field} applies only to a keyed cache (cache.capacity), not to cache.hitRate`;
}
export const CACHE_TRACE_KEYS = "a keyed cache on a trace needs the trace's keys: set keys: { kind: trace } and trace.keyColumn";
export const CACHE_UNIQUE_KEYS = 'the cache is keyed but traffic.keys is unique (every request new): it will never hit; set traffic.keys: { kind: zipf, count, exponent }';

// Regions, failover and shards (schema.ts)
export const REGIONS_EMPTY = 'must list at least one region';
export function tooManyRegions(count: number, max: number): string {
  return `must list at most ${max} regions (got ${count})`;
}
export function duplicateRegion(name: string): string {
  return `duplicate region name ${quote(name)}: every region needs its own name`;
}
export function sharesSum(total: number): string {
  return `the regions' shares must sum to 1 (got ${roundForText(total)})`;
}
/** A name that is not one of the regions' names. */
export function unknownRegion(name: string, known: readonly string[]): string {
  const hint = didYouMean(name, known);
  const base = `unknown region ${quote(name)} (regions: ${known.join(', ')})`;
  return hint === null ? base : `${base}; did you mean "${hint}"?`;
}
export function rttMissing(missing: readonly string[]): string {
  return `missing the round trip to ${missing.join(', ')} (rtt needs every other region; its own defaults to 0)`;
}
export function needsRegions(section: string): string {
  return `${section} applies only with a regions section`;
}
export const WEIGHTS_REQUIRED = 'required for routing weighted: a weight per region, e.g. { us-east: 0.5, eu-west: 0.5 }';
export function weightsOnlyWeighted(routing: string): string {
  return `weights apply only to routing weighted (routing is ${routing})`;
}
export const WEIGHTS_ALL_ZERO = 'at least one region needs a weight > 0';
export const PRIMARY_REQUIRED = 'required for kind active-passive: the primary region (a name from regions)';
export const REGION_OUTAGE_NEEDS_REGIONS = 'a region-outage event needs a regions section';
export const REGIONS_AND_SHARDS =
  'regions and shards together are not supported yet: shard within one fleet (shards) or spread over regions (regions), not both';
export const FEATURE_STORE_MULTI_SITE = 'a feature store is not supported with regions or shards yet';
export const TENANTS_REQUIRED = 'required for by tenant: tenants: { count, exponent }';
export function tenantsOnlyTenant(by: string): string {
  return `tenants applies only to by tenant (by is ${by})`;
}
export const SHARD_KEYS_ON_TRACE =
  'by key-hash on a trace needs its keys: set traffic.keys: { kind: trace } and traffic.trace.keyColumn, or shard by tenant';
/** A region's own fleet or autoscaler failed once merged onto the top-level ones: `where` is the field in the merged scenario. */
export function inRegion(where: string, message: string): string {
  return where === '' ? message : `${where}: ${message}`;
}
export function regionWarning(name: string, warning: string): string {
  return `region ${name}: ${warning}`;
}

// KPA (kpa-check.ts)
export function kpaTargetTooSmall(target: number, utilization: number, min: number): string {
  return `target × targetUtilization must be at least ${min}, Knative's smallest per-pod target (got ${roundForText(target)} × ${roundForText(utilization)} = ${roundForText(target * utilization)})`;
}
export function stableWindowRange(minS: number, maxS: number): string {
  return `a whole number of seconds from ${formatSeconds(minS)} to ${formatSeconds(maxS)} (Knative's stable window)`;
}

// ---------------------------------------------------------------- several models (models, sharing)

export const SHARING_NEEDS_MODELS = 'sharing says how several models share GPUs: it needs a models list';
export const MODELS_EMPTY = 'must list at least one model';
export const CRASH_SHARED_GPUS =
  'replica-crash is not simulated with sharing.mode shared (a crash takes a whole GPU and every model on it); use mode dedicated or mig';
export function tooManyModels(n: number, max: number): string {
  return `at most ${max} models, got ${n}`;
}
export function duplicateModel(name: string): string {
  return `model name "${name}" is used twice; each model needs its own name`;
}
export function perModelSection(k: string): string {
  return `with a models list each model has its own ${k}: move it into models[].${k}`;
}
export function notWithModels(k: string): string {
  return `${k} cannot be combined with a models list (several models run in one place; regions and shards split one model)`;
}
export function requiredForMode(mode: string, expected: string): string {
  return `required with sharing.mode ${mode}: ${expected}`;
}
export function onlyForMode(k: string, mode: string): string {
  return `${k} does not apply to sharing.mode ${mode}`;
}
export function inModel(name: string, path: string, message: string): string {
  return `in model "${name}", ${path}: ${message}`;
}
export function modelMigProfile(profile: string, layout: string): string {
  return `MIG profile ${profile} is not a slice of sharing.layout (${layout}): the model's pods could never be placed`;
}
export function modelGpuNotShared(gpu: string, mode: string, shared: string): string {
  return `fleet.gpu is ${gpu}, but with sharing.mode ${mode} every model runs on sharing.gpu (${shared}): leave it out`;
}
export function modelFleetFixedBySharing(k: string, mode: string, unit = false): string {
  if (unit) return `fleet.${k} is set by sharing (mode shared, scaling unit: one replica of every model on each of sharing.gpus GPUs): leave it out, or set sharing.scaling: per-model`;
  return mode === 'shared'
    ? `fleet.${k} is set by sharing (mode shared: every GPU is sharing.gpu, holding at most one pod of each model): leave it out`
    : `fleet.${k} is set by sharing (mode ${mode}: nodes are GPUs with sharing.layout): leave it out`;
}
export function modelWarning(name: string, w: string): string {
  return `model ${name}: ${w}`;
}
export function unknownModel(name: string, known: readonly string[]): string {
  return `no model is named "${name}" (models: ${known.join(', ')})`;
}
export function migProfileTwice(name: string): string {
  return `the MIG profile of model "${name}" is given twice, here and in sharing.profiles.${name}: keep one`;
}
