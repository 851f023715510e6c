import { testContext } from './helpers/plugin-context.js';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import type { FilterDefinition, FilterInstance } from '../src/plugins/api.js';
import { withDefaults } from '../src/runtime/instantiate.js';
import mutate, { rubySplit } from '../src/filters/mutate.js';

async function make(opts: Record<string, unknown>): Promise<FilterInstance> {
  const d = mutate as FilterDefinition;
  const ctx = testContext({ ecs: 'v8', id: 'mutate' });
  return d.create(withDefaults(d, opts), ctx);
}
async function run(opts: Record<string, unknown>, data: Record<string, unknown>): Promise<{ event: Event; ok: boolean }> {
  const event = new Event(data as never);
  const ok = await (await make(opts)).filter(event, () => {});
  return { event, ok };
}

describe('mutate operations', () => {
  it('rename, replace and update as in the plugin spec "basics"', async () => {
    const { event } = await run({
      rename: { rename1: 'rename2' },
      replace: { replaceme: 'hello world', newfield: 'newnew' },
      update: { nosuchfield: 'weee', updateme: 'updated' },
    }, { rename1: ['hello world'], updateme: ['who cares'], replaceme: ['who cares'] });
    expect(event.includes('rename1')).toBe(false);
    expect(event.get('rename2')).toEqual(['hello world']);
    expect(event.get('replaceme')).toBe('hello world');
    expect(event.get('newfield')).toBe('newnew');
    expect(event.includes('nosuchfield')).toBe(false);
    expect(event.get('updateme')).toBe('updated');
  });

  it('rename does nothing with a missing field and interpolates both names', async () => {
    const { event } = await run({ rename: { nosuchfield: 'hello', '%{src}': '[dst][%{src}]' } }, { src: 'a', a: 1 });
    expect(event.includes('hello')).toBe(false);
    expect(event.get('[dst][a]')).toBe(1);
    expect(event.includes('a')).toBe(false);
  });

  it('replace and update interpolate values', async () => {
    const { event } = await run({ replace: { message: '%{source_host}: My new message' }, update: { n: '%{n}!' } }, { source_host: 'h', n: 5 });
    expect(event.get('message')).toBe('h: My new message');
    expect(event.get('n')).toBe('5!');
  });

  it('coerce sets a default only where the field exists and is null', async () => {
    const { event } = await run({ coerce: { a: 'default_value', b: 'x', c: '%{b}' } }, { a: null, b: 'kept', c: null });
    expect(event.get('a')).toBe('default_value');
    expect(event.get('b')).toBe('kept');
    expect(event.get('c')).toBe('kept');
    expect(event.includes('x')).toBe(false);
  });

  it('lowercase, uppercase and capitalize strings and string arrays', async () => {
    const { event } = await run({ lowercase: ['lowerme', 'lowerMe'], uppercase: ['upperme', 'upperMe', 'n'], capitalize: ['cap'] },
      { lowerme: 'ExAmPlE', lowerMe: ['ExAmPlE', 'example', 3], upperme: 'ExAmPlE', upperMe: ['ExAmPlE', 'EXAMPLE'], n: 5, cap: 'hELLO wORLD' });
    expect(event.get('lowerme')).toBe('example');
    expect(event.get('lowerMe')).toEqual(['example', 'example', 3]);
    expect(event.get('upperme')).toBe('EXAMPLE');
    expect(event.get('upperMe')).toEqual(['EXAMPLE', 'EXAMPLE']);
    expect(event.get('n')).toBe(5);
    expect(event.get('cap')).toBe('Hello world');
  });

  it('strip removes surrounding whitespace; a non-string array item is a failure', async () => {
    const ok = await run({ strip: ['a', 'b'] }, { a: '  x y \t\n', b: [' p ', 'q '] });
    expect([ok.event.get('a'), ok.event.get('b')]).toEqual(['x y', ['p', 'q']]);
    const bad = await run({ strip: ['b'] }, { b: [' p ', 1] });
    expect(bad.ok).toBe(false);
    expect(bad.event.get('tags')).toEqual(['_mutate_error']);
  });

  it('split strings as Ruby String#split does', async () => {
    const { event } = await run({ split: { a: ',', b: ' ', c: ',' , d: ','} }, { a: 'a,b,,c,,', b: '  one  two three ', c: ['x,y'], d: ',lead' });
    expect(event.get('a')).toEqual(['a', 'b', '', 'c']);
    expect(event.get('b')).toEqual(['one', 'two', 'three']);
    expect(event.get('c')).toEqual(['x,y']);
    expect(event.get('d')).toEqual(['', 'lead']);
    expect(rubySplit('', ',')).toEqual([]);
    expect(rubySplit('abc', '')).toEqual(['a', 'b', 'c']);
  });

  it('join arrays (nested ones flattened, nil empty, floats Ruby-style)', async () => {
    const { event } = await run({ join: { a: ',', s: ',' } }, { a: ['x', 1, null, ['y', 'z']], s: 'not an array' });
    expect(event.get('a')).toBe('x,1,,y,z');
    expect(event.get('s')).toBe('not an array');
  });

  it('merge as in the plugin spec', async () => {
    const cases: [Record<string, unknown>, unknown][] = [
      [{ foo: 'bar' }, ['bar']],
      [{ foo: 'bar', list: [] }, ['bar']],
      [{ foo: 'bar', list: ['baz'] }, ['baz', 'bar']],
      [{ foo: ['bar'], list: ['baz'] }, ['baz', 'bar']],
      [{ foo: [], list: ['baz'] }, ['baz']],
      [{ foo: ['bar'], list: 'baz' }, ['baz', 'bar']],
      [{ foo: 'bar', list: 'baz' }, ['baz', 'bar']],
    ];
    for (const [data, list] of cases) {
      const { event } = await run({ merge: { list: 'foo' } }, data);
      expect(event.get('list')).toEqual(list);
      expect(event.get('foo')).toEqual(data.foo);
    }
  });

  it('merge hashes, and refuses to merge a hash with a non-hash', async () => {
    const { event, ok } = await run({ merge: { h: 'g', arr: 'g' } }, { h: { a: 1 }, g: { b: 2 }, arr: ['x'] });
    expect(ok).toBe(true);
    expect(event.get('h')).toEqual({ a: 1, b: 2 });
    expect(event.get('arr')).toEqual(['x']);
  });

  it('copy deep-copies and overwrites the destination, skipping missing sources', async () => {
    const { event } = await run({ copy: { src: 'dst', missing: 'other' } }, { src: { a: [1] }, dst: 'old' });
    expect(event.get('dst')).toEqual({ a: [1] });
    event.set('[src][a][0]', 2);
    expect(event.get('[dst][a][0]')).toBe(1);
    expect(event.includes('other')).toBe(false);
  });
});

