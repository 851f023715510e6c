/**
 * A running pipeline: inputs → queue (memory or persisted) → workers → filters → outputs, and the
 * acknowledgement back to the queue once every output is done with a batch.
 *
 * Shutdown (stop() on SIGINT/SIGTERM, or every input finished, e.g. stdin EOF): inputs stop and flush
 * their codecs; with a memory queue every accepted event is drained through filters and outputs, however
 * long an output keeps retrying (a second signal is the way out: the CLI exits at once); with a persisted
 * queue only the batches in flight finish their current attempt — the rest stays in the queue for the next
 * start, unless `queue.drain` is set. While it waits, the shutdown watcher says every few seconds what it
 * waits for, as Logstash's does. Then filters flush what they hold, and outputs close.
 */
import type { PipelinePlan, PluginPlan } from '../config/plan.js';
import type { Event } from '../event/event.js';
import type { InputInstance, InputSink } from '../plugins/api.js';
import { getLogger, rateLimited, type Logger } from '../services/logger.js';
import { PipelineStats } from '../services/metrics.js';
import { chunkDecoder, compileInputDecoration } from './decorate.js';
import type { DeadLetterWriter } from './dlq/types.js';
import { LocalExecutor, type BatchExecutor, type BatchResult } from './executor.js';
import type { GraphSettings } from './graph.js';
import { createInput, type RuntimeSettings } from './instantiate.js';
import { MemoryQueue } from './queue/memory.js';
import type { EventQueue } from './queue/types.js';
import type { ChunkFeed, ChunkFeedFactory } from './threads.js';

export interface PipelineSettings extends RuntimeSettings {
  /** `pipeline.workers`: batches processed concurrently. One worker keeps event order. */
  workers: number;
  /** `pipeline.batch.size`. */
  batchSize: number;
  /** `pipeline.batch.delay` in milliseconds. */
  batchDelayMs: number;
  /** Interval of periodic filter flushes (Logstash: 5 s). */
  flushIntervalMs?: number;
  /** `pipeline.unsafe_shutdown`: give up on a stalled shutdown (losing in-flight events of a memory queue). */
  unsafeShutdown?: boolean;
  /** How often the shutdown watcher reports (Logstash: every 5 s). */
  shutdownReportMs?: number;
  /** The pipeline's metrics (default: its own, read by nobody). */
  stats?: PipelineStats;
  /** The queue (default: a memory queue sized for the workers' batches). */
  queue?: EventQueue;
  /** Where events rejected for good go (`dead_letter_queue.enable`); logged and counted when absent. */
  deadLetters?: DeadLetterWriter;
  /**
   * Workers on threads, when the pipeline can run there (threads.ts); in-process otherwise. With a
   * `chunkFeed`, the threads also decode the raw stream of the input at `chunkInput`.
   */
  executors?: (settings: GraphSettings) => Promise<BatchExecutor[] & { chunkFeed?: ChunkFeedFactory }>;
  chunkInput?: number;
}

interface RunningInput { plan: PluginPlan; instance: InputInstance; done?: Promise<void> }

export class Pipeline {
  readonly id: string;
  readonly #settings: PipelineSettings;
  readonly #queue: EventQueue;
  readonly #inputs: RunningInput[];
  readonly #executors: BatchExecutor[];
  readonly #chunkFeed: ChunkFeedFactory | undefined;
  readonly #stats: PipelineStats;
  readonly #log: Logger;
  readonly #abort = new AbortController();
  #stopping = false;
  #finished: Promise<void> | undefined;
  #failedInputs: string[] = [];
  #ready: Promise<boolean> | undefined;
  #inFlight = 0;

  private constructor(settings: PipelineSettings, inputs: RunningInput[], executors: BatchExecutor[] & { chunkFeed?: ChunkFeedFactory }, queue: EventQueue, stats: PipelineStats) {
    this.#settings = settings;
    this.#chunkFeed = queue.type === 'memory' ? executors.chunkFeed : undefined;
    this.id = settings.pipelineId ?? 'main';
    this.#inputs = inputs;
    this.#executors = executors;
    this.#queue = queue;
    this.#stats = stats;
    this.#log = getLogger('logstash.javapipeline', this.id);
    stats.queue = () => queue.figures();
    if (settings.deadLetters) { const dlq = settings.deadLetters; stats.deadLetterQueue = () => dlq.figures(); }
  }

