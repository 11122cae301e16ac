/**
 * sharing.profiles: each model's MIG slice by name, so one models list runs under every sharing
 * mode and a variant changes `sharing` alone (a variant replaces a list whole).
 */
import { describe, expect, it } from 'vitest';
import { loadScenario, loadScenarioVariants } from '../../src/scenario/load.js';
import { ScenarioError } from '../../src/scenario/issues.js';

// the dedicated GPU at the top level: deep-merged under each model, replaced by sharing.gpu in the other modes
const MODELS = `
fleet: { gpu: l4 }
models:
  - { name: a, traffic: { rate: 10 }, model: { profile: bert-base-seq128 } }
  - { name: b, traffic: { rate: 10 }, model: { profile: resnet50 } }
`;

function issues(text: string): [string, string, string][] {
  try {
    loadScenario(text, { file: 'p.yaml', baseDir: '.' });
    return [];
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return e.issues.map((i) => [i.code, i.path.join('.'), i.message]);
  }
}

describe('sharing.profiles', () => {
  it('lets a variant switch the same models list from dedicated to mig and shared by changing sharing alone', () => {
    const { base, variants } = loadScenarioVariants(
      `name: p
duration: 1m
${MODELS}
variants:
  mig: { sharing: { mode: mig, gpu: a100-80gb, layout: "3g.40gb+2g.20gb+1g.10gb+1g.10gb", profiles: { a: 3g.40gb, b: 1g.10gb } } }
  shared: { sharing: { mode: shared, gpu: l4 } }
`,
      { file: 'p.yaml', baseDir: '.' },
    );
    const plans = (sc: typeof base): [string | null, string | null][] =>
      sc.topology?.kind === 'models' ? sc.topology.models.map((m) => [m.fleet.gpu, m.fleet.mig]) : [];
    expect(plans(base)).toEqual([
      ['l4', null],
      ['l4', null],
    ]);
    const mig = variants.find((v) => v.name === 'mig')!.scenario;
    expect(plans(mig)).toEqual([
      ['a100-80gb', '3g.40gb'],
      ['a100-80gb', '1g.10gb'],
    ]);
    const shared = variants.find((v) => v.name === 'shared')!.scenario;
    expect(plans(shared)).toEqual([
      ['l4', null],
      ['l4', null],
    ]);
  });

  it('errors: outside mode mig, an unknown model, a profile given twice, a profile not in the layout', () => {
    expect(issues(`name: p\nduration: 1m\nsharing: { mode: shared, gpu: l4, profiles: { a: 1g.10gb } }\n${MODELS}`)).toEqual([
      ['cross_field', 'sharing.profiles', 'profiles does not apply to sharing.mode shared'],
    ]);
    const mig = (profiles: string, extra = ''): string =>
      `name: p\nduration: 1m\nsharing: { mode: mig, gpu: a100-80gb, layout: "3g.40gb+2g.20gb+1g.10gb+1g.10gb", profiles: ${profiles} }\nmodels:\n` +
      `  - { name: a, traffic: { rate: 10 }, model: { profile: bert-base-seq128 }${extra} }\n  - { name: b, traffic: { rate: 10 }, model: { profile: resnet50 } }\n`;
    expect(issues(mig('{ a: 3g.40gb, b: 1g.10gb, c: 2g.20gb }'))).toEqual([['unknown_reference', 'sharing.profiles.c', 'no model is named "c" (models: a, b)']]);
    expect(issues(mig('{ a: 3g.40gb, b: 1g.10gb }', ', fleet: { mig: 2g.20gb }'))).toEqual([
      ['cross_field', 'models.0.fleet.mig', 'the MIG profile of model "a" is given twice, here and in sharing.profiles.a: keep one'],
    ]);
    expect(issues(mig('{ a: 4g.40gb, b: 1g.10gb }'))[0]?.slice(0, 2)).toEqual(['cross_field', 'models.0.fleet.mig']);
  });
});
