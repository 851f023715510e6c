import { testContext } from './helpers/plugin-context.js';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { LsFloat } from '../src/event/values.js';
import type { FilterDefinition, FilterInstance } from '../src/plugins/api.js';
import { withDefaults } from '../src/runtime/instantiate.js';
import mutate from '../src/filters/mutate.js';

const warnings: string[] = [];
const logger = { debug() {}, info() {}, warn(m: string) { warnings.push(m); }, error() {} };
async function make(opts: Record<string, unknown>): Promise<FilterInstance> {
  const d = mutate as FilterDefinition;
  const ctx = testContext({ ecs: 'v8', id: 'mutate' });
  return d.create(withDefaults(d, opts), ctx);
}
async function run(opts: Record<string, unknown>, data: Record<string, unknown>): Promise<{ event: Event; ok: boolean }> {
  const f = await make(opts);
  const event = new Event(data as never);
  const ok = await f.filter(event, () => {});
  return { event, ok };
}
const F = (n: number): LsFloat => new LsFloat(n);

describe('mutate convert', () => {
  it('converts arrays element-wise (mutate spec "basics")', async () => {
    const { event } = await run({ convert: { intme: 'integer', floatme: 'float' } }, { intme: ['1234', '7890.4', '7.9'], floatme: ['1234.455'] });
    expect(event.get('intme')).toEqual([1234, 7890, 7]);
    expect(event.get('floatme')).toEqual([F(1234.455)]);
  });

  it('converts a number to a string', async () => {
    const { event } = await run({ convert: { unicorns: 'string', f: 'string', t: 'string' } }, { unicorns: 1234, f: F(1e20), t: true });
    expect(event.get('unicorns')).toBe('1234');
    expect(event.get('f')).toBe('1.0e+20');
    expect(event.get('t')).toBe('true');
  });

  it('converts strings to booleans (true/t/yes/y/1, false/f/no/n/0, case-insensitive)', async () => {
    const data = { a: 'true', b: 'false', c: 'True', d: 'False', e: '1', f: '0', g: 'yes', h: 'no', i: 'Y', j: 'N', k: 'none of the above', l: '', m: 1, n: F(0) };
    const convert = Object.fromEntries(Object.keys(data).map((k) => [k, 'boolean']));
    const { event, ok } = await run({ convert }, data);
    expect(ok).toBe(true);
    expect(Object.keys(data).map((k) => event.get(k))).toEqual([true, false, true, false, true, false, true, false, true, false, 'none of the above', false, true, false]);
  });

  it('turns booleans into 1/0 and 1.0/0.0', async () => {
    const { event } = await run({ convert: { a: 'integer', b: 'integer', c: 'float', d: 'float' } }, { a: true, b: false, c: true, d: false });
    expect([event.get('a'), event.get('b'), event.get('c'), event.get('d')]).toEqual([1, 0, F(1), F(0)]);
  });

  it('reads "," as a group separator for integer and float', async () => {
    const { event } = await run({ convert: { i: 'integer', f: 'float' } }, { i: '1,234,567', f: ' 1,234.5 ' });
    expect(event.get('i')).toBe(1234567);
    expect(event.get('f')).toEqual(F(1234.5));
  });

  it('reads EU notation with integer_eu and float_eu', async () => {
    const { event } = await run({ convert: { i: 'integer_eu', f: 'float_eu', g: 'float_eu' } }, { i: '1.234,56', f: '1.234,56', g: '2.340' });
    expect(event.get('i')).toBe(1234);
    expect(event.get('f')).toEqual(F(1234.56));
    expect(event.get('g')).toEqual(F(2340));
  });

  it('reads hex and scientific notation into integers', async () => {
    const { event } = await run({ convert: { a: 'integer', b: 'integer', c: 'integer', d: 'integer', e: 'integer' } },
      { a: '0x1A', b: '-0x1A', c: '1e3', d: '1.5e2', e: '123456789012345678901234' });
    expect([event.get('a'), event.get('b'), event.get('c'), event.get('d'), event.get('e')]).toEqual([26, -26, 1000, 150, 123456789012345678901234n]);
  });

  it('takes the leading digits of other strings, like String#to_i', async () => {
    const { event } = await run({ convert: { a: 'integer', b: 'integer', c: 'integer' } }, { a: '12abc', b: 'abc', c: '-7.9' });
    expect([event.get('a'), event.get('b'), event.get('c')]).toEqual([12, 0, -7]);
  });

  it('truncates floats to integers and widens integers to floats', async () => {
    const { event } = await run({ convert: { a: 'integer', b: 'float', c: 'float' } }, { a: F(-3.99), b: 3, c: '0x10' });
    expect([event.get('a'), event.get('b'), event.get('c')]).toEqual([-3, F(3), F(16)]);
    expect(event.toJSON()).toContain('"b":3.0');
  });

  it('fails on a string Float() rejects, tagging _mutate_error', async () => {
    const { event, ok } = await run({ convert: { a: 'float' } }, { a: 'abc' });
    expect(ok).toBe(false);
    expect(event.get('a')).toBe('abc');
    expect(event.get('tags')).toEqual(['_mutate_error']);
  });

  it('fails on an unparsable scientific string (BigDecimal) with a custom tag', async () => {
    const { event, ok } = await run({ convert: { a: 'integer' }, tag_on_failure: 'bad' }, { a: 'hello' });
    expect(ok).toBe(false);
    expect(event.get('tags')).toEqual(['bad']);
  });

  it('works on nested fields and inside arrays, skips hashes, nulls and missing fields', async () => {
    const { event, ok } = await run({ convert: { '[foo][bar]': 'integer', '[list][0]': 'integer', h: 'integer', n: 'integer', missing: 'integer', arr: 'integer' } },
      { foo: { bar: '1000' }, list: ['100', '200'], h: { x: '1' }, n: null, arr: ['1', null, '3'] });
    expect(ok).toBe(true);
    expect(event.get('[foo][bar]')).toBe(1000);
    expect(event.get('list')).toEqual([100, '200']);
    expect(event.get('h')).toEqual({ x: '1' });
    expect(event.get('n')).toBeNull();
    expect(event.includes('missing')).toBe(false);
    expect(event.get('arr')).toEqual([1, null, 3]);
  });

  it('follows the documented examples for each target', async () => {
    const { event } = await run(
      { convert: { a: 'integer', b: 'integer', c: 'integer', d: 'integer_eu', e: 'float', f: 'float_eu', g: 'boolean', h: 'boolean', i: 'boolean', j: 'boolean', k: 'string' } },
      { a: '1,000', b: F(3.99), c: F(-2.7), d: '1.000', e: '1,000.5', f: '1.000,5', g: 0, h: 1, i: F(0), j: F(1), k: F(1.5) },
    );
    expect(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'].map((k) => event.get(k)))
      .toEqual([1000, 3, -2, 1000, F(1000.5), F(1000.5), false, true, false, true, '1.5']);
  });

  it('rejects an unknown conversion type at start-up', async () => {
    await expect(make({ convert: { message: 'int' } })).rejects.toThrow("Invalid conversion type 'int', expected one of 'string,integer,float,boolean,integer_eu,float_eu'");
  });
});