  /** Instantiate every plugin (Logstash's register step). Throws when a plugin refuses its configuration. */
  static async create(plan: PipelinePlan, settings: PipelineSettings): Promise<Pipeline> {
    const stats = settings.stats ?? new PipelineStats(settings.pipelineId ?? 'main');
    const graph: GraphSettings = { ...settings, statsFor: (kind, id, name) => stats.plugin(kind, id, name) };
    const executors: BatchExecutor[] & { chunkFeed?: ChunkFeedFactory } = settings.executors
      ? await settings.executors(graph)
      : await LocalExecutor.create(plan, graph).then((e) => Array.from({ length: Math.max(1, settings.workers) }, () => e));
    const inputs: RunningInput[] = [];
    try {
      for (const p of plan.inputs) {
        const inputStats = stats.plugin('input', p.id, p.name);
        inputs.push({ plan: p, instance: await createInput(p, { ...settings, metricsFor: () => inputStats }) });
      }
    } catch (err) {
      await Promise.all([...new Set(executors)].map((e) => e.close()));
      throw err;
    }
    // Room for the workers' next batches: inputs are held back as soon as the workers are all busy.
    const queue = settings.queue ?? new MemoryQueue(Math.max(settings.batchSize * Math.max(1, settings.workers), 128));
    return new Pipeline(settings, inputs, executors, queue, stats);
  }

