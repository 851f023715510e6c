/**
 * The metrics registry: what the monitoring API (`/_node/stats`) and `/metrics` serve. Shaped like
 * Logstash's metric store: per pipeline `events` (in, filtered, out, duration_in_millis,
 * queue_push_duration_in_millis), per plugin `events` plus the plugin's own metrics (grok's `matches`
 * and `failures`), reloads, and a histogram of batch times. Counters are plain numbers incremented on
 * the event path; nothing here allocates per event.
 *
 * A plugin's own metrics are named with dots (`documents.successes`) and come out nested in JSON, as
 * Logstash nests them.
 */

/** The kinds of pipeline plugins, as Logstash groups them. */
export type PluginKind = 'input' | 'filter' | 'codec' | 'output';

export interface Counter {
  inc(n?: number): void;
  readonly value: number;
}

export interface Gauge {
  set(v: number): void;
  readonly value: number;
}

/**
 * A plugin's own metrics (Logstash's per-plugin stats: grok's `matches` and `failures`, an input's
 * `connections`). The runtime records events in/out and time spent for every plugin by itself.
 */
export interface PluginMetrics {
  counter(name: string): Counter;
  gauge(name: string): Gauge;
}

export class CounterMetric implements Counter {
  value = 0;
  inc(n = 1): void { this.value += n; }
}

export class GaugeMetric implements Gauge {
  value = 0;
  set(v: number): void { this.value = v; }
}

/** Cumulative histogram with fixed upper bounds (Prometheus's `le` buckets), in milliseconds. */
export class HistogramMetric {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly bounds: readonly number[]) { this.counts = bounds.map(() => 0); }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < this.bounds.length; i++) if (v <= this.bounds[i]!) { this.counts[i]!++; break; }
  }
}

/** Batch time buckets: 1 ms to 10 s. */
export const BATCH_MS_BUCKETS: readonly number[] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

export interface EventCounters {
  readonly in: CounterMetric;
  readonly out: CounterMetric;
  readonly duration_in_millis: CounterMetric;
}

/** One plugin instance's metrics. */
export class PluginStats implements PluginMetrics {
  readonly events: EventCounters = { in: new CounterMetric(), out: new CounterMetric(), duration_in_millis: new CounterMetric() };
  /** Inputs: time spent waiting for the queue. */
  readonly queuePushMillis = new CounterMetric();
  readonly own = new Map<string, CounterMetric | GaugeMetric>();

  constructor(readonly kind: PluginKind, readonly id: string, readonly name: string) {}

  counter(name: string): Counter {
    let m = this.own.get(name);
    if (!(m instanceof CounterMetric)) { m = new CounterMetric(); this.own.set(name, m); }
    return m;
  }

  gauge(name: string): Gauge {
    let m = this.own.get(name);
    if (!(m instanceof GaugeMetric)) { m = new GaugeMetric(); this.own.set(name, m); }
    return m;
  }

  /** Logstash's JSON shape for this plugin in `/_node/stats/pipelines`. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { id: this.id, name: this.name };
    out.events = this.kind === 'input'
      ? { out: this.events.out.value, queue_push_duration_in_millis: this.queuePushMillis.value }
      : { in: this.events.in.value, out: this.events.out.value, duration_in_millis: this.events.duration_in_millis.value };
    for (const [name, m] of this.own) setDotted(out, name, m.value);
    return out;
  }
}

function setDotted(target: Record<string, unknown>, dotted: string, value: number): void {
  const parts = dotted.split('.');
  let cur = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const k = parts[i]!;
    const next = cur[k];
    if (typeof next === 'object' && next !== null) cur = next as Record<string, unknown>;
    else { const fresh: Record<string, unknown> = {}; cur[k] = fresh; cur = fresh; }
  }
  cur[parts[parts.length - 1]!] = value;
}

export interface ReloadStats {
  successes: number;
  failures: number;
  last_error: { message: string; backtrace: string[] } | null;
  last_success_timestamp: string | null;
  last_failure_timestamp: string | null;
}

/** Figures a pipeline's queue reports when asked (memory or persisted). */
export interface QueueFigures {
  type: 'memory' | 'persisted';
  events_count: number;
  queue_size_in_bytes: number;
  max_queue_size_in_bytes: number;
  /** Persisted only: what the queue holds on disk. */
  capacity?: { page_capacity_in_bytes: number; max_queue_size_in_bytes: number; max_unread_events: number; queue_size_in_bytes: number };
}

export interface DeadLetterFigures {
  queue_size_in_bytes: number;
  dropped_events: number;
  expired_events: number;
  last_error: string;
  max_queue_size_in_bytes: number;
  storage_policy: string;
}

/** One pipeline's metrics. */
export class PipelineStats {
  readonly events = {
    in: new CounterMetric(),
    filtered: new CounterMetric(),
    out: new CounterMetric(),
    duration_in_millis: new CounterMetric(),
    queue_push_duration_in_millis: new CounterMetric(),
  };
  /** Events refused for good by outputs: to the DLQ, or logged and counted here when it is off. */
  readonly rejected = new CounterMetric();
  readonly batchMillis = new HistogramMetric(BATCH_MS_BUCKETS);
  readonly reloads: ReloadStats = { successes: 0, failures: 0, last_error: null, last_success_timestamp: null, last_failure_timestamp: null };
  readonly plugins = new Map<string, PluginStats>();
  queue: () => QueueFigures = () => ({ type: 'memory', events_count: 0, queue_size_in_bytes: 0, max_queue_size_in_bytes: 0 });
  deadLetterQueue: (() => DeadLetterFigures) | undefined;

  constructor(readonly id: string) {}

  plugin(kind: PluginKind, id: string, name: string): PluginStats {
    const key = `${kind}:${id}`;
    let p = this.plugins.get(key);
    if (!p) { p = new PluginStats(kind, id, name); this.plugins.set(key, p); }
    return p;
  }

  pluginsOf(kind: PluginKind): PluginStats[] {
    return [...this.plugins.values()].filter((p) => p.kind === kind);
  }
}

/** Every pipeline's metrics, for the monitoring API. A reloaded pipeline keeps its counters. */
export class MetricsRegistry {
  readonly pipelines = new Map<string, PipelineStats>();
  readonly startedAt = Date.now();

  pipeline(id: string): PipelineStats {
    let p = this.pipelines.get(id);
    if (!p) { p = new PipelineStats(id); this.pipelines.set(id, p); }
    return p;
  }
}

/** Metrics for a plugin made outside a running pipeline (the config check): kept, but read by nobody. */
export function detachedMetrics(kind: PluginKind, id: string, name: string): PluginMetrics {
  return new PluginStats(kind, id, name);
}
