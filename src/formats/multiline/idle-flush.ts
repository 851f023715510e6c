/**
 * `auto_flush_interval` for any number of streams with one timer.
 *
 * Every stream has the same interval, so deadlines are ordered like the streams' last activity. An
 * insertion-ordered Map (delete + set moves a stream to the end) is therefore a deadline queue with
 * O(1) updates; the single timer is armed for the head's deadline. The timer is unref'd (idle streams
 * never keep the process alive) and cleared as soon as no stream is waiting.
 */

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class IdleFlusher<K> {
  readonly #intervalMs: number;
  readonly #onIdle: (key: K) => void;
  readonly #clock: Clock;
  /** key → deadline; iteration order is deadline order. */
  readonly #deadlines = new Map<K, number>();
  #timer: unknown;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(intervalMs: number, onIdle: (key: K) => void, clock: Clock = systemClock) {
    this.#intervalMs = intervalMs;
    this.#onIdle = onIdle;
    this.#clock = clock;
  }

  /** Number of streams waiting for their deadline. */
  get size(): number { return this.#deadlines.size; }

  /** The stream saw activity and holds pending data: (re)start its countdown. */
  touch(key: K): void {
    this.#deadlines.delete(key);
    const at = this.#clock.now() + this.#intervalMs;
    this.#deadlines.set(key, at);
    if (this.#timer === undefined) this.#arm(at);
  }

  /** The stream has nothing pending any more (flushed, ended). */
  remove(key: K): void {
    if (!this.#deadlines.delete(key)) return;
    if (this.#deadlines.size === 0) this.#disarm();
  }

  /** Forget everything and stop the timer (codec closed). */
  clear(): void {
    this.#deadlines.clear();
    this.#disarm();
  }

  #arm(at: number): void {
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(() => this.#fire(), Math.max(0, at - this.#clock.now()));
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    for (const [key, at] of this.#deadlines) {
      if (at > now) break;
      this.#deadlines.delete(key);
      this.#onIdle(key);
    }
    // onIdle may have touched or removed streams; arm for whoever is first now.
    if (this.#timer === undefined) {
      const first = this.#deadlines.values().next();
      if (!first.done) this.#arm(first.value);
    }
  }

  /** When the timer will fire next (for tests). */
  get nextFireAt(): number { return this.#timerAt; }
}
