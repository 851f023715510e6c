/** The event wire format (threads, persisted queue, DLQ): every value comes back with its type and place. */
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { Timestamp } from '../src/event/timestamp.js';
import { LsFloat } from '../src/event/values.js';
import { decodeBatch, decodeEvent, encodeBatch, encodeEvent } from '../src/event/wire.js';
import { seededRandom } from './helpers/random.js';

function sample(): Event {
  const e = new Event({
    '@timestamp': new Timestamp(1_700_000_000_123, 456_789),
    message: 'GET /index.html',
    status: 200,
    ratio: new LsFloat(10),
    big: 12345678901234567890n,
    nested: { when: new Timestamp(5, 0), list: [1, new LsFloat(2.5), 'x', null, true, { deep: '\u0000starts with NUL' }] },
    'a\u0000b': 'key with NUL',
    tags: ['_grokparsefailure'],
  });
  e.metadata.beat = 'filebeat';
  e.metadata.n = new LsFloat(1.5);
  return e;
}

describe('event wire format', () => {
  it('round-trips every value type, key order, @timestamp and @metadata', () => {
    const e = sample();
    const back = decodeEvent(encodeEvent(e));
    expect(Object.keys(back.data)).toEqual(Object.keys(e.data));
    expect(back.toJSON()).toBe(e.toJSON());
    expect(back.timestamp).toBeInstanceOf(Timestamp);
    expect(back.timestamp.equals(e.timestamp)).toBe(true);
    expect(back.get('ratio')).toBeInstanceOf(LsFloat);
    expect(back.get('big')).toBe(12345678901234567890n);
    expect(back.get('[nested][when]')).toBeInstanceOf(Timestamp);
    expect(back.get('[nested][list][5][deep]')).toBe('\u0000starts with NUL');
    expect(back.get('[@metadata][n]')).toBeInstanceOf(LsFloat);
    expect(back.metadata).toEqual({ beat: 'filebeat', n: new LsFloat(1.5) });
    expect(encodeEvent(e)).not.toContain('\n');
  });

  it('keeps an event without @timestamp without one', () => {
    const e = new Event({ message: 'x' });
    e.remove('@timestamp');
    const back = decodeEvent(encodeEvent(e));
    expect(back.get('@timestamp')).toBeUndefined();
    expect(back.get('message')).toBe('x');
  });

  it('round-trips random events in batches', () => {
    const rnd = seededRandom(7);
    const value = (depth: number): unknown => {
      const k = Math.floor(rnd() * (depth > 2 ? 6 : 8));
      switch (k) {
        case 0: return Math.floor(rnd() * 1e6) - 5e5;
        case 1: return new LsFloat(Math.round(rnd() * 1e4) / 8);
        case 2: return String.fromCharCode(...Array.from({ length: Math.floor(rnd() * 6) }, () => Math.floor(rnd() * 0x3000)));
        case 3: return rnd() < 0.5;
        case 4: return null;
        case 5: return BigInt(Math.floor(rnd() * 1e9)) * 10_000_000_000n;
        case 6: return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
        default: return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 4) }, (_, i) => [`k${i}`, value(depth + 1)]));
      }
    };
    const events = Array.from({ length: 300 }, () => new Event({ a: value(0) as never, b: value(0) as never }));
    const back = decodeBatch(encodeBatch(events));
    expect(back.map((e) => e.toJSON())).toEqual(events.map((e) => e.toJSON()));
  });
});
