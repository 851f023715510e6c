/**
 * metrics: meters and timers, as logstash-filter-metrics 4.x (on Metriks) keeps them. `meter` names
 * (sprintf) count events, with 1/5/15-minute exponentially weighted rates (events per second, ticked every
 * 5 s); `timer` names (sprintf) → values (sprintf, taken as floats) also keep min, max, mean, percentiles and
 * `stddev` (as upstream writes it: the square root of the sample standard deviation). The filter leaves
 * events as they are; every `flush_interval` seconds (counted in 5 s flush ticks, and once more at shutdown)
 * one event is emitted with the host name in `message` and `[<name>][count]`, `[<name>][rate_1m]`, … and the
 * common options (add_tag …) applied. `clear_interval` resets the metrics.
 */
import { hostname } from 'node:os';
import { Event } from '../event/event.js';
import { compileSprintf } from '../event/sprintf.js';
import { LsFloat } from '../event/values.js';
import { defineFilter, PluginConfigError } from '../plugins/api.js';
import { filterMatcher } from '../plugins/decorate.js';
import { rubyToF } from '../formats/ruby-float.js';

const TICK_MS = 5000;
const RESERVOIR = 1028;

/** Metriks' EWMA: a rate per second smoothed over `minutes`, ticked every 5 seconds. */
class Ewma {
  #alpha: number;
  #rate = 0;
  #uncounted = 0;
  #initialized = false;
  constructor(minutes: number) { this.#alpha = 1 - Math.exp(-TICK_MS / 1000 / 60 / minutes); }
  update(n: number): void { this.#uncounted += n; }
  tick(): void {
    const instant = this.#uncounted / (TICK_MS / 1000);
    this.#uncounted = 0;
    if (this.#initialized) this.#rate += this.#alpha * (instant - this.#rate);
    else { this.#rate = instant; this.#initialized = true; }
  }
  get rate(): number { return this.#rate; }
}

class Meter {
  count = 0;
  #ewma = [new Ewma(1), new Ewma(5), new Ewma(15)] as const;
  #lastTick = Date.now();
  mark(): void { this.#tickIfNeeded(); this.count++; for (const e of this.#ewma) e.update(1); }
  #tickIfNeeded(): void {
    const now = Date.now();
    const ticks = Math.floor((now - this.#lastTick) / TICK_MS);
    if (ticks <= 0) return;
    this.#lastTick += ticks * TICK_MS;
    for (let i = 0; i < ticks; i++) for (const e of this.#ewma) e.tick();
  }
  rates(): [number, number, number] { this.#tickIfNeeded(); return [this.#ewma[0].rate, this.#ewma[1].rate, this.#ewma[2].rate]; }
}

class Timer {
  meter = new Meter();
  #values: number[] = [];
  #seen = 0;
  min = 0; max = 0; sum = 0;
  // Welford's running variance, as Metriks' histogram keeps it.
  #m = 0; #s = 0;
  update(v: number): void {
    this.meter.mark();
    const n = this.meter.count;
    if (n === 1) { this.min = v; this.max = v; } else { this.min = Math.min(this.min, v); this.max = Math.max(this.max, v); }
    this.sum += v;
    if (n === 1) { this.#m = v; this.#s = 0; } else { const m = this.#m + (v - this.#m) / n; this.#s += (v - this.#m) * (v - m); this.#m = m; }
    // A uniform reservoir (Metriks keeps an exponentially decaying one of the same size).
    this.#seen++;
    if (this.#values.length < RESERVOIR) this.#values.push(v);
    else { const j = Math.floor(Math.random() * this.#seen); if (j < RESERVOIR) this.#values[j] = v; }
  }
  get mean(): number { return this.meter.count > 0 ? this.sum / this.meter.count : 0; }
  get stddev(): number { const n = this.meter.count; return n > 1 ? Math.sqrt(this.#s / (n - 1)) : 0; }
  /** Metriks' Snapshot#value: linear interpolation between the sorted samples. */
  quantile(q: number): number {
    const values = [...this.#values].sort((a, b) => a - b);
    if (values.length === 0) return 0;
    const pos = q * (values.length + 1);
    if (pos < 1) return values[0]!;
    if (pos >= values.length) return values[values.length - 1]!;
    const lower = values[Math.trunc(pos) - 1]!;
    const upper = values[Math.trunc(pos)]!;
    return lower + (pos - Math.floor(pos)) * (upper - lower);
  }
}

const f = (n: number): LsFloat => new LsFloat(n);

export default defineFilter({
  name: 'metrics',
  doc: 'Aggregates meters (event counts and rates) and timers (min, max, mean, percentiles of a value) and emits them as an event every `flush_interval` seconds.',
  options: {
    meter: { type: 'array', default: [], doc: 'Names of meters to mark for each event (sprintf allowed).' },
    timer: { type: 'hash', default: {}, doc: 'Timer names → values to record for each event (sprintf in both; values taken as floats).' },
    ignore_older_than: { type: 'number', default: 0, doc: 'Skip events whose @timestamp is more than this many seconds old (0: none skipped).' },
    flush_interval: { type: 'number', default: 5, doc: 'Seconds between metric events (a multiple of 5).' },
    clear_interval: { type: 'number', default: -1, doc: 'Seconds after which the metrics are reset (a multiple of 5; -1: never).' },
    rates: { type: 'array', default: [1, 5, 15], doc: 'Which rates to emit: 1, 5 and/or 15 (minutes).' },
    percentiles: { type: 'array', default: [1, 5, 10, 90, 95, 99, 100], doc: 'Timer percentiles to emit (as `p<n>`).' },
  },
  check: 'create',
  create(o) {
    const rates = o.rates.map(Number);
    if (rates.some((r) => r !== 1 && r !== 5 && r !== 15)) {
      throw new PluginConfigError(`Invalid rates configuration. possible rates are 1, 5, 15. Rates: [${o.rates.map(String).join(', ')}].`, 'rates');
    }
    const percentiles = o.percentiles.map(Number);
    if (percentiles.some((p) => Number.isNaN(p))) throw new PluginConfigError('metrics filter: percentiles must be numbers', 'percentiles');
    const matched = filterMatcher(o);
    const host = hostname();
    const meterNames = o.meter.map((m) => compileSprintf(String(m)));
    const timerDefs = Object.entries(o.timer).map(([k, v]) => [compileSprintf(k), compileSprintf(String(v))] as const);
    const meters = new Map<string, Meter>();
    const timers = new Map<string, Timer>();
    let lastFlush = 0;
    let lastClear = 0;

    const setRates = (event: Event, name: string, meter: Meter): void => {
      event.set(`[${name}][count]`, meter.count);
      const [r1, r5, r15] = meter.rates();
      if (rates.includes(1)) event.set(`[${name}][rate_1m]`, f(r1));
      if (rates.includes(5)) event.set(`[${name}][rate_5m]`, f(r5));
      if (rates.includes(15)) event.set(`[${name}][rate_15m]`, f(r15));
    };
    const shouldClear = (): boolean => o.clear_interval > 0 && lastClear >= o.clear_interval;

    return {
      filter(event) {
        if (o.ignore_older_than > 0 && (Date.now() - event.timestamp.epochMs) / 1000 > o.ignore_older_than) return false;
        for (const name of meterNames) {
          const key = name(event);
          let m = meters.get(key);
          if (!m) { m = new Meter(); meters.set(key, m); }
          m.mark();
        }
        for (const [name, value] of timerDefs) {
          const key = name(event);
          let t = timers.get(key);
          if (!t) { t = new Timer(); timers.set(key, t); }
          t.update(rubyToF(value(event)));
        }
        // The event itself is left as it is (upstream does not call filter_matched on it).
        return false;
      },
      // Upstream flushes on every flush call (periodic_flush is always on), and once more at shutdown.
      flush() {
        lastFlush += 5;
        lastClear += 5;
        if (!(lastFlush >= o.flush_interval && (meters.size > 0 || timers.size > 0))) return [];
        const event = new Event({ message: host });
        for (const [name, m] of meters) setRates(event, name, m);
        for (const [name, t] of timers) {
          setRates(event, name, t.meter);
          event.set(`[${name}][min]`, f(t.min));
          event.set(`[${name}][max]`, f(t.max));
          event.set(`[${name}][stddev]`, f(Math.sqrt(t.stddev)));
          event.set(`[${name}][mean]`, f(t.mean));
          for (const p of percentiles) event.set(`[${name}][p${String(o.percentiles[percentiles.indexOf(p)])}]`, f(t.quantile(p / 100)));
        }
        lastFlush = 0;
        if (shouldClear()) { lastClear = 0; meters.clear(); timers.clear(); }
        matched(event);
        return [event];
      },
    };
  },
});
