import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { FieldReferenceError, parseFieldRef } from '../src/event/fieldref.js';
import { Timestamp } from '../src/event/timestamp.js';
import { LsFloat, stringifyValue } from '../src/event/values.js';

const TS = '2015-05-28T23:02:05.350Z';

describe('field references', () => {
  it('parses bare names, bracketed paths and metadata paths', () => {
    expect(parseFieldRef('name')).toEqual(['name']);
    expect(parseFieldRef('[name]')).toEqual(['name']);
    expect(parseFieldRef('[a][b]')).toEqual(['a', 'b']);
    expect(parseFieldRef('[a][0]')).toEqual(['a', '0']);
    expect(parseFieldRef('[@metadata][x]')).toEqual(['@metadata', 'x']);
  });

  it('rejects ambiguous references as Logstash strict mode does', () => {
    expect(() => parseFieldRef('foo[bar]')).toThrow(FieldReferenceError);
    expect(() => parseFieldRef('[foo')).toThrow(FieldReferenceError);
    expect(() => parseFieldRef('[a[b]]')).toThrow(FieldReferenceError);
  });
});

describe('Event get/set/remove/includes (Logstash event_spec)', () => {
  it('gets simple, deep, array and negative-index values', () => {
    const e = new Event({ foo: 'bar', bar: 1, baz: new LsFloat(1), deep: { bar: 1, arr: ['bar', 1, new LsFloat(1)] }, '@timestamp': TS });
    expect(e.get('foo')).toBe('bar');
    expect(e.get('[foo]')).toBe('bar');
    expect(e.get('[deep][bar]')).toBe(1);
    expect(e.get('[deep][arr][0]')).toBe('bar');
    expect(e.get('[deep][arr][3]')).toBeUndefined();
    expect(e.get('[deep][arr][-1]')).toEqual(new LsFloat(1));
    expect(e.get('[deep][arr][-3]')).toBe('bar');
    expect(e.get('[deep][arr][-4]')).toBeUndefined();
    expect(String(e.get('@timestamp'))).toBe(TS);
  });

  it('sets simple, deep and array values, padding arrays with nulls', () => {
    const e = new Event();
    e.set('foo', 'bar');
    e.set('[fancy][pants][socks]', 'shoes');
    expect(e.get('[fancy][pants][socks]')).toBe('shoes');
    e.set('[list]', []);
    e.set('[list][1]', 'x');
    expect(e.get('list')).toEqual([null, 'x']);
    e.set('[arr]', ['bar', 'baz']);
    e.set('[arr][0]', null);
    expect(e.get('arr')).toEqual([null, 'baz']);
    e.set('[baz]', null);
    expect(e.includes('baz')).toBe(true);
    expect(e.toObject()).toHaveProperty('baz', null);
  });

  it('includes existing, nil and metadata fields but not missing ones', () => {
    const e = new Event({ c: { d: 1 }, nilfield: null, tags: ['t'], j: { k4: [{ nested: 'cool' }] }, '@metadata': { fancy: 'pants' } });
    expect(e.includes('c')).toBe(true);
    expect(e.includes('[c][d]')).toBe(true);
    expect(e.includes('[j][k4][0][nested]')).toBe(true);
    expect(e.includes('nilfield')).toBe(true);
    expect(e.includes('@metadata')).toBe(true);
    expect(e.includes('[@metadata][fancy]')).toBe(true);
    expect(e.includes('doesnotexist')).toBe(false);
    expect(e.includes('[c][doesnotexist]')).toBe(false);
    expect(e.includes('[tag][0][hello][yes]')).toBe(false);
    expect(e.includes('[tags][0]')).toBe(true);
    expect(e.includes('[tags][1]')).toBe(false);
  });

  it('removes fields and array elements', () => {
    const e = new Event({ a: { b: 1, c: 2 }, l: [1, 2, 3] });
    expect(e.remove('[a][b]')).toBe(1);
    expect(e.get('a')).toEqual({ c: 2 });
    expect(e.remove('[l][-1]')).toBe(3);
    expect(e.get('l')).toEqual([1, 2]);
    expect(e.remove('[nope][x]')).toBeUndefined();
  });

  it('never duplicates tags and turns a string tags field into a list', () => {
    const e = new Event({ message: 'hello world' });
    expect(e.get('tags')).toBeUndefined();
    e.tag('foo');
    e.tag('foo');
    expect(e.get('tags')).toEqual(['foo']);
    const s = new Event({ tags: 'one' });
    s.tag('two');
    s.tag('one');
    expect(s.get('tags')).toEqual(['one', 'two']);
  });

  it('keeps @metadata out of the serialized event, and clones it', () => {
    const e = new Event({ hello: 'world', '@metadata': { fancy: { fancy2: 'pants2' } } });
    expect(e.get('[@metadata][fancy][fancy2]')).toBe('pants2');
    expect(e.toJSON()).not.toContain('@metadata');
    expect(e.toObject()).not.toHaveProperty('@metadata');
    const c = e.clone();
    c.set('[@metadata][fancy]', 'foobar');
    c.set('hello', 'x');
    expect(e.get('[@metadata][fancy]')).toEqual({ fancy2: 'pants2' });
    expect(e.get('hello')).toBe('world');
    expect(c.get('[@metadata][fancy]')).toBe('foobar');
  });

  it('sets @metadata to a hash', () => {
    const e = new Event();
    e.set('@metadata', { action: 'index' });
    expect(e.get('[@metadata][action]')).toBe('index');
  });
});

