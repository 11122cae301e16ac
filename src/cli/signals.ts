/**
 * Interruption: Ctrl-C (SIGINT) and SIGTERM (what Kubernetes, systemd and `timeout` send)
 * are handled alike: the first stops the work at the next check and keeps what finished
 * (partial results written), a second exits at once. The exit code says which signal it was:
 * 130 for SIGINT, 143 for SIGTERM (128 + the signal's number, as a shell reports it).
 */
import { EXIT } from './errors.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type Handled = (typeof SIGNALS)[number];

let received: Handled | null = null;

/** True once a SIGINT or SIGTERM arrived while a handler was installed. */
export function wasInterrupted(): boolean {
  return received !== null;
}

/** The exit code for an interrupted command: 130 after SIGINT, 143 after SIGTERM. */
export function interruptExitCode(): number {
  return received === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
}

/**
 * Installs handlers for SIGINT and SIGTERM for the duration of `fn`: the first signal calls
 * `onFirst(signal)` (say what stops, stop it: the work checks wasInterrupted() or is stopped there),
 * a second one (either) exits at once with the first one's code. Every command's Ctrl-C goes through here.
 */
export async function withInterrupt<T>(onFirst: (signal: Handled) => void, fn: () => Promise<T>): Promise<T> {
  const handlers = SIGNALS.map((sig) => {
    const h = (): void => {
      if (received !== null) process.exit(interruptExitCode());
      received = sig;
      onFirst(sig);
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  try {
    return await fn();
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}

/** The words for a signal in messages: "Ctrl-C" or "SIGTERM". */
export function signalName(sig: Handled): string {
  return sig === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM';
}
