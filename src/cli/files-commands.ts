/**
 * Commands for working with one's own files and shell: `schema` (the scenario JSON Schema),
 * `explain <path>`, `init [template] [--from-hpa FILE]`, `completion bash|zsh`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Argument, type Command } from 'commander';
import { isHpaParseError, parseHpaManifest } from '../scenario/kubernetes.js';
import { EXIT, UserError } from './errors.js';

/** The JSON Schema shipped in the package (schema/scenario.schema.json), for modelines. */
export const SHIPPED_SCHEMA = fileURLToPath(new URL('../../schema/scenario.schema.json', import.meta.url));

export function registerSchema(program: Command, setExit: (code: number) => void): void {
  program
    .command('schema')
    .description("print the scenario's JSON Schema (generated from the validator; editors use it through the yaml-language-server modeline)")
    .action(async () => {
      // the schema generator (zod-to-json-schema) loads only for the commands that need it, not at every start
      const { scenarioJsonSchema } = await import('../scenario/json-schema.js');
      process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
      setExit(EXIT.ok);
    });
}

export function registerExplain(program: Command, setExit: (code: number) => void): void {
  program
    .command('explain')
    .description("print a scenario field's meaning, kind and unit, default, limits and sub-fields (like kubectl explain)")
    .argument('[path]', 'dotted field path, e.g. fleet.batching.maxQueueDelay (empty: the top level)', '')
    .action(async (path: string) => {
      const { explainField } = await import('../scenario/explain.js');
      const text = explainField(path);
      if (text === null) {
        // the deepest part of the path that exists, to look around from
        const segments = path.split('.');
        while (segments.length > 0 && explainField(segments.join('.')) === null) segments.pop();
        throw new UserError([`error: explain: the scenario has no field ${path} (see: infersim explain ${segments.join('.')})`.replace(/ \)$/, ')')]);
      }
      process.stdout.write(`${text}\n`);
      setExit(EXIT.ok);
    });
}

const TEMPLATES = ['basic', 'autoscaled'] as const;

/** The simulated signal a metric's name suggests (the starter says it is a guess). */
export function guessSignal(metric: string): string {
  const m = metric.toLowerCase();
  if (m.includes('queue')) return 'queueDepth';
  if (/concurren|in_?flight|outstanding|pending/.test(m)) return 'concurrency';
  if (m.includes('gpu') || m.includes('util')) return 'gpuUtilization';
  if (m.includes('latency') || m.includes('duration')) return 'latencyP99Ms';
  if (m.includes('cpu')) return 'cpu';
  return 'rps';
}

/** The yaml-language-server modeline naming the shipped schema, relative to the file's folder. */
export function modeline(fileDir: string): string {
  let rel = relative(fileDir, SHIPPED_SCHEMA).split(sep).join('/');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return `# yaml-language-server: $schema=${rel}`;
}

function basic(name: string): string {
  return `name: ${name}
seed: 1
duration: 10m                       # simulated time
warmup: 1m                          # requests before this are not counted
slo: { p99: 100ms, maxErrorRate: 0.001 }

traffic:
  rate: 500                         # requests/s; or a schedule [ { at: 0s, rps: 500 }, { at: 5m, rps: 1500, ramp: 2m } ]
  burst: { kind: gamma, cv: 1.5 }   # burstier than Poisson
  # prometheus: ./rate.json         # or replay a Prometheus query_range (sum(rate(nv_inference_request_success[1m])))

model:
  profile: bert-base-seq128         # a built-in latency table for fleet.gpu (infersim catalog)
  # latency: { 1: 4ms, 32: 12ms }   # or your own: batch size → batch latency
  # perfAnalyzer: { 1: ./pa-b1.csv, 8: ./pa-b8.csv }   # or perf_analyzer -b N -f FILE results
  variability: { dist: lognormal, cv: 0.1 }

fleet:
  gpu: l4
  replicas: 2
  batching: { maxBatch: 16, maxQueueDelay: 2ms }
  queue: { maxDepth: 1000, timeout: 1s }
  # tritonConfig: ./config.pbtxt    # or take batching, queue and instances from Triton's model configuration
`;
}

