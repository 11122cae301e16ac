/**
 * Progress on stderr (only on a terminal, never with --quiet) and the loop that advances one
 * run for the CLI: run and compare step it here (a bar, Ctrl-C seen at once), the worker threads
 * of sweep, plan and capacity step it with the same slices (a sweep point equals `infersim run`).
 */
import { performance } from 'node:perf_hooks';
import cliProgress from 'cli-progress';
import type { RunHandle } from '../run.js';
import { runInSlices } from '../run-slices.js';
import { wasInterrupted } from './signals.js';

/** A progress bar: advanced by a share of one run (update) or by finished runs (increment). */
export interface Progress {
  /** The share done, 0..1 (a bar made by createProgress). */
  update(fraction: number): void;
  /** One more run finished (a bar made by runProgress). */
  increment(): void;
  stop(): void;
}

const SILENT: Progress = { update() {}, increment() {}, stop() {} };

/** A bar on stderr with `format` (cli-progress placeholders) counting to `total`. */
function bar(format: string, total: number, options: cliProgress.Options = {}): cliProgress.SingleBar {
  const b = new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true, clearOnComplete: true, ...options },
    cliProgress.Presets.shades_classic,
  );
  b.start(total, 0);
  return b;
}

/** Whether progress shows at all: on a terminal, unless quiet. */
function shown(quiet: boolean): boolean {
  return !quiet && process.stderr.isTTY === true;
}

/** The progress of one run labelled `label`, by share of its simulated time; appears once the run has taken 2 s. */
export function createProgress(label: string, quiet = false): Progress {
  if (!shown(quiet)) return SILENT;
  const startedMs = Date.now();
  let b: cliProgress.SingleBar | null = null;
  return {
    update(fraction: number): void {
      if (!b) {
        if (Date.now() - startedMs < 2000) return;
        b = bar(`${label} [{bar}] {percentage}% | ETA {eta_formatted}`, 1000);
      }
      b.update(Math.round(fraction * 1000));
    },
    increment(): void {},
    stop(): void {
      b?.stop();
      b = null;
    },
  };
}

/** The progress of `total` runs (sweep, plan, capacity) with an ETA; none for a single run. */
export function runProgress(label: string, total: number, quiet: boolean): Progress {
  if (!shown(quiet) || total <= 1) return SILENT;
  const b = bar(`${label} [{bar}] {value}/{total} runs | ETA {eta_formatted}`, total, { etaBuffer: 20 });
  return {
    update(): void {},
    increment: () => b.increment(),
    stop: () => b.stop(),
  };
}

/** Slices of simulated time every CLI run advances in (run, compare and the workers): one count, so their results agree bit for bit. */
export const RUN_SLICES = 200;
/** Events simulated between two looks at the clock: small enough that a look comes every few ms. */
const EVENT_BUDGET = 20_000;
/** Longest stretch of simulation without yielding to the event loop (where signals are seen), in ms. */
const YIELD_MS = 100;

/**
 * Advances `run` to its end with a progress bar, in RUN_SLICES slices and, inside a slice, in budgets of
 * events, yielding to the event loop at least every 100 ms of wall time so that Ctrl-C or SIGTERM is
 * seen at once however dense the scenario (the budgets do not change the result). Resolves true when an
 * interruption stopped it before the end (finish the run as partial).
 */
export async function advanceRun(run: RunHandle, label: string, quiet: boolean): Promise<boolean> {
  const progress = createProgress(label, quiet);
  let lastYield = performance.now();
  const maybeYield = async (): Promise<void> => {
    if (performance.now() - lastYield < YIELD_MS) return;
    await new Promise<void>((r) => setImmediate(r));
    lastYield = performance.now();
  };
  try {
    for (const step of runInSlices(run, RUN_SLICES, EVENT_BUDGET)) {
      if (step.sliceEnd) progress.update(step.done);
      await maybeYield();
      if (step.done < 1 && wasInterrupted()) return true;
    }
    return false;
  } finally {
    progress.stop();
  }
}
