/** Errors the CLI reports with an exit code instead of a stack trace. */

/** A user error (bad scenario, usage, unreadable file): message lines on stderr, exit 2. */
export class UserError extends Error {
  /** `lines` are printed as they are, one per line. */
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

export const EXIT = { ok: 0, internal: 1, invalid: 2, sloMissed: 3, interrupted: 130, terminated: 143 } as const;
