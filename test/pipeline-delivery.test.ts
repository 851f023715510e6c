/**
 * The output contract as the pipeline runs it: outputs report per event, retryable failures are resent
 * (only those) with back-off, nothing is dropped, a stuck output holds the whole pipeline and its inputs,
 * rejected events go to the dead letter writer, and shutdown waits for in-flight batches.
 */
import { describe, expect, it } from 'vitest';
import type { PluginPlan, Step } from '../src/config/plan.js';
import { Event } from '../src/event/event.js';
import { defineInput, defineOutput, type DeliveryReport, type InputInstance, type OutputInstance } from '../src/plugins/api.js';
import { configureLogging } from '../src/services/logger.js';
import { Pipeline } from '../src/runtime/pipeline.js';
import type { DeadLetterWriter } from '../src/runtime/dlq/types.js';
import type { RejectedEvent } from '../src/runtime/executor.js';

const loc = { file: 'test', line: 1, column: 1 };
const FAST = { initialMs: 5, maxMs: 20 };

function input(total: number, seen: { pausedAt: number[] } = { pausedAt: [] }): PluginPlan {
  const definition = defineInput({
    name: 'count', doc: '', options: {},
    create: (): InputInstance => ({
      async run(sink) {
        for (let i = 0; i < total; i++) {
          if (!sink.push(new Event({ n: i }))) { seen.pausedAt.push(i); await sink.drained(); }
        }
      },
      stop() {},
    }),
  });
  return { kind: 'input', name: 'count', definition, options: {}, id: 'count_1', location: loc };
}

function output(id: string, instance: OutputInstance): Step {
  const definition = defineOutput({ name: 'fake', doc: '', options: {}, create: () => instance });
  return { type: 'plugin', plugin: { kind: 'output', name: 'fake', definition, options: {}, id, location: loc } };
}

const settings = { ecs: 'v8' as const, workers: 1, batchSize: 10, batchDelayMs: 1, flushIntervalMs: 0 };

function quietLogs(): string[] {
  const lines: string[] = [];
  configureLogging({ sink: (l) => { lines.push(l); }, level: 'info' });
  return lines;
}

