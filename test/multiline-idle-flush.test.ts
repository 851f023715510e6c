/** One timer for all streams' auto_flush_interval, driven here by a fake clock. */
import { describe, expect, it } from 'vitest';
import { IdleFlusher, systemClock, type Clock } from '../src/formats/multiline/idle-flush.js';

class FakeClock implements Clock {
  t = 0;
  timers = new Map<number, { at: number; fn: () => void }>();
  #id = 0;
  now(): number { return this.t; }
  setTimeout(fn: () => void, ms: number): unknown { const id = ++this.#id; this.timers.set(id, { at: this.t + ms, fn }); return id; }
  clearTimeout(h: unknown): void { this.timers.delete(h as number); }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }
}

describe('idle flusher', () => {
  it('flushes a stream once it has been idle for the interval, and each activity restarts the countdown', () => {
    const clock = new FakeClock();
    const fired: string[] = [];
    const f = new IdleFlusher<string>(1000, (k) => fired.push(`${k}@${clock.t}`), clock);
    f.touch('a');
    clock.advance(600);
    f.touch('a');
    clock.advance(600);
    expect(fired).toEqual([]);
    clock.advance(400);
    expect(fired).toEqual(['a@1600']);
    expect(f.size).toBe(0);
  });

  it('uses a single timer for many streams, firing each at its own deadline', () => {
    const clock = new FakeClock();
    const fired: string[] = [];
    const f = new IdleFlusher<string>(1000, (k) => fired.push(`${k}@${clock.t}`), clock);
    f.touch('a');
    clock.advance(100);
    f.touch('b');
    clock.advance(100);
    f.touch('c');
    expect(clock.timers.size).toBe(1);
    clock.advance(2000);
    expect(fired).toEqual(['a@1000', 'b@1100', 'c@1200']);
    expect(clock.timers.size).toBe(0);
  });

  it('removing the last waiting stream clears the timer', () => {
    const clock = new FakeClock();
    const f = new IdleFlusher<string>(1000, () => { throw new Error('must not fire'); }, clock);
    f.touch('a');
    f.touch('b');
    f.remove('a');
    expect(clock.timers.size).toBe(1);
    f.remove('b');
    expect(clock.timers.size).toBe(0);
    clock.advance(5000);
  });

  it('the real clock\'s timers are unref\'d, so idle streams never keep the process alive', () => {
    const t = systemClock.setTimeout(() => undefined, 60_000) as ReturnType<typeof setTimeout>;
    expect(t.hasRef()).toBe(false);
    systemClock.clearTimeout(t);
  });
});
