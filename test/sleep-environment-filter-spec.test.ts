// Ports of logstash-filter-sleep's (spec/filters/sleep_spec.rb) and logstash-filter-environment's
// (spec/filters/environment_spec.rb) RSpec examples. The sleep spec stubs `sleep`; here the filter's
// schedule (how long it pauses before each event) is checked instead of waiting.
import { afterEach, describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { Timestamp } from '../src/event/timestamp.js';
import environment from '../src/filters/environment.js';
import sleep, { rubyToF, SleepSchedule } from '../src/filters/sleep.js';
import { createPlugin } from './helpers/plugin-context.js';
import { filterOne } from './helpers/filter-run.js';

describe('sleep', () => {
  const ev = (): Event => new Event({ name: 'foo' });
  it('registers without errors', async () => {
    await expect(createPlugin(sleep, { time: '1' })).resolves.toBeDefined();
  });
  it('time is required unless replay', async () => {
    await expect(createPlugin(sleep, {})).rejects.toThrow(/time/);
    await expect(createPlugin(sleep, { replay: true })).resolves.toBeDefined();
  });
  it('sleeps for N seconds and continues', () => {
    const s = new SleepSchedule({ time: '5', every: '1', replay: false });
    expect(s.next(ev())).toBe(5);
  });
  it('when using every N events: 4 sleeps of 5 s for 20 events (every given as a string too)', () => {
    for (const every of ['5', '5.0']) {
      const s = new SleepSchedule({ time: '5', every, replay: false });
      const delays = Array.from({ length: 20 }, () => s.next(ev()));
      expect(delays.filter((d) => d === 5)).toHaveLength(4);
      expect(delays.filter((d) => d === 0)).toHaveLength(16);
    }
  });
  it('time is sprintf-ed per event and read as to_f', () => {
    const s = new SleepSchedule({ time: '%{delay}', every: '1', replay: false });
    expect(s.next(new Event({ delay: '0.25s' }))).toBe(0.25);
    expect(s.next(new Event({}))).toBe(0);
  });
  it('replay sleeps for the gap between timestamps divided by time', () => {
    const s = new SleepSchedule({ time: '2', every: '1', replay: true });
    const at = (ms: number): Event => new Event({ '@timestamp': new Timestamp(ms) });
    expect(s.next(at(10_000))).toBe(0);
    expect(s.next(at(14_000))).toBe(2);
    expect(s.next(at(13_000))).toBe(0);
  });
  it("Ruby's to_f", () => {
    expect(rubyToF('1.5e1x')).toBe(15);
    expect(rubyToF('abc')).toBe(0);
    expect(rubyToF(' 2_0')).toBe(20);
  });
  it('the filter waits, then succeeds', async () => {
    const f = await createPlugin(sleep, { time: '0.01' });
    const t0 = Date.now();
    expect(await f.filter(ev(), () => {})).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(5);
  });
});

describe('environment', () => {
  afterEach(() => { delete process.env.MY_ENV_VAR; });
  it('adds a [@metadata] field from the environment (array form of the hash option)', async () => {
    process.env.MY_ENV_VAR = 'hello world';
    const e = await filterOne(environment, { add_metadata_from_env: ['newfield', 'MY_ENV_VAR'] }, { message: 'example' });
    expect(e.get('[@metadata][newfield]')).toBe('hello world');
  });
  it('an unset variable gives null', async () => {
    const e = await filterOne(environment, { add_metadata_from_env: { f: 'SLUICE_SURELY_UNSET_VAR' }, add_tag: ['env'] }, { message: 'x' });
    expect(e.includes('[@metadata][f]')).toBe(true);
    expect(e.get('[@metadata][f]')).toBeNull();
    expect(e.get('tags')).toEqual(['env']);
  });
});
