// Ports of logstash-filter-aggregate's spec/filters/aggregate_spec.rb (the three-filter set-up: start with
// map_action create, update, end with end_of_task and the timeout options), checked through the events
// rather than the plugin's class variables. Examples that sleep for wall-clock timeouts use
// timeout_timestamp_field here instead (event time), which the plugin also documents.
import { afterEach, describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import type { Hash } from '../src/event/values.js';
import aggregate from '../src/filters/aggregate/index.js';
import type { FilterInstance } from '../src/plugins/api.js';
import { createPlugin, testContext } from './helpers/plugin-context.js';

const open: FilterInstance[] = [];
afterEach(async () => { for (const f of open.splice(0)) await f.close?.(); });

async function setup(config: Record<string, unknown>, pipeline = 'main'): Promise<FilterInstance> {
  const ctx = { ...testContext({}, 'filter', 'aggregate'), pipelineId: pipeline };
  const f = await createPlugin(aggregate, { task_id: '%{taskid}', ...config }, ctx);
  open.push(f);
  return f;
}
async function run(f: FilterInstance, data: Hash | Event): Promise<{ event: Event; emitted: Event[] }> {
  const event = data instanceof Event ? data : new Event(data);
  const emitted: Event[] = [];
  await f.filter(event, (e) => emitted.push(e));
  return { event, emitted };
}
const END_OPTS = { timeout_task_id_field: 'my_id', push_map_as_event_on_timeout: true, map_action: 'update', code: "event.set('sql_duration', map['sql_duration'])", end_of_task: true, timeout: 5, inactivity_timeout: 2, timeout_code: "event.set('test', 'testValue')", timeout_tags: ['tag1', 'tag2'] };
async function three(extraEnd: Record<string, unknown> = {}): Promise<[FilterInstance, FilterInstance, FilterInstance]> {
  return [
    await setup({ map_action: 'create', code: "map['sql_duration'] = 0" }),
    await setup({ map_action: 'update', code: "map['sql_duration'] += event.get('duration')" }),
    await setup({ ...END_OPTS, ...extraEnd }),
  ];
}

describe('aggregate filter: validation (aggregate_spec.rb)', () => {
  it('refuses a task_id without a dynamic expression', async () => {
    await expect(setup({ code: '', task_id: 'static_value' })).rejects.toThrow(/must contain a dynamic expression like '%\{field\}'/);
  });
  it('refuses an inactivity_timeout longer than timeout', async () => {
    await expect(setup({ task_id: '%{taskid2}', code: '', timeout: 2, inactivity_timeout: 3 })).rejects.toThrow(/inactivity_timeout \(3\) must be lower than timeout \(2\)/);
  });
  it('refuses timeout options on two filters of one task_id pattern', async () => {
    await setup({ code: '', timeout: 10 });
    await expect(setup({ code: '', push_map_as_event_on_timeout: true })).rejects.toThrow(/more than one filter which defines timeout options/);
  });
  it('refuses Ruby it cannot run, naming what is supported', async () => {
    await expect(setup({ code: 'map.each { |k, v| puts k }' })).rejects.toThrow(/Ruby that sluice cannot run/);
  });
});

describe('aggregate filter: start, update and end events (aggregate_spec.rb)', () => {
  it('adds sql_duration to the end event and forgets the task', async () => {
    const [start, update, end] = await three();
    await run(start, { taskid: 'id_123', logger: 'TASK_START' });
    await run(update, { taskid: 'id_123', duration: 2 });
    const { event } = await run(end, { taskid: 'id_123' });
    expect(event.get('sql_duration')).toBe(2);
    // The task is gone: a second end event finds no map.
    expect((await run(end, { taskid: 'id_123' })).event.get('sql_duration')).toBeUndefined();
  });
  it('keeps the first of two start events for one task id', async () => {
    const [start, update, end] = await three();
    await run(start, { taskid: 'id124' });
    await run(update, { taskid: 'id124', duration: 2 });
    await run(start, { taskid: 'id124' });
    expect((await run(end, { taskid: 'id124' })).event.get('sql_duration')).toBe(2);
  });
  it('does nothing with an end event without a start, or without an id, or another id', async () => {
    const [start, , end] = await three();
    expect((await run(end, { taskid: 'id124' })).event.get('sql_duration')).toBeUndefined();
    await run(start, { taskid: 'id_123' });
    expect((await run(end, {})).event.get('sql_duration')).toBeUndefined();
    expect((await run(end, { taskid: 'id_123_different' })).event.get('sql_duration')).toBeUndefined();
    expect((await run(end, { taskid: 'id_123' })).event.get('sql_duration')).toBe(0);
  });
  it('works with an integer task id', async () => {
    const [start, , end] = await three();
    await run(start, { taskid: 124 });
    expect((await run(end, { taskid: 124 })).event.get('sql_duration')).toBe(0);
  });
  it('tags the event _aggregateexception when the code fails, and logs it', async () => {
    const f = await setup({ code: "fail 'Test'" }, 'p-exc');
    const { event } = await run(f, { taskid: 'id124' });
    expect(event.get('tags')).toEqual(['_aggregateexception']);
    const g = await setup({ code: "map['x'] += 1" }, 'p-exc2');
    expect((await run(g, { taskid: 'a' })).event.get('tags')).toEqual(['_aggregateexception']);
  });
  it('applies the common options only when the code ran', async () => {
    const f = await setup({ map_action: 'update', code: "map['a'] = 1", add_tag: ['aggregated'] }, 'p-common');
    expect((await run(f, { taskid: 'x' })).event.tags).toEqual([]);
  });
});

describe('aggregate filter: timeouts and pushed maps', () => {
  it('pushes an expired map as an event with the task id, timeout tags and timeout_code (event time)', async () => {
    const f = await setup({ code: "map['n'] ||= 0; map['n'] += 1", push_map_as_event_on_timeout: true, timeout: 5, timeout_timestamp_field: '@timestamp', timeout_task_id_field: 'my_id', timeout_tags: ['tag1', 'tag2'], timeout_code: "event.set('test', 'testValue')" }, 'p-timeout');
    await run(f, { '@timestamp': '2024-01-01T00:00:00Z', taskid: 'a' });
    await run(f, { '@timestamp': '2024-01-01T00:00:03Z', taskid: 'a' });
    const { emitted } = await run(f, { '@timestamp': '2024-01-01T00:00:10Z', taskid: 'a' });
    expect(emitted).toHaveLength(1);
    expect(emitted[0]!.get('n')).toBe(2);
    expect(emitted[0]!.get('my_id')).toBe('a');
    expect(emitted[0]!.get('test')).toBe('testValue');
    expect(emitted[0]!.tags).toEqual(['tag1', 'tag2']);
  });
  it('pushes the previous map when a new task starts, and the last one at the final flush', async () => {
    const f = await setup({ code: "map['towns'] ||= []; map['towns'] << {'town_name' => event.get('town')}; map['country'] = event.get('country')", push_previous_map_as_event: true, timeout: 5, timeout_task_id_field: 'country_name', task_id: '%{country}' }, 'p-prev');
    await run(f, { country: 'France', town: 'Paris' });
    await run(f, { country: 'France', town: 'Lyon' });
    const { emitted } = await run(f, { country: 'Spain', town: 'Madrid' });
    expect(emitted).toHaveLength(1);
    expect(emitted[0]!.get('towns')).toEqual([{ town_name: 'Paris' }, { town_name: 'Lyon' }]);
    expect(emitted[0]!.get('country_name')).toBe('France');
    const final = f.flush!(true);
    expect(final).toHaveLength(1);
    expect(final[0]!.get('towns')).toEqual([{ town_name: 'Madrid' }]);
    expect(final[0]!.tags).toEqual(['_aggregatefinalflush']);
  });
  it('expires maps on the periodic flush (wall clock)', async () => {
    const f = await setup({ code: "map['n'] = 1", push_map_as_event_on_timeout: true, timeout: 0.05 }, 'p-flush');
    await run(f, { taskid: 'a' });
    expect(f.flush!(false)).toEqual([]);
    await new Promise((r) => setTimeout(r, 120));
    const out = f.flush!(false);
    expect(out).toHaveLength(1);
    expect(out[0]!.get('n')).toBe(1);
  });
});

describe('aggregate filter: aggregate_maps_path', () => {
  it('saves the maps at close and loads them at the next start', async () => {
    const { mkdtempSync, existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const path = join(mkdtempSync(join(tmpdir(), 'agg-')), 'maps');
    const f = await setup({ code: "map['n'] ||= 0; map['n'] += 1", aggregate_maps_path: path }, 'p-path');
    await run(f, { taskid: 'a' });
    await f.close!();
    open.splice(open.indexOf(f), 1);
    expect(existsSync(path)).toBe(true);
    const g = await setup({ code: "map['n'] ||= 0; map['n'] += 1", aggregate_maps_path: path }, 'p-path');
    const end = await setup({ code: "event.set('n', map['n'])", end_of_task: true, map_action: 'update' }, 'p-path');
    await run(g, { taskid: 'a' });
    expect((await run(end, { taskid: 'a' })).event.get('n')).toBe(2);
    expect(existsSync(path)).toBe(false);
  });
});
