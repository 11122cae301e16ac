/** A progress bar on stderr for long runs: only on a terminal, only after the run has taken 2 s. */
import cliProgress from 'cli-progress';

export interface Progress {
  update(fraction: number): void;
  stop(): void;
}

/** A progress reporter labelled `label`; silent when stderr is not a terminal or `quiet`. */
export function createProgress(label: string, quiet = false): Progress {
  const enabled = !quiet && process.stderr.isTTY === true;
  const startedMs = Date.now();
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(fraction: number): void {
      if (!enabled) return;
      if (!bar) {
        if (Date.now() - startedMs < 2000) return;
        bar = new cliProgress.SingleBar(
          { format: `${label} [{bar}] {percentage}% | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(1000, 0);
      }
      bar.update(Math.round(fraction * 1000));
    },
    stop(): void {
      bar?.stop();
      bar = null;
    },
  };
}
