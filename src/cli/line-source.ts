/**
 * Line sources for trace replay: the only place trace files are read. The trace
 * parser (workload/trace.ts) pulls lines one at a time, so a trace is streamed in
 * fixed-size chunks and never held in memory whole.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { TraceError, type LineSource } from '../workload/trace.js';

const DEFAULT_CHUNK_BYTES = 1 << 20;
/** Longest trace line read (a real one is under 1 KB): a file without newlines must not be read whole into memory. */
export const MAX_LINE_CHARS = 1 << 20;

/** Strips one trailing '\r' so CRLF files yield the same lines as LF files. */
function stripCr(line: string): string {
  return line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

/**
 * Reads `path` synchronously in chunks (1 MiB unless `chunkBytes` says otherwise) and yields its
 * lines without terminators ('\n' or '\r\n'); a final line without a newline is still yielded.
 * The file is closed at the end of input or by `close()`, whichever comes first; `close()` is idempotent.
 */
export function fileLineSource(path: string, chunkBytes: number = DEFAULT_CHUNK_BYTES): LineSource & { close(): void } {
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw new RangeError(`chunkBytes must be a positive integer (got ${chunkBytes})`);
  let fd: number | null = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(chunkBytes);
  // StringDecoder holds back an incomplete UTF-8 sequence at a chunk's end until the next chunk completes it.
  const decoder = new StringDecoder('utf8');
  let text = '';
  let pos = 0;
  let eof = false;

  const close = (): void => {
    if (fd !== null) {
      const toClose = fd;
      fd = null;
      closeSync(toClose);
    }
  };

  /** Appends the next chunk to the unread tail of `text`; false once the file is exhausted. */
  const fill = (): boolean => {
    if (eof || fd === null) return false;
    const bytesRead = readSync(fd, buffer, 0, chunkBytes, null);
    const tail = pos < text.length ? text.slice(pos) : '';
    pos = 0;
    if (bytesRead === 0) {
      eof = true;
      text = tail + decoder.end();
      close();
    } else {
      text = tail + decoder.write(buffer.subarray(0, bytesRead));
    }
    return true;
  };

  return {
    next(): string | null {
      for (;;) {
        const nl = text.indexOf('\n', pos);
        if (nl >= 0) {
          const line = text.slice(pos, nl);
          pos = nl + 1;
          return stripCr(line);
        }
        if (text.length - pos > MAX_LINE_CHARS) throw new TraceError(`a line longer than ${MAX_LINE_CHARS} characters (not a CSV or JSONL trace?)`, 0);
        if (!fill()) {
          if (pos < text.length) {
            const line = text.slice(pos);
            pos = text.length;
            return stripCr(line);
          }
          return null;
        }
      }
    },
    close,
  };
}

/**
 * Opens `path` as many times as a trace replay asks (a copy or repetition each), in 64 KiB chunks
 * (a replay may hold a hundred copies open); closeAll() closes those still open (a run stopped mid-file).
 */
export function fileLineSources(path: string): { open(): LineSource & { close(): void }; closeAll(): void } {
  const live = new Set<LineSource & { close(): void }>();
  return {
    open() {
      const src = fileLineSource(path, 1 << 16);
      const tracked = {
        next(): string | null {
          const line = src.next();
          if (line === null) live.delete(tracked); // closed itself at the end
          return line;
        },
        close(): void {
          live.delete(tracked);
          src.close();
        },
      };
      live.add(tracked);
      return tracked;
    },
    closeAll(): void {
      for (const s of [...live]) s.close();
    },
  };
}

/** Yields the lines of an in-memory string (for tests and small inputs), with the same rules as `fileLineSource`. */
export function stringLineSource(text: string): LineSource {
  let pos = 0;
  return {
    next(): string | null {
      if (pos >= text.length) return null;
      const nl = text.indexOf('\n', pos);
      const end = nl < 0 ? text.length : nl;
      const line = text.slice(pos, end);
      pos = end + 1;
      return stripCr(line);
    },
  };
}

/**
 * Opens trace files by path as a run asks (SimulateOptions.openTrace / openTraceFile: a several-model
 * run's models each replay their own file), each file through one fileLineSources; closeAll() closes
 * every source still open.
 */
export function traceFileSources(): { open(path: string): LineSource & { close(): void }; closeAll(): void } {
  const byPath = new Map<string, ReturnType<typeof fileLineSources>>();
  return {
    open(path: string) {
      let files = byPath.get(path);
      if (files === undefined) {
        files = fileLineSources(path);
        byPath.set(path, files);
      }
      return files.open();
    },
    closeAll(): void {
      for (const f of byPath.values()) f.closeAll();
    },
  };
}
