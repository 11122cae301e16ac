import { defineConfig } from 'vitest/config';

// Runs only the golden-corpus generator (see corpus.gen.ts); not part of `npm test`.
export default defineConfig({
  test: { include: ['test/golden/*.gen.ts'], pool: 'forks' },
});
