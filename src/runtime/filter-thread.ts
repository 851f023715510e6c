/**
 * A pipeline worker thread: compiles the pipeline's config itself (plans hold compiled conditionals,
 * which cannot cross threads), builds its own filter graph, and runs the batches the pipeline thread
 * sends it. Events cross in the wire format (src/event/wire.ts), one JSON array per batch; the filters'
 * metrics go back with each answer as increments, so the monitoring API counts what every thread did.
 * Outputs stay on the pipeline thread (threads.ts), but for those that take encoded batches
 * (`receiveEncoded`: stdout) the thread routes the filtered events through the output section's
 * conditionals and encodes them with its own copy of each such output's codec, so the pipeline thread
 * only writes bytes; the events themselves go back only when another output needs them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadPipeline, type LoadSettings, type LoadSource } from '../config/load.js';
import type { Event } from '../event/event.js';
import { decodeBatch, encodeBatch as encodeWire } from '../event/wire.js';
import type { EcsMode } from '../plugins/options.js';
import { configureLogging, getLogger, rateLimited, type LoggingSettings } from '../services/logger.js';
import { CounterMetric, PluginStats } from '../services/metrics.js';
import { encodeBatch } from '../outputs/_write.js';
import type { CodecInstance } from '../plugins/api.js';
import type { EncodedBatch } from './executor.js';
import { FilterGraph, OutputRouter } from './graph.js';
import { chunkDecoder } from './decorate.js';
import { createInput, createPluginCodec } from './instantiate.js';

export interface FilterThreadData {
  source: LoadSource;
  load: LoadSettings;
  runtime: { ecs: EcsMode; pipelineId: string; cwd: string; dataDir?: string };
  logging: LoggingSettings;
  /** Indexes of the outputs this thread encodes for (they take encoded batches). */
  encodeFor: number[];
  /** Whether some output takes events, not bytes: the filtered events then go back too. */
  eventsBack: boolean;
  /** Index (in the config's inputs) of the input whose raw chunks this thread decodes, if any. */
  chunkInput?: number;
}

/** Increments of one filter's metrics since the last answer. */
export interface StatsDelta { id: string; name: string; in: number; out: number; ms: number; own: [string, number, 'counter' | 'gauge'][] }

export type ToThread =
  | { type: 'run'; id: number; batch: string }
  | { type: 'flush'; id: number; final: boolean }
  | { type: 'chunk'; id: number; bytes: Uint8Array; context?: string }
  | { type: 'close'; id: number };

export type FromThread =
  | { type: 'ready'; flushes: boolean }
  | { type: 'failed'; message: string }
  | { type: 'done'; id: number; batch: string; stats: StatsDelta[] }
  | { type: 'encoded'; id: number; filtered: number; encoded: EncodedBatch[]; batch?: string; stats: StatsDelta[]; decoded?: number }
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
  const router = data.encodeFor.length > 0 ? await OutputRouter.build(loaded.plan.outputs) : undefined;
  const codecs = new Map<number, CodecInstance>();
  for (const index of data.encodeFor) {
    const slot = router?.outputs[index];
    const codec = slot ? await createPluginCodec(slot.plan, data.runtime) : undefined;
    if (!codec) { port.postMessage({ type: 'failed', message: `no codec for output ${index} in the worker thread` } satisfies FromThread); return; }
    codecs.set(index, codec);
  }
  /** The filtered batch for the pipeline thread: encoded for the outputs that take bytes, plus the events when needed. */
  const encoded = (id: number, events: Event[]): FromThread => {
    const perOutput = router!.route(events);
    const batches: EncodedBatch[] = [];
    const transfer: ArrayBuffer[] = [];
    for (const [index, codec] of codecs) {
      const list = perOutput[index]!;
      if (list.length === 0) continue;
      // As bytes, here: a string would be copied by postMessage and then turned into bytes by the
      // pipeline thread anyway. The batch's buffer is its own (ByteBatch): it moves without a copy.
      const payload = encodeBatch(codec, list);
      transfer.push(payload.buffer as ArrayBuffer);
      batches.push({ index, payload, count: list.length });
    }
    transferList = transfer;
    return { type: 'encoded', id, filtered: events.length, encoded: batches, ...(data.eventsBack ? { batch: encodeWire(events) } : {}), stats: tracker.deltas() };
  };
  let transferList: ArrayBuffer[] = [];
  // Raw chunks of an input's stream (whole lines): decoded here with the input's own decoder and the
  // decoration the pipeline thread would give (type, tags, add_field), then filtered like any batch.
  const chunkPlan = data.chunkInput === undefined ? undefined : loaded.plan.inputs[data.chunkInput];
  const decodeChunk = chunkPlan
    ? chunkDecoder(await createInput(chunkPlan, data.runtime), chunkPlan, rateLimited(getLogger('logstash.javapipeline', data.runtime.pipelineId)))
    : () => { throw new Error('no input to decode on this worker thread'); };
  port.on('message', (m: ToThread) => {
    const answer = async (): Promise<FromThread> => {
      if (m.type === 'close') { await graph.close(); return { type: 'done', id: m.id, batch: '[]', stats: tracker.deltas() }; }
      let events: Event[];
      if (m.type === 'chunk') {
        const decoded = decodeChunk(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength), m.context);
        const r = graph.run(decoded);
        events = r instanceof Promise ? await r : r;
        const reply = router ? encoded(m.id, events) : { type: 'encoded' as const, id: m.id, filtered: events.length, encoded: [], batch: encodeWire(events), stats: tracker.deltas() };
        return { ...reply, decoded: decoded.length } as FromThread;
      }
      if (m.type === 'run') {
        const r = graph.run(decodeBatch(m.batch));
        events = r instanceof Promise ? await r : r;
        if (router) return encoded(m.id, events);
      } else {
        events = await graph.flush(m.final);
      }
      return { type: 'done', id: m.id, batch: encodeWire(events), stats: tracker.deltas() };
    };
    answer().then((reply) => {
      const transfer = transferList;
      transferList = [];
      port.postMessage(reply, transfer);
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
