/**
 * Every file of the pattern library, in both modes, against hand-written sample lines
 * (fixtures/grok/library-lines.json) with their expected captures (fixtures/grok/library-expected.json).
 * The expectations were produced with GROK_FIXTURES_UPDATE=1 and then read through by hand; a change in
 * any pattern's captures shows up here as a diff.
 */
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileGrokAsync } from '../src/formats/grok/compile.js';
import { builtinPatterns, PACKAGE_ROOT } from '../src/formats/grok/library.js';
import type { EcsMode } from '../src/plugins/options.js';

interface Sample { file: string; pattern: string; line: string; ecsOnly?: boolean }
type Expected = Record<string, Record<string, unknown>>;

const dir = join(PACKAGE_ROOT, 'fixtures', 'grok');
const samples = JSON.parse(readFileSync(join(dir, 'library-lines.json'), 'utf8')) as Sample[];
const expectedPath = join(dir, 'library-expected.json');
const MODES: Array<[string, EcsMode]> = [['legacy', 'disabled'], ['ecs-v1', 'v1']];

async function capturesOf(s: Sample, ecs: EcsMode): Promise<unknown> {
  const g = await compileGrokAsync(s.pattern, builtinPatterns(ecs));
  const caps = g.captureList(s.line);
  // JSON keeps LsFloat apart from integers in the fixture: floats are written as {"float": n}.
  return caps === null ? null : caps.map(([f, v]) => [f, v !== null && typeof v === 'object' && 'value' in v ? { float: (v as { value: number }).value } : typeof v === 'bigint' ? { bigint: String(v) } : v ?? null]);
}

describe('pattern library fixtures', () => {
  it('has sample lines for every file of both modes', () => {
    for (const [mode] of MODES) {
      const files = readdirSync(join(PACKAGE_ROOT, 'patterns', mode));
      const covered = new Set(samples.filter((s) => mode === 'ecs-v1' || !s.ecsOnly).map((s) => s.file));
      // mcollective-patterns only exists in legacy; in ecs-v1 its pattern lives in mcollective.
      const missing = files.filter((f) => !covered.has(f));
      expect(missing, `${mode} files without samples`).toEqual([]);
    }
  });

  it('gives the expected captures in both modes', async () => {
    const actual: Expected = {};
    for (const [mode, ecs] of MODES) {
      actual[mode] = {};
      for (const s of samples) {
        if (s.ecsOnly && mode === 'legacy') continue;
        actual[mode]![`${s.file}: ${s.pattern}`] = await capturesOf(s, ecs);
      }
    }
    if (process.env.GROK_FIXTURES_UPDATE) writeFileSync(expectedPath, JSON.stringify(actual, null, 1) + '\n');
    const expected = JSON.parse(readFileSync(expectedPath, 'utf8')) as Expected;
    for (const [mode] of MODES) {
      for (const [k, v] of Object.entries(actual[mode]!)) {
        expect(v, `${mode} ${k}`).not.toBeNull(); // every sample line matches
        expect(v, `${mode} ${k}`).toEqual(expected[mode]![k]);
      }
    }
  });
});
