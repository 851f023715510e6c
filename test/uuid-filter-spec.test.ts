// Ports of logstash-filter-uuid's RSpec examples (spec/filters/uuid_spec.rb, logstash-plugins/logstash-filter-uuid).
import { describe, expect, it } from 'vitest';
import uuid from '../src/filters/uuid.js';
import { filterOne } from './helpers/filter-run.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuid', () => {
  it('target is required', () => { expect(uuid.allOptions.target?.required).toBe(true); });
  it('generates an uuid field', async () => {
    const e = await filterOne(uuid, { target: 'target' }, { name: 'foo' });
    expect(e.get('target')).toMatch(UUID);
  });
  it('with overwrite: overrides the target field', async () => {
    const e = await filterOne(uuid, { target: 'target', overwrite: true }, { target: 'foo' });
    expect(e.get('target')).not.toBe('foo');
    expect(e.get('target')).toMatch(UUID);
  });
  it('without overwrite: keeps a value already there', async () => {
    const e = await filterOne(uuid, { target: '[a][id]', add_tag: ['t'] }, { a: { id: 'foo' } });
    expect(e.get('[a][id]')).toBe('foo');
    expect(e.get('tags')).toEqual(['t']);
  });
  it('gives a new uuid to each event', async () => {
    const a = await filterOne(uuid, { target: 'id' }, {});
    const b = await filterOne(uuid, { target: 'id' }, {});
    expect(a.get('id')).not.toBe(b.get('id'));
  });
});
