/** The multiline codec through the plugin contract: options, events, per-stream decoders, flushing. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Event } from '../src/event/event.js';
import codecDef from '../src/codecs/multiline.js';
import { withDefaults } from '../src/runtime/instantiate.js';
import type { CodecInstance, PluginContext } from '../src/plugins/api.js';
import { testContext } from './helpers/plugin-context.js';
import type { EcsMode } from '../src/plugins/options.js';


function ctx(ecs: EcsMode = 'v8', cwd?: string): PluginContext {
  return testContext({ ecs, id: 'multiline', ...(cwd === undefined ? {} : { cwd }) });
}

async function codec(options: Record<string, unknown>, ecs: EcsMode = 'v8', cwd?: string): Promise<CodecInstance> {
  return codecDef.create(withDefaults(codecDef, options), ctx(ecs, cwd));
}

/** Decode chunks as one stream and end it. */
async function decodeAll(options: Record<string, unknown>, chunks: (string | Buffer)[], ecs: EcsMode = 'v8'): Promise<Event[]> {
  const c = await codec(options, ecs);
  const out: Event[] = [];
  const d = c.decoder((e) => out.push(e));
  for (const ch of chunks) d.push(ch);
  d.end();
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('multiline codec: Logstash behaviour', () => {
  it('joins indented lines to the previous one, tags only multi-line events (Logstash spec)', async () => {
    const ev = await decodeAll({ pattern: '^\\s', what: 'previous' }, ['hello world\n   second line\nanother first line\n']);
    expect(ev.map((e) => e.get('message'))).toEqual(['hello world\n   second line', 'another first line']);
    expect(ev[0]!.get('tags')).toEqual(['multiline']);
    expect(ev[1]!.get('tags')).toBeUndefined();
  });

  it('allows grok patterns in pattern (Logstash spec: "^%{NUMBER} %{TIME}" with negate)', async () => {
    const lines = ['120913 12:04:33 first line', 'second line', 'third line'];
    const ev = await decodeAll({ pattern: '^%{NUMBER} %{TIME}', negate: true, what: 'previous' }, [lines.join('\n') + '\n']);
    expect(ev.map((e) => e.get('message'))).toEqual([lines.join('\n')]);
  });

  it('reads extra grok patterns from patterns_dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-patterns-'));
    writeFileSync(join(dir, 'extra'), 'MYSTAMP \\[%{INT}\\]\n');
    const c = await codec({ pattern: '^%{MYSTAMP}', negate: true, what: 'previous', patterns_dir: [dir] });
    const out: Event[] = [];
    const d = c.decoder((e) => out.push(e));
    d.push('[1] a\nb\n[2] c\n');
    d.end();
    expect(out.map((e) => e.get('message'))).toEqual(['[1] a\nb', '[2] c']);
  });

  it('splits lines on bytes, whatever the chunking (Logstash spec: "should handle new lines in messages")', async () => {
    const data = '1234567890\nA234567890\nB234567890\n0987654321\n';
    for (const size of [1, 3, 7, 36, 256]) {
      const chunks: string[] = [];
      for (let i = 0; i < data.length; i += size) chunks.push(data.slice(i, i + size));
      const ev = await decodeAll({ pattern: '\\D', what: 'previous' }, chunks);
      expect(ev.map((e) => e.get('message'))).toEqual(['1234567890\nA234567890\nB234567890', '0987654321']);
    }
  });

  it('what => next joins continued lines', async () => {
    const ev = await decodeAll({ pattern: '\\\\$', what: 'next' }, ['a \\\nb \\\nc\nd\n']);
    expect(ev.map((e) => e.get('message'))).toEqual(['a \\\nb \\\nc', 'd']);
  });

  it('custom multiline_tag; an empty one adds no tag', async () => {
    const a = await decodeAll({ pattern: '^\\s', what: 'previous', multiline_tag: 'hurray' }, ['x\n y\n']);
    expect(a[0]!.get('tags')).toEqual(['hurray']);
    const b = await decodeAll({ pattern: '^\\s', what: 'previous', multiline_tag: '' }, ['x\n y\n']);
    expect(b[0]!.get('tags')).toBeUndefined();
  });

  it('sets [event][original] in ECS modes only', async () => {
    const v8 = await decodeAll({ pattern: '^\\s', what: 'previous' }, ['x\n y\n'], 'v8');
    expect(v8[0]!.get('[event][original]')).toBe('x\n y');
    const v1 = await decodeAll({ pattern: '^\\s', what: 'previous' }, ['x\n'], 'v1');
    expect(v1[0]!.get('[event][original]')).toBe('x');
    const off = await decodeAll({ pattern: '^\\s', what: 'previous' }, ['x\n y\n'], 'disabled');
    expect(off[0]!.includes('event')).toBe(false);
    expect(Object.keys(off[0]!.toObject()).sort()).toEqual(['@timestamp', '@version', 'message', 'tags']);
  });

  it('@timestamp is the time the event is built (flush), as in Logstash', async () => {
    const c = await codec({ pattern: '^\\s', what: 'previous' });
    const out: Event[] = [];
    const d = c.decoder((e) => out.push(e));
    d.push('first\n more\n');
    const afterPush = Date.now();
    await sleep(60);
    d.end();
    expect(out[0]!.timestamp.epochMs).toBeGreaterThanOrEqual(afterPush + 50);
  });

  it('tags events cut by max_lines / max_bytes with Logstash\'s tag names', async () => {
    const many = ['start', ...Array.from({ length: 20 }, (_, i) => `- ${i}`)].join('\n') + '\n';
    const byLines = await decodeAll({ pattern: '^-', what: 'previous', max_lines: 10 }, [many]);
    expect(byLines.map((e) => (e.get('message') as string).split('\n').length)).toEqual([11, 10]);
    expect(byLines[0]!.get('tags')).toEqual(['multiline', 'multiline_codec_max_lines_reached']);
    expect(byLines[1]!.get('tags')).toEqual(['multiline']);
    const byBytes = await decodeAll({ pattern: '^-', what: 'previous', max_bytes: '20 B' }, [many]);
    expect(byBytes[0]!.get('tags')).toEqual(['multiline', 'multiline_codec_max_bytes_reached']);
    expect(byBytes.flatMap((e) => (e.get('message') as string).split('\n')).length).toBe(21);
  });

  it('escapes invalid UTF-8 and converts other charsets', async () => {
    const bad = await decodeAll({ pattern: '^\\s', what: 'previous' }, [Buffer.from([0x62, 0x61, 0x72, 0x20, 0xad, 0x0a])]);
    expect(bad[0]!.get('message')).toBe('bar \\xAD');
    const latin = await decodeAll({ pattern: '^\\s', what: 'previous', charset: 'ISO-8859-1' }, [Buffer.from([0xe0, 0x20, 0x4d, 0x6f, 0x6e, 0x74, 0x72, 0xe9, 0x61, 0x6c, 0x0a])]);
    expect(latin[0]!.get('message')).toBe('à Montréal');
  });

  it('a custom delimiter separates lines', async () => {
    const ev = await decodeAll({ pattern: '^\\s', what: 'previous', delimiter: '\r\n' }, ['a\r', '\n b\r\nc\r\n']);
    expect(ev.map((e) => e.get('message'))).toEqual(['a\n b', 'c']);
  });
});

