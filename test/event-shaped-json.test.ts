/**
 * The event printer that learns key sequences (src/event/shaped-json.ts) must print exactly what the
 * general printer (stringifyValue) prints, whatever order, mix and change of shapes it is given: random
 * events drawn from a few shapes with mutations, keys that never repeat, objects changed after printing,
 * and every event the syslog conformance corpora decode to, in both ECS modes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSyslogCodec } from '../src/codecs/syslog.js';
import { Event } from '../src/event/event.js';
import { stringifyFields } from '../src/event/shaped-json.js';
import { Timestamp } from '../src/event/timestamp.js';
import { LsFloat, stringifyValue, type Hash } from '../src/event/values.js';
import { FACILITY_LABELS, resolveZone, SEVERITY_LABELS } from '../src/formats/syslog/index.js';

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['@timestamp', 'message', 'host', 'log', 'a', 'b', 'x y', 'é', '"q"', 'back\\slash', '0', '10'];
const STRINGS = ['', 'plain', 'web-1', 'with "quotes"', 'tab\there', 'line\nbreak', 'snow ☃', 'lone \ud800 surrogate', 'x'.repeat(40), `long ${'y'.repeat(60)} "q"`];

function randomScalar(r: () => number): unknown {
  switch (Math.floor(r() * 12)) {
    case 0: return STRINGS[Math.floor(r() * STRINGS.length)];
    case 1: return Math.floor(r() * 1000);
    case 2: return [Number.NaN, Number.POSITIVE_INFINITY, -0, 0.5, 1e21][Math.floor(r() * 5)];
    case 3: return 2n ** 64n + BigInt(Math.floor(r() * 10));
    case 4: return r() < 0.5;
    case 5: return null;
    case 6: return undefined;
    case 7: return new LsFloat([10, 0.25, 1e-7, Number.NaN][Math.floor(r() * 4)]!);
    case 8: return new Timestamp(1_700_000_000_000 + Math.floor(r() * 5000), r() < 0.3 ? 123_000 : 0);
    case 9: return [STRINGS[1], Math.floor(r() * 3), { k: STRINGS[2] }];
    default: return `v${Math.floor(r() * 4)}`;
  }
}

/** A template: keys in an order, some of them nested templates. */
type Template = [string, Template | null][];

function randomTemplate(r: () => number, depth: number): Template {
  const n = Math.floor(r() * 6);
  const keys = [...KEYS].sort(() => r() - 0.5).slice(0, n);
  return keys.map((k) => [k, depth < 7 && r() < 0.3 ? randomTemplate(r, depth + 1) : null]);
}

function fill(t: Template, r: () => number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, sub] of t) o[k] = sub ? fill(sub, r) : randomScalar(r);
  // Now and then the shape changes: a key more, or one less.
  if (r() < 0.05) o[KEYS[Math.floor(r() * KEYS.length)]!] = randomScalar(r);
  if (r() < 0.05 && t.length > 0) delete o[t[0]![0]];
  return o;
}

describe('stringifyFields', () => {
  for (const seed of [1, 2, 3]) {
    it(`prints random events from a few shapes exactly as stringifyValue (seed ${seed})`, () => {
      const r = prng(seed);
      const templates = Array.from({ length: 6 }, () => randomTemplate(r, 0));
      let mismatches = 0;
      for (let i = 0; i < 6000; i++) {
        // Mostly one shape for a while, as from one input, with the others mixed in.
        const t = templates[r() < 0.7 ? Math.floor(i / 500) % templates.length : Math.floor(r() * templates.length)]!;
        const o = fill(t, r);
        if (stringifyFields(o as Hash) !== stringifyValue(o)) mismatches++;
      }
      expect(mismatches).toBe(0);
    });
  }

  it('prints objects whose keys never repeat (a kv filter\'s arbitrary keys)', () => {
    for (let i = 0; i < 3000; i++) {
      const o: Hash = { '@timestamp': new Timestamp(1_700_000_000_000 + i), kv: { [`k${i}`]: 'v', [`j${i % 7}`]: i } };
      expect(stringifyFields(o)).toBe(stringifyValue(o));
    }
  });

  it('follows an object changed after it was printed', () => {
    const o: Record<string, unknown> = { a: 'one', b: { c: 1 }, d: 'same' };
    expect(stringifyFields(o as Hash)).toBe(stringifyValue(o));
    o.b = { c: 2, e: 'new' };
    o.a = 'two';
    expect(stringifyFields(o as Hash)).toBe(stringifyValue(o));
    delete o.a;
    o.a = 'last';
    expect(stringifyFields(o as Hash)).toBe(stringifyValue(o));
    o.d = undefined;
    expect(stringifyFields(o as Hash)).toBe('{"b":{"c":2,"e":"new"},"a":"last"}');
  });

  it('prints every event of the syslog conformance corpora as stringifyValue does, in both ECS modes', () => {
    const load = (f: string): { input: string | null }[] => JSON.parse(readFileSync(new URL(`../fixtures/conformance/syslog/${f}`, import.meta.url), 'utf8')) as { input: string | null }[];
    const inputs = [...load('rfc5424.json'), ...load('rfc3164.json')].flatMap((c) => (typeof c.input === 'string' ? [c.input] : []));
    expect(inputs.length).toBeGreaterThan(300);
    let printed = 0;
    for (const ecs of ['v8', 'disabled'] as const) {
      const codec = createSyslogCodec({
        ecs, lenient: true, format: 'auto', zone: resolveZone('UTC'), monthNames: undefined, useLabels: true,
        facilityLabels: FACILITY_LABELS, severityLabels: SEVERITY_LABELS, now: () => Date.parse('2024-05-01T00:00:00Z'),
      });
      const events: Event[] = [];
      for (const input of inputs) codec.decodeFrame!(Buffer.from(input, 'utf8'), (e) => events.push(e));
      for (const e of events) {
        expect(e.toJSON()).toBe(stringifyValue(e.toObject()));
        printed++;
      }
    }
    expect(printed).toBeGreaterThan(600);
  });
});