describe('@timestamp and @version', () => {
  it('defaults @version to "1" and @timestamp to now', () => {
    const e = new Event({});
    expect(e.get('@version')).toBe('1');
    expect(Math.abs(e.timestamp.epochMs - Date.now())).toBeLessThan(2000);
  });

  it('accepts the timestamp formats Logstash accepts', () => {
    for (const s of ['2013-12-29T23:12:52.371240+02:00', '2013-12-27T11:07:25+00:00', '2014-06-12T00:12:17.114Z']) {
      expect(new Event({ '@timestamp': s }).hasTag('_timestampparsefailure')).toBe(false);
    }
    expect(new Event({ '@timestamp': '2013-12-29T23:12:52.371240+02:00' }).timestamp.toString()).toBe('2013-12-29T21:12:52.371240Z');
  });

  it('tags an invalid value and keeps it in _@timestamp', () => {
    for (const bad of ['foo', 666]) {
      const e = new Event({ '@timestamp': bad });
      expect(e.get('tags')).toEqual(['_timestampparsefailure']);
      expect(e.get('_@timestamp')).toBe(bad);
      expect(Math.abs(e.timestamp.epochMs - Date.now())).toBeLessThan(2000);
    }
  });

  it('serializes in UTC with at least milliseconds, more digits when present', () => {
    expect(new Timestamp(Date.UTC(2024, 4, 1, 10)).toString()).toBe('2024-05-01T10:00:00.000Z');
    expect(Timestamp.parse('2024-05-01T10:00:00.123456Z')!.toString()).toBe('2024-05-01T10:00:00.123456Z');
    expect(Timestamp.parse('2024-05-01T10:00:00.123456789Z')!.toString()).toBe('2024-05-01T10:00:00.123456789Z');
    expect(Timestamp.parse('2024-05-01T12:00:00.1+02:00')!.toString()).toBe('2024-05-01T10:00:00.100Z');
  });

  it('prints every instant as Date#toISOString does: same second, same day, new day, before 1970, past 9999', () => {
    // A walk that stays in a second, in a day, and jumps across days, years and the epoch.
    let ms = Date.UTC(1969, 11, 31, 23, 59, 58);
    const steps = [1, 7, 999, 1000, 59_000, 3_600_000, 86_399_999, 86_400_000, 31_536_000_000, -5, -86_400_001];
    for (let i = 0; i < 5000; i++) {
      ms += steps[(i * 7919) % steps.length]!;
      expect(new Timestamp(ms).toString()).toBe(new Date(ms).toISOString());
    }
    for (const far of [Date.UTC(10_000, 0, 1), Date.UTC(-1, 5, 6, 7, 8, 9), -1]) expect(new Timestamp(far).toString()).toBe(new Date(far).toISOString());
  });
});

