// Ports of logstash-filter-clone's RSpec examples (spec/filters/clone_spec.rb,
// logstash-plugins/logstash-filter-clone), run in both ECS modes as the spec's matrix does.
import { describe, expect, it } from 'vitest';
import type { Hash } from '../src/event/values.js';
import clone from '../src/filters/clone.js';
import { createPlugin, testContext } from './helpers/plugin-context.js';
import { filterHarness } from './helpers/filter-run.js';

describe.each(['disabled', 'v8'] as const)('clone (ecs %s)', (ecs) => {
  const run = async (config: Record<string, unknown>, data: Hash) => {
    const h = await filterHarness(clone, config, { ecs });
    return h.run(data);
  };

  it('all defaults: generates new clones + current event', async () => {
    const events = await run({ clones: ['clone', 'clone', 'clone'] }, { message: 'hello world', type: 'original' });
    expect(events).toHaveLength(4);
    events.forEach((s, i) => {
      expect(s.get('message')).toBe('hello world');
      if (ecs === 'disabled') expect(s.get('type')).toBe(i === 0 ? 'original' : 'clone');
      else {
        expect(s.get('type')).toBe('original');
        if (i > 0) expect(s.get('tags')).toContain('clone');
      }
    });
  });

  it('complex use: add_tag/remove_tag on the clones only', async () => {
    const events = await run(
      { clones: ['nginx-access-clone1', 'nginx-access-clone2'], add_tag: ['RABBIT', 'NO_ES'], remove_tag: ['TESTLOG'] },
      { type: 'nginx-access', tags: ['TESTLOG'], message: 'hello world' });
    expect(events).toHaveLength(3);
    expect(events[0]!.get('type')).toBe('nginx-access');
    expect(events[0]!.get('tags')).toEqual(['TESTLOG']);
    for (const i of [1, 2]) {
      const tags = events[i]!.get('tags');
      expect(tags).not.toContain('TESTLOG');
      expect(tags).toContain('RABBIT');
      expect(tags).toContain('NO_ES');
      expect(events[i]!.get('type')).toBe(ecs === 'disabled' ? `nginx-access-clone${i}` : 'nginx-access');
      if (ecs !== 'disabled') expect(tags).toContain(`nginx-access-clone${i}`);
    }
  });

  it('Bug LOGSTASH-1225: clones events containing numbers', async () => {
    const events = await run({ clones: ['clone1'] }, { type: 'bug-1225', message: 'unused', number: 5 });
    expect(events[0]!.get('number')).toBe(5);
    expect(events[1]!.get('number')).toBe(5);
  });

  it('a clone is a deep copy', async () => {
    const events = await run({ clones: ['c'] }, { nested: { a: 1 } });
    events[1]!.set('[nested][a]', 2);
    expect(events[0]!.get('[nested][a]')).toBe(1);
  });
});

describe('clone #register', () => {
  it('logs a warning when clones is empty', async () => {
    const ctx = testContext({}, 'filter', 'clone');
    await createPlugin(clone, { clones: [] }, ctx);
    expect(ctx.logs.some((l) => l.level === 'warn' && l.msg.includes("'clones' is empty"))).toBe(true);
  });
  it('clones is required', () => {
    expect(clone.allOptions.clones?.required).toBe(true);
  });
});