describe('multiline codec: streams', () => {
  it('never joins lines of two streams, however they interleave', async () => {
    const c = await codec({ pattern: '^\\s', what: 'previous' });
    const a: Event[] = [];
    const b: Event[] = [];
    const da = c.decoder((e) => a.push(e), { key: 'a' });
    const db = c.decoder((e) => b.push(e), { key: 'b' });
    da.push('A1\n');
    db.push('B1\n');
    da.push(' A2\n');
    db.push(' B2\n');
    da.push(' A');
    db.push(' B3\nB4\n');
    da.push('3\nA4\n');
    da.end();
    db.end();
    expect(a.map((e) => e.get('message'))).toEqual(['A1\n A2\n A3', 'A4']);
    expect(b.map((e) => e.get('message'))).toEqual(['B1\n B2\n B3', 'B4']);
  });

  it('applies the stream\'s fields to its events', async () => {
    const c = await codec({ pattern: '^\\s', what: 'previous' });
    const out: Event[] = [];
    const d = c.decoder((e) => out.push(e), { key: 'tcp:x', fields: (e) => e.set('port', 4242) });
    d.push('x\n y\n');
    d.end();
    expect(out[0]!.get('port')).toBe(4242);
  });

  it('end() flushes the pending event and the unterminated last line', async () => {
    const ev = await decodeAll({ pattern: '^\\s', what: 'previous' }, ['java.lang.Error: x\n\tat a.B.c(B.java:1)\n\tat a.B.d(B.java:2)']);
    expect(ev.map((e) => e.get('message'))).toEqual(['java.lang.Error: x\n\tat a.B.c(B.java:1)\n\tat a.B.d(B.java:2)']);
  });

  it('end() is idempotent and ignores data after it', async () => {
    const c = await codec({ pattern: '^\\s', what: 'previous' });
    const out: Event[] = [];
    const d = c.decoder((e) => out.push(e));
    d.push('x\n');
    d.end();
    d.end();
    d.push('y\n');
    expect(out.length).toBe(1);
  });

  it('close() (shutdown) flushes every open stream', async () => {
    const c = await codec({ pattern: '^\\s', what: 'previous' });
    const out: string[] = [];
    const d1 = c.decoder((e) => out.push(`1:${String(e.get('message'))}`));
    const d2 = c.decoder((e) => out.push(`2:${String(e.get('message'))}`));
    d1.push('a\n b\n');
    d2.push('c\n');
    await c.close?.();
    expect(out.sort()).toEqual(['1:a\n b', '2:c']);
  });

  it('decodeFrame treats one frame as a whole stream', async () => {
    const c = await codec({ pattern: '^\\s', what: 'previous' });
    const out: Event[] = [];
    c.decodeFrame!('x\n y\nz', (e) => out.push(e));
    expect(out.map((e) => e.get('message'))).toEqual(['x\n y', 'z']);
  });
});

