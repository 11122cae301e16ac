import { describe, expect, it } from 'vitest';
import { allGpus } from '../../src/catalog/index.js';
import { cli } from '../helpers/cli.js';

describe('infersim catalog', () => {
  it('prints every GPU with its price source and date', () => {
    const r = cli(['catalog', '--wide']); // one line per GPU: each source whole (the default wraps at 100 columns)
    expect(r.status).toBe(0);
    for (const g of allGpus()) {
      expect(r.stdout).toContain(g.id);
      expect(r.stdout).toContain(g.price.source);
      expect(r.stdout).toContain(g.price.date);
    }
    expect(r.stdout).toContain('bert-base-seq128');
    expect(r.stdout).toContain('1g.10gb');
  });
});
