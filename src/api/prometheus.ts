/**
 * Prometheus text exposition (format 0.0.4) of the metrics registry: one HELP and TYPE per family, every
 * sample of a family together, label values escaped, histogram buckets cumulative with `le="+Inf"`,
 * `_sum` and `_count`. Counter names end in `_total`.
 */
import type { MetricsRegistry, PluginStats } from '../services/metrics.js';
import { CounterMetric } from '../services/metrics.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Readonly<Record<string, string>>;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function labelText(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(',')}}`;
}

class Family {
  readonly lines: string[] = [];
  constructor(readonly name: string, readonly type: 'counter' | 'gauge' | 'histogram', readonly help: string) {}
  sample(labels: Labels, value: number, suffix = ''): void {
    this.lines.push(`${this.name}${suffix}${labelText(labels)} ${num(value)}`);
  }
}

class Exposition {
  readonly #families = new Map<string, Family>();
  family(name: string, type: Family['type'], help: string): Family {
    let f = this.#families.get(name);
    if (!f) { f = new Family(name, type, help); this.#families.set(name, f); }
    return f;
  }
  text(): string {
    let out = '';
    for (const f of this.#families.values()) {
      out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
      for (const l of f.lines) out += `${l}\n`;
    }
    return out;
  }
}

/** A plugin metric name (`documents.successes`) as a label value: kept as written. */
function pluginLabels(pipeline: string, p: PluginStats): Labels {
  return { pipeline, plugin_type: p.kind, plugin: p.name, plugin_id: p.id };
}

export function prometheusText(registry: MetricsRegistry): string {
  const x = new Exposition();
  const uptime = x.family('logstash_uptime_seconds', 'gauge', 'Seconds since the process started.');
  uptime.sample({}, (Date.now() - registry.startedAt) / 1000);
  const mem = process.memoryUsage();
  x.family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.').sample({}, mem.rss);
  x.family('nodejs_heap_used_bytes', 'gauge', 'V8 heap used in bytes.').sample({}, mem.heapUsed);
  x.family('nodejs_heap_total_bytes', 'gauge', 'V8 heap size in bytes.').sample({}, mem.heapTotal);

  const ev = {
    in: x.family('logstash_pipeline_events_in_total', 'counter', 'Events received by the pipeline (its inputs).'),
    filtered: x.family('logstash_pipeline_events_filtered_total', 'counter', 'Events that went through the filters.'),
    out: x.family('logstash_pipeline_events_out_total', 'counter', 'Events written by the outputs.'),
    duration: x.family('logstash_pipeline_events_duration_milliseconds_total', 'counter', 'Time spent in filters and outputs, in milliseconds.'),
    push: x.family('logstash_pipeline_events_queue_push_duration_milliseconds_total', 'counter', 'Time inputs waited for the queue, in milliseconds.'),
  };
  const rejected = x.family('logstash_pipeline_events_rejected_total', 'counter', 'Events refused for good by outputs.');
  const reloadOk = x.family('logstash_pipeline_reloads_successes_total', 'counter', 'Successful reloads of the pipeline.');
  const reloadKo = x.family('logstash_pipeline_reloads_failures_total', 'counter', 'Failed reloads of the pipeline.');
  const qEvents = x.family('logstash_pipeline_queue_events', 'gauge', 'Events in the pipeline\'s queue.');
  const qBytes = x.family('logstash_pipeline_queue_size_bytes', 'gauge', 'Size of the persisted queue in bytes (0 for memory).');
  const qMax = x.family('logstash_pipeline_queue_max_size_bytes', 'gauge', 'Largest size of the persisted queue in bytes (0 for memory).');
  const dlqBytes = x.family('logstash_pipeline_dead_letter_queue_size_bytes', 'gauge', 'Size of the dead letter queue in bytes.');
  const dlqDropped = x.family('logstash_pipeline_dead_letter_queue_dropped_events_total', 'counter', 'Events the dead letter queue dropped.');
  const batch = x.family('logstash_pipeline_batch_duration_milliseconds', 'histogram', 'Time to process one batch through filters and outputs, in milliseconds.');
  const pIn = x.family('logstash_plugin_events_in_total', 'counter', 'Events received by a filter or output.');
  const pOut = x.family('logstash_plugin_events_out_total', 'counter', 'Events emitted by a plugin.');
  const pDur = x.family('logstash_plugin_events_duration_milliseconds_total', 'counter', 'Time spent in a plugin, in milliseconds.');
  const pCounter = x.family('logstash_plugin_metric_total', 'counter', 'A plugin\'s own counters (grok matches and failures...), by metric name.');
  const pGauge = x.family('logstash_plugin_metric', 'gauge', 'A plugin\'s own gauges, by metric name.');

  for (const [id, p] of registry.pipelines) {
    const l = { pipeline: id };
    ev.in.sample(l, p.events.in.value);
    ev.filtered.sample(l, p.events.filtered.value);
    ev.out.sample(l, p.events.out.value);
    ev.duration.sample(l, p.events.duration_in_millis.value);
    ev.push.sample(l, p.events.queue_push_duration_in_millis.value);
    rejected.sample(l, p.rejected.value);
    reloadOk.sample(l, p.reloads.successes);
    reloadKo.sample(l, p.reloads.failures);
    const q = p.queue();
    qEvents.sample({ ...l, queue_type: q.type }, q.events_count);
    qBytes.sample({ ...l, queue_type: q.type }, q.queue_size_in_bytes);
    qMax.sample({ ...l, queue_type: q.type }, q.max_queue_size_in_bytes);
    if (p.deadLetterQueue) {
      const d = p.deadLetterQueue();
      dlqBytes.sample(l, d.queue_size_in_bytes);
      dlqDropped.sample(l, d.dropped_events);
    }
    const h = p.batchMillis;
    let cumulative = 0;
    h.bounds.forEach((b, i) => { cumulative += h.counts[i]!; batch.sample({ ...l, le: num(b) }, cumulative, '_bucket'); });
    batch.sample({ ...l, le: '+Inf' }, h.count, '_bucket');
    batch.sample(l, h.sum, '_sum');
    batch.sample(l, h.count, '_count');
    for (const plugin of p.plugins.values()) {
      const pl = pluginLabels(id, plugin);
      if (plugin.kind !== 'input') pIn.sample(pl, plugin.events.in.value);
      pOut.sample(pl, plugin.events.out.value);
      if (plugin.kind !== 'input') pDur.sample(pl, plugin.events.duration_in_millis.value);
      for (const [name, m] of plugin.own) (m instanceof CounterMetric ? pCounter : pGauge).sample({ ...pl, metric: name }, m.value);
    }
  }
  return x.text();
}
