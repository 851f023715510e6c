import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { createFilterRunner } from '../src/runtime/filter-runner.js';
import { FILTER_EXCEPTION_TAG } from '../src/runtime/graph.js';
import { filterStep, ifStep } from './helpers/plans.js';

const ev = (message: string, extra: Record<string, string> = {}) => new Event({ message, ...extra });
const messages = (es: Event[]) => es.map((e) => e.get('message'));

describe('filter graph', () => {
  it('runs filters in config order and applies common options only on success', async () => {
    const runner = await createFilterRunner({
      inputs: [], outputs: [],
      filters: [
        filterStep((e) => { e.set('step', '1'); return true; }, { add_tag: ['ok_%{step}'], add_field: { seen: 'yes' } }),
        filterStep((e) => { e.set('step', `${e.get('step')}2`); return false; }, { add_tag: ['never'] }),
      ],
    });
    const [out] = await runner.process([ev('a')]);
    expect(out!.get('step')).toBe('12');
    expect(out!.tags).toEqual(['ok_1']);
    expect(out!.get('seen')).toBe('yes');
  });

  it('applies add_field, remove_field, add_tag, remove_tag in Logstash order', async () => {
    const runner = await createFilterRunner({
      inputs: [], outputs: [],
      filters: [filterStep(() => true, { add_field: { a: 'x', b: 'y' }, remove_field: ['a'], add_tag: ['t1', 't2'], remove_tag: ['t1'] })],
    });
    const [out] = await runner.process([ev('m', { b: 'old' })]);
    expect(out!.get('a')).toBeUndefined();
    expect(out!.get('b')).toEqual(['old', 'y']); // an existing field becomes an array
    expect(out!.tags).toEqual(['t2']);
  });

  it('routes through if / else if / else and keeps event order', async () => {
    const isA = (e: Event) => e.get('message') === 'a';
    const isB = (e: Event) => e.get('message') === 'b';
    const runner = await createFilterRunner({
      inputs: [], outputs: [],
      filters: [ifStep(
        [isA, [filterStep((e) => { e.set('branch', 'if'); return true; })]],
        [isB, [filterStep((e) => { e.set('branch', 'elseif'); return true; })]],
        [null, [filterStep((e) => { e.set('branch', 'else'); return true; })]],
      ), filterStep((e) => { e.set('after', true); return true; })],
    });
    const out = await runner.process(['a', 'b', 'c', 'a'].map((m) => ev(m)));
    expect(out.map((e) => [e.get('message'), e.get('branch'), e.get('after')])).toEqual([
      ['a', 'if', true], ['b', 'elseif', true], ['c', 'else', true], ['a', 'if', true],
    ]);
  });

  it('drops cancelled events and sends emitted events through the following filters', async () => {
    const runner = await createFilterRunner({
      inputs: [], outputs: [],
      filters: [
        filterStep((e, emit) => { if (e.get('message') === 'split') { emit(ev('child1')); emit(ev('child2')); e.cancel(); } return true; }),
        filterStep((e) => { if (e.get('message') === 'drop') e.cancel(); return true; }),
        filterStep((e) => { e.set('last', true); return true; }),
      ],
    });
    const out = await runner.process(['x', 'split', 'drop', 'y'].map((m) => ev(m)));
    expect(messages(out)).toEqual(['x', 'child1', 'child2', 'y']);
    expect(out.every((e) => e.get('last') === true)).toBe(true);
  });

  it('tags an event whose filter throws and keeps going', async () => {
    const runner = await createFilterRunner({
      inputs: [], outputs: [],
      filters: [
        filterStep((e) => { if (e.get('message') === 'bad') throw new Error('boom'); return true; }, { add_tag: ['ok'] }),
        filterStep((e) => { e.set('after', 1); return true; }),
      ],
    });
    const out = await runner.process([ev('good'), ev('bad'), ev('good2')]);
    expect(out.map((e) => e.tags)).toEqual([['ok'], [FILTER_EXCEPTION_TAG], ['ok']]);
    expect(out.every((e) => e.get('after') === 1)).toBe(true);
  });

  it('awaits filters that return a promise without reordering events', async () => {
    const runner = await createFilterRunner({
      inputs: [], outputs: [],
      filters: [filterStep(async (e) => { await new Promise((r) => setTimeout(r, e.get('message') === 'slow' ? 20 : 0)); e.set('done', true); return true; })],
    });
    const out = await runner.process([ev('slow'), ev('fast')]);
    expect(messages(out)).toEqual(['slow', 'fast']);
  });

  it('flushes filters that hold events at close, through the filters after them', async () => {
    const held: Event[] = [];
    const runner = await createFilterRunner({
      inputs: [], outputs: [],
      filters: [
        filterStep((e) => { held.push(e.clone()); e.cancel(); return true; }, {}, { flush: () => held.splice(0) }),
        filterStep((e) => { e.set('after', true); return true; }),
      ],
    });
    expect(await runner.process([ev('a'), ev('b')])).toEqual([]);
    const flushed = await runner.flush();
    await runner.close();
    expect(messages(flushed)).toEqual(['a', 'b']);
    expect(flushed.every((e) => e.get('after') === true)).toBe(true);
  });
});
