// Ports of logstash-filter-metrics' spec/filters/metrics_spec.rb (every example). Each `filter.flush` there is
// one flush call here (Logstash calls it every 5 s).
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { LsFloat, type Hash } from '../src/event/values.js';
import metrics from '../src/filters/metrics.js';
import type { FilterInstance } from '../src/plugins/api.js';
import { createPlugin } from './helpers/plugin-context.js';

async function make(config: Record<string, unknown>, events: Hash[] = []): Promise<FilterInstance> {
  const f = await createPlugin(metrics, config);
  for (const e of events) await f.filter(new Event(e), () => {});
  return f;
}
const flush = (f: FilterInstance): Event[] => f.flush!(false);
const num = (v: unknown): number => (v instanceof LsFloat ? v.value : Number(v));

describe('metrics filter: meters (metrics_spec.rb)', () => {
  it('does not flush when no events were received', async () => {
    expect(flush(await make({ meter: ['http_%{response}'] }))).toEqual([]);
  });
  it('flushes counts, rates and the host on the first flush', async () => {
    const [e, ...rest] = flush(await make({ meter: ['http_%{response}'] }, [{ response: 200 }, { response: 200 }, { response: 404 }]));
    expect(rest).toEqual([]);
    expect(e!.get('[http_200][count]')).toBe(2);
    expect(e!.get('[http_404][count]')).toBe(1);
    for (const m of ['http_200', 'http_404']) for (const r of ['rate_1m', 'rate_5m', 'rate_15m']) expect(e!.includes(`[${m}][${r}]`)).toBe(true);
    expect(e!.get('message')).toBe(hostname());
  });
  it('does not reset counts on the second flush', async () => {
    const f = await make({ meter: ['http_%{response}'] }, [{ response: 200 }, { response: 200 }, { response: 404 }]);
    flush(f);
    const events = flush(f);
    expect(events).toHaveLength(1);
    expect(events[0]!.get('[http_200][count]')).toBe(2);
    expect(events[0]!.get('[http_404][count]')).toBe(1);
  });
  it('includes only the requested rates', async () => {
    const [e] = flush(await make({ meter: ['http_%{response}'], rates: [1] }, [{ response: 200 }]));
    expect(Object.keys(e!.get('http_200') as Hash).filter((k) => k.startsWith('rate'))).toEqual(['rate_1m']);
  });
  it('keeps the counts of several instances apart', async () => {
    const f1 = await make({ meter: ['http_%{response}'] }, [{ response: 200 }, { response: 404 }]);
    const f2 = await make({ meter: ['http_%{response}'] }, [{ response: 200 }, { response: 200 }]);
    const [e1] = flush(f1);
    const [e2] = flush(f2);
    expect(e1!.get('[http_200][count]')).toBe(1);
    expect(e2!.get('[http_200][count]')).toBe(2);
    expect(e1!.get('[http_404][count]')).toBe(1);
    expect(e2!.get('http_404')).toBeUndefined();
  });
  it('flushes only every flush_interval seconds', async () => {
    const f = await make({ meter: ['http_%{response}'], flush_interval: 15 }, [{ response: 200 }]);
    expect([1, 2, 3, 4, 5, 6].map(() => flush(f).length)).toEqual([0, 0, 1, 0, 0, 1]);
  });
  it('clears the metrics after clear_interval', async () => {
    const f = await make({ meter: ['http_%{response}'], clear_interval: 15 }, [{ response: 200 }]);
    expect([1, 2, 3].map(() => flush(f)[0]!.get('[http_200][count]'))).toEqual([1, 1, 1]);
    expect(flush(f)).toEqual([]);
  });
  it('refuses rates other than 1, 5 and 15', async () => {
    await expect(make({ meter: ['http_%{response}'], rates: [90] })).rejects.toThrow(/Invalid rates configuration. possible rates are 1, 5, 15/);
  });
  it('skips events older than ignore_older_than', async () => {
    const f = await make({ meter: ['m'], ignore_older_than: 60 }, [{ '@timestamp': '2001-01-01T00:00:00Z' }, {}]);
    expect(flush(f)[0]!.get('[m][count]')).toBe(1);
  });
  it('applies the common options to the metric event only', async () => {
    const f = await createPlugin(metrics, { meter: ['m'], add_tag: ['metric'] });
    const e = new Event({});
    expect(await f.filter(e, () => {})).toBe(false);
    expect(e.tags).toEqual([]);
    expect(flush(f)[0]!.tags).toEqual(['metric']);
  });
});

describe('metrics filter: timers (metrics_spec.rb)', () => {
  it('flushes count, rates, min, max, mean, stddev and percentiles', async () => {
    const [e] = flush(await make({ timer: { http_request_time: '%{request_time}' } }, [{ request_time: 10 }, { request_time: 20 }, { request_time: 30 }]));
    expect(e!.get('[http_request_time][count]')).toBe(3);
    for (const m of ['rate_1m', 'rate_5m', 'rate_15m', 'p1', 'p5', 'p10', 'p90', 'p95', 'p99']) expect(e!.includes(`[http_request_time][${m}]`)).toBe(true);
    expect(num(e!.get('[http_request_time][min]'))).toBe(10);
    expect(num(e!.get('[http_request_time][mean]'))).toBe(20);
    expect(num(e!.get('[http_request_time][stddev]'))).toBe(Math.sqrt(10));
    expect(num(e!.get('[http_request_time][max]'))).toBe(30);
    expect(num(e!.get('[http_request_time][p99]'))).toBe(30);
    expect(num(e!.get('[http_request_time][p1]'))).toBe(10);
  });
  it('includes only the requested rates and percentiles', async () => {
    const [e] = flush(await make({ timer: { http_request_time: 'request_time' }, rates: [1], percentiles: [1, 2] }, [{ request_time: 1 }]));
    expect(e!.get('[http_request_time][count]')).toBe(1);
    const keys = Object.keys(e!.get('http_request_time') as Hash);
    expect(keys.filter((k) => k.startsWith('rate'))).toEqual(['rate_1m']);
    expect(keys.filter((k) => k.startsWith('p'))).toEqual(['p1', 'p2']);
  });
});