describe('JSON serialization', () => {
  it('serializes simple, deep hash and array values (event_spec to_json)', () => {
    const e = new Event({ foo: 'bar', bar: 1, baz: new LsFloat(1), deep: { a: [new LsFloat(1), 1] }, '@timestamp': TS });
    expect(JSON.parse(e.toJSON())).toEqual({ foo: 'bar', bar: 1, baz: 1, deep: { a: [1, 1] }, '@timestamp': TS, '@version': '1' });
    expect(e.toJSON()).toContain('"baz":1.0');
    expect(e.toJSON()).toContain('"deep":{"a":[1.0,1]}');
  });

  it('keeps integers and floats apart and big integers exact', () => {
    expect(stringifyValue({ i: 10, f: new LsFloat(10), big: 2n ** 64n, neg: new LsFloat(-0.5), e: new LsFloat(1e-7), h: new LsFloat(12345678.9) }))
      .toBe('{"i":10,"f":10.0,"big":18446744073709551616,"neg":-0.5,"e":1.0E-7,"h":1.23456789E7}');
  });

  it('writes null values and non-finite floats as null', () => {
    expect(stringifyValue({ n: null, x: new LsFloat(Number.NaN) })).toBe('{"n":null,"x":null}');
  });
});

describe('Timestamp.parse', () => {
  it('rejects impossible dates in both the fast and the general path', () => {
    expect(Timestamp.parse('2024-02-30T00:00:00Z')).toBeUndefined();
    expect(Timestamp.parse('2024-02-30T00:00:00+01:00')).toBeUndefined();
    expect(Timestamp.parse('2024-02-29T00:00:00Z')!.toString()).toBe('2024-02-29T00:00:00.000Z');
  });

  it('agrees between the fast path and the general parser', () => {
    for (const s of ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00.5Z', '2024-05-01T10:00:00.123456789Z', '1969-12-31T23:59:59.999Z']) {
      const fast = Timestamp.parse(s)!;
      const general = Timestamp.parse(s.replace('Z', '+00:00'))!;
      expect(fast.equals(general)).toBe(true);
      expect(fast.toString()).toBe(general.toString());
    }
  });
});

describe('JSON of repeated strings', () => {
  it('a long string printed twice in a row (message and [event][original]) and then a different one are each escaped exactly', () => {
    const a = 'GET /search?q="quoted" \\ back\tslash and a long enough tail to be remembered';
    const b = `${a} — but another one`;
    expect(stringifyValue({ message: a, event: { original: a } })).toBe(JSON.stringify({ message: a, event: { original: a } }));
    expect(stringifyValue([a, b, a, a, b])).toBe(JSON.stringify([a, b, a, a, b]));
    const e = new Event({ message: b });
    e.set('[event][original]', b);
    expect(JSON.parse(e.toJSON())).toMatchObject({ message: b, event: { original: b } });
  });
});

describe('JSON of strings', () => {
  it('prints every string as JSON.stringify does (quotes, backslashes, control characters, lone and paired surrogates, U+2028)', async () => {
    const { seededRandom } = await import('./helpers/random.js');
    const random = seededRandom(20261207);
    const fixed = ['', 'a', 'a"b', 'back\\slash', 'tab\there', 'nul\u0000', '\u2028x', 'emoji 😀', 'lone \ud800', 'é à', '\u001f', '\u007f', 'x'.repeat(31), `${'y'.repeat(40)}"`];
    for (const s of fixed) expect(stringifyValue(s)).toBe(JSON.stringify(s));
    let mismatches = 0;
    for (let i = 0; i < 20_000; i++) {
      let s = '';
      const n = Math.floor(random() * 40);
      for (let j = 0; j < n; j++) s += String.fromCharCode(random() < 0.8 ? 32 + Math.floor(random() * 95) : Math.floor(random() * 0xffff));
      if (stringifyValue(s) !== JSON.stringify(s)) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});
