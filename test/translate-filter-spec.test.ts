// Ports of logstash-filter-translate's RSpec examples (spec/filters/translate_spec.rb and scheduling_spec.rb,
// logstash-plugins/logstash-filter-translate 3.5.0), with their dictionaries vendored in fixtures/translate.
// Not ported: "sets the limit to 128MB" (reads an instance variable; the default is exercised by every YAML
// example instead), "error handling" (mocks the updater to raise Ruby and Java exceptions), the "huge file"
// scheduling examples (100,000-entry reload timing; the reload itself is covered by the scheduled-reload
// examples), and the exact Psych message of dict-wrong.yml (sluice's YAML parser words it differently).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Event } from '../src/event/event.js';
import translate, { type TranslateInstance } from '../src/filters/translate/index.js';
import { readDictionary } from '../src/filters/translate/dictionary.js';
import { PluginConfigError } from '../src/plugins/api.js';
import type { Hash } from '../src/event/values.js';
import { filterHarness, filterOne } from './helpers/filter-run.js';
import { ROOT } from './helpers/cli.js';

const fixture = (name: string): string => join(ROOT, 'fixtures', 'translate', name);
const one = (opts: Record<string, unknown>, data: Hash, ecs: 'disabled' | 'v8' = 'v8'): Promise<Event> => filterOne(translate, opts, data, { ecs });
const fails = async (opts: Record<string, unknown>, ecs: 'disabled' | 'v8' = 'v8'): Promise<PluginConfigError> => {
  try { await filterHarness(translate, opts, { ecs }); } catch (e) { expect(e).toBeInstanceOf(PluginConfigError); return e as PluginConfigError; }
  throw new Error('expected a config error');
};
const codes = ['200', 'OK', '300', 'Redirect', '400', 'Client Error', '500', 'Server Error'];

describe('translate: exact and regex translation', () => {
  it('coerces the field to a string, then returns the exact translation', async () => {
    const e = await one({ source: 'status', target: 'translation', dictionary: codes, exact: true, regex: false }, { status: 200 });
    expect(e.get('translation')).toBe('OK');
  });

  it('does not translate when regex is false but keys are regexes', async () => {
    const e = await one({ source: 'status', target: 'translation', dictionary: ['^2\\d\\d', 'OK', '^3\\d\\d', 'Redirect', '^4\\d\\d', 'Client Error', '^5\\d\\d', 'Server Error'], exact: true, regex: false }, { status: 200 });
    expect(e.get('translation')).toBeUndefined();
  });

  it('multi translation (exact => false) with an inline dictionary', async () => {
    const e = await one({ source: 'status', target: 'translation', dictionary: codes, exact: false, regex: false }, { status: '200 & 500' });
    expect(e.get('translation')).toBe('OK & Server Error');
  });

  it('multi translation with a file dictionary', async () => {
    const e = await one({ source: 'status', target: 'translation', dictionary_path: fixture('regex_union_dict.csv'), refresh_interval: 0, exact: false, regex: false }, { status: '200 & 500' });
    expect(e.get('translation')).toBe('OK & Server Error');
  });

  it('regex translation with an inline dictionary', async () => {
    const e = await one({ source: 'status', target: 'translation', dictionary: ['^2[0-9][0-9]$', 'OK', '^3[0-9][0-9]$', 'Redirect', '^4[0-9][0-9]$', 'Client Error', '^5[0-9][0-9]$', 'Server Error'], exact: true, regex: true }, { status: '200' });
    expect(e.get('translation')).toBe('OK');
  });

  it('regex translation with a file dictionary', async () => {
    const e = await one({ source: 'status', target: 'translation', dictionary_path: fixture('regex_dict.csv'), refresh_interval: 0, exact: true, regex: true }, { status: '200' });
    expect(e.get('translation')).toBe('OK');
  });
});

describe.each(['disabled', 'v8'] as const)('translate: fallback (ecs %s)', (ecs) => {
  it('uses a static fallback', async () => {
    const e = await one({ source: 'status', target: 'translation', fallback: 'no match' }, { status: '200' }, ecs);
    expect(e.get('translation')).toBe('no match');
  });
  it('allows sprintf in the fallback', async () => {
    const e = await one({ source: 'status', target: 'translation', fallback: '%{missing_translation}' }, { status: '200', missing_translation: 'missing no match' }, ecs);
    expect(e.get('translation')).toBe('missing no match');
  });
});

