// Ports of logstash-filter-throttle's spec/filters/throttle_spec.rb (every example), plus the max_age /
// max_counters flush behaviour read from lib/logstash/filters/throttle.rb.
import { describe, expect, it } from 'vitest';
import type { Hash } from '../src/event/values.js';
import throttle from '../src/filters/throttle.js';
import { filterHarness } from './helpers/filter-run.js';

async function tags(config: Record<string, unknown>, events: Hash[]): Promise<unknown[]> {
  const h = await filterHarness(throttle, { add_tag: ['throttled'], ...config });
  const out: unknown[] = [];
  for (const e of events) out.push((await h.run(e))[0]!.get('tags'));
  return out;
}
const host = (n: number, k = 'server1'): Hash[] => Array.from({ length: n }, () => ({ host: k }));

describe('throttle filter (throttle_spec.rb)', () => {
  it('no before_count: the first event is not throttled', async () => {
    expect(await tags({ period: '60', after_count: 2, key: '%{host}' }, host(1))).toEqual([undefined]);
  });
  it('before_count throttled', async () => {
    expect(await tags({ period: '60', before_count: 2, after_count: 3, key: '%{host}' }, host(1))).toEqual([['throttled']]);
  });
  it('before_count exceeded', async () => {
    expect(await tags({ period: '60', before_count: 2, after_count: 3, key: '%{host}' }, host(2))).toEqual([['throttled'], undefined]);
  });
  it('after_count exceeded', async () => {
    expect(await tags({ period: '60', before_count: 2, after_count: 3, key: '%{host}' }, host(4))).toEqual([['throttled'], undefined, undefined, ['throttled']]);
  });
  it('different keys are counted apart', async () => {
    expect(await tags({ period: '60', after_count: 2, key: '%{host}' }, ['server1', 'server2', 'server3', 'server4'].map((h) => ({ host: h })))).toEqual([undefined, undefined, undefined, undefined]);
  });
  it('composite key', async () => {
    const events = [['server1', 'foo'], ['server1', 'bar'], ['server2', 'foo'], ['server2', 'bar']].map(([h, m]) => ({ host: h!, message: m! }));
    expect(await tags({ period: '60', after_count: 1, key: '%{host}%{message}' }, events)).toEqual([undefined, undefined, undefined, undefined]);
  });
  it('assigns time slots from the first event of the key, after_count exceeded', async () => {
    const ts = ['00:05:00', '00:05:59', '00:10:33', '00:10:34', '00:00:00', '00:00:45'];
    const events = ts.map((t) => ({ '@timestamp': `2016-07-09T${t}.000Z`, message: 'server1' }));
    expect(await tags({ period: '60', after_count: 1, key: '%{message}' }, events)).toEqual([undefined, ['throttled'], undefined, ['throttled'], undefined, ['throttled']]);
  });
  it('asynchronous input, after_count exceeded', async () => {
    const ts = ['00:01:00', '00:00:30', '00:01:59', '00:00:59'];
    const events = ts.map((t) => ({ '@timestamp': `2016-07-09T${t}.000Z`, message: 'server1' }));
    expect(await tags({ period: '60', after_count: 1, key: '%{message}' }, events)).toEqual([undefined, undefined, ['throttled'], ['throttled']]);
  });
  it('falls back to a 60 s period when period is not a number, and sprintfs it', async () => {
    const ev = (t: string, p: string): Hash => ({ '@timestamp': `2016-07-09T${t}.000Z`, message: 'm', p });
    expect(await tags({ period: '%{p}', after_count: 1, key: '%{message}' }, [ev('00:00:00', 'x'), ev('00:00:59', 'x'), ev('00:01:00', 'x')])).toEqual([undefined, ['throttled'], undefined]);
    expect(await tags({ period: '%{p}', after_count: 1, key: '%{message}' }, [ev('00:00:00', '10'), ev('00:00:09', '10'), ev('00:00:10', '10')])).toEqual([undefined, ['throttled'], undefined]);
  });
  it('applies the other common options only to throttled events', async () => {
    const h = await filterHarness(throttle, { key: '%{host}', after_count: 1, add_field: { t: 'yes' } });
    expect((await h.run({ host: 'a' }))[0]!.get('t')).toBeUndefined();
    expect((await h.run({ host: 'a' }))[0]!.get('t')).toBe('yes');
  });
  it('forgets keys older than max_age on flush and lowers max_age past max_counters', async () => {
    const h = await filterHarness(throttle, { key: '%{k}', after_count: 1, max_age: 100, max_counters: 1, add_tag: ['throttled'] });
    await h.run({ '@timestamp': '2016-07-09T00:00:00Z', k: 'old' });
    await h.run({ '@timestamp': '2016-07-09T01:00:00Z', k: 'new' });
    await h.run({ '@timestamp': '2016-07-09T01:00:00Z', k: 'other' });
    h.instance.flush!(false);
    expect(h.ctx.logs.some((l) => /Decreased timeslot max_age to 95 because max_counters exceeded by 1/.test(l.msg))).toBe(true);
    // The "old" key was forgotten: its counter starts again.
    expect((await h.run({ '@timestamp': '2016-07-09T00:00:01Z', k: 'old' }))[0]!.get('tags')).toBeUndefined();
  });
});