describe('multiline codec: auto_flush_interval', () => {
  it('flushes an idle stream\'s pending event after the interval, per stream', async () => {
    const c = await codec({ pattern: '^\\s', what: 'previous', auto_flush_interval: 0.4 });
    const a: Event[] = [];
    const b: Event[] = [];
    const da = c.decoder((e) => a.push(e));
    const db = c.decoder((e) => b.push(e));
    da.push('a\n more a\n');
    await sleep(200);
    db.push('b\n');
    await sleep(270); // a idle 470ms → flushed; b idle 270ms → still pending
    expect(a.map((e) => e.get('message'))).toEqual(['a\n more a']);
    expect(b).toEqual([]);
    await sleep(250);
    expect(b.map((e) => e.get('message'))).toEqual(['b']);
    da.push('next\n');
    da.end();
    db.end();
    expect(a.map((e) => e.get('message'))).toEqual(['a\n more a', 'next']);
    expect(b.length).toBe(1);
  });

  it('each new line restarts the countdown', async () => {
    const c = await codec({ pattern: '^\\s', what: 'previous', auto_flush_interval: 0.3 });
    const out: Event[] = [];
    const d = c.decoder((e) => out.push(e));
    d.push('a\n');
    for (let i = 0; i < 4; i++) { await sleep(100); d.push(` ${i}\n`); }
    expect(out).toEqual([]);
    await sleep(450);
    expect(out.map((e) => e.get('message'))).toEqual(['a\n 0\n 1\n 2\n 3']);
    d.end();
    expect(out.length).toBe(1);
  });

  it('keeps an unterminated line for later, as Logstash does', async () => {
    const c = await codec({ pattern: '^\\s', what: 'previous', auto_flush_interval: 0.05 });
    const out: Event[] = [];
    const d = c.decoder((e) => out.push(e));
    d.push('a\n b\npart');
    await sleep(150);
    expect(out.map((e) => e.get('message'))).toEqual(['a\n b']);
    d.push('ial line\n');
    d.end();
    expect(out.map((e) => e.get('message'))).toEqual(['a\n b', 'partial line']);
  });

  it('without auto_flush_interval nothing is flushed before the stream ends', async () => {
    const c = await codec({ pattern: '^\\s', what: 'previous' });
    const out: Event[] = [];
    const d = c.decoder((e) => out.push(e));
    d.push('a\n b\n');
    await sleep(100);
    expect(out).toEqual([]);
    d.end();
    expect(out.length).toBe(1);
  });
});

describe('multiline codec: presets and configuration errors', () => {
  it('preset => java joins a trace without any pattern', async () => {
    const ev = await decodeAll({ preset: ['java'] }, [
      '10:00 ERROR failed\njava.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)\nCaused by: java.io.IOException: y\n\t... 1 more\n10:01 INFO ok\n',
    ]);
    expect(ev.map((e) => (e.get('message') as string).split('\n').length)).toEqual([5, 1]);
    expect(ev[0]!.get('tags')).toEqual(['multiline']);
  });

  it('rejects incomplete or contradictory settings with a clear message', async () => {
    await expect(codec({ what: 'previous' })).rejects.toThrow(/pattern.*required/);
    await expect(codec({ pattern: 'x' })).rejects.toThrow(/what.*required/);
    await expect(codec({ pattern: 'x', what: 'previous', preset: ['java'] })).rejects.toThrow(/either/);
    await expect(codec({ pattern: 'x', what: 'previous', charset: 'NOPE-1' })).rejects.toThrow(/charset/);
    await expect(codec({ pattern: '(unclosed', what: 'previous' })).rejects.toThrow(/cannot be compiled/);
    await expect(codec({ pattern: '%{NO_SUCH_PATTERN}', what: 'previous' })).rejects.toThrow(/NO_SUCH_PATTERN/);
    await expect(codec({ preset: ['cobol'] })).rejects.toThrow(/invalid value for option `preset`.*cobol/);
  });
});
