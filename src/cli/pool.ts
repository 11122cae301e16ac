/**
 * A pool of worker threads (cli/worker.ts) that runs simulations in parallel. Results
 * are delivered by job index, so the caller's order (and every number) is the same as
 * a serial run whatever the number of workers. stop() terminates the workers at once:
 * jobs in flight are dropped, finished ones are kept.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Summary } from '../metrics/summary.js';
import type { RunJob, WorkerReply } from './worker.js';
import { UserError } from './errors.js';
import { runProgress } from './progress.js';

/** The default worker count: one per available CPU. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/** Thrown by run() when a simulation failed inside a worker: an internal fault (exit 1). */
export class WorkerRunError extends Error {
  constructor(message: string, readonly workerStack: string) {
    super(message);
    this.name = 'WorkerRunError';
    // INFERSIM_DEBUG should show where the run failed, not where the pool heard of it
    if (workerStack !== '') this.stack = workerStack;
  }
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

export class RunPool {
  private slots: Slot[] = [];
  private stopped = false;
  private abort: ((err: Error | null) => void) | null = null;

  /** A pool of up to `size` workers, started on demand. */
  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer (got ${size})`);
  }

  /** True once stop() was called. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Runs `jobs`, calling onDone(jobIndex, summary) as each finishes (in completion order);
   * resolves true when all finished, false when stop() cut it short; rejects with WorkerRunError
   * when a run failed.
   */
  run(jobs: RunJob[], onDone: (index: number, summary: Summary) => void): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (jobs.length === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolvePromise, rejectPromise) => {
      let next = 0;
      let finished = 0;
      let settled = false;
      const settle = (err: Error | null, complete: boolean): void => {
        if (settled) return;
        settled = true;
        this.abort = null;
        for (const s of this.slots) s.worker.removeAllListeners('message').removeAllListeners('error').removeAllListeners('exit');
        if (err) {
          this.stop();
          rejectPromise(err);
        } else resolvePromise(complete);
      };
      this.abort = (err) => settle(err, false);
      const feed = (slot: Slot): void => {
        if (settled) return;
        if (next >= jobs.length) {
          slot.busy = false;
          return;
        }
        const id = next++;
        slot.busy = true;
        slot.worker.postMessage({ id, job: jobs[id]! });
      };
      const want = Math.min(this.size, jobs.length);
      while (this.slots.length < want) this.slots.push({ worker: this.spawn(), busy: false });
      for (const slot of this.slots) {
        slot.worker.on('message', (reply: WorkerReply) => {
          if (settled) return;
          if ('error' in reply) {
            settle(reply.input === true ? new UserError([`error: ${reply.error}`]) : new WorkerRunError(reply.error, reply.stack), false);
            return;
          }
          try {
            onDone(reply.id, reply.summary);
          } catch (err) {
            settle(err instanceof Error ? err : new Error(String(err)), false);
            return;
          }
          finished++;
          if (finished === jobs.length) settle(null, true);
          else feed(slot);
        });
        slot.worker.on('error', (err: Error) => settle(new WorkerRunError(err.message, err.stack ?? ''), false));
        slot.worker.on('exit', (code: number) => {
          if (!this.stopped) settle(new WorkerRunError(`a worker thread exited unexpectedly (code ${code})`, ''), false);
        });
      }
      for (const slot of this.slots.slice(0, want)) feed(slot);
    });
  }

  /** Terminates every worker now; a pending run() resolves false. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const abort = this.abort;
    for (const s of this.slots) void s.worker.terminate();
    this.slots = [];
    abort?.(null);
  }

  /** Releases the workers (same as stop, for use in finally blocks). */
  close(): void {
    this.stop();
  }

  private spawn(): Worker {
    // dist/cli/pool.js and dist/cli/worker.js sit side by side in the build
    return new Worker(new URL('./worker.js', import.meta.url));
  }
}

/**
 * Runs `jobs` on `pool` behind a progress bar labelled `label` (none when `quiet`): their summaries in
 * job order, or null when the pool was stopped (an interruption) before they all finished.
 */
export async function runJobs(pool: RunPool, jobs: RunJob[], label: string, quiet: boolean): Promise<Summary[] | null> {
  const summaries: Summary[] = new Array<Summary>(jobs.length);
  const progress = runProgress(label, jobs.length, quiet);
  let done: boolean;
  try {
    done = await pool.run(jobs, (j, s) => {
      summaries[j] = s;
      progress.increment();
    });
  } finally {
    progress.stop();
  }
  return done ? summaries : null;
}
