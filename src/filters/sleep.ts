/**
 * sleep: pauses the pipeline, as logstash-filter-sleep 3.2 does (for rate limiting and replaying logs).
 *
 * - `time` (seconds, sprintf allowed, read as Ruby's `String#to_f`) is slept every `every` events.
 * - `replay`: the pause before an event is the gap between its `@timestamp` and the previous event's,
 *   divided by `time` (a speed-up factor, default 1); no pause for the first event or a negative gap.
 *
 * Logstash blocks its worker thread while sleeping; here the pauses of one filter instance are chained, so
 * events of a batch wait one after the other as they would, without blocking the process. Always succeeds.
 */
import type { Event } from '../event/event.js';
import { compileSprintf, type Formatter } from '../event/sprintf.js';
import { defineFilter, PluginConfigError } from '../plugins/api.js';

/** Ruby's String#to_f: the longest leading decimal number, 0 when there is none. */
export function rubyToF(s: string): number {
  const m = /^[\t\n\v\f\r ]*([+-]?(?:\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+)?)/.exec(s);
  if (!m) return 0;
  const n = Number(m[1]!.replace(/_/g, ''));
  return Number.isFinite(n) ? n : 0;
}

/** Decides, event by event, how long to pause (seconds; 0 for none). */
export class SleepSchedule {
  #count = 0;
  #lastClock: number | undefined;
  readonly #time: Formatter;
  readonly #every: number;
  readonly #replay: boolean;

  constructor(options: { time: string; every: string; replay: boolean }) {
    this.#time = compileSprintf(options.time);
    this.#every = rubyToF(options.every);
    this.#replay = options.replay;
  }

  next(event: Event): number {
    this.#count++;
    const time = rubyToF(this.#time(event));
    if (this.#replay) {
      const clock = event.timestamp.epochMs / 1000 + event.timestamp.nanoOfMilli / 1e9;
      let delay = 0;
      if (this.#lastClock !== undefined) {
        const t = (clock - this.#lastClock) / time;
        if (t > 0) delay = t;
      }
      this.#lastClock = clock;
      return delay;
    }
    if (this.#count >= this.#every) {
      this.#count = 0;
      return time;
    }
    return 0;
  }
}

export default defineFilter({
  name: 'sleep',
  doc: 'Sleeps for an amount of time (every N events, or replaying the gaps between event timestamps).',
  options: {
    time: { type: 'string', doc: 'Seconds to sleep (sprintf allowed); with `replay`, the speed-up factor (default 1).' },
    every: { type: 'string', default: '1', doc: 'Sleep once every this many events.' },
    replay: { type: 'boolean', default: false, doc: 'Sleep for the time between this event\'s @timestamp and the previous one\'s, divided by `time`.' },
  },
  check: 'create',
  create(o, ctx) {
    let time = o.time;
    if (o.replay && time === undefined) time = '1';
    if (time === undefined) throw new PluginConfigError("Missing required parameter 'time' for sleep", 'time', 'set time => 1 (seconds), or replay => true');
    const schedule = new SleepSchedule({ time, every: o.every, replay: o.replay });
    let chain: Promise<void> = Promise.resolve();
    return {
      filter(event) {
        const seconds = schedule.next(event);
        if (!(seconds > 0)) return true;
        ctx.logger.debug('Sleeping', { delay: seconds });
        const done = chain.then(() => new Promise<void>((resolve) => { setTimeout(resolve, seconds * 1000); }));
        chain = done;
        return done.then(() => true);
      },
    };
  },
});
