/**
 * Memory with many open streams: 10,000 decoders, each holding a pending two-line event, must stay
 * small per stream (bench/multiline.mjs measures heap after GC in a child with --expose-gc; needs the build).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('multiline memory', () => {
  it('10,000 open streams with a pending event cost about a kilobyte each', () => {
    const bench = fileURLToPath(new URL('../bench/multiline.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [bench, '--memory-only'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const per = new Map<string, number>();
    for (const m of r.stdout.matchAll(/^(.+?)\s+(\d+) B\/stream/gm)) per.set(m[1]!.trim(), Number(m[2]));
    expect(per.size).toBe(5);
    const pending = per.get('pending 2-line event, pattern, auto_flush_interval => 5')!;
    // ~110 bytes of text per stream are unavoidable; the rest is bookkeeping.
    expect(pending).toBeGreaterThan(100);
    expect(pending).toBeLessThan(2048);
    expect(per.get('idle streams, nothing pending')!).toBeLessThan(1024);
    for (const v of per.values()) expect(v).toBeLessThan(2048);
  });
});