  get stats(): PipelineStats { return this.#stats; }
  get eventsOut(): number { return this.#stats.events.out.value; }
  get queue(): EventQueue { return this.#queue; }

  /** Ids of inputs that crashed (a port in use, a file that cannot be read): the run is then a failure. */
  get failedInputs(): readonly string[] { return this.#failedInputs; }

  /** Start inputs and workers; resolves when the pipeline has fully shut down. */
  run(): Promise<void> {
    this.#finished ??= this.#run();
    return this.#finished;
  }

  /**
   * Resolves once every input receives data (its listeners are bound): true, or false when an input failed
   * before it was ready (the pipeline then stops). Call after run().
   */
  ready(): Promise<boolean> {
    return this.#ready ?? Promise.resolve(false);
  }

  /** Begin a graceful shutdown; resolves when the pipeline has stopped. */
  async stop(): Promise<void> {
    if (this.#stopping) return this.#finished;
    this.#stopping = true;
    this.#log.info('Pipeline is stopping', { 'pipeline.id': this.id });
    // A persisted queue keeps what is not delivered: retries of in-flight batches need not hold the shutdown.
    if (this.#queue.type === 'persisted') this.#abort.abort();
    const watcher = this.#watchShutdown();
    await Promise.all(this.#inputs.map(async (i) => {
      try { await i.instance.stop(); } catch (err) { this.#log.error(`input ${i.plan.id} failed to stop`, { error: String(err) }); }
    }));
    try { await this.#finished; } finally { clearInterval(watcher); }
  }

  /** Stop waiting for outputs at once (a second signal, or an unsafe shutdown that stalled). */
  abort(): void { this.#abort.abort(); }

  async #run(): Promise<void> {
    const queue = this.#queue;
    const stats = this.#stats;
    const pipeline = this;
    const warn = rateLimited(this.#log);
    let feed: ChunkFeed | undefined;
    const inputsDone = Promise.all(this.#inputs.map((input, index) => {
      const decorate = compileInputDecoration(input.plan.options);
      const inputStats = stats.plugin('input', input.plan.id, input.plan.name);
      // The data of this input goes to the worker threads, which decode it (threads.ts, ChunkFeed); until
      // they are ready it is decoded here, with the same decoder.
      if (this.#chunkFeed && index === this.#settings.chunkInput) {
        feed = this.#chunkFeed(this.#abort.signal, (decoded, result) => {
          inputStats.events.out.inc(decoded);
          stats.events.in.inc(decoded);
          this.#settle(result);
        }, chunkDecoder(input.instance, input.plan, warn));
      }
      const chunks = index === this.#settings.chunkInput ? feed : undefined;
      const sink: InputSink = {
        ...(chunks ? { pushChunk: (bytes: Buffer, context?: string) => chunks.push(bytes, context) } : {}),
        push(event: Event): boolean {
          if (decorate) {
            try { decorate(event); } catch (err) {
              // add_field into a field the event holds as a scalar: the event goes on without it.
              warn(input.plan.id, `input ${input.plan.id}: could not decorate an event; it is kept as it is`, { reason: err instanceof Error ? err.message : String(err) });
            }
          }
          inputStats.events.out.inc();
          stats.events.in.inc();
          return queue.push(event);
        },
        async drained() {
          const t0 = performance.now();
          await queue.drained();
          if (chunks) await chunks.drained();
          const waited = performance.now() - t0;
          inputStats.queuePushMillis.inc(waited);
          stats.events.queue_push_duration_in_millis.inc(waited);
        },
        accepted: () => queue.accepted(),
        delivered: () => queue.delivered(),
        get full() { return queue.full; },
        get stopping() { return pipeline.#stopping; },
      };
      input.done = input.instance.run(sink).catch((err: unknown) => {
        // A crashed input stops the whole pipeline: running on without a source would look healthy while
        // receiving nothing. What was already queued still drains to the outputs.
        this.#log.error(`input ${input.plan.id} (${input.plan.name}) failed: ${err instanceof Error ? err.message : String(err)}; stopping the pipeline`);
        this.#failedInputs.push(input.plan.id);
        void this.stop();
      });
      return input.done;
    })).then(async () => {
      // Every chunk is written before the shutdown goes on (filters' final flush, outputs closing).
      try { await feed?.finished(); } catch (err) { this.#log.error(`a worker thread failed on the input's data: ${err instanceof Error ? err.message : String(err)}`); }
      queue.close();
    });
    this.#ready = Promise.all(this.#inputs.map((input) => {
      const ready = input.instance.ready?.() ?? Promise.resolve();
      // An input whose run() failed before it was ready is not ready.
      return Promise.race([ready.then(() => true, () => false), input.done!.then(() => !this.#failedInputs.includes(input.plan.id))]);
    })).then((all) => {
      const ok = all.every(Boolean);
      if (ok) this.#log.info('Pipeline started', { 'pipeline.id': this.id });
      return ok;
    });

    const flushTimer = this.#startPeriodicFlush();
    const workers = this.#executors.map((executor) => this.#work(executor));
    await Promise.all([inputsDone, ...workers]);
    if (flushTimer) clearInterval(flushTimer);
    // Final flush: events held by filters (aggregate-like) still reach the outputs.
    for (const executor of new Set(this.#executors)) this.#settle(await executor.flush(true, this.#abort.signal));
    await Promise.all([...new Set(this.#executors)].map((e) => e.close()));
    await this.#settings.deadLetters?.close();
    await queue.dispose();
    this.#log.info('Pipeline terminated', { 'pipeline.id': this.id });
  }

  async #work(executor: BatchExecutor): Promise<void> {
    const { batchSize, batchDelayMs } = this.#settings;
    const queue = this.#queue;
    for (;;) {
      const batch = await queue.read(batchSize, batchDelayMs);
      if (batch === null) return;
      const t0 = performance.now();
      this.#inFlight += batch.events.length;
      let result: BatchResult;
      try {
        result = await executor.process(batch.events, this.#abort.signal);
      } finally {
        this.#inFlight -= batch.events.length;
      }
      this.#settle(result);
      // A batch whose delivery was cut short stays in a persisted queue, unacknowledged, for the next start.
      if (!result.unfinished) queue.ack(batch);
      const ms = performance.now() - t0;
      this.#stats.events.duration_in_millis.inc(ms);
      this.#stats.batchMillis.observe(ms);
    }
  }

  /** Account for a processed batch: filtered/out counters, and rejected events to the DLQ or the log. */
  #settle(result: BatchResult): void {
    const stats = this.#stats;
    stats.events.filtered.inc(result.filtered);
    if (!result.unfinished) stats.events.out.inc(result.filtered);
    for (const r of result.rejected) {
      stats.rejected.inc();
      if (this.#settings.deadLetters) this.#settings.deadLetters.write(r);
      else this.#log.warn(`output ${r.pluginId} (${r.pluginType}) rejected an event for good and the dead letter queue is disabled; the event is dropped`, { reason: r.reason });
    }
  }

  /** Logstash's shutdown watcher: what the shutdown waits for, every few seconds, and when it looks stalled. */
  #watchShutdown(): NodeJS.Timeout {
    const every = this.#settings.shutdownReportMs ?? 5000;
    let lastInFlight = -1;
    let stalled = 0;
    const t = setInterval(() => {
      const retrying = [...new Set(this.#executors)].flatMap((e) => e.retrying());
      const inflight = this.#inFlight + this.#queue.figures().events_count;
      this.#log.warn('Shutdown is waiting for in-flight events', {
        inflight_count: inflight,
        stalling_outputs: retrying.map((r) => ({ id: r.output, events: r.events, attempt: r.attempt, last_error: r.lastError })),
      });
      stalled = inflight >= lastInFlight && lastInFlight >= 0 ? stalled + 1 : 0;
      lastInFlight = inflight;
      if (stalled >= 2) {
        this.#log.error('The shutdown process appears to be stalled due to busy or blocked plugins. Check the logs for more information.');
        if (this.#settings.unsafeShutdown) {
          this.#log.error('Forcefully quitting: pipeline.unsafe_shutdown is set; in-flight events of a memory queue are lost', { inflight_count: inflight });
          this.abort();
        }
      }
    }, every);
    t.unref();
    return t;
  }

  #startPeriodicFlush(): NodeJS.Timeout | undefined {
    const every = this.#settings.flushIntervalMs ?? 5000;
    if (every <= 0) return undefined;
    const t = setInterval(() => {
      for (const executor of new Set(this.#executors)) {
        void executor.flush(false, this.#abort.signal).then((r) => this.#settle(r), (err: unknown) => {
          this.#log.error('periodic flush failed', { error: String(err) });
        });
      }
    }, every);
    t.unref();
    return t;
  }
}
