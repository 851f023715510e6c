/**
 * `pipeline.workers` N on N threads: each worker thread runs the pipeline's filters (filter-thread.ts)
 * on the batches the pipeline thread reads from the queue; the outputs, shared by all workers, stay on
 * the pipeline thread, which also runs the inputs and the queue. Batches go out as wire-format text; what
 * comes back is, for outputs that take encoded batches (stdout, file), the bytes their codec makes
 * (encoding is the costliest stage after grok, so it is done on the threads too), and the events only
 * when another output needs them. The answer also carries the filters' metric increments. With the
 * memory queue, an input whose data can be cut into chunks (stdin's lines, syslog's TCP frames) is
 * decoded on the threads as well (ChunkFeed). Until the threads are ready, the pipeline thread does their
 * work (ThreadPool).
 *
 * Not every pipeline can run there. Filters whose state spans events (aggregate, elapsed, throttle,
 * metrics) or that Logstash runs as one shared instance (ruby's `init` state) would behave differently
 * split across threads, so such pipelines keep their workers on the pipeline thread, as do pipelines
 * without filters whose input is not decoded on the threads (nothing to gain) and runs from the
 * TypeScript sources (no compiled worker module).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PipelinePlan, Step } from '../config/plan.js';
import type { Event } from '../event/event.js';
import { getLogger, loggingSettings, type Logger } from '../services/logger.js';
import type { RetryState } from './delivery.js';
import { EMPTY_RESULT, LocalExecutor, OutputStage, type BatchExecutor, type BatchResult, type EncodedBatch } from './executor.js';
import { decodeBatch, encodeBatch } from '../event/wire.js';
import type { FilterThreadData, FromThread, StatsDelta, ToThread } from './filter-thread.js';
import type { GraphSettings } from './graph.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Answer = FromThread & { type: 'done' | 'encoded' };

/** Filters that must see every event of the pipeline in one place. */
const SINGLE_INSTANCE_FILTERS = new Set(['aggregate', 'elapsed', 'throttle', 'metrics', 'ruby']);

const WORKER_MODULE = new URL('./filter-thread.js', import.meta.url);

