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
import { EMPTY_RESULT, OutputStage, type BatchExecutor, type BatchResult, type EncodedBatch } from './executor.js';
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

/**
 * Why this pipeline's workers stay on the pipeline thread, or undefined when they can have threads.
 * Without filters threads pay only when they also decode the input (`decodesInput`, see chunkableInput).
 */
export function whyNotThreaded(plan: PipelinePlan, workers: number, decodesInput = false): string | undefined {
  if (workers < 2) return 'one worker';
  const names = filterNames(plan.filters);
  if (names.length === 0 && !decodesInput) return 'no filters';
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

  #ask(message: DistributiveOmit<ToThread, 'id'>, transfer: ArrayBuffer[] = []): Promise<Answer> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#next++;
    return new Promise<Answer>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...message, id } as ToThread, transfer);
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

  /** Chunks of raw input this thread is decoding or filtering now. */
  get chunksInFlight(): number { return this.#chunks; }
  #chunks = 0;

  /** Decode a chunk of an input's data on the thread, filter it, and encode it for the outputs that take bytes. */
  async decodeChunk(bytes: Uint8Array, context: string | undefined): Promise<ChunkResult> {
    this.#chunks++;
    try {
      const m = await this.#ask({ type: 'chunk', bytes, ...(context === undefined ? {} : { context }) }, [bytes.buffer as ArrayBuffer]);
      if (m.type !== 'encoded') throw new Error('unexpected answer to a chunk from a worker thread');
      return { decoded: m.decoded ?? 0, filtered: m.filtered, encoded: m.encoded, events: m.batch === undefined ? undefined : decodeBatch(m.batch) };
    } finally {
      this.#chunks--;
    }
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
  /** The input (index in the config) whose raw stream the threads decode (see chunkableInput). */
  chunkInput?: number;
}

/** What a thread made of one chunk of raw input. */
export interface ChunkResult { decoded: number; filtered: number; encoded: EncodedBatch[]; events: Event[] | undefined }

/**
 * Raw input cut into chunks of whole lines, decoded, filtered and encoded on the worker threads: the
 * pipeline thread only reads and writes bytes. Chunks go to the thread with the fewest in flight (two
 * each at most, then the input is held back); their results are written in the order the chunks were
 * read, so the output keeps the input's order as with one worker.
 */
export class ChunkFeed {
  readonly #threads: ThreadExecutor[];
  readonly #outputs: OutputStage;
  readonly #signal: AbortSignal;
  readonly #settle: (decoded: number, result: BatchResult) => void;
  readonly #limit: number;
  #inFlight = 0;
  #written: Promise<void> = Promise.resolve();
  #failure: Error | undefined;
  #spaceWaiters: (() => void)[] = [];

  constructor(threads: ThreadExecutor[], outputs: OutputStage, signal: AbortSignal, settle: (decoded: number, result: BatchResult) => void) {
    this.#threads = threads;
    this.#outputs = outputs;
    this.#signal = signal;
    this.#settle = settle;
    this.#limit = threads.length * 2;
  }

  /** Hand over a chunk; false when the threads have all they can take (wait on drained()). */
  push(bytes: Buffer, context?: string): boolean {
    // A buffer of its own, exactly the chunk, moves to the thread without another copy.
    const own = new Uint8Array(bytes);
    let thread = this.#threads[0]!;
    for (const t of this.#threads) if (t.chunksInFlight < thread.chunksInFlight) thread = t;
    const result = thread.decodeChunk(own, context);
    this.#inFlight++;
    this.#written = this.#written.then(async () => {
      try {
        const r = await result;
        this.#settle(r.decoded, await this.#outputs.writeEncoded(r.filtered, r.encoded, r.events, this.#signal));
      } catch (err) {
        this.#failure ??= err instanceof Error ? err : new Error(String(err));
      } finally {
        this.#inFlight--;
        const waiting = this.#spaceWaiters;
        this.#spaceWaiters = [];
        for (const w of waiting) w();
      }
    });
    return this.#inFlight < this.#limit;
  }

  drained(): Promise<void> {
    if (this.#inFlight < this.#limit) return Promise.resolve();
    return new Promise((resolve) => this.#spaceWaiters.push(resolve));
  }

  /** Resolves once every chunk handed over is written; rejects when a thread failed on one. */
  async finished(): Promise<void> {
    await this.#written;
    if (this.#failure) throw this.#failure;
  }
}

/**
 * The input whose data the worker threads can decode: the pipeline's only input, when it offers chunks
 * (stdin with a line or json_lines codec in UTF-8; the syslog input's TCP frames, unless it parses with
 * Logstash's grok pattern). Undefined otherwise.
 */
export function chunkableInput(plan: PipelinePlan): number | undefined {
  if (plan.inputs.length !== 1) return undefined;
  const input = plan.inputs[0]!;
  if (input.name === 'stdin') return 0;
  if (input.name === 'syslog' && input.options.grok_pattern === undefined && input.options.syslog_field === undefined) return 0;
  return undefined;
}

/** N executors on N threads sharing one set of outputs. */
export async function threadExecutors(plan: PipelinePlan, workers: number, pipeline: ThreadedPipeline, settings: GraphSettings): Promise<BatchExecutor[]> {
  const outputs = await OutputStage.create(plan, settings);
  const data: FilterThreadData = {
    source: pipeline.source,
    // The pipeline thread has checked this very config: the threads skip the plugins' own checks.
    load: { ...pipeline.load, skipPluginChecks: true },
    runtime: {
      ecs: settings.ecs, pipelineId: settings.pipelineId ?? 'main', cwd: settings.cwd ?? process.cwd(),
      ...(settings.dataDir === undefined ? {} : { dataDir: settings.dataDir }),
    },
    logging: loggingSettings(),
    // The threads encode for the outputs that take bytes (stdout), so this thread only writes them.
    encodeFor: outputs.encodedOutputs(),
    eventsBack: outputs.encodedOutputs().length < outputs.outputCount,
    ...(pipeline.chunkInput === undefined ? {} : { chunkInput: pipeline.chunkInput }),
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
  const executors: BatchExecutor[] & { chunkFeed?: ChunkFeedFactory } = [...started, ...started];
  if (pipeline.chunkInput !== undefined) executors.chunkFeed = (signal, settle) => new ChunkFeed(started, outputs, signal, settle);
  return executors;
}

export type ChunkFeedFactory = (signal: AbortSignal, settle: (decoded: number, result: BatchResult) => void) => ChunkFeed;
