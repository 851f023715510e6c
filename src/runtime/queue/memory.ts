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

  constructor(readonly capacity: number) {}

  get size(): number { return this.#items.length - this.#head; }
  get full(): boolean { return this.size >= this.capacity; }
  get closed(): boolean { return this.#closed; }

  push(event: Event): boolean {
    this.#items.push(event);
    if (this.#dataWaiters.length) this.#wakeData();
    return this.size < this.capacity;
  }

  drained(): Promise<void> {
    if (this.size < this.capacity || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#spaceWaiters.push(resolve));
  }

  accepted(): Promise<void> { return Promise.resolve(); }

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
    return events.length === 0 ? null : { events };
  }

  ack(): void { /* nothing to forget: the events are gone once handed out */ }

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
