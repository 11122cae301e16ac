/**
 * Renders report.html off the main thread. `run` starts it before simulating, so the
 * chart renderer (vega, ~0.3 s to import) loads on another core while the simulation
 * runs; rendering then costs only the drawing. Falls back to rendering in this thread
 * when a worker cannot be started or fails.
 */
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { Timeline } from '../metrics/timeline.js';
import type { RunResult } from '../run.js';

interface RenderRequest {
  id: number;
  result: RunResult;
  version: string;
  command: string;
  /** The run's --set overrides, shown in the report's title. */
  overrides?: string[];
}

type RenderReply = { id: number; html: string } | { id: number; error: string };

/** Structured cloning drops prototypes: the timelines get theirs back. */
function revive(result: RunResult): RunResult {
  Object.setPrototypeOf(result.timeline, Timeline.prototype);
  for (const st of result.siteTimelines) Object.setPrototypeOf(st.timeline, Timeline.prototype);
  for (const site of result.sites) Object.setPrototypeOf(site.timeline, Timeline.prototype);
  return result;
}

async function renderHere(req: Omit<RenderRequest, 'id'>): Promise<string> {
  const { renderRunReport } = await import('../report/html.js');
  return renderRunReport(req);
}

/** A report renderer in a worker thread, loading its libraries from the moment it is made. */
export class ReportRenderer {
  private worker: Worker | null;
  private next = 0;
  private readonly waiting = new Map<number, { resolve(html: string): void; reject(err: Error): void }>();

  constructor() {
    try {
      this.worker = new Worker(new URL('./report-worker.js', import.meta.url));
    } catch {
      this.worker = null;
      return;
    }
    this.worker.on('message', (reply: RenderReply) => {
      const w = this.waiting.get(reply.id);
      if (!w) return;
      this.waiting.delete(reply.id);
      if ('html' in reply) w.resolve(reply.html);
      else w.reject(new Error(reply.error));
    });
    const fail = (err: Error): void => {
      this.worker = null;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('the report worker exited')));
  }

  /** report.html for one run. */
  async render(result: RunResult, version: string, command: string, overrides: string[] = []): Promise<string> {
    const worker = this.worker;
    if (worker !== null) {
      const id = this.next++;
      try {
        return await new Promise<string>((resolve, reject) => {
          this.waiting.set(id, { resolve, reject });
          worker.postMessage({ id, result, version, command, overrides } satisfies RenderRequest);
        });
      } catch {
        // a worker that failed once is not trusted again; render here
        this.close();
      }
    }
    return renderHere({ result, version, command, overrides });
  }

  /** Stops the worker (idempotent). */
  close(): void {
    const w = this.worker;
    this.worker = null;
    if (w) {
      w.removeAllListeners('exit');
      void w.terminate();
    }
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  // start loading the renderer at once: this is what the worker is for
  const html = import('../report/html.js');
  port.on('message', (req: RenderRequest) => {
    html
      .then((m) => m.renderRunReport({ result: revive(req.result), version: req.version, command: req.command, overrides: req.overrides ?? [] }))
      .then(
        (out) => port.postMessage({ id: req.id, html: out } satisfies RenderReply),
        (err: unknown) => port.postMessage({ id: req.id, error: err instanceof Error ? err.message : String(err) } satisfies RenderReply),
      );
  });
}
