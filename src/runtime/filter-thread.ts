/**
 * A pipeline worker thread: compiles the pipeline's config itself (plans hold compiled conditionals,
 * which cannot cross threads), builds its own filter graph, and runs the batches the pipeline thread
 * sends it. Events cross in the wire format (src/event/wire.ts), one JSON array per batch; the filters'
 * metrics go back with each answer as increments, so the monitoring API counts what every thread did.
 * Outputs stay on the pipeline thread (threads.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadPipeline, type LoadSettings, type LoadSource } from '../config/load.js';
import type { Event } from '../event/event.js';
import { decodeBatch, encodeBatch } from '../event/wire.js';
import type { EcsMode } from '../plugins/options.js';
import { configureLogging, type LoggingSettings } from '../services/logger.js';
import { CounterMetric, PluginStats } from '../services/metrics.js';
import { FilterGraph } from './graph.js';

export interface FilterThreadData {
  source: LoadSource;
  load: LoadSettings;
  runtime: { ecs: EcsMode; pipelineId: string; cwd: string; dataDir?: string };
  logging: LoggingSettings;
}

/** Increments of one filter's metrics since the last answer. */
export interface StatsDelta { id: string; name: string; in: number; out: number; ms: number; own: [string, number, 'counter' | 'gauge'][] }

export type ToThread =
  | { type: 'run'; id: number; batch: string }
  | { type: 'flush'; id: number; final: boolean }
  | { type: 'close'; id: number };

export type FromThread =
  | { type: 'ready'; flushes: boolean }
  | { type: 'failed'; message: string }
  | { type: 'done'; id: number; batch: string; stats: StatsDelta[] }
  | { type: 'error'; id: number; message: string };

class StatsTracker {
  readonly #stats = new Map<string, PluginStats>();
  readonly #last = new Map<string, Map<string, number>>();

  statsFor = (kind: 'filter' | 'output', id: string, name: string): PluginStats => {
    let s = this.#stats.get(id);
    if (!s) { s = new PluginStats(kind, id, name); this.#stats.set(id, s); }
    return s;
  };

  deltas(): StatsDelta[] {
    const out: StatsDelta[] = [];
    for (const [id, s] of this.#stats) {
      let last = this.#last.get(id);
      if (!last) { last = new Map(); this.#last.set(id, last); }
      const step = (key: string, value: number): number => { const d = value - (last!.get(key) ?? 0); last!.set(key, value); return d; };
      const own: StatsDelta['own'] = [];
      for (const [name, m] of s.own) {
        if (m instanceof CounterMetric) { const d = step(`own.${name}`, m.value); if (d !== 0) own.push([name, d, 'counter']); }
        else own.push([name, m.value, 'gauge']);
      }
      const delta: StatsDelta = { id, name: s.name, in: step('in', s.events.in.value), out: step('out', s.events.out.value), ms: step('ms', s.events.duration_in_millis.value), own };
      if (delta.in !== 0 || delta.out !== 0 || delta.ms !== 0 || own.length > 0) out.push(delta);
    }
    return out;
  }
}

async function main(): Promise<void> {
  const port = parentPort!;
  const data = workerData as FilterThreadData;
  configureLogging(data.logging);
  const loaded = await loadPipeline(data.source, data.load);
  if (!loaded.plan) { port.postMessage({ type: 'failed', message: 'the configuration did not compile in the worker thread' } satisfies FromThread); return; }
  const tracker = new StatsTracker();
  let graph: FilterGraph;
  try {
    graph = await FilterGraph.build(loaded.plan.filters, { ...data.runtime, statsFor: tracker.statsFor });
  } catch (err) {
    port.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err) } satisfies FromThread);
    return;
  }
  port.on('message', (m: ToThread) => {
    const answer = async (): Promise<FromThread> => {
      if (m.type === 'close') { await graph.close(); return { type: 'done', id: m.id, batch: '[]', stats: tracker.deltas() }; }
      let events: Event[];
      if (m.type === 'run') {
        const r = graph.run(decodeBatch(m.batch));
        events = r instanceof Promise ? await r : r;
      } else {
        events = await graph.flush(m.final);
      }
      return { type: 'done', id: m.id, batch: encodeBatch(events), stats: tracker.deltas() };
    };
    answer().then((reply) => {
      port.postMessage(reply);
      if (m.type === 'close') port.close();
    }, (err: unknown) => {
      port.postMessage({ type: 'error', id: m.id, message: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies FromThread);
    });
  });
  port.postMessage({ type: 'ready', flushes: graph.flushes } satisfies FromThread);
}

void main().catch((err: unknown) => {
  parentPort?.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err) } satisfies FromThread);
});
