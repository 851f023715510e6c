// Ports of logstash-filter-elapsed's RSpec examples (spec/filters/elapsed_spec.rb,
// logstash-plugins/logstash-filter-elapsed at 6f0dfd6). The spec reads and sets the plugin's `start_events`
// (ages included); the port does the same through the instance's `startEvents`. Every example is ported.
import { hostname } from 'node:os';
import { beforeEach, describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { Timestamp } from '../src/event/timestamp.js';
import type { Hash } from '../src/event/values.js';
import { LsFloat } from '../src/event/values.js';
import elapsed, { type ElapsedInstance } from '../src/filters/elapsed.js';
import type { FilterInstance } from '../src/plugins/api.js';
import { filterHarness, type FilterHarness } from './helpers/filter-run.js';

const START = 'startTag';
const END = 'endTag';
const ID = 'uniqueIdField';
const ev = (data: Hash): Event => new Event({ message: 'Log message', ...data });
const startEvent = (data: Hash): Event => ev({ ...data, tags: [...((data.tags as string[]) ?? []), START] });
const endEvent = (data: Hash = {}): Event => ev({ ...data, tags: [...((data.tags as string[]) ?? []), END] });

let h: FilterHarness;
const setup = async (config: Record<string, unknown> = {}): Promise<void> => {
  h = await filterHarness(elapsed, { start_tag: START, end_tag: END, unique_id_field: ID, ...config });
};
const starts = (): ElapsedInstance['startEvents'] => (h.instance as FilterInstance & ElapsedInstance).startEvents;
const startOf = (id: string): Event | undefined => starts().get(`s:${id}`)?.event;

beforeEach(async () => { await setup(); });

describe('elapsed: general validation', () => {
  it('does not record an event without start or end tag', async () => {
    await h.run(ev({}));
    expect(starts().size).toBe(0);
  });
  it('does not record an event with other tags', async () => {
    await h.run(ev({ tags: ['tag1', 'tag2'] }));
    expect(starts().size).toBe(0);
  });
});

describe('elapsed: start event', () => {
  it('does not record a start event without the id field', async () => {
    await h.run(ev({ tags: ['tag1', START] }));
    expect(starts().size).toBe(0);
  });
  it('records a start event with an id', async () => {
    const e = startEvent({ [ID]: 'id123' });
    await h.run(e);
    expect(starts().size).toBe(1);
    expect(startOf('id123')).toBe(e);
  });
  it("keeps the last start event with keep_start_event => 'last'", async () => {
    await setup({ keep_start_event: 'last' });
    const first = ev({ tags: [START], [ID]: 'id123' });
    const second = ev({ tags: [START], [ID]: 'id123' });
    await h.run(first); await h.run(second);
    expect(starts().size).toBe(1);
    expect(startOf('id123')).toBe(second);
  });
  it("keeps the first start event with keep_start_event => 'first'", async () => {
    const first = ev({ tags: [START], [ID]: 'id123' });
    const second = ev({ tags: [START], [ID]: 'id123' });
    await h.run(first); await h.run(second);
    expect(starts().size).toBe(1);
    expect(startOf('id123')).toBe(first);
  });
});

describe('elapsed: end event', () => {
  it('does nothing with an end event without an id', async () => {
    await h.run(endEvent());
    expect(starts().size).toBe(0);
  });
  it("tags an end event without a start 'elapsed_end_without_start'", async () => {
    const e = endEvent({ [ID]: 'id_123' });
    await h.run(e);
    expect(e.get('tags')).toContain('elapsed_end_without_start');
  });
});

describe('elapsed: start/end interaction', () => {
  const idValue = 'id_123';
  let start: Event;
  beforeEach(async () => {
    start = startEvent({ [ID]: idValue });
    await h.run(start);
  });
  it('an end without an id does nothing', async () => {
    await h.run(endEvent());
    expect(starts().size).toBe(1);
    expect(startOf(idValue)).toBe(start);
  });
  it('an end with another id does nothing', async () => {
    await h.run(endEvent({ [ID]: `${idValue}_different` }));
    expect(starts().size).toBe(1);
    expect(startOf(idValue)).toBe(start);
  });
  it('an end with the same id deletes the recorded start', async () => {
    await h.run(endEvent({ [ID]: idValue }));
    expect(starts().size).toBe(0);
  });

  const plus10 = (t: Timestamp): Timestamp => new Timestamp(t.epochMs + 10_000, t.nanoOfMilli);
  const checkMatch = (m: Event): void => {
    expect(m.get('tags')).toContain('elapsed');
    expect(m.get('tags')).toContain('elapsed_match');
    expect(m.get('elapsed_time')).toEqual(new LsFloat(10));
    expect((m.get('elapsed_timestamp_start') as Timestamp).equals(start.timestamp)).toBe(true);
    expect(m.get(ID)).toBe(idValue);
  };
  it("new_event_on_match => true creates a new event with the match information and 'host'", async () => {
    await setup({ new_event_on_match: true });
    start = startEvent({ [ID]: idValue });
    await h.run(start);
    const end = endEvent({ [ID]: idValue });
    end.timestamp = plus10(start.timestamp);
    const out = await h.run(end);
    expect(out).toHaveLength(2);
    checkMatch(out[1]!);
    expect(out[1]!.get('host')).toBe(hostname());
  });
  it("new_event_on_match => false modifies the end event", async () => {
    const end = endEvent({ [ID]: idValue });
    end.timestamp = plus10(start.timestamp);
    const out = await h.run(end);
    expect(out).toHaveLength(1);
    checkMatch(end);
  });
});

describe('elapsed: flush', () => {
  const setupAges = async (timeout = 1000): Promise<Event[]> => {
    await setup({ timeout });
    const events = ['1', '2', '3'].map((id) => startEvent({ [ID]: id }));
    for (const e of events) await h.run(e);
    starts().get('s:2')!.age = 25;
    starts().get('s:3')!.age = 26;
    return events;
  };
  it("increments the 'age' of all the recorded start events by 5 seconds", async () => {
    await setupAges();
    const old = [...starts().values()].map((e) => e.age);
    h.instance.flush!(false);
    expect([...starts().values()].map((e) => e.age)).toEqual(old.map((a) => a + 5));
  });
  describe('with a 30 seconds timeout', () => {
    let events: Event[];
    let expired: Event[];
    beforeEach(async () => {
      events = await setupAges(30);
      expired = h.instance.flush!(false);
      expect(starts().size).toBe(1);
      expect(expired).toHaveLength(2);
    });
    it('deletes the start events whose age reached the timeout', () => {
      expect([starts().has('s:1'), starts().has('s:2'), starts().has('s:3')]).toEqual([true, false, false]);
    });
    it("creates events tagged 'elapsed_expired_error' and 'elapsed'", () => {
      for (const e of expired) { expect(e.get('tags')).toContain('elapsed_expired_error'); expect(e.get('tags')).toContain('elapsed'); }
    });
    it('with the id field, the age, the start timestamp and the host', () => {
      expect(expired.map((e) => e.get(ID))).toEqual(['2', '3']);
      expect(expired.map((e) => e.get('elapsed_time'))).toEqual([30, 31]);
      expect((expired[0]!.get('elapsed_timestamp_start') as Timestamp).equals(events[1]!.timestamp)).toBe(true);
      expect((expired[1]!.get('elapsed_timestamp_start') as Timestamp).equals(events[2]!.timestamp)).toBe(true);
      expect(expired.map((e) => e.get('host'))).toEqual([hostname(), hostname()]);
    });
  });
  it('does not age start events between periodic flushes when periodic_flush is false', async () => {
    await setup({ periodic_flush: false, timeout: 5 });
    await h.run(startEvent({ [ID]: 'x' }));
    expect(h.instance.flush!(false)).toEqual([]);
    expect(h.instance.flush!(true)).toHaveLength(1);
  });
});

describe('elapsed: common options', () => {
  it('apply to start and end events before the elapsed tags, and to the events it makes', async () => {
    await setup({ add_tag: ['seen'], new_event_on_match: true });
    const s = startEvent({ [ID]: 'a' });
    await h.run(s);
    const out = await h.run(endEvent({ [ID]: 'a' }));
    expect(s.get('tags')).toEqual([START, 'seen']);
    expect(out[0]!.get('tags')).toEqual([END, 'seen']);
    expect(out[1]!.get('tags')).toEqual(['elapsed', 'elapsed_match', 'seen']);
  });
});
