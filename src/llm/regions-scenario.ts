/**
 * Regions for LLM scenarios: the request-level `regions:`, `topology:`, `failover:` and
 * region-outage `events:` syntax (src/scenario/schema.ts, README "Regions") on a file with an
 * `llm:` block, each region running its own LLM fleet:
 *
 *   regions:
 *     - name: us-east
 *       share: 0.6                              # share of the users
 *       rtt: { us-east: 2ms, eu-west: 80ms }    # their round trip to each region
 *       llm: { replicas: 2, gpu: a100-80gb }    # deep-merged onto the top-level llm block
 *                                               # (llm.autoscaler, when given, replaces the top-level one)
 *   topology: { kind: active-active | active-passive, routing: nearest | latency-weighted | weighted, weights, primary, standby }
 *   failover: { healthCheckInterval: 10s, failureThreshold: 3, dnsTtl: 60s }
 *   events:   [{ at: 5m, kind: region-outage, region: us-east, for: 5m }]
 *   cost:     { interRegionPerGB: 0.02, bytesPerToken: 4 }   # transfer of responses served outside their users' region
 *
 * Each region's fleet is resolved by the LLM loader itself (scenario.ts loadLlmDocument) on the
 * document with the region's llm block merged in, so every rule applies and a problem is reported
 * under regions[i].llm…. The rules and messages of the region sections are the request-level
 * ones (scenario/messages.ts). Traffic must be open loop (a trace, a rate with any of the traffic
 * shapes, prometheus): the router draws each request's users' region, and a closed-loop user would
 * change region turn by turn. Each region's llm.autoscaler may be an HPA or a KPA (kind: kpa).
 */
import { parseDocument } from 'yaml';
import { deepMerge, resolveVariants, ScenarioError } from '../scenario/load.js';
import * as M from '../scenario/messages.js';
import { FAILOVER_DEFAULTS, INTER_REGION_PER_GB_DEFAULT, MAX_SITES } from '../scenario/schema.js';
import { parseDurationS, UnitError } from '../scenario/units.js';
import type { IssueCode, ScenarioIssue } from '../scenario/issues.js';
import type { Failover, RegionRouting, RegionsTopology } from '../config/scenario.js';
import type { LlmFleetSpec } from './fleet.js';
import { loadLlmDocument, LlmScenarioError, parseLlmDocument, type LlmLoadOptions, type LlmScenario } from './scenario.js';

/**
 * Bytes of a response per output token, for inter-region transfer: about 4 characters of English
 * text per token (OpenAI, "What are tokens and how to count them?",
 * https://help.openai.com/en/articles/4936856-what-are-tokens-and-how-to-count-them), sent as
 * UTF-8 without a streaming envelope (a streamed response's per-chunk JSON is larger: set cost.bytesPerToken).
 */
export const BYTES_PER_TOKEN_DEFAULT = 4;

export interface LlmRegion {
  name: string;
  share: number;
  /** Round trip in seconds from this region's users to each region, by region index. */
  rttS: number[];
  /** This region's fleet (the llm block with the region's own fields over it). */
  spec: LlmFleetSpec;
  notes: string[];
}

/** The request-level regions topology (mode, routing, weights, primary, standby, failover, inter-region price) with LLM fleets. */
export interface LlmRegions extends Omit<RegionsTopology, 'kind' | 'regions'> {
  regions: LlmRegion[];
  /** region-outage events, in the file's order: region index, start and length (Infinity: to the end). */
  outages: { atS: number; region: number; forS: number }[];
  /** Bytes of a response per output token (cost.bytesPerToken), for the inter-region transfer. */
  bytesPerToken: number;
}

/** An LLM scenario as `run` reads it: with its regions, or null for a single fleet. */
export interface LlmRunScenario extends LlmScenario {
  regions: LlmRegions | null;
}

type Obj = Record<string, unknown>;
type RegionBasics = Pick<LlmRegion, 'name' | 'share' | 'rttS'>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const REGION_SECTIONS = ['regions', 'topology', 'failover', 'events', 'cost'] as const;

/** Loads an LLM scenario, with regions when it has them; throws LlmScenarioError listing every problem. */
export function loadLlmRunScenario(text: string, opts: LlmLoadOptions): LlmRunScenario {
  return loadLlmRunDocument(parseLlmDocument(text, opts), opts);
}

/**
 * An LLM scenario with its `variants` (each deep-merged onto the base by the request-level rules,
 * scenario/load.ts resolveVariants), each with its regions when it has them.
 */
