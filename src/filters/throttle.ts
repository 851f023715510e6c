/**
 * throttle: counts events per `key` (sprintf) in time slots of `period` seconds (sprintf, event time), as
 * logstash-filter-throttle 4.x. An event "matches" (gets add_tag, add_field…) when its slot's count is below
 * `before_count` or above `after_count`; the others pass unchanged. Slots older than `max_age` seconds
 * (relative to the newest slot of the key) are forgotten; each flush forgets keys not seen for `max_age`
 * and, when more than `max_counters` counters exist, lowers max_age by 5 % (to no less than 5 % of the
 * original), raising it back once the total is below 80 % of max_counters.
 */
import { compileSprintf } from '../event/sprintf.js';
import { defineFilter } from '../plugins/api.js';

const MC_MIN_PCT = 5;
const MC_MAX_PCT = 100;
const MC_INCR_PCT = 80;
const MC_STEP_PCT = 5;

interface TimeslotCache { created: number; latest: number; slots: Map<number, number> }

/** Ruby's Integer#/ on integers (floor division), plain division otherwise. */
function rubyDiv(a: number, b: number): number {
  return Number.isInteger(a) && Number.isInteger(b) ? Math.floor(a / b) : a / b;
}

/** Ruby's String#to_i: the leading integer, else 0. */
function toI(s: string): number {
  const m = /^\s*([+-]?\d[\d_]*)/.exec(s);
  return m ? Number.parseInt(m[1]!.replace(/_/g, ''), 10) : 0;
}

export default defineFilter({
  name: 'throttle',
  doc: 'Throttles events per key and time period: events counted below `before_count` or above `after_count` get the common options (add_tag…), typically to drop them.',
  options: {
    key: { type: 'string', required: true, doc: 'The key to count events by (sprintf, e.g. `%{host}%{message}`).' },
    before_count: { type: 'number', default: -1, doc: 'Events are throttled while their slot\'s count is below this (-1: no lower bound).' },
    after_count: { type: 'number', default: -1, doc: 'Events are throttled once their slot\'s count is above this (-1: no upper bound).' },
    period: { type: 'string', default: '60', doc: 'Length of a time slot in seconds (sprintf allowed; 60 when not a number).' },
    max_age: { type: 'number', default: 3600, doc: 'Seconds a time slot is kept; at least twice `period` is advised.' },
    max_counters: { type: 'number', default: 100000, doc: 'Counters kept before max_age is lowered automatically (-1: no limit).' },
    periodic_flush: { type: 'boolean', default: true, doc: 'Expire old keys and tune max_age on the periodic flush.' },
  },
  check: 'create',
  create(o, ctx) {
    const keyOf = compileSprintf(o.key);
    const periodOf = compileSprintf(o.period);
    const before = o.before_count;
    const after = o.after_count;
    const maxAgeOrig = o.max_age;
    let maxAge = o.max_age;
    const caches = new Map<string, TimeslotCache>();
    const throttled = ctx.metrics.counter('throttled');

    return {
      filter(event) {
        const key = keyOf(event);
        let period = toI(periodOf(event));
        if (period === 0) period = 60;
        const epoch = Math.floor(event.timestamp.epochMs / 1000);
        let cache = caches.get(key);
        if (cache === undefined) { cache = { created: epoch, latest: epoch, slots: new Map() }; caches.set(key, cache); }
        if (epoch > cache.latest) cache.latest = epoch;
        const offset = (((epoch - cache.created) % period) + period) % period;
        const slot = epoch - offset;
        const count = (cache.slots.get(slot) ?? 0) + 1;
        cache.slots.set(slot, count);
        const matched = (before !== -1 && count < before) || (after !== -1 && count > after);
        let latestSlot = 0;
        for (const k of cache.slots.keys()) if (k > latestSlot) latestSlot = k;
        for (const k of [...cache.slots.keys()]) if (k < latestSlot - maxAge) cache.slots.delete(k);
        if (matched) throttled.inc();
        // Not throttled: the event passes without the common options, as upstream's filter_matched is not called.
        return matched;
      },
      flush(final) {
        if (!final && !o.periodic_flush) return [];
        let maxLatest = 0;
        for (const c of caches.values()) if (c.latest > maxLatest) maxLatest = c.latest;
        let total = 0;
        for (const [k, c] of caches) {
          if (c.latest < maxLatest - maxAge) caches.delete(k);
          else total += c.slots.size;
        }
        if (o.max_counters !== -1) {
          const over = total - o.max_counters;
          if (over > 0 && maxAge > rubyDiv(maxAgeOrig * MC_MIN_PCT, 100)) {
            maxAge -= rubyDiv(maxAgeOrig * MC_STEP_PCT, 100);
            ctx.logger.warn(`filters/throttle: Decreased timeslot max_age to ${maxAge} because max_counters exceeded by ${over}. Use a better key to prevent too many unique event counters.`);
          } else if (maxAge < rubyDiv(maxAgeOrig * MC_MAX_PCT, 100) && total < rubyDiv(o.max_counters * MC_INCR_PCT, 100)) {
            maxAge += rubyDiv(maxAgeOrig * MC_STEP_PCT, 100);
            ctx.logger.warn(`filters/throttle: Increased timeslot max_age to ${maxAge} because max_counters no longer exceeded.`);
          }
        }
        return [];
      },
    };
  },
});