describe('translate: loading a dictionary', () => {
  const base = { source: 'status', target: 'translation', refresh_interval: -1, exact: true, regex: false };

  it('refuses a YAML file that does not parse', async () => {
    const err = await fails({ ...base, dictionary_path: fixture('dict-wrong.yml') });
    expect(err.message).toMatch(/^Translate: .* when loading dictionary file at .*dict-wrong\.yml$/);
  });

  it('translates from a yml file', async () => {
    expect((await one({ ...base, dictionary_path: fixture('dict.yml') }, { status: 'a' })).get('translation')).toBe(1);
  });

  it('produces an equivalent dictionary for both yaml_load_strategy values', () => {
    const text = readFileSync(fixture('dict.yml'), 'utf8');
    const oneShot = readDictionary(text, { format: 'yaml', yamlStrategy: 'one_shot' });
    const streaming = readDictionary(text, { format: 'yaml', yamlStrategy: 'streaming' });
    expect(streaming).toEqual(oneShot);
    expect(Object.fromEntries(oneShot).d).toEqual({ e: [1, 'hello', true, 'false', '1', '1.1'] });
  });

  describe('yaml_dictionary_code_point_limit', () => {
    const size = readFileSync(fixture('dict.yml'), 'utf8').length;
    const opts = (limit: number, path = fixture('dict.yml')) => ({ source: 'status', target: 'translation', dictionary_path: path, yaml_dictionary_code_point_limit: limit });
    it('raises when the limit is under the dictionary size', async () => {
      expect((await fails(opts(Math.floor(size / 2)))).message).toMatch(/The incoming YAML document exceeds/);
    });
    it('translates when the dictionary is within the limit', async () => {
      expect((await one(opts(size), { status: 'a' })).get('translation')).toBe(1);
    });
    it('raises a configuration error for a limit of zero', async () => {
      expect((await fails(opts(0))).message).toMatch(/Please set a positive number/);
    });
    it('refuses the limit for a JSON dictionary', async () => {
      expect((await fails(opts(100, fixture('dict.json')))).message).toMatch(/Please remove `yaml_dictionary_code_point_limit` for dictionary file in JSON or CSV format/);
    });
    it('translates from JSON when the limit is unset', async () => {
      expect((await one({ source: 'status', target: 'translation', dictionary_path: fixture('dict.json') }, { status: 'a' })).get('translation')).toBe(10);
    });
  });

  it('translates from a !!map tagged yml file', async () => {
    expect((await one({ ...base, dictionary_path: fixture('tag-map-dict.yml') }, { status: 'six' })).get('translation')).toBe('val-6-1|val-6-2');
  });
  it('translates from a !!omap tagged yml file', async () => {
    expect((await one({ ...base, dictionary_path: fixture('tag-omap-dict.yml') }, { status: 'nine' })).get('translation')).toBe('val-9-1|val-9-2');
  });
  it('translates from a json file', async () => {
    expect((await one({ ...base, dictionary_path: fixture('dict.json') }, { status: 'b' })).get('translation')).toBe(20);
  });
  it('translates from a csv file', async () => {
    expect((await one({ ...base, dictionary_path: fixture('dict.csv') }, { status: 'c' })).get('translation')).toBe('300');
  });
  it('refuses a file of unknown format', async () => {
    expect((await fails({ ...base, dictionary_path: fixture('dict.other') })).message).toMatch(/Dictionary .*dict\.other has a non valid format/);
  });
});

