import { testContext } from './helpers/plugin-context.js';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import type { FilterDefinition } from '../src/plugins/api.js';
import { withDefaults } from '../src/runtime/instantiate.js';
import mutate from '../src/filters/mutate.js';

async function run(opts: Record<string, unknown>, data: Record<string, unknown>): Promise<{ event: Event; ok: boolean }> {
  const d = mutate as FilterDefinition;
  const ctx = testContext({ ecs: 'v8', id: 'mutate' });
  const event = new Event(data as never);
  const ok = await (await d.create(withDefaults(d, opts), ctx)).filter(event, () => {});
  return { event, ok };
}

describe('mutate operation order', () => {
  it('runs rename before update/replace, whatever the config order', async () => {
    // update sees the renamed field; replace then overwrites it.
    const { event } = await run({ replace: { b: 'replaced' }, update: { b: 'updated-%{b}' }, rename: { a: 'b' } }, { a: 'orig' });
    expect(event.includes('a')).toBe(false);
    expect(event.get('b')).toBe('replaced');
  });

  it('runs update before replace', async () => {
    const { event } = await run({ replace: { x: 'r' }, update: { x: 'u' } }, {});
    expect(event.get('x')).toBe('r'); // update skipped (missing), replace created it
  });

  it('converts after replace and before gsub/split/join', async () => {
    const { event } = await run({ join: { n: '-' }, split: { n: ',' }, gsub: ['n', '0', '9'], convert: { n: 'string' }, replace: { n: '10,20' } }, { n: 1 });
    // replace -> "10,20"; convert string -> same; gsub -> "19,29"; split -> ["19","29"]; join -> "19-29"
    expect(event.get('n')).toBe('19-29');
  });

  it('uppercases, then capitalizes, then lowercases', async () => {
    const { event } = await run({ lowercase: ['a'], capitalize: ['a'], uppercase: ['a'] }, { a: 'mIxEd' });
    expect(event.get('a')).toBe('mixed');
    const cap = await run({ capitalize: ['a'], uppercase: ['a'] }, { a: 'mIxEd' });
    expect(cap.event.get('a')).toBe('Mixed');
  });

  it('strips before splitting, merges after joining, copies last', async () => {
    const { event } = await run({ copy: { m: 'c' }, merge: { m: 'j' }, join: { j: '+' }, split: { s: ',' }, strip: ['s'] }, { s: ' a,b ', j: ['x', 'y'], m: ['0'] });
    expect(event.get('s')).toEqual(['a', 'b']);
    expect(event.get('j')).toBe('x+y');
    expect(event.get('m')).toEqual(['0', 'x+y']);
    expect(event.get('c')).toEqual(['0', 'x+y']);
  });

  it('coerces before anything else', async () => {
    const { event } = await run({ uppercase: ['a'], coerce: { a: 'dflt' } }, { a: null });
    expect(event.get('a')).toBe('DFLT');
  });

  it('stops at the first failure, keeping earlier changes, and reports failure', async () => {
    const { event, ok } = await run({ replace: { r: 'done' }, convert: { a: 'float' }, uppercase: ['u'] }, { a: 'x', u: 'low' });
    expect(ok).toBe(false);
    expect(event.get('r')).toBe('done');
    expect(event.get('u')).toBe('low');
    expect(event.get('tags')).toEqual(['_mutate_error']);
  });

  it('tags a failure to set a field through a scalar', async () => {
    const { event, ok } = await run({ replace: { '[a][b]': 'x' } }, { a: 'scalar' });
    expect(ok).toBe(false);
    expect(event.hasTag('_mutate_error')).toBe(true);
  });
});