export function loadLlmRunScenarioVariants(text: string, opts: LlmLoadOptions): { base: LlmRunScenario; variants: { name: string; scenario: LlmRunScenario }[] } {
  const raw = parseDocument(text).toJS() as unknown;
  return resolveVariants(isObj(raw) ? raw : {}, opts, (d) => loadLlmRunDocument(d, opts), (e) => (e instanceof LlmScenarioError || e instanceof ScenarioError ? e.issues : null));
}

/** loadLlmRunScenario on a parsed document (after `--set`s and variants). */
export function loadLlmRunDocument(raw: unknown, opts: LlmLoadOptions): LlmRunScenario {
  if (!isObj(raw) || !REGION_SECTIONS.some((k) => raw[k] !== undefined)) return { ...loadLlmDocument(raw, opts), regions: null };
  const common: Obj = { ...raw };
  for (const k of REGION_SECTIONS) delete common[k];
  const issues: ScenarioIssue[] = [];
  let base: LlmScenario | null = null;
  try {
    base = loadLlmDocument(common, opts);
  } catch (e) {
    if (!(e instanceof LlmScenarioError)) throw e;
    issues.push(...e.issues);
  }
  const sections = checkSections(raw, base?.spec.durationS ?? Infinity, issues);
  const regions: LlmRegion[] = [];
  if (sections !== null && base !== null) {
    const topLlm = isObj(common.llm) ? common.llm : {};
    sections.rawRegions.forEach((r, i) => {
      const own = isObj(r.llm) ? r.llm : {};
      const llm = deepMerge(topLlm, own);
      if (own.autoscaler !== undefined) llm.autoscaler = own.autoscaler;
      try {
        const site = loadLlmDocument({ ...common, llm }, opts);
        regions.push({ ...sections.regions[i]!, spec: site.spec, notes: site.notes });
        for (const w of site.warnings) if (!base!.warnings.includes(w)) base!.warnings.push(M.regionWarning(String(r.name), w));
      } catch (e) {
        if (!(e instanceof LlmScenarioError)) throw e;
        for (const x of e.issues) issues.push({ ...x, path: ['regions', i, ...x.path] });
      }
    });
    // open loop only (llm/arrivals.ts makes every open-loop kind for regions as for a single fleet)
    if (base.spec.arrivals.kind === 'closed') issues.push({ code: 'unsupported', path: ['traffic', 'users'], message: CLOSED_LOOP_WITH_REGIONS });
  }
  if (issues.length > 0 || base === null || sections === null) throw new LlmScenarioError(opts.file, issues);
  return { ...base, regions: { ...sections.result, regions } };
}

const CLOSED_LOOP_WITH_REGIONS = 'closed-loop users are not supported with regions (the router draws each request’s users’ region, so a user would change region turn by turn): use rate or trace';

