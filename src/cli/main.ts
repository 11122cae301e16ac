/**
 * The command line: parses argv (commander), dispatches to one command, and turns
 * errors into exit codes: 0 done, 2 invalid scenario or usage, 3 SLO missed under
 * --assert-slo, 1 internal fault. The only layer that touches argv, files, stdout
 * and the process.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createRequire } from 'node:module';
import { formatCatalog } from '../catalog/format.js';
import { EXIT, UserError } from './errors.js';
import { runCommand } from './run.js';
import { compareCommand } from './compare.js';
import { readScenarioFiles } from './scenario-files.js';
import { registerMerge } from './merge.js';
import { registerPlan } from './plan.js';
import { registerSweep } from './sweep.js';
import { registerCalibrate } from './calibrate.js';
import { isLlmScenarioFile, readLlmScenario } from './llm-run.js';

const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

function integer(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer (got ${v})`);
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
    .argument('<file...>', 'scenario files (YAML or JSON)')
    .option('--seed <n>', 'override the scenario seed', integer('--seed'))
    .option('--set <path=value>', 'override a field, value parsed as YAML (repeatable)', collect, [])
    .option('--out <dir>', 'output folder (default results/<scenario name>)')
    .addOption(new Option('--format <format>', 'output on stdout').choices(['table', 'json']).default('table'))
    .option('--assert-slo', 'exit 3 when a run misses its SLO', false)
    .option('-q, --quiet', 'no progress or log lines on stderr', false)
    .option('--no-report', 'do not write report.html')
    .action(async (files: string[], o: { seed?: number; set: string[]; out?: string; format: 'table' | 'json'; assertSlo: boolean; quiet: boolean; report: boolean }) => {
      setExit(await runCommand(files, o));
    });

  program
    .command('validate')
    .description('check scenario files (and the traces they replay) without running them')
    .argument('<file...>', 'scenario files')
    .option('--set <path=value>', 'override a field before validating (repeatable)', collect, [])
    .action((files: string[], o: { set: string[] }) => {
      // LLM scenarios (an llm: block) are validated by their own loader
      for (const f of files.filter(isLlmScenarioFile)) {
        const sc = readLlmScenario(f, o.set);
        process.stdout.write(`${f}: ok (${sc.name})\n`);
        for (const w of sc.warnings) process.stdout.write(`  warning: ${w}\n`);
      }
      files = files.filter((f) => !isLlmScenarioFile(f));
      const loaded = readScenarioFiles(files, o.set);
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
    .action(async (files: string[], o: { seed?: number; set: string[]; out?: string; format: 'table' | 'json'; quiet: boolean; report: boolean }) => {
      setExit(await compareCommand(files, o));
    });

  program
    .command('catalog')
    .description('list the built-in GPUs, MIG profiles, prices and latency profiles with their sources')
    .action(() => {
      process.stdout.write(`${formatCatalog()}\n`);
      setExit(EXIT.ok);
    });

  registerSweep(program, setExit);
  registerPlan(program, setExit);
  registerMerge(program, setExit);
  registerCalibrate(program, setExit);
  return program;
}

/** Runs the CLI on `argv` (process.argv form) and sets process.exitCode. */
export async function main(argv: string[]): Promise<void> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are "errors" to commander; usage mistakes exit 2
      code = err.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    } else if (err instanceof UserError) {
      process.stderr.write(`${err.lines.join('\n')}\n`);
      code = EXIT.invalid;
    } else {
      const e = err as Error;
      process.stderr.write(`infersim: internal error: ${e.message}\n`);
      if (process.env.INFERSIM_DEBUG) process.stderr.write(`${e.stack ?? ''}\n`);
      else process.stderr.write('(set INFERSIM_DEBUG=1 for the stack trace, and please report it)\n');
      code = EXIT.internal;
    }
  }
  process.exitCode = code;
}
