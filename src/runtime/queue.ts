/**
 * The bounded in-memory queue between inputs and workers. Inputs are told to stop reading when it is
 * full (push returns false) and wait on `drained()`; nothing is ever dropped. Workers take batches of up
 * to `batchSize`, waiting at most `batchDelayMs` for a batch to fill once it has an event.
 */
import type { Event } from '../event/event.js';

export class BoundedQueue {
  #items: Event[] = [];
  #head = 0;
  #closed = false;
  #spaceWaiters: (() => void)[] = [];
  #dataWaiters: (() => void)[] = [];

  constructor(readonly capacity: number) {}

  get size(): number { return this.#items.length - this.#head; }
  get closed(): boolean { return this.#closed; }

  /** Accept an event; false means "full, pause until drained()". */
  push(event: Event): boolean {
    this.#items.push(event);
    if (this.#dataWaiters.length) this.#wakeData();
    return this.size < this.capacity;
  }

  drained(): Promise<void> {
    if (this.size < this.capacity || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#spaceWaiters.push(resolve));
  }

  /** No more events will come: waiting takers get what is left, then an empty batch. */
  close(): void {
    this.#closed = true;
    this.#wakeData();
    this.#wakeSpace();
  }

  /** Take up to `max` events, waiting for the first one and then up to `delayMs` for more. Empty = closed and empty. */
  async take(max: number, delayMs: number): Promise<Event[]> {
    while (this.size === 0) {
      if (this.#closed) return [];
      await new Promise<void>((resolve) => this.#dataWaiters.push(resolve));
    }
    if (this.size < max && !this.#closed && delayMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delayMs);
        const check = (): void => {
          if (this.size >= max || this.#closed) { clearTimeout(timer); done(); } else this.#dataWaiters.push(check);
        };
        let finished = false;
        function done(): void { if (!finished) { finished = true; resolve(); } }
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
