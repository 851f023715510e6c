import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODES } from '../src/config/codes.js';

const root = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return name === 'generated' ? [] : sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

describe('error code catalogue', () => {
  const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8');
  const documented = new Set([...doc.matchAll(/^## (SLC_[A-Z_]+)$/gm)].map((m) => m[1]));

  it('documents every code in docs/errors.md, each under its own heading', () => {
    const missing = Object.values(CODES).filter((c) => !documented.has(c));
    expect(missing).toEqual([]);
  });

  it('documents no code that does not exist', () => {
    const known = new Set<string>(Object.values(CODES));
    expect([...documented].filter((c) => !known.has(c!))).toEqual([]);
  });

  it('uses only catalogued codes anywhere in src/', () => {
    const known = new Set<string>(Object.values(CODES));
    const used = sourceFiles(join(root, 'src')).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/'(SLC_[A-Z_]+)'/g)].map((m) => m[1]!));
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((c) => !known.has(c))).toEqual([]);
  });
});
