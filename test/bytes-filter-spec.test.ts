// Ports of logstash-filter-bytes's RSpec examples (spec/filters/bytes_spec.rb, logstash-plugins/logstash-filter-bytes).
import { describe, expect, it } from 'vitest';
import type { Event } from '../src/event/event.js';
import bytes from '../src/filters/bytes.js';
import { createPlugin } from './helpers/plugin-context.js';
import { filterOne } from './helpers/filter-run.js';

const BASE = { target: 'dest', tag_on_failure: ['boom', '_bytesparsefailure'] };
const sample = (message: string, config: Record<string, unknown> = BASE): Promise<Event> => filterOne(bytes, config, { message });
const dest = async (message: string, config?: Record<string, unknown>): Promise<unknown> => {
  const e = await sample(message, config);
  expect(e.includes('dest')).toBe(true);
  return e.get('dest');
};
const K = 1024;

describe('bytes', () => {
  it.each(['', 'abcdef', 'mb'])('fails on %j', async (s) => {
    expect((await sample(s)).get('tags')).toEqual(['boom', '_bytesparsefailure']);
  });
  it('no units', async () => {
    expect(await dest('0')).toBe(0);
    expect(await dest('123')).toBe(123);
    expect(await dest('12.3')).toBe(12);
  });
  it('from bytes', async () => { expect(await dest('32.8B')).toBe(33); });
  it('from kilobytes', async () => {
    expect(await dest('32kB')).toBe(32 * K);
    expect(await dest('32KB')).toBe(32 * K);
  });
  it.each([['m', 2], ['g', 3], ['t', 4]] as const)('from %s-bytes, any case', async (p, n) => {
    for (const s of [`32${p}B`, `32${p}b`, `32${p.toUpperCase()}B`]) expect(await dest(s)).toBe(32 * K ** n);
  });
  it.each([['p', 5n], ['e', 6n]] as const)('from %s-bytes (beyond 2^53: exact integers, as Ruby)', async (p, n) => {
    for (const s of [`32${p}B`, `32${p}b`, `32${p.toUpperCase()}B`]) expect(await dest(s)).toBe(32n * 1024n ** n);
  });
  it('with spaces', async () => {
    expect(await dest('32 mb')).toBe(32 * K * K);
    expect(await dest('32\tmb')).toBe(32 * K * K);
  });
  it('using the metric conversion system', async () => {
    expect(await dest('32 mb', { target: 'dest', conversion_method: 'metric' })).toBe(32 * 1000 * 1000);
  });
  it('no decimal separator', async () => {
    expect(await dest('3 mb')).toBe(3 * K * K);
    expect(await dest('3,124 mb')).toBe(3124 * K * K);
  });
  it('digits only to the right of the decimal separator', async () => {
    expect(await dest('.3124 mb')).toBe(Math.round(0.3124 * K * K));
  });
  it('digits only to the left of the decimal separator', async () => {
    expect(await dest('3. mb')).toBe(3 * K * K);
    expect(await dest('3,124. mb')).toBe(3124 * K * K);
  });
  it('digits on both sides of the decimal separator', async () => {
    expect(await dest('3.56 mb')).toBe(Math.round(3.56 * K * K));
    expect(await dest('3,124.56 mb')).toBe(Math.round(3124.56 * K * K));
  });
  it('non-default decimal separator', async () => {
    const config = { target: 'dest', decimal_separator: ',' };
    expect(await dest('3,9 mb', config)).toBe(Math.round(3.9 * K * K));
    expect(await dest('1.9 kb', config)).toBe(19 * K);
    expect(await dest('3.124,56 mb', config)).toBe(Math.round(3124.56 * K * K));
  });
  it('two decimal separators fail', async () => {
    expect((await sample('1.000.000 mb')).get('tags')).toEqual(['boom', '_bytesparsefailure']);
    expect((await sample('1,000,000 mb', { ...BASE, decimal_separator: ',' })).get('tags')).toEqual(['boom', '_bytesparsefailure']);
  });
  it('a non-string source fails; the default tag is _bytesparsefailure', async () => {
    const e = await filterOne(bytes, { target: 'dest' }, { message: 12 });
    expect(e.get('tags')).toEqual(['_bytesparsefailure']);
  });
  it('a target is needed', async () => {
    await expect(createPlugin(bytes, {})).rejects.toThrow(/target/);
  });
});
