import { describe, expect, it } from 'vitest';
import { eventsFromJson, JsonParseError, parseJson } from '../src/event/json.js';
import { LsFloat } from '../src/event/values.js';

const F = (n: number): LsFloat => new LsFloat(n);

describe('JSON numbers as Logstash reads them', () => {
  it('keeps integers as integers and anything with a fraction or exponent as a float', () => {
    expect(parseJson('{"a":10,"b":10.0,"c":-1.5e-3,"d":1E2,"e":-0,"f":0.0}')).toEqual({ a: 10, b: F(10), c: F(-0.0015), d: F(100), e: -0, f: F(0) });
  });

  it('keeps big integers exact', () => {
    expect(parseJson('[9007199254740993, -9007199254740993, 1234567890123456, 99999999999999999999999]'))
      .toEqual([9007199254740993n, -9007199254740993n, 1234567890123456, 99999999999999999999999n]);
  });

  it('is not fooled by numbers inside strings, escaped quotes included', () => {
    expect(parseJson('{"s":"1.5 \\" 2.5","n":[1,2.5,{"x":3}],"t":"\\\\","m":4.0}')).toEqual({ s: '1.5 " 2.5', n: [1, F(2.5), { x: 3 }], t: '\\', m: F(4) });
  });

  it('handles keys that JavaScript would reorder and duplicate keys (the last wins, as in Jackson)', () => {
    expect(parseJson('{"b":1.5,"1":2,"0":3.0}')).toEqual({ b: F(1.5), 1: 2, 0: F(3) });
    expect(parseJson('{"a":1.5,"a":2,"z":3.0}')).toEqual({ a: 2, z: F(3) });
    expect(parseJson('{"a":{"x":1.5},"a":{"y":2.0}}')).toEqual({ a: { y: F(2) } });
  });

  it('rejects invalid JSON', () => {
    for (const bad of ['{"a":1.0', '{a:1}', '[1.0,]', 'NaN', '{"a":01.5}']) expect(() => parseJson(bad)).toThrow(JsonParseError);
  });

  it('makes events only from objects and arrays of objects, none from blank text', () => {
    expect(eventsFromJson('  ')).toEqual([]);
    expect(eventsFromJson('[{"a":1},{"a":2.0}]').map((e) => e.get('a'))).toEqual([1, F(2)]);
    expect(() => eventsFromJson('[{"a":1},3]')).toThrow(JsonParseError);
    expect(() => eventsFromJson('"str"')).toThrow(JsonParseError);
  });
});
