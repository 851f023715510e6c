/**
 * The two engines must agree: for every fixture line of the library (and, when the shared corpus is
 * there, every line of Logstash's pattern spec), the expression compiled to a native V8 RegExp and the
 * same expression run on Oniguruma give identical captures (or both miss).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileGrokAsync, type CompiledGrok } from '../src/formats/grok/compile.js';
import { GrokPatternError } from '../src/formats/grok/expand.js';
import { builtinPatterns, PACKAGE_ROOT } from '../src/formats/grok/library.js';
import type { EcsMode } from '../src/plugins/options.js';

interface Line { pattern: string; line: string; ecs: EcsMode }

const samples = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'fixtures', 'grok', 'library-lines.json'), 'utf8')) as Array<{ pattern: string; line: string; ecsOnly?: boolean }>;
const lines: Line[] = [];
for (const s of samples) {
  if (!s.ecsOnly) lines.push({ pattern: s.pattern, line: s.line, ecs: 'disabled' });
  lines.push({ pattern: s.pattern, line: s.line, ecs: 'v1' });
}
const SPEC = join(PACKAGE_ROOT, 'fixtures', 'conformance', 'patterns-core', 'cases.json');
if (existsSync(SPEC)) {
  for (const c of JSON.parse(readFileSync(SPEC, 'utf8')) as Array<{ match: string; message: string; mode: string | null }>) {
    lines.push({ pattern: c.match, line: c.message, ecs: c.mode === 'ecs-v1' ? 'v1' : 'disabled' });
  }
}

async function pair(pattern: string, ecs: EcsMode): Promise<[CompiledGrok | undefined, CompiledGrok]> {
  const table = builtinPatterns(ecs);
  let native: CompiledGrok | undefined;
  try {
    native = await compileGrokAsync(pattern, table, { engine: 'native' });
  } catch (e) {
    if (!(e instanceof GrokPatternError && e.code === 'SLC_GROK_BAD_REGEX')) throw e;
  }
  return [native, await compileGrokAsync(pattern, table, { engine: 'oniguruma' })];
}

describe('native and Oniguruma engines', () => {
  it('give identical captures on every fixture line', async () => {
    const cache = new Map<string, [CompiledGrok | undefined, CompiledGrok]>();
    let compared = 0;
    let oniOnly = 0;
    const diffs: string[] = [];
    for (const l of lines) {
      const key = `${l.ecs}\u0000${l.pattern}`;
      let p = cache.get(key);
      if (p === undefined) { p = await pair(l.pattern, l.ecs); cache.set(key, p); }
      const [native, onig] = p;
      if (native === undefined) { oniOnly++; continue; }
      compared++;
      const a = native.captureList(l.line);
      const b = onig.captureList(l.line);
      if (JSON.stringify(a) !== JSON.stringify(b)) diffs.push(`${l.ecs} ${l.pattern} ${JSON.stringify(l.line).slice(0, 120)}\n  native: ${JSON.stringify(a)}\n  onig:   ${JSON.stringify(b)}`);
    }
    expect(diffs).toEqual([]);
    // Most expressions translate exactly; the rest (captures inside repeated groups, `.?*`) run on Oniguruma only.
    expect(compared).toBeGreaterThan(oniOnly);
  });
});