/** Young generation of a worker thread: semi-spaces of this many MiB. */
const THREAD_SEMI_SPACE_MB = 16;

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

  /** Start a thread; `ready` settles once it has loaded the config and built its filters (or failed to). */
  static spawn(data: FilterThreadData, outputs: OutputStage, settings: GraphSettings, index: number): { executor: ThreadExecutor; ready: Promise<void> } {
    const worker = new Worker(WORKER_MODULE, { workerData: data, name: `[${data.runtime.pipelineId}]>worker${index}` });
    const executor = new ThreadExecutor(worker, outputs, settings);
    const ready = new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      worker.once('error', onError);
      worker.once('message', (m: FromThread) => {
        worker.off('error', onError);
        if (m.type === 'ready') { executor.#flushes = m.flushes; executor.#ready = true; resolve(); } else reject(new Error(m.type === 'failed' ? m.message : 'unexpected message from a worker thread'));
      });
    });
    worker.on('message', (m: FromThread) => executor.#answer(m));
    worker.on('error', (err) => executor.#fail(err));
    worker.on('exit', (code) => { if (code !== 0) executor.#fail(new Error(`worker thread exited with code ${code}`)); });
    // Failures are the pool's to report; an unawaited rejection must not end the process.
    ready.catch(() => {});
    return { executor, ready };
  }

  #ready = false;

  /** False once the thread has failed (exited, or an error it could not answer). */
  get alive(): boolean { return this.#dead === undefined; }

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
    this.#batches++;
    try {
      const m = await this.#ask({ type: 'run', batch: encodeBatch(events) });
      const filtered = m.batch === undefined ? undefined : decodeBatch(m.batch);
      if (m.type === 'done') return await this.#outputs.write(filtered ?? [], signal);
      return await this.#outputs.writeEncoded(m.filtered, m.encoded, filtered, signal);
    } finally {
      this.#batches--;
    }
  }

  /** Batches this thread is filtering (or their events being written) now. */
  get batchesInFlight(): number { return this.#batches; }
  #batches = 0;

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
      // A thread still starting (the input was short) is stopped as it is: it has nothing to flush.
      if (!this.#dead && this.#ready) await this.#events({ type: 'close' });
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
  readonly #pool: ThreadPool;
  readonly #decodeHere: (bytes: Buffer, context: string | undefined) => Event[];
  readonly #outputs: OutputStage;
  readonly #signal: AbortSignal;
  readonly #settle: (decoded: number, result: BatchResult) => void;
  readonly #limit: number;
  #inFlight = 0;
  #written: Promise<void> = Promise.resolve();
  #failure: Error | undefined;
  #spaceWaiters: (() => void)[] = [];

  /** `decodeHere`: the input's chunk decoder on the pipeline thread, for chunks read before a thread is ready. */
  constructor(pool: ThreadPool, outputs: OutputStage, signal: AbortSignal, settle: (decoded: number, result: BatchResult) => void, decodeHere: (bytes: Buffer, context: string | undefined) => Event[]) {
    this.#pool = pool;
    this.#decodeHere = decodeHere;
    this.#outputs = outputs;
    this.#signal = signal;
    this.#settle = settle;
    this.#limit = pool.threadCount * 2;
  }

  /** Hand over a chunk; false when the threads have all they can take (wait on drained()). */
  push(bytes: Buffer, context?: string): boolean {
    const thread = this.#pool.threadForChunk();
    // A buffer of its own, exactly the chunk, moves to the thread without another copy. Until a thread
    // is ready the chunk is decoded and filtered here, at once (the bytes may be a view of a read buffer).
    const result = thread ? thread.decodeChunk(new Uint8Array(bytes), context) : this.#here(bytes, context);
    this.#inFlight++;
    this.#written = this.#written.then(async () => {
      try {
        const r = await result;
        this.#pool.count(r.decoded, thread !== undefined);
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

  #here(bytes: Buffer, context: string | undefined): Promise<ChunkResult> {
    try {
      const events = this.#decodeHere(bytes, context);
      return this.#pool.filterHere(events).then((filtered) => ({ decoded: events.length, filtered: filtered.length, encoded: [], events: filtered }));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
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
 * (stdin and tcp with a line or json_lines codec in UTF-8; the syslog input's TCP frames, unless it
 * parses with Logstash's grok pattern). Undefined otherwise.
 */
export function chunkableInput(plan: PipelinePlan): number | undefined {
  if (plan.inputs.length !== 1) return undefined;
  const input = plan.inputs[0]!;
  if (input.name === 'stdin' || input.name === 'tcp') return 0;
  if (input.name === 'syslog' && input.options.grok_pattern === undefined && input.options.syslog_field === undefined) return 0;
  return undefined;
}

/**
 * The workers of a threaded pipeline: N threads, and the filters on the pipeline thread for the time the
 * threads take to start (each loads the modules and compiles the config, a few hundred milliseconds
 * that a short run would otherwise spend waiting). A batch goes to the ready thread with the fewest
 * batches in flight, or is filtered here while none is ready. The filters that may run on threads keep
 * nothing across batches (whyNotThreaded), so a batch may go either way. A thread that fails to start is
 * reported and left out; with none, the pipeline thread does all the work.
 */
export class ThreadPool implements BatchExecutor {
  readonly #here: LocalExecutor;
  readonly #spawned: ThreadExecutor[] = [];
  readonly #ready: ThreadExecutor[] = [];
  readonly #outputs: OutputStage;
  readonly #log: Logger;
  /** Events filtered on the threads and on the pipeline thread (logged at close, at debug level). */
  #onThreads = 0;
  #onPipelineThread = 0;

  constructor(here: LocalExecutor, outputs: OutputStage, threads: { executor: ThreadExecutor; ready: Promise<void> }[], pipelineId: string | undefined) {
    this.#here = here;
    this.#outputs = outputs;
    const log = getLogger('logstash.javapipeline', pipelineId);
    this.#log = log;
    const t0 = performance.now();
    for (const [i, t] of threads.entries()) {
      this.#spawned.push(t.executor);
      t.ready.then(() => {
        this.#ready.push(t.executor);
        if (this.#ready.length === threads.length) log.debug('worker threads ready', { threads: threads.length, after_ms: Math.round(performance.now() - t0) });
      }, (err: unknown) => {
        log.error('a worker thread failed to start; its share of the work stays on the pipeline thread', { thread: i, error: err instanceof Error ? err.message : String(err) });
      });
    }
  }

  /** Account for events decoded and filtered by a thread (`onThread`) or here. */
  count(events: number, onThread: boolean): void {
    if (onThread) this.#onThreads += events; else this.#onPipelineThread += events;
  }

  get threadCount(): number { return this.#spawned.length; }

  /** The ready thread with the fewest chunks in flight, or undefined while none is ready (or alive). */
  threadForChunk(): ThreadExecutor | undefined { return this.#leastBusy((t) => t.chunksInFlight); }

  #leastBusy(load: (t: ThreadExecutor) => number): ThreadExecutor | undefined {
    let best: ThreadExecutor | undefined;
    for (const t of this.#ready) if (t.alive && (!best || load(t) < load(best))) best = t;
    return best;
  }

  /** The filters, on the pipeline thread. */
  filterHere(events: Event[]): Promise<Event[]> {
    return Promise.resolve(this.#here.filter(events));
  }

  async process(events: Event[], signal: AbortSignal): Promise<BatchResult> {
    const thread = this.#leastBusy((t) => t.batchesInFlight);
    this.count(events.length, thread !== undefined);
    return (thread ?? this.#here).process(events, signal);
  }

  async flush(final: boolean, signal: AbortSignal): Promise<BatchResult> {
    // Filters that hold events never run threaded; a flush is there for completeness (and is empty).
    const results = [await this.#here.flush(final, signal)];
    for (const t of this.#ready) results.push(await t.flush(final, signal));
    return results.reduce((a, b) => ({ filtered: a.filtered + b.filtered, rejected: [...a.rejected, ...b.rejected], unfinished: a.unfinished || b.unfinished }));
  }

  retrying(): RetryState[] { return this.#outputs.retrying(); }

  async close(): Promise<void> {
    this.#log.debug('worker threads done', { events_on_threads: this.#onThreads, events_on_pipeline_thread: this.#onPipelineThread });
    await Promise.all(this.#spawned.map((t) => t.close()));
    await this.#here.close();
  }
}

/**
 * Threads for `workers` workers: one each, but no more than the cores (at least two): Logstash users
 * raise `pipeline.workers` past the cores for outputs that wait on the network, and more threads than
 * cores would only multiply the memory (each holds its own compiled config and heap). The workers beyond
 * stay concurrent batches.
 */
export function threadCount(workers: number): number {
  return Math.min(workers, Math.max(2, availableParallelism()));
}

/**
 * The executors of a pipeline whose workers run on threads: one ThreadPool, in the list once per worker
 * and at least twice per thread (so two batches per thread are in flight: while the outputs write one,
 * the thread filters the next). Returns as soon as the threads are spawned; they join as they become ready.
 */
export async function threadExecutors(plan: PipelinePlan, workers: number, pipeline: ThreadedPipeline, settings: GraphSettings): Promise<BatchExecutor[]> {
  const outputs = await OutputStage.create(plan, settings);
  let here: LocalExecutor;
  try {
    here = await LocalExecutor.withOutputs(plan, settings, outputs);
  } catch (err) {
    await outputs.release();
    throw err;
  }
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
  // Each thread's young generation is a quarter of the pipeline thread's (bin/sluice.js) and sized up
  // front: threads do not hold batches across a scavenge the way the pipeline thread does, and a heap
  // that grows with uptime would make memory creep (V8 reads the flags when a thread's heap is made).
  setFlagsFromString(`--max-semi-space-size=${THREAD_SEMI_SPACE_MB}`);
  setFlagsFromString(`--min-semi-space-size=${THREAD_SEMI_SPACE_MB}`);
  // Started together: each thread loads the modules and compiles the filters (grok) on its own.
  const threads = Array.from({ length: threadCount(workers) }, (_, i) => { outputs.share(); return ThreadExecutor.spawn(data, outputs, settings, i); });
  const pool = new ThreadPool(here, outputs, threads, settings.pipelineId);
  const executors: BatchExecutor[] & { chunkFeed?: ChunkFeedFactory } = Array.from({ length: Math.max(workers, threads.length * 2) }, () => pool);
  if (pipeline.chunkInput !== undefined) executors.chunkFeed = (signal, settle, decodeHere) => new ChunkFeed(pool, outputs, signal, settle, decodeHere);
  return executors;
}

export type ChunkFeedFactory = (signal: AbortSignal, settle: (decoded: number, result: BatchResult) => void, decodeHere: (bytes: Buffer, context: string | undefined) => Event[]) => ChunkFeed;
