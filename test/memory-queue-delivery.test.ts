/**
 * The memory queue's delivery watermark (InputSink#delivered with `queue.type: memory`): resolves once every
 * event pushed before the call is in a batch every output acknowledged, whatever order workers acknowledge
 * their batches in. The file input records sincedb positions on it, so `kill -9` loses nothing.
 */
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { MemoryQueue } from '../src/runtime/queue/memory.js';

const settled = async (p: Promise<void>): Promise<boolean> => {
  let done = false;
  void p.then(() => { done = true; });
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('memory queue: delivered()', () => {
  it('waits for the earliest unacknowledged batch, not the last acknowledged one', async () => {
    const q = new MemoryQueue(1000);
    for (let i = 0; i < 30; i++) q.push(new Event({ n: i }));
    const all = q.delivered();
    const a = (await q.read(10, 0))!;
    const b = (await q.read(10, 0))!;
    const c = (await q.read(10, 0))!;
    q.ack(c);
    q.ack(b);
    expect(await settled(all)).toBe(false);
    q.ack(a);
    expect(await settled(all)).toBe(true);
  });

  it('covers only what was pushed before the call; with nothing pending it resolves at once', async () => {
    const q = new MemoryQueue(1000);
    expect(await settled(q.delivered())).toBe(true);
    q.push(new Event({ n: 1 }));
    const first = q.delivered();
    q.push(new Event({ n: 2 }));
    const both = q.delivered();
    const batch = (await q.read(1, 0))!;
    q.ack(batch);
    expect(await settled(first)).toBe(true);
    expect(await settled(both)).toBe(false);
    q.ack((await q.read(1, 0))!);
    expect(await settled(both)).toBe(true);
  });
});
