// Ports of logstash-filter-prune's RSpec examples (spec/filters/prune_spec.rb, logstash-plugins/logstash-filter-prune).
import { describe, expect, it } from 'vitest';
import type { Event } from '../src/event/event.js';
import type { Hash } from '../src/event/values.js';
import prune from '../src/filters/prune.js';
import { createPlugin } from './helpers/plugin-context.js';
import { filterOne } from './helpers/filter-run.js';

const SAYING = 'Cloud is not ready for enterprise if is not integrate with single server running Active Directory.';
const DATA: Hash = {
  firstname: 'Borat', lastname: 'Sagdiyev', fullname: 'Borat Sagdiyev', country: 'Kazakhstan',
  location: 'Somethere in Kazakhstan', hobby: 'Cloud', status: '200', Borat_saying: SAYING,
};
const run = (config: Record<string, unknown>, data: Hash = DATA): Promise<Event> => filterOne(prune, config, data);
const ARRAYS: Hash = {
  blah: 'foo', xxx: ['1 2 3', '3 4 5'], status: ['100', '200', '300', '400', '500'], error: ['This is foolish', 'Need smthing smart too'],
};
const ARRAY_RULES = { status: '^(1|2|3)', xxx: '3', error: '%{blah}' };
const VALUE_RULES = { firstname: '^Borat$', fullname: '%{firstname} Sagdiyev', location: 'no no no', status: '^2', '%{firstname}_saying': '%{hobby}.*Active' };

describe('prune default behaviour', () => {
  it('retains all fields since whitelist_names is empty', async () => {
    const e = await run({});
    expect(Object.keys(e.data)).toEqual(expect.arrayContaining(Object.keys(DATA)));
  });
  it('blacklist_names drops unresolved field references', async () => {
    const e = await run({}, { ...DATA, '%{hmm}': 'doh' });
    expect(e.get('%{hmm}')).toBeUndefined();
  });
});

describe('prune whitelist_names', () => {
  const config = { whitelist_names: ['firstname', '(hobby|status)', '%{firstname}_saying'] };
  it('keeps fields in the list', async () => {
    const e = await run(config);
    expect([e.get('firstname'), e.get('hobby'), e.get('status')]).toEqual(['Borat', 'Cloud', '200']);
  });
  it('drops fields not described in the whitelist', async () => {
    const e = await run(config, { ...DATA, '%{hmm}': 'doh' });
    for (const f of ['lastname', 'fullname', 'country', 'location', 'Borat_saying', '%{hmm}']) expect(e.get(f)).toBeUndefined();
  });
  it('with interpolation retains fields that match after interpolation', async () => {
    const e = await run({ whitelist_names: ['firstname', '%{firstname}_saying'], interpolate: true });
    expect(e.get('firstname')).toBe('Borat');
    expect(e.get('Borat_saying')).toBe(SAYING);
  });
});

describe('prune blacklist_names', () => {
  const config = { blacklist_names: ['firstname', '(hobby|status)', '%{firstname}_saying'] };
  it('drops fields in the list', async () => {
    const e = await run(config);
    expect([e.get('firstname'), e.get('hobby'), e.get('status')]).toEqual([undefined, undefined, undefined]);
  });
  it('keeps the remaining fields', async () => {
    const e = await run(config);
    expect([e.get('lastname'), e.get('fullname'), e.get('country'), e.get('location'), e.get('Borat_saying')])
      .toEqual(['Sagdiyev', 'Borat Sagdiyev', 'Kazakhstan', 'Somethere in Kazakhstan', SAYING]);
  });
  it('non resolved field references are kept when the default is replaced', async () => {
    const e = await run(config, { ...DATA, '%{hmm}': 'doh' });
    expect(e.get('%{hmm}')).toBe('doh');
  });
  it('with interpolation drops fields after interpolation', async () => {
    const e = await run({ ...config, interpolate: true });
    expect(e.get('Borat_saying')).toBeUndefined();
  });
});

describe('prune whitelist_values', () => {
  it('keeps fields in the whitelist if the value matches, drops them if not, includes all other fields', async () => {
    const e = await run({ whitelist_values: VALUE_RULES });
    expect([e.get('firstname'), e.get('status')]).toEqual(['Borat', '200']);
    expect([e.get('fullname'), e.get('location')]).toEqual([undefined, undefined]);
    expect([e.get('lastname'), e.get('country'), e.get('hobby'), e.get('Borat_saying')]).toEqual(['Sagdiyev', 'Kazakhstan', 'Cloud', SAYING]);
  });
  it('with interpolation keeps field values after interpolation', async () => {
    const e = await run({ whitelist_values: VALUE_RULES, interpolate: true }, { ...DATA, '%{hmm}': 'doh' });
    expect(e.get('fullname')).toBe('Borat Sagdiyev');
    expect(e.get('Borat_saying')).toBe(SAYING);
  });
  describe('with array values', () => {
    it('drops fields if no value matches, keeps only elements that match, keeps values intact if all match', async () => {
      const e = await run({ whitelist_values: ARRAY_RULES }, ARRAYS);
      expect(e.get('error')).toBeUndefined();
      expect(e.get('status')).toEqual(['100', '200', '300']);
      expect(e.get('xxx')).toEqual(['1 2 3', '3 4 5']);
    });
    it('with interpolation keeps values that match after interpolation', async () => {
      const e = await run({ whitelist_values: ARRAY_RULES, interpolate: true }, ARRAYS);
      expect(e.get('error')).toEqual(['This is foolish']);
    });
  });
});

describe('prune blacklist_values', () => {
  it('drops fields that match the values, keeps the others', async () => {
    const e = await run({ blacklist_values: VALUE_RULES });
    expect([e.get('firstname'), e.get('status')]).toEqual([undefined, undefined]);
    expect([e.get('fullname'), e.get('location')]).toEqual(['Borat Sagdiyev', 'Somethere in Kazakhstan']);
  });
  it('with interpolation drops fields that match after interpolation', async () => {
    const e = await run({ blacklist_values: VALUE_RULES, interpolate: true });
    expect([e.get('fullname'), e.get('Borat_saying')]).toEqual([undefined, undefined]);
  });
  describe('with array values', () => {
    it('drops fields if all elements match, keeps values that do not match', async () => {
      const e = await run({ blacklist_values: ARRAY_RULES }, ARRAYS);
      expect(e.get('xxx')).toBeUndefined();
      expect(e.get('error')).toEqual(['This is foolish', 'Need smthing smart too']);
      expect(e.get('status')).toEqual(['400', '500']);
    });
    it('with interpolation drops values that match after interpolation', async () => {
      const e = await run({ blacklist_values: ARRAY_RULES, interpolate: true }, ARRAYS);
      expect(e.get('error')).toEqual(['Need smthing smart too']);
    });
  });
});

describe('prune config', () => {
  it('an invalid regexp is a config error naming the option', async () => {
    await expect(createPlugin(prune, { whitelist_names: ['('] })).rejects.toThrow(/whitelist_names/);
  });
  it('whitelist_names removes @timestamp unless listed', async () => {
    const e = await run({ whitelist_names: ['^firstname$', '^@timestamp$'] });
    expect(Object.keys(e.data).sort()).toEqual(['@timestamp', 'firstname']);
  });
});
