/**
 * The JSON documents of Logstash's monitoring API (node info, node stats, plugins, health report), built
 * from the metrics registry and the running pipelines. Shapes follow Logstash's "Monitoring APIs" reference.
 */
import { arch, cpus, freemem, hostname, loadavg, platform, release, totalmem } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Settings } from '../config/settings.js';
import type { MetricsRegistry, PipelineStats, PluginStats } from '../services/metrics.js';
import { sluiceVersion } from '../services/package.js';
import { PLUGIN_KINDS, pluginNames } from '../plugins/registry.js';

/** What the API reads from the agent. */
export interface ApiSource {
  readonly metrics: MetricsRegistry;
  readonly settings: Settings;
  pipelines(): { id: string; settings: Settings; stats: PipelineStats }[];
}

const NODE_ID = randomUUID();
const EPHEMERAL_ID = randomUUID();
const EPHEMERAL_PIPELINE = new Map<string, string>();
const STARTED = Date.now();

function pipelineEphemeral(id: string): string {
  let e = EPHEMERAL_PIPELINE.get(id);
  if (!e) { e = randomUUID(); EPHEMERAL_PIPELINE.set(id, e); }
  return e;
}

export function rootInfo(src: ApiSource, address: string): Record<string, unknown> {
  const s = src.settings;
  return {
    host: hostname(),
    version: sluiceVersion(),
    http_address: address,
    id: NODE_ID,
    name: s.string('node.name') ?? hostname(),
    ephemeral_id: EPHEMERAL_ID,
    status: health(src),
    snapshot: false,
    pipeline: {
      workers: s.number('pipeline.workers'),
      batch_size: s.number('pipeline.batch.size'),
      batch_delay: s.number('pipeline.batch.delay'),
    },
    build_date: '',
    build_sha: '',
    build_snapshot: false,
  };
}

function pipelineInfo(id: string, s: Settings): Record<string, unknown> {
  return {
    ephemeral_id: pipelineEphemeral(id),
    hash: '',
    workers: s.number('pipeline.workers'),
    batch_size: s.number('pipeline.batch.size'),
    batch_delay: s.number('pipeline.batch.delay'),
    config_reload_automatic: s.boolean('config.reload.automatic'),
    config_reload_interval: s.number('config.reload.interval'),
    dead_letter_queue_enabled: s.boolean('dead_letter_queue.enable'),
  };
}

export function nodePipelines(src: ApiSource): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of src.pipelines()) out[p.id] = pipelineInfo(p.id, p.settings);
  return out;
}

function osInfo(): Record<string, unknown> {
  return { name: platform() === 'linux' ? 'Linux' : platform(), arch: arch(), version: release(), available_processors: cpus().length };
}

function runtimeInfo(): Record<string, unknown> {
  return {
    pid: process.pid, version: process.version.slice(1), vm_name: 'Node.js', vm_version: process.versions.v8, vm_vendor: 'OpenJS Foundation',
    start_time_in_millis: STARTED,
    mem: { heap_init_in_bytes: 0, heap_max_in_bytes: process.constrainedMemory?.() || totalmem(), non_heap_init_in_bytes: 0, non_heap_max_in_bytes: 0 },
  };
}

export function nodeInfo(src: ApiSource, address: string, part?: string): Record<string, unknown> {
  const all: Record<string, unknown> = { pipelines: nodePipelines(src), os: osInfo(), jvm: runtimeInfo() };
  const base = rootInfo(src, address);
  if (part === undefined) return { ...base, ...all };
  return part in all ? { ...base, [part]: all[part] } : base;
}

/** Logstash's counters are whole numbers (Java longs): durations are reported in whole milliseconds. */
function pluginJson(p: PluginStats): Record<string, unknown> {
  const j = p.toJSON();
  const ev = j.events as Record<string, number>;
  for (const k of Object.keys(ev)) ev[k] = Math.floor(ev[k]!);
  return j;
}

export function pipelineStats(p: PipelineStats): Record<string, unknown> {
  const plugins = { inputs: p.pluginsOf('input').map(pluginJson), codecs: p.pluginsOf('codec').map(pluginJson), filters: p.pluginsOf('filter').map(pluginJson), outputs: p.pluginsOf('output').map(pluginJson) };
  const q = p.queue();
  const out: Record<string, unknown> = {
    events: {
      in: p.events.in.value, filtered: p.events.filtered.value, out: p.events.out.value,
      duration_in_millis: Math.floor(p.events.duration_in_millis.value), queue_push_duration_in_millis: Math.floor(p.events.queue_push_duration_in_millis.value),
    },
    plugins,
    reloads: { ...p.reloads },
    queue: q,
  };
  if (p.deadLetterQueue) out.dead_letter_queue = p.deadLetterQueue();
  return out;
}

