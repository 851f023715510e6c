// Ports of logstash-filter-split's RSpec examples (spec/filters/split_spec.rb,
// logstash-plugins/logstash-filter-split), plus Ruby String#split rules the plugin inherits.
import { describe, expect, it } from 'vitest';
import type { Event } from '../src/event/event.js';
import type { Hash } from '../src/event/values.js';
import split, { rubySplit } from '../src/filters/split.js';
import { filterHarness } from './helpers/filter-run.js';

/** What leaves the filter: the original unless dropped, then the new events. */
async function sample(config: Record<string, unknown>, data: Hash): Promise<Event[]> {
  const h = await filterHarness(split, config);
  return (await h.run(data)).filter((e) => !e.cancelled);
}

describe('split', () => {
  it('all defaults: "big\\n" gives one event "big"', async () => {
    const out = await sample({}, { message: 'big\n' });
    expect(out.map((e) => e.get('message'))).toEqual(['big']);
  });
  it('all defaults: three lines give three events', async () => {
    const out = await sample({}, { message: 'big\nbird\nsesame street' });
    expect(out.map((e) => e.get('message'))).toEqual(['big', 'bird', 'sesame street']);
  });
  it('custom terminator', async () => {
    const out = await sample({ terminator: '\t' }, { message: 'big\tbird\tsesame street' });
    expect(out.map((e) => e.get('message'))).toEqual(['big', 'bird', 'sesame street']);
  });
  it('custom field: other fields untouched', async () => {
    const out = await sample({ field: 'custom' }, { custom: 'big\nbird\nsesame street', do_not_touch: '1\n2\n3' });
    expect(out.map((e) => e.get('custom'))).toEqual(['big', 'bird', 'sesame street']);
    for (const e of out) expect(e.get('do_not_touch')).toBe('1\n2\n3');
  });
  describe('split array', () => {
    it('three elements', async () => {
      const out = await sample({ field: 'array' }, { array: ['big', 'bird', 'sesame street'], untouched: '1\n2\n3' });
      expect(out.map((e) => e.get('array'))).toEqual(['big', 'bird', 'sesame street']);
      for (const e of out) expect(e.get('untouched')).toBe('1\n2\n3');
    });
    it('one element gives one event with the element', async () => {
      const out = await sample({ field: 'array' }, { array: ['big'], untouched: '1\n2\n3' });
      expect(out).toHaveLength(1);
      expect(out[0]!.get('array')).toBe('big');
    });
    it('single-element', async () => {
      const out = await sample({ field: 'array' }, { array: ['single-element'], untouched: '1\n2\n3' });
      expect(out[0]!.get('array')).toBe('single-element');
      expect(out[0]!.get('untouched')).toBe('1\n2\n3');
    });
  });
  it('array with nil: nils give no event', async () => {
    const out = await sample({ field: 'array' }, { array: ['big', null, 'bird', null, 'sesame street'] });
    expect(out.map((e) => e.get('array'))).toEqual(['big', 'bird', 'sesame street']);
  });
  it('array into new field', async () => {
    const out = await sample({ field: 'array', target: 'element' }, { array: ['big', 'bird', 'sesame street'] });
    expect(out.map((e) => e.get('element'))).toEqual(['big', 'bird', 'sesame street']);
    expect(out[0]!.get('array')).toEqual(['big', 'bird', 'sesame street']);
  });
  it('array of numerics', async () => {
    const out = await sample({ field: 'array', target: 'element' }, { array: [1, 2, 3] });
    expect(out.map((e) => e.get('element'))).toEqual([1, 2, 3]);
  });
  it('array of numerics and strings: empty strings give no event', async () => {
    const out = await sample({ field: 'array', target: 'element' }, { array: [1, 2, 'three', ''] });
    expect(out.map((e) => e.get('element'))).toEqual([1, 2, 'three']);
  });
  describe('when an invalid type is passed', () => {
    it('logs a warning and tags _split_type_failure', async () => {
      const h = await filterHarness(split, { field: 'field' });
      const [e] = await h.run({ field: 10 });
      expect(e!.get('tags')).toContain('_split_type_failure');
      expect(e!.cancelled).toBe(false);
      expect(h.ctx.logs.some((l) => l.level === 'warn' && /Only String and Array types are splittable/.test(l.msg))).toBe(true);
    });
  });

  it('common options go on the new events only; a one-piece string is left as it is', async () => {
    const h = await filterHarness(split, { add_tag: ['split'] });
    const out = (await h.run({ message: 'a\nb' })).filter((e) => !e.cancelled);
    expect(out.map((e) => e.get('tags'))).toEqual([['split'], ['split']]);
    const [one] = await h.run({ message: 'single' });
    expect(one!.cancelled).toBe(false);
    expect(one!.includes('tags')).toBe(false);
  });
  it("Ruby's split(terminator, -1): trailing empty pieces kept (and dropped as events), awk-style space", () => {
    expect(rubySplit('a\n\nb\n', '\n')).toEqual(['a', '', 'b', '']);
    expect(rubySplit('', '\n')).toEqual([]);
    expect(rubySplit('  a  b ', ' ')).toEqual(['a', 'b', '']);
    expect(rubySplit('\t \n', ' ')).toEqual(['']);
  });
});