describe('translate: iterate_on', () => {
  const opts = (source: string, path = fixture('tag-map-dict.yml')) => ({ iterate_on: 'foo', source, target: 'baz', fallback: 'nooo', dictionary_path: path, refresh_interval: 0 });

  it('adds a translation to the target array for each value of an array of values', async () => {
    const e = await one(opts('foo'), { foo: ['nine', 'eight', 'seven'] });
    expect(e.get('baz')).toEqual(['val-9-1|val-9-2', 'val-8-1|val-8-2', 'val-7-1|val-7-2']);
  });
  it('coerces integer elements to strings', async () => {
    const e = await one(opts('foo', fixture('regex_union_dict.csv')), { foo: [200, 300, 400] });
    expect(e.get('baz')).toEqual(['OK', 'Redirect', 'Client Error']);
  });
  it('adds a translation to each map of an array of objects', async () => {
    const e = await one(opts('bar'), { foo: [{ bar: 'two' }, { bar: 'one' }, { bar: 'six' }] });
    expect(e.get('[foo][0][baz]')).toBe('val-2-1|val-2-2');
    expect(e.get('[foo][1][baz]')).toBe('val-1-1|val-1-2');
    expect(e.get('[foo][2][baz]')).toBe('val-6-1|val-6-2');
  });
  it('coerces integer values in maps to strings', async () => {
    const e = await one(opts('bar', fixture('regex_union_dict.csv')), { foo: [{ bar: 200 }, { bar: 300 }, { bar: 400 }] });
    expect(e.get('[foo][0][baz]')).toBe('OK');
    expect(e.get('[foo][1][baz]')).toBe('Redirect');
    expect(e.get('[foo][2][baz]')).toBe('Client Error');
  });
  it('fills unmatched values with the fallback', async () => {
    const e = await one(opts('foo'), { foo: ['nine', 'zzz'] });
    expect(e.get('baz')).toEqual(['val-9-1|val-9-2', 'nooo']);
  });
});

describe('translate: options', () => {
  it('overwrites in place when field and destination are the same (explicit override)', async () => {
    const e = await one({ field: 'foo', destination: 'foo', dictionary_path: fixture('tag-map-dict.yml'), override: true, refresh_interval: -1 }, { foo: 'nine' }, 'disabled');
    expect(e.get('foo')).toBe('val-9-1|val-9-2');
  });
  it("refuses 'dictionary' with 'dictionary_path'", async () => {
    await fails({ source: 'random field', dictionary: { a: 'b' }, dictionary_path: fixture('dict.yml') });
  });
  it("refuses 'target' with 'destination'", async () => {
    expect((await fails({ source: 'message', target: 'foo', destination: 'bar' })).message).toMatch(/remove .*?destination => /);
  });
  it("refuses 'source' with 'field'", async () => {
    expect((await fails({ source: 'message', field: 'foo' })).message).toMatch(/remove .*?field => /);
  });
  it('takes destination as the target', async () => {
    const h = await filterHarness(translate, { source: 'message', destination: 'bar', dictionary: { a: 'b' } }, { ecs: 'v8' });
    const [e] = await h.run({ message: 'a' });
    expect(e!.get('bar')).toBe('b');
    expect(h.ctx.logs.some((l) => l.msg.includes('intercepting `destination`'))).toBe(true);
  });
  it('takes field as the source', async () => {
    const h = await filterHarness(translate, { field: 'message', target: 'bar', dictionary: { a: 'b' } });
    const [e] = await h.run({ message: 'a' });
    expect(e!.get('bar')).toBe('b');
    expect(h.ctx.logs.some((l) => l.msg.includes('intercepting `field`'))).toBe(true);
  });
  it('requires source', async () => {
    expect((await fails({ target: 'bar' })).message).toMatch(/provide .*?source => /);
  });
  it('refuses override => false for an in-place translation', async () => {
    expect((await fails({ source: 'message', dictionary: { a: 'b' }, override: false })).message).toMatch(/override => false/);
  });
  it('leaves an existing target alone unless override', async () => {
    expect((await one({ source: 's', target: 't', dictionary: { a: 'b' } }, { s: 'a', t: 'x' })).get('t')).toBe('x');
    expect((await one({ source: 's', target: 't', dictionary: { a: 'b' }, override: true }, { s: 'a', t: 'x' })).get('t')).toBe('b');
  });
});

