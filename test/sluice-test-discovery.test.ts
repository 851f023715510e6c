import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverSideBySide, discoverWithConfig } from '../src/testing/discover.js';

const root = mkdtempSync(join(tmpdir(), 'sluice-discover-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const touch = (p: string) => { mkdirSync(join(root, p, '..'), { recursive: true }); writeFileSync(join(root, p), ''); };
['a.conf', 'a.test.yaml', 'a.json-input.test.yaml', 'b/10.conf', 'b.test.json', 'nested/c.conf', 'nested/c.test.yml',
  'orphan.test.yaml', 'notes.yaml', 'lfv/one.json', 'lfv/two.yml', 'lfv/readme.txt', 'lfv/sub/three.json'].forEach(touch);

describe('sluice test discovery', () => {
  it('pairs <name>[.<variant>].test.* with <name>.conf or the directory <name>/, recursively, and reports orphans', async () => {
    const { pairs, problems } = await discoverSideBySide([root]);
    expect(pairs.map((p) => [p.casePath.slice(root.length + 1), p.config.map((c) => c.slice(root.length + 1))])).toEqual([
      ['a.json-input.test.yaml', ['a.conf']],
      ['a.test.yaml', ['a.conf']],
      ['b.test.json', ['b']],
      ['nested/c.test.yml', ['nested/c.conf']],
    ]);
    expect(problems).toEqual([{ path: join(root, 'orphan.test.yaml'), message: expect.stringContaining('no config beside it') }]);
  });

  it('in the LFV form takes every .json/.yaml/.yml directly in the directory, as LFV does', async () => {
    const { pairs, problems } = await discoverWithConfig(join(root, 'lfv'), [join(root, 'a.conf')]);
    expect(pairs.map((p) => p.casePath.slice(root.length + 1))).toEqual(['lfv/one.json', 'lfv/two.yml']);
    expect(problems).toEqual([]);
    const missing = await discoverWithConfig(join(root, 'lfv'), [join(root, 'nope.conf')]);
    expect(missing.pairs).toEqual([]);
    expect(missing.problems).toEqual([{ path: join(root, 'nope.conf'), message: 'no such file or directory' }]);
  });
});