describe('delivery through the pipeline', () => {
  it('retries a batch whose delivery threw until it is written, with nothing lost or doubled', async () => {
    quietLogs();
    const written: number[] = [];
    let calls = 0;
    const out = output('flaky', {
      retryPolicy: FAST,
      receive(events) {
        calls++;
        if (calls <= 2) throw new Error('connection refused');
        for (const e of events) written.push(e.get('n') as number);
      },
    });
    const p = await Pipeline.create({ inputs: [input(25)], filters: [], outputs: [out] }, settings);
    await p.run();
    expect(written).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(p.eventsOut).toBe(25);
    expect(p.stats.plugin('output', 'flaky', 'fake').events.out.value).toBe(25);
  });

  it('resends only the events reported retryable, and waits longer each time', async () => {
    const logs = quietLogs();
    const received: number[][] = [];
    const times: number[] = [];
    const out = output('partial', {
      retryPolicy: { initialMs: 60, maxMs: 1000 },
      receive(events, { attempt }): DeliveryReport {
        received.push(events.map((e) => e.get('n') as number));
        times.push(performance.now());
        // Odd events are refused twice (a per-item 429), then accepted.
        if (attempt >= 2) return {};
        return { retry: events.map((e, i) => ((e.get('n') as number) % 2 === 1 ? i : -1)).filter((i) => i >= 0) };
      },
    });
    const p = await Pipeline.create({ inputs: [input(6)], filters: [], outputs: [out] }, { ...settings, batchSize: 6, batchDelayMs: 20 });
    await p.run();
    expect(received).toEqual([[0, 1, 2, 3, 4, 5], [1, 3, 5], [1, 3, 5]]);
    // Waits of 60 then 120 ms: timers only ever fire late, so lower bounds hold on a loaded machine too.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(55);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(115);
    expect(p.eventsOut).toBe(6);
    expect(logs.some((l) => /retrying 3 events/.test(l))).toBe(true);
  });

  it('sends events rejected for good to the dead letter writer with the reason and the plugin', async () => {
    quietLogs();
    const dead: RejectedEvent[] = [];
    const dlq: DeadLetterWriter = {
      write: (e) => { dead.push(e); },
      close: async () => {},
      figures: () => ({ queue_size_in_bytes: 0, dropped_events: 0, expired_events: 0, last_error: '', max_queue_size_in_bytes: 0, storage_policy: 'drop_newer' }),
    };
    const out = output('es', {
      receive: (events): DeliveryReport => ({ rejected: events.map((e, index) => ({ e, index })).filter((x) => x.e.get('n') === 3).map((x) => ({ index: x.index, reason: 'status 400: mapper_parsing_exception' })) }),
    });
    const p = await Pipeline.create({ inputs: [input(5)], filters: [], outputs: [out] }, { ...settings, deadLetters: dlq });
    await p.run();
    expect(dead.map((d) => [d.event.get('n'), d.reason, d.pluginId, d.pluginType])).toEqual([[3, 'status 400: mapper_parsing_exception', 'es', 'fake']]);
    expect(p.stats.rejected.value).toBe(1);
  });

  it('without a dead letter queue a rejected event is logged with its reason and counted', async () => {
    const logs = quietLogs();
    const out = output('es', { receive: (): DeliveryReport => ({ rejected: [{ index: 0, reason: 'status 404: index_not_found' }] }) });
    const p = await Pipeline.create({ inputs: [input(1)], filters: [], outputs: [out] }, settings);
    await p.run();
    expect(p.stats.rejected.value).toBe(1);
    expect(logs.some((l) => /dead letter queue is disabled/.test(l) && /index_not_found/.test(l))).toBe(true);
  });

  it('a stuck output holds the pipeline and its input; released, everything arrives once and in order', async () => {
    quietLogs();
    let open = false;
    const stuckGot: number[] = [];
    const healthyGot: number[] = [];
    const stuck = output('stuck', {
      retryPolicy: FAST,
      receive(events) {
        if (!open) throw new Error('503 service unavailable');
        for (const e of events) stuckGot.push(e.get('n') as number);
      },
    });
    const healthy = output('healthy', { receive(events) { for (const e of events) healthyGot.push(e.get('n') as number); } });
    const seen = { pausedAt: [] as number[] };
    const p = await Pipeline.create({ inputs: [input(500, seen)], filters: [], outputs: [stuck, healthy] }, settings);
    const done = p.run();
    await new Promise((r) => setTimeout(r, 200));
    // The input was stopped once the queue (128 events at least) and the batch in flight were full, and
    // stays stopped; the healthy output got only the batch the stuck one holds.
    expect(seen.pausedAt.length).toBeGreaterThan(0);
    expect(Math.max(...seen.pausedAt)).toBeLessThanOrEqual(128 + 2 * settings.batchSize);
    expect(healthyGot.length).toBeLessThanOrEqual(settings.batchSize);
    expect(p.queue.figures().events_count).toBeLessThanOrEqual(128);
    open = true;
    await done;
    expect(stuckGot).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(healthyGot).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('shutdown waits for a retrying output and says what it waits for; abort() gives up', async () => {
    const logs = quietLogs();
    const out = output('down', { retryPolicy: FAST, receive() { throw new Error('connection refused'); } });
    const endless = defineInput({
      name: 'one', doc: '', options: {},
      create: (): InputInstance => {
        let stop: () => void = () => {};
        return { async run(sink) { sink.push(new Event({ n: 1 })); await new Promise<void>((r) => { stop = r; }); }, stop: () => stop() };
      },
    });
    const p = await Pipeline.create({ inputs: [{ kind: 'input', name: 'one', definition: endless, options: {}, id: 'one_1', location: loc }], filters: [], outputs: [out] },
      { ...settings, shutdownReportMs: 30 });
    const done = p.run();
    await new Promise((r) => setTimeout(r, 50));
    let stopped = false;
    const stopping = p.stop().then(() => { stopped = true; });
    await new Promise((r) => setTimeout(r, 150));
    expect(stopped).toBe(false);
    expect(logs.some((l) => /Shutdown is waiting for in-flight events/.test(l) && /down/.test(l))).toBe(true);
    expect(logs.some((l) => /appears to be stalled/.test(l))).toBe(true);
    p.abort();
    await stopping;
    await done;
    expect(p.eventsOut).toBe(0);
  });
});