describe('mutate gsub', () => {
  it('replaces in strings and arrays of strings (plugin spec)', async () => {
    const { event } = await run({ gsub: ['unicorns', 'but extinct', 'and common', 'arr', 'extinct', 'common', 'colors', '\\d$', 'blue'] },
      { unicorns: 'Magnificient, but extinct, animals', arr: ['Magnificient extinct animals', 'Other extinct ideas', 7], colors: 'red3' });
    expect(event.get('unicorns')).toBe('Magnificient, and common, animals');
    expect(event.get('arr')).toEqual(['Magnificient common animals', 'Other common ideas', 7]);
    expect(event.get('colors')).toBe('redblue');
  });

  it('interpolates %{} in the pattern and the replacement (LOGSTASH-1529)', async () => {
    const { event } = await run({ gsub: ['unicorns2', 'of type %{unicorn_color}', '%{unicorn_color} and green'] },
      { unicorns2: 'Unicorns of type blue are common', unicorn_color: 'blue' });
    expect(event.get('unicorns2')).toBe('Unicorns blue and green are common');
  });

  it('supports Ruby back-references in the replacement', async () => {
    const { event } = await run({ gsub: ['message', 'proc\\.aname\\[([0-9]+)\\]', 'proc_aname\\1', 'b', '(?<w>\\w+)@', '\\k<w> at ', 'c', 'x', '[\\0]'] },
      { message: 'proc.aname[2] proc.aname[13]', b: 'me@host', c: 'axb' });
    expect(event.get('message')).toBe('proc_aname2 proc_aname13');
    expect(event.get('b')).toBe('me at host');
    expect(event.get('c')).toBe('a[x]b');
  });

  it('replaces all forward slashes and the documented character class', async () => {
    const { event } = await run({ gsub: ['fieldname', '/', '_', 'fieldname2', '[\\\\?#-]', '.'] }, { fieldname: 'a/b/c', fieldname2: 'a\\b?c#d-e' });
    expect(event.get('fieldname')).toBe('a_b_c');
    expect(event.get('fieldname2')).toBe('a.b.c.d.e');
  });

  it('requires three elements per gsub entry', async () => {
    await expect(make({ gsub: ['message', 'toreplace'] })).rejects.toThrow(/gsub requires 3 non-nil elements/);
  });
});

describe('mutate and @timestamp', () => {
  it('refuses to set @timestamp to a string, as Logstash\'s Event#set does', async () => {
    const { event, ok } = await run({ replace: { '@timestamp': '2020-01-01T00:00:00Z' } }, { '@timestamp': '2013-01-01T00:00:00Z' });
    expect(ok).toBe(false);
    expect(event.hasTag('_mutate_error')).toBe(true);
    expect(event.timestamp.toString()).toBe('2013-01-01T00:00:00.000Z');
  });

  it('copies @timestamp to another field as a timestamp', async () => {
    const { event, ok } = await run({ copy: { '@timestamp': 'ts' } }, { '@timestamp': '2013-01-01T00:00:00Z' });
    expect(ok).toBe(true);
    expect(event.toJSON()).toContain('"ts":"2013-01-01T00:00:00.000Z"');
  });
});
