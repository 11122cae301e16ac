/**
 * The command line: parses argv (commander), dispatches to one command, and turns
 * errors into exit codes: 0 done, 2 invalid scenario or usage, 3 SLO missed under
 * --assert-slo, 1 internal fault. The only layer that touches argv, files, stdout
 * and the process.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createRequire } from 'node:module';
import { formatCatalog } from '../report/catalog.js';
import { DEFAULT_WIDTH } from '../report/table.js';
import { EXIT, UserError } from './errors.js';
import { runCommand } from './run.js';
import { compareCommand } from './compare.js';
import { checkScenarioVariants, readScenarioFiles } from './scenario-files.js';
import { registerMerge } from './merge.js';
import { registerPlan } from './plan.js';
import { registerCapacity } from './capacity.js';
import { registerSweep } from './sweep.js';
import { registerCompletion, registerExplain, registerInit, registerSchema } from './files-commands.js';
import { catalogJson } from '../catalog/json.js';
import { registerCalibrate } from './calibrate.js';
import { isLlmScenarioFile, readLlmScenario, readLlmScenarioVariants } from './llm-run.js';

const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

function integer(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`${name} must be an integer from 0 to 2^53 − 1 = ${Number.MAX_SAFE_INTEGER} (got ${v})`);
    return n;
  };
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('infersim')
    .description('Discrete-event load simulator for ML inference fleets')
    .version(version)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError('(run infersim --help for usage)');

  program
    .command('run')
    .description('simulate scenario files and print their summaries; writes results/<name>/summary.json, timeline.csv and report.html')
    .argument('<file...>', 'scenario files (YAML or JSON); - reads one from standard input')
    .option('--seed <n>', 'override the scenario seed', integer('--seed'))
    .option('--variant <name>', "run one of the file's variants instead of the base scenario")
    .option('--set <path=value>', 'override a field, value parsed as YAML (repeatable)', collect, [])
    .option('--out <dir>', 'output folder (default results/<scenario name>)')
    .addOption(new Option('--format <format>', 'output on stdout').choices(['table', 'json']).default('table'))
    .option('--assert-slo', 'exit 3 when a run misses its SLO', false)
    .option('-q, --quiet', 'no progress or log lines on stderr', false)
    .option('--no-report', 'do not write report.html')
    .option('--wide', 'tables as wide as they need (default: fit 100 columns)', false)
    .action(async (files: string[], o: { seed?: number; set: string[]; out?: string; format: 'table' | 'json'; assertSlo: boolean; quiet: boolean; report: boolean; variant?: string; wide: boolean }) => {
      setExit(await runCommand(files, o));
    });

  program
    .command('validate')
    .description('check scenario files (and the traces they replay) without running them')
    .argument('<file...>', 'scenario files')
    .option('--set <path=value>', 'override a field before validating (repeatable)', collect, [])
    .option('--variant <name>', "validate one of the file's variants")
    .addOption(new Option('--format <format>', 'output on stdout').choices(['text', 'json']).default('text'))
    .action((files: string[], o: { set: string[]; variant?: string; format: 'text' | 'json' }) => {
      // LLM scenarios (an llm: block) are validated by their own loader
      const llm = files.filter(isLlmScenarioFile).map((f) => ({ file: f, scenario: readLlmScenario(f, o.set, o.variant) }));
      const loaded = readScenarioFiles(files.filter((f) => !isLlmScenarioFile(f)), o.set, o.variant);
      // the whole file: every variant too (compare runs them), unless one was asked for
      if (o.variant === undefined) {
        for (const l of llm) readLlmScenarioVariants(l.file, o.set);
        for (const l of loaded) checkScenarioVariants(l.file, o.set);
      }
      if (o.format === 'json') {
        // one document: every file with its scenario name and warnings (problems exit 2 before this, on stderr)
        const out = [...llm, ...loaded].map((l) => ({ file: l.file, ok: true, name: l.scenario.name, warnings: l.scenario.warnings }));
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        setExit(EXIT.ok);
        return;
      }
      for (const l of llm) {
        process.stdout.write(`${l.file}: ok (${l.scenario.name})\n`);
        for (const w of l.scenario.warnings) process.stdout.write(`  warning: ${w}\n`);
      }
      for (const l of loaded) {
        process.stdout.write(`${l.file}: ok (${l.scenario.name})\n`);
        for (const w of l.scenario.warnings) process.stdout.write(`  warning: ${w}\n`);
      }
      setExit(EXIT.ok);
    });

  program
    .command('compare')
    .description("run a file's variants (or several files) with the same arrivals and print them side by side")
    .argument('<file...>', 'one scenario file with variants, or several scenario files')
    .option('--seed <n>', 'override the seed of every run', integer('--seed'))
    .option('--set <path=value>', 'override a field in every run (repeatable)', collect, [])
    .option('--out <dir>', 'output folder (default results/<scenario name>)')
    .addOption(new Option('--format <format>', 'output on stdout').choices(['table', 'json']).default('table'))
    .option('--no-report', 'do not write report.html')
    .option('-q, --quiet', 'no progress or log lines on stderr', false)
    .option('--wide', 'tables as wide as they need (default: fit 100 columns)', false)
    .action(async (files: string[], o: { seed?: number; set: string[]; out?: string; format: 'table' | 'json'; quiet: boolean; report: boolean; wide: boolean }) => {
      setExit(await compareCommand(files, o));
    });

  program
    .command('catalog')
    .description('list the built-in GPUs, MIG profiles, prices and latency profiles with their sources')
    .addOption(new Option('--format <format>', 'output on stdout').choices(['table', 'json']).default('table'))
    .option('--wide', 'one line per row, sources inline (default: fit 100 columns)', false)
    .action((o: { format: 'table' | 'json'; wide: boolean }) => {
      process.stdout.write(o.format === 'json' ? `${JSON.stringify(catalogJson(), null, 2)}\n` : `${formatCatalog(o.wide ? Infinity : DEFAULT_WIDTH)}\n`);
      setExit(EXIT.ok);
    });

  registerSweep(program, setExit);
  registerPlan(program, setExit);
  registerMerge(program, setExit);
  registerSchema(program, setExit);
  registerExplain(program, setExit);
  registerInit(program, setExit);
  registerCompletion(program, setExit);
  registerCapacity(program, setExit);
  registerCalibrate(program, setExit);
  return program;
}

/**
 * A reader that goes away (`infersim run … | head -1`) closes the pipe: later writes fail with
 * EPIPE. The CLI then stops writing to that stream and carries on quietly (results are still
 * written to their folders); anything else is still an error.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED' || err.code === 'ECONNRESET') return;
    throw err;
  });
}

/** Control characters (terminal escape codes) from the input shown as \u escapes, never sent raw. */
export function printable(line: string): string {
  return line.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Runs the CLI on `argv` (process.argv form) and sets process.exitCode. */
export async function main(argv: string[]): Promise<void> {
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
  let code: number = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are "errors" to commander; usage mistakes exit 2
      code = err.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    } else if (err instanceof UserError) {
      process.stderr.write(`${err.lines.map(printable).join('\n')}\n`);
      code = EXIT.invalid;
    } else {
      const e = err as Error;
      process.stderr.write(`infersim: internal error: ${printable(e.message)}\n`);
      if (process.env.INFERSIM_DEBUG) process.stderr.write(`${e.stack ?? ''}\n`);
      else process.stderr.write('(set INFERSIM_DEBUG=1 for the stack trace, and please report it)\n');
      code = EXIT.internal;
    }
  }
  process.exitCode = code;
}