function autoscaled(name: string, hpa: { file: string; min: number; metrics: string[] } | null): string {
  const signals =
    hpa === null
      ? '  signals: { inference_queue_depth: queueDepth }   # metric name → rps | concurrency | queueDepth | gpuUtilization | cpu | latencyP99Ms'
      : hpa.metrics.length === 0
        ? '  # signals: {}                   # the manifest scales on CPU only'
        : `  signals:                          # your metrics → what infersim simulates: rps | concurrency | queueDepth | gpuUtilization | cpu | latencyP99Ms\n${hpa.metrics.map((m) => `    ${m}: ${guessSignal(m)}   # guessed from the name: check what ${m} measures`).join('\n')}`;
  const source =
    hpa === null
      ? `  spec:                             # or manifest: ./hpa.yaml (your HorizontalPodAutoscaler, verbatim)
    minReplicas: 2
    maxReplicas: 20
    metrics:
      - type: Pods
        pods:
          metric: { name: inference_queue_depth }
          target: { type: AverageValue, averageValue: "8" }`
      : `  manifest: ${hpa.file}            # your HorizontalPodAutoscaler, verbatim`;
  return `name: ${name}
seed: 1
duration: 30m
warmup: 2m
slo: { p99: 100ms, maxErrorRate: 0.001 }

traffic:
  rate:                             # a step the autoscaler has to follow
    - { at: 0s, rps: 500 }
    - { at: 10m, rps: 2000, ramp: 5m }

model:
  profile: bert-base-seq128
  variability: { dist: lognormal, cv: 0.1 }

fleet:
  gpu: l4
  replicas: ${hpa?.min ?? 2}
  batching: { maxBatch: 16, maxQueueDelay: 2ms }
  queue: { maxDepth: 1000, timeout: 1s }
  coldStart: { nodeProvision: 3m, imagePull: 60s, modelLoad: { mean: 30s, cv: 0.3 }, warmup: 5s }

autoscaler:
  kind: hpa
${source}
${signals}
  syncPeriod: 15s
  metrics: { scrapeInterval: 15s, window: 30s }
`;
}

export function registerInit(program: Command, setExit: (code: number) => void): void {
  program
    .command('init')
    .description('write a commented starter scenario (with --from-hpa, one built around your HorizontalPodAutoscaler manifest)')
    .addArgument(new Argument('[template]', 'starter to write').choices(TEMPLATES).default('basic'))
    .option('--from-hpa <file>', 'your HPA manifest: the scenario references it and maps its metrics')
    .option('-o, --out <file>', 'file to write', 'scenario.yaml')
    .option('--force', 'overwrite an existing file', false)
    .action((template: (typeof TEMPLATES)[number], o: { fromHpa?: string; out: string; force: boolean }) => {
      const target = resolve(o.out);
      if (existsSync(target) && !o.force) throw new UserError([`error: init: ${o.out} exists (use --force to overwrite, or -o another file)`]);
      const name = o.out.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '') || 'scenario';
      let body: string;
      if (o.fromHpa !== undefined) {
        let text: string;
        try {
          text = readFileSync(o.fromHpa, 'utf8');
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          throw new UserError([`error: init: cannot read ${o.fromHpa} (${code === 'ENOENT' ? 'no such file' : String(code)})`]);
        }
        const parsed = parseHpaManifest(text, { file: o.fromHpa });
        if (isHpaParseError(parsed)) throw new UserError(parsed.errors.map((e) => `error: ${o.fromHpa}: ${e.path}: ${e.message}`));
        let rel = relative(dirname(target), resolve(o.fromHpa)).split(sep).join('/');
        if (!rel.startsWith('.')) rel = `./${rel}`;
        const metrics = parsed.metrics.filter((m) => m.type !== 'Resource' && m.type !== 'ContainerResource').map((m) => m.name);
        body = autoscaled(name, { file: rel, min: Math.max(1, parsed.minReplicas), metrics });
      } else body = template === 'autoscaled' ? autoscaled(name, null) : basic(name);
      const header = `${modeline(dirname(target))}
# A starter scenario written by \`infersim init\`. Every field: \`infersim explain <path>\`
# (e.g. infersim explain fleet.batching). Run it: infersim run ${o.out}
`;
      writeFileSync(target, `${header}${body}`);
      process.stderr.write(`wrote ${o.out}\n`);
      setExit(EXIT.ok);
    });
}

/** Shell completion from commander's own command tree: commands, then each command's options. */
export function completionScript(program: Command, shell: 'bash' | 'zsh'): string {
  const cmds = program.commands.filter((c) => c.name() !== 'help');
  const cases = cmds
    .map((c) => {
      const opts = c.options.flatMap((o) => [o.long, o.short].filter((x): x is string => x !== undefined));
      return `    ${c.name()}) opts="${[...opts, '--help'].join(' ')}" ;;`;
    })
    .join('\n');
  const fn = `_infersim_complete() {
  local cur cmd opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${cmds.map((c) => c.name()).join(' ')} --help --version" -- "$cur") )
    return 0
  fi
  cmd="\${COMP_WORDS[1]}"
  case "$cmd" in
${cases}
    *) opts="" ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
  return 0
}
complete -o filenames -F _infersim_complete infersim
`;
  if (shell === 'bash') return `# infersim bash completion: eval "$(infersim completion bash)" (e.g. in ~/.bashrc)\n${fn}`;
  return `# infersim zsh completion: eval "$(infersim completion zsh)" (e.g. in ~/.zshrc)\nautoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n${fn}`;
}

export function registerCompletion(program: Command, setExit: (code: number) => void): void {
  program
    .command('completion')
    .description('print a shell completion script: eval "$(infersim completion bash)"')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') => {
      process.stdout.write(completionScript(program, shell));
      setExit(EXIT.ok);
    });
}
