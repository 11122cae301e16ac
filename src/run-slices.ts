/**
 * The one loop that advances a run in slices of simulated time, so that its caller can report
 * progress and stop it between two slices: simulate() (onProgress, shouldStop), `infersim run`
 * and compare (a progress bar, Ctrl-C, yielding to the event loop) and the worker threads of
 * sweep, plan and capacity. A generator, so a synchronous caller and an asynchronous one share it;
 * the same slices (and any event budget) give the same result.
 */

/** What the loop needs of a run (RunHandle has it). */
export interface SlicedRun {
  readonly endS: number;
  /** Events up to `untilS`, at most `maxEvents` of them: false when the budget ran out first. */
  runTo(untilS: number, maxEvents?: number): boolean;
}

/** A pause of the loop, where the caller may report progress or stop. */
export interface RunStep {
  /** Share of the slices finished: k/slices at the end of slice k, (k − 1)/slices inside it; 1 only at the very end. */
  readonly done: number;
  /** True at the end of a slice; false when an event budget ran out inside one. */
  readonly sliceEnd: boolean;
}

/**
 * Advances `run` to its end in `slices` equal slices of simulated time (slice k ends at endS·k/slices),
 * each in budgets of at most `maxEvents` events when given; pauses after every slice and every spent budget.
 * Stopping early is the caller's: leave the loop (break or return) and finish the run as partial.
 */
export function* runInSlices(run: SlicedRun, slices: number, maxEvents?: number): Generator<RunStep, void, undefined> {
  for (let k = 1; k <= slices; k++) {
    const to = (run.endS * k) / slices;
    while (!run.runTo(to, maxEvents)) yield { done: (k - 1) / slices, sliceEnd: false };
    yield { done: k / slices, sliceEnd: true };
  }
}