describe('translate: refresh_behaviour', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-translate-'));
  const setup = async (behaviour: string, name: string) => {
    const path = join(dir, name);
    writeFileSync(path, 'a : 1\nb : 2\nc : 3');
    const h = await filterHarness(translate, { source: 'status', target: 'translation', dictionary_path: path, refresh_interval: -1, exact: true, regex: false, fallback: 'no match', refresh_behaviour: behaviour });
    return { h, path, inst: h.instance as TranslateInstance };
  };
  it('merge overwrites existing entries and keeps leftover ones', async () => {
    const { h, path, inst } = await setup('merge', 'm.yml');
    const [b1] = await h.run({ status: 'b' });
    const [c1] = await h.run({ status: 'c' });
    writeFileSync(path, 'a : 1\nb : 4');
    inst.reload();
    const [b2] = await h.run({ status: 'b' });
    const [c2] = await h.run({ status: 'c' });
    expect([b1!.get('translation'), b2!.get('translation')]).toEqual([2, 4]);
    expect([c1!.get('translation'), c2!.get('translation')]).toEqual([3, 3]);
  });
  it('replace overwrites existing entries and removes leftover ones', async () => {
    const { h, path, inst } = await setup('replace', 'r.yml');
    const [b1] = await h.run({ status: 'b' });
    const [c1] = await h.run({ status: 'c' });
    writeFileSync(path, 'a : 1\nb : 4');
    inst.reload();
    const [b2] = await h.run({ status: 'b' });
    const [c2] = await h.run({ status: 'c' });
    expect([b1!.get('translation'), b2!.get('translation')]).toEqual([2, 4]);
    expect([c1!.get('translation'), c2!.get('translation')]).toEqual([3, 'no match']);
  });
});

describe('translate: scheduled reloading (scheduling_spec.rb)', () => {
  afterEach(() => { vi.useRealTimers(); });
  it.each([['replace', '12'], ['merge', '22']])('%s: updates the event after a scheduled reload', async (behaviour, expected) => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const dir = mkdtempSync(join(tmpdir(), 'sluice-translate-sched-'));
    const path = join(dir, `dict-${behaviour}.csv`);
    writeFileSync(path, 'a,1\nb,2\nc,3\n');
    const h = await filterHarness(translate, { source: '[status]', target: '[translation]', dictionary_path: path, exact: true, regex: false, refresh_interval: 1, override: true, refresh_behaviour: behaviour });
    expect((await h.run({ status: 'b' }))[0]!.get('[translation]')).toBe('2');
    writeFileSync(path, behaviour === 'replace' ? 'a,11\nb,12\nc,13\n' : 'a,21\nb,22\nc,23\n');
    vi.advanceTimersByTime(1000);
    expect((await h.run({ status: 'b' }))[0]!.get('[translation]')).toBe(expected);
    await h.instance.close?.();
  });
});

describe('translate: an empty dictionary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-translate-empty-'));
  it.each([['dict-e.yml', 'a'], ['dict-e.json', 'b'], ['dict-e.csv', 'c']])('%s gives the fallback', async (name, status) => {
    const path = join(dir, name);
    writeFileSync(path, '');
    const e = await one({ source: 'status', target: 'translation', dictionary_path: path, refresh_interval: -1, fallback: 'no match', exact: true, regex: false }, { status });
    expect(e.get('translation')).toBe('no match');
  });
});

describe('translate: default target', () => {
  it('legacy mode uses the translation target', async () => {
    const e = await one({ source: 'message', dictionary: { foo: 'bar' } }, { message: 'foo' }, 'disabled');
    expect(e.get('translation')).toBe('bar');
    expect(e.get('message')).toBe('foo');
  });
  it('ECS mode translates in place', async () => {
    const e = await one({ source: 'message', dictionary: { foo: 'bar' } }, { message: 'foo' }, 'v8');
    expect(e.includes('translation')).toBe(false);
    expect(e.get('message')).toBe('bar');
  });
  it('in-place translation succeeds even without a match (the common options apply)', async () => {
    const e = await one({ source: 'message', dictionary: { foo: 'bar' }, add_tag: ['t'] }, { message: 'nope' }, 'v8');
    expect(e.get('message')).toBe('nope');
    expect(e.get('tags')).toEqual(['t']);
  });
  it('a miss to another target does not apply the common options', async () => {
    const e = await one({ source: 'message', target: 'x', dictionary: { foo: 'bar' }, add_tag: ['t'] }, { message: 'nope' }, 'v8');
    expect(e.get('tags')).toBeUndefined();
  });
});
