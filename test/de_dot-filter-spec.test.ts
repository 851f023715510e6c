// Ports of logstash-filter-de_dot's RSpec examples (spec/filters/de_dot_spec.rb, logstash-plugins/logstash-filter-de_dot).
import { describe, expect, it } from 'vitest';
import type { Event } from '../src/event/event.js';
import type { Hash } from '../src/event/values.js';
import deDot from '../src/filters/de_dot.js';
import { createPlugin } from './helpers/plugin-context.js';
import { filterOne } from './helpers/filter-run.js';

const run = (config: Record<string, unknown>, data: Hash): Promise<Event> => filterOne(deDot, config, data);
const keys = (e: Event, ref?: string): string[] => Object.keys((ref ? e.get(ref) : e.data) as Hash);

describe('de_dot', () => {
  it('an incorrect separator (containing a dot) is a config error', async () => {
    await expect(createPlugin(deDot, { separator: '.' })).rejects.toThrow("separator cannot be or contain '.'");
  });
  it('single field', async () => {
    const e = await run({}, { 'foo.bar': 'pass' });
    expect(keys(e)).not.toContain('foo.bar');
    expect(e.get('foo_bar')).toBe('pass');
  });
  it('single field with alternate separator', async () => {
    const e = await run({ separator: '___' }, { 'foo.bar': 'pass' });
    expect(keys(e)).not.toContain('foo.bar');
    expect(e.get('foo___bar')).toBe('pass');
  });
  it('multiple fields', async () => {
    const e = await run({}, { 'acme.roller.skates': 'coyote', nodot: 'nochange' });
    expect(keys(e)).not.toContain('acme.roller.skates');
    expect(e.get('acme_roller_skates')).toBe('coyote');
    expect(e.get('nodot')).toBe('nochange');
  });
  it('multiple fields with underscores already', async () => {
    const e = await run({}, { 'acme_roller.skates': 'coyote', no_dot: 'nochange' });
    expect(keys(e)).not.toContain('acme_roller.skates');
    expect(e.get('acme_roller_skates')).toBe('coyote');
    expect(e.get('no_dot')).toBe('nochange');
  });
  describe('nested fields', () => {
    it('converts dotted fields to sub-fields', async () => {
      const e = await run({ nested: true }, { 'acme.roller.skates': 'coyote', nodot: 'nochange' });
      expect(keys(e)).not.toContain('acme.roller.skates');
      expect(e.get('[acme][roller][skates]')).toBe('coyote');
      expect(e.get('nodot')).toBe('nochange');
    });
    it('when nested fields overlap scalar fields: tagged _de_dot_error', async () => {
      const e = await run({ nested: true, add_tag: ['ok'] }, { request: 'GET', 'request.path': '/users' });
      expect(e.get('tags')).toEqual(['_de_dot_error']);
    });
    it('when tag_on_failure is provided', async () => {
      const e = await run({ nested: true, tag_on_failure: '_my_custom_error' }, { request: 'GET', 'request.path': '/users' });
      expect(e.get('tags')).toContain('_my_custom_error');
    });
  });
  describe('specific nested field', () => {
    it('renames within the specified fields only', async () => {
      const e = await run({ fields: ['[acme][roller.skates]'] }, { acme: { 'roller.skates': 'coyote' }, 'foo.bar': 'nochange' });
      expect(keys(e, 'acme')).not.toContain('roller.skates');
      expect(e.get('[acme][roller_skates]')).toBe('coyote');
      expect(keys(e)).toContain('foo.bar');
      expect(e.get('foo.bar')).toBe('nochange');
    });
  });
  it('multiple specific nested fields', async () => {
    const e = await run({ nested: true, fields: ['[acme][roller.skates]', 'foo.bar', '[a.b][c.d][e.f]'] },
      { acme: { 'roller.skates': 'coyote' }, 'foo.bar': 'nochange', 'a.b': { 'c.d': { 'e.f': 'finally' } } });
    expect(keys(e, 'acme')).not.toContain('roller.skates');
    expect(e.get('[acme][roller][skates]')).toBe('coyote');
    expect(keys(e)).not.toContain('foo.bar');
    expect(e.get('[foo][bar]')).toBe('nochange');
    expect(keys(e)).not.toContain('a.b');
    expect(e.get('[a][b][c][d][e][f]')).toBe('finally');
  });
  it('multiple specific nested fields with some not present: no [foo][bar] added', async () => {
    const e = await run({ nested: true, fields: ['[acme][roller.skates]', 'foo.bar', '[a.b][c.d][e.f]'] },
      { acme: { 'roller.skates': 'coyote' }, 'a.b': { 'c.d': { 'e.f': 'finally' } } });
    expect(e.get('[acme][roller][skates]')).toBe('coyote');
    expect(keys(e)).not.toContain('a.b');
    expect(e.get('[a][b][c][d][e][f]')).toBe('finally');
    expect(keys(e)).not.toContain('foo.bar');
    expect(keys(e)).not.toContain('foo');
  });
  it('specific nested fields with underscores already', async () => {
    const e = await run({ fields: ['[acme][super.roller_skates]', '[field_with][no_dot]'] },
      { acme: { 'super.roller_skates': 'coyote' }, field_with: { no_dot: 'nochange' } });
    expect(keys(e, 'acme')).not.toContain('super.roller_skates');
    expect(e.get('[acme][super_roller_skates]')).toBe('coyote');
    expect(e.get('[field_with][no_dot]')).toBe('nochange');
  });
  it('further nesting specific nested fields with underscores already', async () => {
    const e = await run({ nested: true, fields: ['[acme][super.roller_skates]', '[field_with][no_dot]'] },
      { acme: { 'super.roller_skates': 'coyote' }, field_with: { no_dot: 'nochange' } });
    expect(keys(e, 'acme')).not.toContain('super.roller_skates');
    expect(e.get('[acme][super][roller_skates]')).toBe('coyote');
    expect(e.get('[field_with][no_dot]')).toBe('nochange');
  });
  it('field values containing false are not ignored', async () => {
    const e = await run({ nested: true }, { 'coyote.won': false });
    expect(e.includes('coyote.won')).toBe(false);
    expect(e.get('[coyote][won]')).toBe(false);
  });
  describe('recursive processing', () => {
    it('replaces dots in sub-fields with underscores, leaves fields without dots', async () => {
      const e = await run({ recursive: true }, { acme: { 'roller.skates': 'coyote', nodot: 'nochange' } });
      expect(keys(e, 'acme')).not.toContain('roller.skates');
      expect(e.get('[acme][roller_skates]')).toBe('coyote');
      expect(e.get('[acme][nodot]')).toBe('nochange');
    });
    it('with nested fields', async () => {
      const e = await run({ recursive: true, nested: true }, { acme: { 'roller.skates': 'coyote', nodot: 'nochange' } });
      expect(keys(e, 'acme')).not.toContain('roller.skates');
      expect(e.get('[acme][roller][skates]')).toBe('coyote');
      expect(e.get('[acme][nodot]')).toBe('nochange');
    });
    it('with deeply nested fields', async () => {
      const e = await run({ recursive: true, nested: true }, { acme: { 'super.duper': { 'roller.skates': 'coyote', nodot: 'nochange' } } });
      expect(keys(e, 'acme')).not.toContain('super.duper');
      expect(keys(e, '[acme][super][duper]')).not.toContain('roller.skates');
      expect(e.get('[acme][super][duper][roller][skates]')).toBe('coyote');
      expect(e.get('[acme][super][duper][nodot]')).toBe('nochange');
    });
    it('with specific nested fields', async () => {
      const e = await run({ recursive: true, nested: true, fields: ['acme'] }, { acme: { 'roller.skates': 'coyote' }, 'foo.bar': 'nochange' });
      expect(e.get('[acme][roller][skates]')).toBe('coyote');
      expect(keys(e)).toContain('foo.bar');
      expect(e.get('foo.bar')).toBe('nochange');
    });
    it('with multiple specific nested fields', async () => {
      const e = await run({ recursive: true, nested: true, fields: ['acme', 'foo.bar', 'a.b'] },
        { acme: { 'roller.skates': 'coyote' }, 'foo.bar': 'nochange', 'a.b': { 'c.d': { 'e.f': 'finally' } } });
      expect(e.get('[acme][roller][skates]')).toBe('coyote');
      expect(keys(e)).not.toContain('foo.bar');
      expect(e.get('[foo][bar]')).toBe('nochange');
      expect(keys(e)).not.toContain('a.b');
      expect(e.get('[a][b][c][d][e][f]')).toBe('finally');
    });
  });
});
