/** Joins argv words into one POSIX shell command line, single-quoting words that need it. */
export function commandLine(words: string[]): string {
  return words.map((w) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}