function processStats(): Record<string, unknown> {
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  const [one, five, fifteen] = loadavg();
  return {
    open_file_descriptors: -1, peak_open_file_descriptors: -1, max_file_descriptors: -1,
    mem: { total_virtual_in_bytes: mem.rss },
    cpu: { total_in_millis: Math.round((cpu.user + cpu.system) / 1000), percent: 0, load_average: { '1m': one, '5m': five, '15m': fifteen } },
  };
}

function runtimeStats(): Record<string, unknown> {
  const mem = process.memoryUsage();
  return {
    threads: { count: 1, peak_count: 1 },
    mem: {
      heap_used_percent: mem.heapTotal ? Math.round((mem.heapUsed / mem.heapTotal) * 100) : 0,
      heap_committed_in_bytes: mem.heapTotal, heap_max_in_bytes: mem.heapTotal, heap_used_in_bytes: mem.heapUsed,
      non_heap_used_in_bytes: mem.external, non_heap_committed_in_bytes: mem.external,
    },
    uptime_in_millis: Date.now() - STARTED,
  };
}

export function nodeStats(src: ApiSource, address: string, part?: string, pipelineId?: string): Record<string, unknown> | undefined {
  const pipelines: Record<string, unknown> = {};
  let [inN, filtered, outN, duration, push] = [0, 0, 0, 0, 0];
  let successes = 0;
  let failures = 0;
  let queued = 0;
  for (const [id, p] of src.metrics.pipelines) {
    pipelines[id] = pipelineStats(p);
    inN += p.events.in.value; filtered += p.events.filtered.value; outN += p.events.out.value;
    duration += p.events.duration_in_millis.value; push += p.events.queue_push_duration_in_millis.value;
    successes += p.reloads.successes; failures += p.reloads.failures;
    queued += p.queue().events_count;
  }
  const all: Record<string, unknown> = {
    jvm: runtimeStats(),
    process: processStats(),
    events: { in: inN, filtered, out: outN, duration_in_millis: Math.floor(duration), queue_push_duration_in_millis: Math.floor(push) },
    pipelines,
    reloads: { successes, failures },
    os: { cpu: { load_average: loadavg() }, mem: { total_in_bytes: totalmem(), free_in_bytes: freemem() } },
    queue: { events_count: queued },
  };
  const base = rootInfo(src, address);
  if (part === undefined) return { ...base, ...all };
  if (part === 'pipelines' && pipelineId !== undefined) {
    if (!(pipelineId in pipelines)) return undefined;
    return { ...base, pipelines: { [pipelineId]: pipelines[pipelineId] } };
  }
  return part in all ? { ...base, [part]: all[part] } : undefined;
}

export function nodePlugins(src: ApiSource, address: string): Record<string, unknown> {
  const plugins = PLUGIN_KINDS.flatMap((kind) => pluginNames(kind).map((name) => ({ name: `logstash-${kind}-${name}`, version: sluiceVersion() })))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return { ...rootInfo(src, address), total: plugins.length, plugins };
}

/** green while every pipeline runs, yellow when one does not (Logstash's health report, simplified). */
function health(src: ApiSource): 'green' | 'yellow' | 'red' {
  return src.pipelines().length > 0 ? 'green' : 'yellow';
}

export function healthReport(src: ApiSource, address: string): Record<string, unknown> {
  const running = src.pipelines();
  const indicators: Record<string, unknown> = {};
  for (const p of running) {
    indicators[p.id] = {
      status: 'green',
      symptom: 'The pipeline is healthy',
      details: { status: { state: 'RUNNING' }, flow: { worker_utilization: {}, worker_concurrency: {} } },
    };
  }
  const status = health(src);
  const n = running.length;
  const pipelines = {
    status,
    symptom: n === 0 ? 'No pipelines are running' : `${n} indicator${n === 1 ? ' is' : 's are'} healthy`,
    indicators,
  };
  const { host, version, snapshot, name, ephemeral_id: ephemeralId } = rootInfo(src, address);
  return {
    host, version, snapshot, name, ephemeral_id: ephemeralId,
    status,
    symptom: status === 'green' ? '1 indicator is healthy (`pipelines`)' : '1 indicator is concerning (`pipelines`)',
    indicators: { pipelines },
  };
}
