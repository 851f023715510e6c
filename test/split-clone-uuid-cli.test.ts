// split, clone and uuid through the real CLI: new events take the original's place and go through the
// filters after them (examples from the plugins' spec files).
import { describe, expect, it } from 'vitest';
import { runFilterSection } from './helpers/pipeline-cli.js';

describe('split through sluice run', () => {
  it('lines and arrays fan out in order; later filters see the new events', async () => {
    const { events } = await runFilterSection(
      'split { } split { field => "arr" target => "el" add_tag => ["el"] } mutate { add_field => { "seen" => "%{message}" } }',
      [{ message: 'big\nbird', arr: [1, 2] }, { message: 'one', n: 10 }]);
    expect(events.map((e) => [e.message, e.el, e.seen])).toEqual([
      ['big', 1, 'big'], ['big', 2, 'big'], ['bird', 1, 'bird'], ['bird', 2, 'bird'], ['one', undefined, 'one'],
    ]);
    expect(events[4]!.tags).toEqual(['_split_type_failure']);
  });
});

describe('clone through sluice run', () => {
  it('ECS mode tags the copy, legacy mode sets its type; add_tag only on the copies', async () => {
    const input = [{ message: 'hello world', type: 'original' }];
    const ecs = await runFilterSection('clone { clones => ["c1"] add_tag => ["cloned"] }', input);
    expect(ecs.events).toEqual([
      expect.not.objectContaining({ tags: expect.anything() }),
      expect.objectContaining({ type: 'original', tags: ['c1', 'cloned'] }),
    ]);
    const legacy = await runFilterSection('clone { clones => ["c1"] }', input, { args: ['--pipeline.ecs_compatibility', 'disabled'] });
    expect(legacy.events.map((e) => e.type)).toEqual(['original', 'c1']);
  });
});

describe('uuid through sluice run', () => {
  it('adds a v4 uuid unless the field is set', async () => {
    const { events } = await runFilterSection('uuid { target => "id" }', [{ message: 'a' }, { message: 'b', id: 'keep' }]);
    expect(events[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(events[1]!.id).toBe('keep');
  });
});