/** The region sections checked by the request-level rules; null when any is wrong. Each region's spec is filled in by the caller. */
function checkSections(doc: Obj, durationS: number, issues: ScenarioIssue[]): { result: Omit<LlmRegions, 'regions'>; regions: RegionBasics[]; rawRegions: Obj[] } | null {
  const before = issues.length;
  const err = (code: IssueCode, path: (string | number)[], message: string): void => void issues.push({ code, path, message });
  const known = (o: Obj, path: (string | number)[], keys: readonly string[]): void => {
    for (const k of Object.keys(o)) if (!keys.includes(k)) err('unknown_key', [...path, k], `unknown field (expected one of: ${keys.join(', ')})`);
  };
  const dur = (v: unknown, path: (string | number)[], dflt: number, positive: boolean): number => {
    if (v === undefined) return dflt;
    try {
      const s = parseDurationS(v);
      if (positive && !(s > 0)) throw new UnitError('must be positive', 'too_small');
      return s;
    } catch (e) {
      err(e instanceof UnitError ? e.code : 'invalid_format', path, (e as Error).message);
      return dflt;
    }
  };
  const mapping = (k: string): Obj => {
    const v = doc[k];
    if (v === undefined || v === null) return {};
    if (!isObj(v)) {
      err('invalid_type', [k], 'expected a mapping');
      return {};
    }
    return v;
  };
  if (doc.regions === undefined) {
    for (const k of ['topology', 'failover', 'events', 'cost']) if (doc[k] !== undefined) err('cross_field', [k], M.needsRegions(k));
    return null;
  }
  const rawList = Array.isArray(doc.regions) ? (doc.regions as unknown[]) : null;
  if (rawList === null) err('invalid_type', ['regions'], 'expected a list of regions: { name, share, rtt, llm }');
  const list = rawList ?? [];
  if (rawList !== null && list.length === 0) err('too_small', ['regions'], M.REGIONS_EMPTY);
  if (list.length > MAX_SITES) err('too_big', ['regions'], M.tooManyRegions(list.length, MAX_SITES));
  const rawRegions: Obj[] = list.map((r, i) => {
    if (isObj(r)) return r;
    err('invalid_type', ['regions', i], 'expected a mapping: { name, share, rtt, llm }');
    return {};
  });
  const names = rawRegions.map((r, i) => {
    if (typeof r.name === 'string') return r.name;
    err(r.name === undefined ? 'required' : 'invalid_type', ['regions', i, 'name'], 'expected a region name');
    return null;
  });
  const named = names.every((n) => n !== null);
  const knownNames = [...new Set(names.filter((n): n is string => n !== null))];
  names.forEach((n, i) => {
    if (n !== null && names.indexOf(n) !== i) err('cross_field', ['regions', i, 'name'], M.duplicateRegion(n));
  });
  const shares = rawRegions.map((r, i) => {
    known(r, ['regions', i], ['name', 'share', 'rtt', 'llm']);
    if (r.llm !== undefined && !isObj(r.llm)) err('invalid_type', ['regions', i, 'llm'], 'expected a mapping: the fields of the llm block this region changes');
    if (typeof r.share !== 'number' || !(r.share >= 0 && r.share <= 1)) {
      err(r.share === undefined ? 'required' : 'invalid_type', ['regions', i, 'share'], `expected the share of the users in this region, a number in [0, 1], got ${JSON.stringify(r.share)}`);
      return NaN;
    }
    return r.share;
  });
  if (shares.length > 0 && shares.every((s) => s === s)) {
    const total = shares.reduce((a, s) => a + s, 0);
    if (Math.abs(total - 1) > 1e-6) err('cross_field', ['regions'], M.sharesSum(total));
  }
  const rtts = rawRegions.map((r, i) => {
    const rtt = r.rtt === undefined ? {} : isObj(r.rtt) ? r.rtt : (err('invalid_type', ['regions', i, 'rtt'], 'expected a mapping: region name → round trip'), {});
    if (named) {
      for (const to of Object.keys(rtt)) if (!knownNames.includes(to)) err('unknown_reference', ['regions', i, 'rtt', to], M.unknownRegion(to, knownNames));
      const missing = knownNames.filter((to) => to !== r.name && rtt[to] === undefined);
      if (missing.length > 0) err('cross_field', ['regions', i, 'rtt'], M.rttMissing(missing));
    }
    return knownNames.map((to) => dur(rtt[to], ['regions', i, 'rtt', to], 0, false));
  });

  const t = mapping('topology');
  known(t, ['topology'], ['kind', 'routing', 'weights', 'primary', 'standby']);
  const mode = t.kind ?? 'active-active';
  if (mode !== 'active-active' && mode !== 'active-passive') err('invalid_enum_value', ['topology', 'kind'], `expected active-active or active-passive, got ${JSON.stringify(t.kind)}`);
  const routing = t.routing ?? 'nearest';
  if (routing !== 'nearest' && routing !== 'latency-weighted' && routing !== 'weighted') err('invalid_enum_value', ['topology', 'routing'], `expected nearest, latency-weighted or weighted, got ${JSON.stringify(t.routing)}`);
  let weights: number[] | null = null;
  if (routing === 'weighted' && t.weights === undefined) err('required', ['topology', 'weights'], M.WEIGHTS_REQUIRED);
  if (routing !== 'weighted' && t.weights !== undefined) err('cross_field', ['topology', 'weights'], M.weightsOnlyWeighted(String(routing)));
  if (routing === 'weighted' && t.weights !== undefined) {
    const w = isObj(t.weights) ? t.weights : (err('invalid_type', ['topology', 'weights'], 'expected a mapping: region name → weight'), {});
    for (const [to, x] of Object.entries(w)) {
      if (named && !knownNames.includes(to)) err('unknown_reference', ['topology', 'weights', to], M.unknownRegion(to, knownNames));
      if (typeof x !== 'number' || !(x >= 0)) err('invalid_type', ['topology', 'weights', to], `expected a weight ≥ 0, got ${JSON.stringify(x)}`);
    }
    weights = knownNames.map((n) => (typeof w[n] === 'number' ? (w[n] as number) : 0));
    if (!weights.some((x) => x > 0)) err('cross_field', ['topology', 'weights'], M.WEIGHTS_ALL_ZERO);
  }
  let primary: number | null = null;
  if (mode === 'active-passive') {
    if (t.primary === undefined) err('required', ['topology', 'primary'], M.PRIMARY_REQUIRED);
    else if (named && !knownNames.includes(String(t.primary))) err('unknown_reference', ['topology', 'primary'], M.unknownRegion(String(t.primary), knownNames));
    else primary = knownNames.indexOf(String(t.primary));
  } else for (const k of ['primary', 'standby']) if (t[k] !== undefined) err('cross_field', ['topology', k], M.onlyForKind(k, 'active-passive', String(mode)));
  const standby = t.standby ?? 'warm';
  if (standby !== 'warm' && standby !== 'cold') err('invalid_enum_value', ['topology', 'standby'], `expected warm or cold, got ${JSON.stringify(t.standby)}`);

  const f = mapping('failover');
  known(f, ['failover'], ['healthCheckInterval', 'failureThreshold', 'dnsTtl']);
  const failureThreshold = f.failureThreshold ?? FAILOVER_DEFAULTS.failureThreshold;
  if (typeof failureThreshold !== 'number' || !Number.isInteger(failureThreshold) || failureThreshold < 1) err('invalid_type', ['failover', 'failureThreshold'], `expected an integer ≥ 1, got ${JSON.stringify(f.failureThreshold)}`);
  const failover: Failover = {
    healthCheckIntervalS: dur(f.healthCheckInterval, ['failover', 'healthCheckInterval'], FAILOVER_DEFAULTS.healthCheckIntervalS, true),
    failureThreshold: Number(failureThreshold),
    dnsTtlS: dur(f.dnsTtl, ['failover', 'dnsTtl'], FAILOVER_DEFAULTS.dnsTtlS, false),
  };

  const outages: LlmRegions['outages'] = [];
  const ev = doc.events === undefined ? [] : Array.isArray(doc.events) ? (doc.events as unknown[]) : (err('invalid_type', ['events'], 'expected a list of events'), []);
  ev.forEach((e, i) => {
    if (!isObj(e)) return err('invalid_type', ['events', i], 'expected a mapping: { at, kind: region-outage, region, for }');
    known(e, ['events', i], ['at', 'kind', 'region', 'for']);
    if (e.kind !== 'region-outage') err(e.kind === undefined ? 'required' : 'unsupported', ['events', i, 'kind'], `expected region-outage (the only event of an LLM scenario), got ${JSON.stringify(e.kind)}`);
    if (e.at === undefined) err('required', ['events', i, 'at'], 'required: when the region fails (an offset from the start)');
    const atS = dur(e.at, ['events', i, 'at'], 0, false);
    if (atS >= durationS) err('cross_field', ['events', i, 'at'], M.mustBe(`before the end of the run (${durationS} s)`, atS));
    let region = -1;
    if (e.region === undefined) err('required', ['events', i, 'region'], M.requiredForKind('region-outage', M.EXPECT.outageRegion));
    else if (named && !knownNames.includes(String(e.region))) err('unknown_reference', ['events', i, 'region'], M.unknownRegion(String(e.region), knownNames));
    else region = knownNames.indexOf(String(e.region));
    outages.push({ atS, region, forS: dur(e.for, ['events', i, 'for'], Infinity, true) });
  });

  const c = mapping('cost');
  known(c, ['cost'], ['interRegionPerGB', 'bytesPerToken']);
  const num = (v: unknown, path: (string | number)[], dflt: number, positive: boolean): number => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !(positive ? v > 0 : v >= 0) || !Number.isFinite(v)) err('invalid_type', path, `expected a number ${positive ? '> 0' : '≥ 0'}, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  const interRegionPerGbUsd = num(c.interRegionPerGB, ['cost', 'interRegionPerGB'], INTER_REGION_PER_GB_DEFAULT, false);
  const bytesPerToken = num(c.bytesPerToken, ['cost', 'bytesPerToken'], BYTES_PER_TOKEN_DEFAULT, true);

  if (issues.length > before) return null;
  return {
    rawRegions,
    regions: rawRegions.map((r, i) => ({ name: String(r.name), share: shares[i]!, rttS: rtts[i]! })),
    result: { mode: mode as LlmRegions['mode'], routing: routing as RegionRouting, weights, primary, standby: standby as 'warm' | 'cold', failover, outages, interRegionPerGbUsd, bytesPerToken },
  };
}

