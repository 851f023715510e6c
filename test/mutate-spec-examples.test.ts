// Examples from logstash-filter-mutate's spec (mutate_spec.rb), with its expected values.
import { testContext } from './helpers/plugin-context.js';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { LsFloat } from '../src/event/values.js';
import type { FilterDefinition } from '../src/plugins/api.js';
import { withDefaults } from '../src/runtime/instantiate.js';
import mutate from '../src/filters/mutate.js';

async function run(opts: Record<string, unknown>, data: Record<string, unknown>): Promise<Event> {
  const d = mutate as FilterDefinition;
  const ctx = testContext({ ecs: 'v8', id: 'mutate' });
  const event = new Event(data as never);
  await (await d.create(withDefaults(d, opts), ctx)).filter(event, () => {});
  return event;
}
const F = (n: number): LsFloat => new LsFloat(n);

describe('mutate spec examples', () => {
  it('basics: case changes, convert, rename, replace, update', async () => {
    const e = await run({
      lowercase: ['lowerme', 'Lowerme', 'lowerMe'], uppercase: ['upperme', 'Upperme', 'upperMe'],
      capitalize: ['capitalizeme', 'Capitalizeme', 'capitalizeMe'],
      convert: { intme: 'integer', floatme: 'float' }, rename: { rename1: 'rename2' },
      replace: { replaceme: 'hello world', newfield: 'newnew' }, update: { nosuchfield: 'weee', updateme: 'updated' },
    }, {
      lowerme: 'example', upperme: 'EXAMPLE', capitalizeme: 'Example', Lowerme: 'ExAmPlE', Upperme: 'ExAmPlE', Capitalizeme: 'ExAmPlE',
      lowerMe: ['ExAmPlE', 'example'], upperMe: ['ExAmPlE', 'EXAMPLE'], capitalizeMe: ['ExAmPlE', 'Example'],
      intme: ['1234', '7890.4', '7.9'], floatme: ['1234.455'], rename1: ['hello world'], updateme: ['who cares'], replaceme: ['who cares'],
    });
    expect(e.get('lowerme')).toBe('example');
    expect(e.get('Upperme')).toBe('EXAMPLE');
    expect(e.get('Capitalizeme')).toBe('Example');
    expect(e.get('capitalizeMe')).toEqual(['Example', 'Example']);
    expect(e.get('intme')).toEqual([1234, 7890, 7]);
    expect(e.get('floatme')).toEqual([F(1234.455)]);
    expect(e.get('rename2')).toEqual(['hello world']);
    expect(e.get('newfield')).toBe('newnew');
    expect(e.includes('nosuchfield')).toBe(false);
    expect(e.get('updateme')).toBe('updated');
  });

  it('changes case of multibyte unicode strings', async () => {
    const e = await run({ lowercase: ['lowerme'], uppercase: ['upperme'], capitalize: ['capitalizeme'] }, {
      lowerme: ['АБВГД\0MMM', 'こにちわ', 'XyZółć', 'NÎcË GÛŸ'],
      upperme: ['аБвгд\0mmm', 'こにちわ', 'xYzółć', 'Nîcë gûÿ'],
      capitalizeme: ['АБВГД\0mmm', 'こにちわ', 'xyzółć', 'nÎcË gÛŸ'],
    });
    expect(e.get('lowerme')).toEqual(['абвгд\0mmm', 'こにちわ', 'xyzółć', 'nîcë gûÿ']);
    expect(e.get('upperme')).toEqual(['АБВГД\0MMM', 'こにちわ', 'XYZÓŁĆ', 'NÎCË GÛŸ']);
    expect(e.get('capitalizeme')).toEqual(['Абвгд\0mmm', 'こにちわ', 'Xyzółć', 'Nîcë gûÿ']);
  });

  it('converts only string elements of arrays for case changes, and never creates fields', async () => {
    expect((await run({ uppercase: ['a'] }, { a: ['a', 2, 'C'] })).get('a')).toEqual(['A', 2, 'C']);
    expect((await run({ capitalize: ['a'] }, { a: ['ab', 2, 'CDE'] })).get('a')).toEqual(['Ab', 2, 'Cde']);
    expect((await run({ lowercase: ['fake_field'] }, {})).includes('fake_field')).toBe(false);
  });

  it('converts strings, numbers and arrays to booleans', async () => {
    const data = {
      integer_false: 0, integer_true: 1, integer_negative: -1, integer_wrong: 2, float_true: F(1), float_false: F(0),
      float_negative: F(-1), float_wrong: F(1.0123), float_wrong2: F(0.01), array: ['1', '0', 0, 1, 2], hash: { a: 0 },
    };
    const e = await run({ convert: Object.fromEntries(Object.keys(data).map((k) => [k, 'boolean'])) }, data);
    expect(Object.keys(data).map((k) => e.get(k))).toEqual([false, true, -1, 2, true, false, F(-1), F(1.0123), F(0.01), [true, false, false, true, 2], { a: 0 }]);
  });

  it('converts booleans and strings to integers', async () => {
    expect((await run({ convert: { foo: 'integer' } }, { foo: [false, true, '0', '1', '2'] })).get('foo')).toEqual([0, 1, 0, 1, 2]);
  });

  it('converts US/UK and EU style strings', async () => {
    const us = ['1,000', '1,234,567.8', '123.4'];
    const eu = ['1.000', '1.234.567,8', '123,4'];
    expect((await run({ convert: { foo: 'integer' } }, { foo: us })).get('foo')).toEqual([1000, 1234567, 123]);
    expect((await run({ convert: { foo: 'float' } }, { foo: us })).get('foo')).toEqual([F(1000), F(1234567.8), F(123.4)]);
    expect((await run({ convert: { foo: 'integer_eu' } }, { foo: eu })).get('foo')).toEqual([1000, 1234567, 123]);
    expect((await run({ convert: { foo: 'float_eu' } }, { foo: eu })).get('foo')).toEqual([F(1000), F(1234567.8), F(123.4)]);
  });

  it('converts to float from the documented inputs', async () => {
    for (const [input, out] of [['3141.5926', 3141.5926], ['3,141.5926', 3141.5926], ['3,141', 3141], ['3141', 3141], [3, 3], [true, 1], [false, 0]] as const) {
      expect((await run({ convert: { field: 'float' } }, { field: input })).get('field')).toEqual(F(out));
    }
    expect((await run({ convert: { field: 'float' } }, { field: null })).get('field')).toBeNull();
  });

  it('converts auto-frozen booleans to strings', async () => {
    const e = await run({ convert: { t: 'string', f: 'string' } }, { t: true, f: false });
    expect([e.get('t'), e.get('f')]).toEqual(['true', 'false']);
  });

  it('splits strings, dropping trailing empty fields, and leaves other values alone', async () => {
    expect((await run({ split: { field: ',' } }, { field: 'foo,bar,baz' })).get('field')).toEqual(['foo', 'bar', 'baz']);
    expect((await run({ split: { field: ',' } }, { field: 'foo,' })).get('field')).toEqual(['foo']);
    expect((await run({ split: { field: ',' } }, { field: { foo: 'bar,baz' } })).get('field')).toEqual({ foo: 'bar,baz' });
  });

  it('strips leading and trailing spaces', async () => {
    const e = await run({ strip: ['foo', 'bar'] }, { foo: ' /bar.php ', bar: ' foo' });
    expect([e.get('foo'), e.get('bar')]).toEqual(['/bar.php', 'foo']);
  });

  it('renames with dynamic origin and destination', async () => {
    const a = await run({ rename: { 'field_%{x}': 'destination' } }, { field_one: 'value', x: 'one' });
    expect(a.includes('field_one')).toBe(false);
    expect(a.get('destination')).toBe('value');
    const b = await run({ rename: { origin: 'field_%{x}' } }, { origin: 'value', x: 'one' });
    expect(b.includes('origin')).toBe(false);
    expect(b.get('field_one')).toBe('value');
  });

  it('coerces null fields with default values, as strings', async () => {
    const e = await run({ coerce: { field1: 'Hello', field2: 'Bye', field3: 5, field4: false } }, { field1: null, field2: null, field3: null, field4: true });
    expect([e.get('field1'), e.get('field2'), e.get('field3'), e.get('field4')]).toEqual(['Hello', 'Bye', '5', true]);
  });
});
