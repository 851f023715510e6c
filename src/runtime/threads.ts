/**
 * `pipeline.workers` N on N threads: each worker thread runs the pipeline's filters (filter-thread.ts)
 * on the batches the pipeline thread reads from the queue; the outputs, shared by all workers, stay on
 * the pipeline thread, which also runs the inputs and the queue. Batches go out as wire-format text; what
 * comes back is, for outputs that take encoded batches (stdout), the bytes their codec makes (encoding
 * is the costliest stage after grok, so it is done on the threads too), and the events only when another
 * output needs them. The answer also carries the filters' metric increments.
 *
 * Not every pipeline can run there. Filters whose state spans events (aggregate, elapsed, throttle,
 * metrics) or that Logstash runs as one shared instance (ruby's `init` state) would behave differently
 * split across threads, so such pipelines keep their workers on the pipeline thread, as do pipelines
 * without filters (nothing to gain) and runs from the TypeScript sources (no compiled worker module).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PipelinePlan, Step } from '../config/plan.js';
import type { Event } from '../event/event.js';
import { getLogger, loggingSettings } from '../services/logger.js';
import type { RetryState } from './delivery.js';
import { EMPTY_RESULT, OutputStage, type BatchExecutor, type BatchResult } from './executor.js';
import { decodeBatch, encodeBatch } from '../event/wire.js';
import type { FilterThreadData, FromThread, StatsDelta, ToThread } from './filter-thread.js';
import type { GraphSettings } from './graph.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Answer = FromThread & { type: 'done' | 'encoded' };

/** Filters that must see every event of the pipeline in one place. */
const SINGLE_INSTANCE_FILTERS = new Set(['aggregate', 'elapsed', 'throttle', 'metrics', 'ruby']);

const WORKER_MODULE = new URL('./filter-thread.js', import.meta.url);

function filterNames(steps: Step[], out: string[] = []): string[] {
  for (const s of steps) {
    if (s.type === 'plugin') out.push(s.plugin.name);
    else for (const b of s.branches) filterNames(b.steps, out);
  }
  return out;
}

/** Why this pipeline's workers stay on the pipeline thread, or undefined when they can have threads. */
export function whyNotThreaded(plan: PipelinePlan, workers: number): string | undefined {
  if (workers < 2) return 'one worker';
  const names = filterNames(plan.filters);
  if (names.length === 0) return 'no filters';
  const single = names.find((n) => SINGLE_INSTANCE_FILTERS.has(n));
  if (single) return `the ${single} filter keeps state across events`;
  if (!existsSync(fileURLToPath(WORKER_MODULE))) return 'running from the sources';
  return undefined;
}

class ThreadExecutor implements BatchExecutor {
  readonly #worker: Worker;
  readonly #outputs: OutputStage;
  readonly #settings: GraphSettings;
  readonly #pending = new Map<number, { resolve: (m: Answer) => void; reject: (e: Error) => void }>();
  #next = 0;
  #flushes = false;
  #dead: Error | undefined;

  private constructor(worker: Worker, outputs: OutputStage, settings: GraphSettings) {
    this.#worker = worker;
    this.#outputs = outputs;
    this.#settings = settings;
  }

