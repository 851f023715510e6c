import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { MemoryQueue as BoundedQueue } from '../src/runtime/queue/memory.js';
import { Pipeline } from '../src/runtime/pipeline.js';
import { defineInput, defineOutput, type InputInstance } from '../src/plugins/api.js';
import type { PluginPlan } from '../src/config/plan.js';
import { collectingOutput } from './helpers/plans.js';

const loc = { file: 'test', line: 1, column: 1 };

describe('bounded queue', () => {
  it('reports full at capacity and releases waiters when drained', async () => {
    const q = new BoundedQueue(3);
    expect(q.push(new Event({ n: 1 }))).toBe(true);
    expect(q.push(new Event({ n: 2 }))).toBe(true);
    expect(q.push(new Event({ n: 3 }))).toBe(false);
    let drained = false;
    const waiting = q.drained().then(() => { drained = true; });
    await Promise.resolve();
    expect(drained).toBe(false);
    const batch = await q.take(2, 0);
    expect(batch.map((e) => e.get('n'))).toEqual([1, 2]);
    await waiting;
    expect(drained).toBe(true);
  });

  it('waits up to the batch delay for a full batch, then hands out what it has', async () => {
    const q = new BoundedQueue(100);
    q.push(new Event({ n: 1 }));
    setTimeout(() => q.push(new Event({ n: 2 })), 5);
    const batch = await q.take(10, 40);
    expect(batch.length).toBe(2);
  });

  it('returns an empty batch once closed and empty', async () => {
    const q = new BoundedQueue(10);
    const pending = q.take(5, 10);
    q.close();
    expect(await pending).toEqual([]);
  });
});

function countingInput(total: number, observed: { paused: number }): PluginPlan {
  const definition = defineInput({
    name: 'counting', doc: '', options: {},
    create: (): InputInstance => ({
      async run(sink) {
        for (let i = 0; i < total; i++) {
          if (!sink.push(new Event({ n: i }))) { observed.paused++; await sink.drained(); }
        }
      },
      stop() {},
    }),
  });
  return { kind: 'input', name: 'counting', definition, options: { tags: ['in'], type: 'gen', add_field: { src: 'x' } }, id: 'counting_1', location: loc };
}

describe('pipeline', () => {
  it('applies back-pressure to a fast input with a slow output and loses nothing, in order', async () => {
    const observed = { paused: 0 };
    const received: number[] = [];
    const slow = defineOutput({
      name: 'slow', doc: '', options: {},
      create: () => ({ async receive(batch) { await new Promise((r) => setTimeout(r, 1)); for (const e of batch) received.push(e.get('n') as number); } }),
    });
    const plan = {
      inputs: [countingInput(5000, observed)],
      filters: [],
      outputs: [{ type: 'plugin' as const, plugin: { kind: 'output' as const, name: 'slow', definition: slow, options: {}, id: 'slow_1', location: loc } }],
    };
    const p = await Pipeline.create(plan, { ecs: 'v8', workers: 1, batchSize: 50, batchDelayMs: 5 });
    await p.run();
    expect(received.length).toBe(5000);
    expect(received).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(observed.paused).toBeGreaterThan(0);
  });

  it('decorates input events with type, add_field and tags and closes outputs at the end', async () => {
    const out = collectingOutput();
    const plan = { inputs: [countingInput(3, { paused: 0 })], filters: [], outputs: [out.step] };
    const p = await Pipeline.create(plan, { ecs: 'v8', workers: 2, batchSize: 2, batchDelayMs: 1 });
    await p.run();
    expect(out.events.length).toBe(3);
    expect(out.events[0]!.get('type')).toBe('gen');
    expect(out.events[0]!.get('src')).toBe('x');
    expect(out.events[0]!.tags).toEqual(['in']);
    expect(out.closed()).toBe(true);
    expect(Math.max(...out.batches)).toBeLessThanOrEqual(2);
  });

  it('stop() ends an endless input and still delivers every event it produced', async () => {
    let produced = 0;
    const definition = defineInput({
      name: 'endless', doc: '', options: {},
      create: (): InputInstance => {
        let stop = false;
        return {
          async run(sink) {
            while (!stop) {
              produced++;
              if (!sink.push(new Event({ n: produced }))) await sink.drained();
              else await new Promise((r) => setImmediate(r));
            }
          },
          stop() { stop = true; },
        };
      },
    });
    const out = collectingOutput();
    const p = await Pipeline.create({ inputs: [{ kind: 'input', name: 'endless', definition, options: {}, id: 'e', location: loc }], filters: [], outputs: [out.step] },
      { ecs: 'v8', workers: 1, batchSize: 10, batchDelayMs: 1 });
    const done = p.run();
    await new Promise((r) => setTimeout(r, 30));
    await p.stop();
    await done;
    expect(produced).toBeGreaterThan(0);
    expect(out.events.length).toBe(produced);
  });

  it('a crashing input stops the pipeline, drains what other inputs queued, and is reported', async () => {
    const failing = defineInput({
      name: 'failing', doc: '', options: {},
      create: (): InputInstance => ({ async run() { await new Promise((r) => setTimeout(r, 20)); throw new Error('listen EADDRINUSE'); }, stop() {} }),
    });
    let stopped = false;
    const endless = defineInput({
      name: 'endless', doc: '', options: {},
      create: (): InputInstance => ({
        async run(sink) { let n = 0; while (!stopped) { sink.push(new Event({ n: n++ })); await new Promise((r) => setTimeout(r, 1)); } },
        stop() { stopped = true; },
      }),
    });
    const out = collectingOutput();
    const p = await Pipeline.create({
      inputs: [
        { kind: 'input', name: 'failing', definition: failing, options: {}, id: 'failing_1', location: loc },
        { kind: 'input', name: 'endless', definition: endless, options: {}, id: 'endless_1', location: loc },
      ],
      filters: [], outputs: [out.step],
    }, { ecs: 'v8', workers: 1, batchSize: 10, batchDelayMs: 1 });
    await p.run();
    expect(p.failedInputs).toEqual(['failing_1']);
    expect(stopped).toBe(true);
    expect(out.events.length).toBeGreaterThan(0);
    expect(out.closed()).toBe(true);
  });
});
