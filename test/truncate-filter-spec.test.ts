// Ports of logstash-filter-truncate's RSpec examples (spec/filters/truncate_spec.rb,
// logstash-plugins/logstash-filter-truncate). The spec's `stress_it` examples draw random text and lengths
// (Flores); here they run on seeded random UTF-8 text, checking the same properties.
import { describe, expect, it } from 'vitest';
import type { Event } from '../src/event/event.js';
import type { Hash } from '../src/event/values.js';
import truncate, { trimUtf8 } from '../src/filters/truncate.js';
import { filterHarness } from './helpers/filter-run.js';

const bytes = (v: unknown): number => Buffer.byteLength(String(v), 'utf8');

async function run(config: Record<string, unknown>, data: Hash): Promise<{ event: Event; matched: boolean }> {
  const h = await filterHarness(truncate, config);
  const [event] = await h.run(data);
  return { event: event!, matched: h.lastResult === true };
}

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const CHARS = ['a', 'Z', ' ', 'é', 'ß', 'ж', '中', '文', '😀', '🚀', '\u0301'];
function text(r: () => number, max: number): string {
  const n = Math.floor(r() * (max + 1));
  let s = '';
  for (let i = 0; i < n; i++) s += CHARS[Math.floor(r() * CHARS.length)];
  return s;
}

describe('truncate with hash fields', () => {
  it('stress: truncates all strings in the hash', async () => {
    const r = rng(1);
    for (let i = 0; i < 50; i++) {
      const length = Math.floor(r() * 1001);
      const { event } = await run({ length_bytes: length }, { foo: { bar: text(r, 1000) }, one: { two: { three: text(r, 1000) } }, baz: text(r, 1000) });
      expect(bytes(event.get('[foo][bar]'))).toBeLessThanOrEqual(length);
      expect(bytes(event.get('[one][two][three]'))).toBeLessThanOrEqual(length);
      expect(bytes(event.get('baz'))).toBeLessThanOrEqual(length);
    }
  });
  it('fields exceeding length: truncated, filter_matched once', async () => {
    const { event, matched } = await run({ length_bytes: 450, add_tag: ['cut'] }, { foo: { bar: 'a'.repeat(500) }, one: { two: { three: 'b'.repeat(600) } }, baz: 'c'.repeat(700) });
    expect(matched).toBe(true);
    expect(event.get('[foo][bar]')).toBe('a'.repeat(450));
    expect(event.get('[one][two][three]')).toBe('b'.repeat(450));
    expect(event.get('baz')).toBe('c'.repeat(450));
    expect(event.get('tags')).toEqual(['cut']);
  });
  it('fields not exceeding length: unchanged, not matched', async () => {
    const { event, matched } = await run({ length_bytes: 450, add_tag: ['cut'] }, { foo: { bar: 'a'.repeat(350) }, one: { two: { three: 'b'.repeat(300) } }, baz: 'c'.repeat(450) });
    expect(matched).toBe(false);
    expect(bytes(event.get('[foo][bar]'))).toBe(350);
    expect(bytes(event.get('[one][two][three]'))).toBe(300);
    expect(bytes(event.get('baz'))).toBe(450);
    expect(event.includes('tags')).toBe(false);
  });
});

describe('truncate with string fields', () => {
  it('stress: truncates the requested field to valid UTF-8, leaves message alone', async () => {
    const r = rng(2);
    for (let i = 0; i < 100; i++) {
      const t = text(r, 1000);
      const length = Math.floor(r() * 1001);
      const { event } = await run({ length_bytes: length, fields: ['example'] }, { message: t, example: t });
      const out = event.get('example') as string;
      expect(bytes(out)).toBeLessThanOrEqual(length);
      expect(t.startsWith(out)).toBe(true);
      expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out);
      // Nothing more fits: the next character would cross the limit.
      if (out.length < t.length) expect(bytes(t.slice(0, out.length + (t.codePointAt(out.length)! > 0xffff ? 2 : 1)))).toBeGreaterThan(length);
      expect(event.get('message')).toBe(t);
    }
  });
  it('never splits a multi-byte character', () => {
    expect(trimUtf8('aé', 2)).toBe('a');
    expect(trimUtf8('😀x', 3)).toBe('');
    expect(trimUtf8('😀x', 4)).toBe('😀');
    expect(trimUtf8('abc', 0)).toBe('');
  });
});

describe('truncate with non-string fields', () => {
  it('does nothing to numbers', async () => {
    for (const n of [-500, 0, 7, 500]) {
      const { event, matched } = await run({ length_bytes: 1, fields: ['example'] }, { example: n });
      expect(event.get('example')).toBe(n);
      expect(matched).toBe(false);
    }
  });
});

describe('truncate with array fields', () => {
  it('stress: truncates all elements in a list', async () => {
    const r = rng(3);
    for (let i = 0; i < 30; i++) {
      const list = Array.from({ length: Math.floor(r() * 21) }, () => text(r, 1000));
      const length = Math.floor(r() * 1001);
      const { event } = await run({ length_bytes: length, fields: ['example'] }, { example: list });
      list.forEach((_, j) => expect(bytes(event.get(`[example][${j}]`))).toBeLessThanOrEqual(length));
    }
  });
  it('containing elements greater than size: all truncated, matched once', async () => {
    const { event, matched } = await run({ length_bytes: 50, fields: ['example'] }, { example: Array.from({ length: 10 }, () => 'a'.repeat(100)) });
    expect(matched).toBe(true);
    expect(event.get('example')).toEqual(Array.from({ length: 10 }, () => 'a'.repeat(50)));
  });
  it('containing elements with mixed sizes: only the long ones change', async () => {
    const list = [...Array.from({ length: 9 }, () => 'a'.repeat(20)), 'b'.repeat(100)];
    const { event, matched } = await run({ length_bytes: 50, fields: ['example'] }, { example: list });
    expect(matched).toBe(true);
    expect(event.get('[example][9]')).toBe('b'.repeat(50));
    expect(event.get('[example][0]')).toBe('a'.repeat(20));
  });
});
