/**
 * The memory queue: a bounded hand-off between inputs and workers. Inputs are told to stop reading when
 * it holds `capacity` events (push returns false) and wait on `drained()`; nothing is ever dropped.
 * Events in flight in a worker's batch are not counted: the workers themselves are the rest of the
 * buffer, as in Logstash, where the memory queue holds `pipeline.workers × pipeline.batch.size` events.
 */
import type { Event } from '../../event/event.js';
import type { QueueFigures } from '../../services/metrics.js';
import type { EventQueue, QueueBatch } from './types.js';

export class MemoryQueue implements EventQueue {
  readonly type = 'memory' as const;
  #items: Event[] = [];
  #head = 0;
  #closed = false;
  #spaceWaiters: (() => void)[] = [];
  #dataWaiters: (() => void)[] = [];
  // Delivery watermark: events are numbered as pushed; every event before `#deliveredUpTo` was in a batch
  // every output is done with (acknowledged). Batches may be acknowledged out of order (several workers).
  #pushed = 0;
  #taken = 0;
  #deliveredUpTo = 0;
  readonly #outstanding: { from: number; to: number; done: boolean }[] = [];
  readonly #batchRanges = new WeakMap<QueueBatch, { from: number; to: number; done: boolean }>();
  #deliveryWaiters: { upTo: number; resolve: () => void }[] = [];

  constructor(readonly capacity: number) {}

  get size(): number { return this.#items.length - this.#head; }
  get full(): boolean { return this.size >= this.capacity; }
  get closed(): boolean { return this.#closed; }

  push(event: Event): boolean {
    this.#items.push(event);
    this.#pushed++;
    if (this.#dataWaiters.length) this.#wakeData();
    return this.size < this.capacity;
  }

  drained(): Promise<void> {
    if (this.size < this.capacity || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#spaceWaiters.push(resolve));
  }

  accepted(): Promise<void> { return Promise.resolve(); }

  delivered(): Promise<void> {
    const upTo = this.#pushed;
    if (this.#deliveredUpTo >= upTo) return Promise.resolve();
    return new Promise((resolve) => this.#deliveryWaiters.push({ upTo, resolve }));
  }

  close(): void {
    this.#closed = true;
    this.#wakeData();
    this.#wakeSpace();
  }

  /** Take up to `max` events (the batch as an array), waiting for the first and then up to `delayMs`. */
  async take(max: number, delayMs: number): Promise<Event[]> {
    while (this.size === 0) {
      if (this.#closed) return [];
      await new Promise<void>((resolve) => this.#dataWaiters.push(resolve));
    }
    if (this.size < max && !this.#closed && delayMs > 0) {
      await new Promise<void>((resolve) => {
        let finished = false;
        const done = (): void => { if (!finished) { finished = true; resolve(); } };
        const timer = setTimeout(done, delayMs);
        const check = (): void => {
          if (this.size >= max || this.#closed) { clearTimeout(timer); done(); } else if (!finished) this.#dataWaiters.push(check);
        };
        this.#dataWaiters.push(check);
      });
    }
    const n = Math.min(max, this.size);
    const batch = this.#items.slice(this.#head, this.#head + n);
    this.#head += n;
    if (this.#head > 4096 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    if (this.size < this.capacity) this.#wakeSpace();
    return batch;
  }

  async read(max: number, delayMs: number): Promise<QueueBatch | null> {
    const events = await this.take(max, delayMs);
    if (events.length === 0) return null;
    const batch = { events };
    const range = { from: this.#taken, to: this.#taken + events.length, done: false };
    this.#taken = range.to;
    this.#outstanding.push(range);
    this.#batchRanges.set(batch, range);
    return batch;
  }

  /** Nothing to forget (the events left the queue when handed out); only the delivery watermark moves. */
  ack(batch: QueueBatch): void {
    const range = this.#batchRanges.get(batch);
    if (range === undefined) return;
    range.done = true;
    while (this.#outstanding.length > 0 && this.#outstanding[0]!.done) this.#outstanding.shift();
    this.#deliveredUpTo = this.#outstanding[0]?.from ?? this.#taken;
    if (this.#deliveryWaiters.length === 0) return;
    const waiting = this.#deliveryWaiters;
    this.#deliveryWaiters = [];
    for (const w of waiting) {
      if (w.upTo <= this.#deliveredUpTo) w.resolve();
      else this.#deliveryWaiters.push(w);
    }
  }

  async dispose(): Promise<void> { /* nothing held */ }

  figures(): QueueFigures {
    return { type: 'memory', events_count: this.size, queue_size_in_bytes: 0, max_queue_size_in_bytes: 0 };
  }

  #wakeData(): void {
    const ws = this.#dataWaiters;
    this.#dataWaiters = [];
    for (const w of ws) w();
  }

  #wakeSpace(): void {
    const ws = this.#spaceWaiters;
    this.#spaceWaiters = [];
    for (const w of ws) w();
  }
}