  static async start(data: FilterThreadData, outputs: OutputStage, settings: GraphSettings, index: number): Promise<ThreadExecutor> {
    const worker = new Worker(WORKER_MODULE, { workerData: data, name: `[${data.runtime.pipelineId}]>worker${index}` });
    const executor = new ThreadExecutor(worker, outputs, settings);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      worker.once('error', onError);
      worker.once('message', (m: FromThread) => {
        worker.off('error', onError);
        if (m.type === 'ready') { executor.#flushes = m.flushes; resolve(); } else reject(new Error(m.type === 'failed' ? m.message : 'unexpected message from a worker thread'));
      });
    });
    worker.on('message', (m: FromThread) => executor.#answer(m));
    worker.on('error', (err) => executor.#fail(err));
    worker.on('exit', (code) => { if (code !== 0) executor.#fail(new Error(`worker thread exited with code ${code}`)); });
    return executor;
  }

  #answer(m: FromThread): void {
    if (m.type !== 'done' && m.type !== 'encoded' && m.type !== 'error') return;
    const p = this.#pending.get(m.id);
    if (!p) return;
    this.#pending.delete(m.id);
    if (m.type === 'error') p.reject(new Error(m.message));
    else p.resolve(m);
  }

  #fail(err: Error): void {
    this.#dead ??= err;
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }

  #ask(message: DistributiveOmit<ToThread, 'id'>): Promise<Answer> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#next++;
    return new Promise<Answer>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...message, id } as ToThread);
    }).then((m) => {
      this.#count(m.stats);
      return m;
    });
  }

  async #events(message: DistributiveOmit<ToThread, 'id'>): Promise<Event[]> {
    const m = await this.#ask(message);
    return m.batch === undefined ? [] : decodeBatch(m.batch);
  }

  /** Add a thread's metric increments to the pipeline's own plugin metrics. */
  #count(deltas: StatsDelta[]): void {
    for (const d of deltas) {
      const s = this.#settings.statsFor?.('filter', d.id, d.name);
      if (!s) continue;
      s.events.in.inc(d.in);
      s.events.out.inc(d.out);
      s.events.duration_in_millis.inc(d.ms);
      for (const [name, v, kind] of d.own) {
        if (kind === 'counter') s.counter(name).inc(v);
        else s.gauge(name).set(v);
      }
    }
  }

  async process(events: Event[], signal: AbortSignal): Promise<BatchResult> {
    const m = await this.#ask({ type: 'run', batch: encodeBatch(events) });
    const filtered = m.batch === undefined ? undefined : decodeBatch(m.batch);
    if (m.type === 'done') return this.#outputs.write(filtered ?? [], signal);
    return this.#outputs.writeEncoded(m.filtered, m.encoded, filtered, signal);
  }

  async flush(final: boolean, signal: AbortSignal): Promise<BatchResult> {
    if (!this.#flushes) return EMPTY_RESULT;
    return this.#outputs.write(await this.#events({ type: 'flush', final }), signal);
  }

  retrying(): RetryState[] { return this.#outputs.retrying(); }

  async close(): Promise<void> {
    try {
      if (!this.#dead) await this.#events({ type: 'close' });
    } catch (err) {
      getLogger('logstash.javapipeline', this.#settings.pipelineId).error('a worker thread failed to close its filters', { error: String(err) });
    }
    await this.#worker.terminate();
    await this.#outputs.release();
  }
}

export interface ThreadedPipeline {
  source: FilterThreadData['source'];
  load: FilterThreadData['load'];
}

/** N executors on N threads sharing one set of outputs. */
export async function threadExecutors(plan: PipelinePlan, workers: number, pipeline: ThreadedPipeline, settings: GraphSettings): Promise<BatchExecutor[]> {
  const outputs = await OutputStage.create(plan, settings);
  const data: FilterThreadData = {
    source: pipeline.source,
    load: pipeline.load,
    runtime: {
      ecs: settings.ecs, pipelineId: settings.pipelineId ?? 'main', cwd: settings.cwd ?? process.cwd(),
      ...(settings.dataDir === undefined ? {} : { dataDir: settings.dataDir }),
    },
    logging: loggingSettings(),
    // The threads encode for the outputs that take bytes (stdout), so this thread only writes them.
    encodeFor: outputs.encodedOutputs(),
    eventsBack: outputs.encodedOutputs().length < outputs.outputCount,
  };
  // Started together: each thread loads the modules and compiles the filters (grok) on its own.
  const starts = Array.from({ length: workers }, (_, i) => { outputs.share(); return ThreadExecutor.start(data, outputs, settings, i); });
  const settled = await Promise.allSettled(starts);
  const started = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((e) => e.close()));
    for (let i = started.length; i < workers; i++) await outputs.release();
    throw failed.reason;
  }
  // Two batches in flight per thread: while one batch's events are written by the outputs (on the
  // pipeline thread), the thread already filters the next, instead of waiting idle.
  return [...started, ...started];
}
