/**
 * A running pipeline: inputs → bounded queue → worker batches → filters → outputs.
 *
 * Shutdown (stop() on SIGINT/SIGTERM, or every input finished, e.g. stdin EOF): inputs stop and flush
 * their codecs, the queue drains through filters and outputs, filters flush what they hold, outputs close.
 */
import type { PipelinePlan, PluginPlan } from '../config/plan.js';
import type { Event } from '../event/event.js';
import type { InputInstance, InputSink } from '../plugins/api.js';
import { compileInputDecoration } from './decorate.js';
import { FilterGraph, OutputGraph } from './graph.js';
import { createInput, type RuntimeSettings } from './instantiate.js';
import { getLogger, rateLimited } from '../services/logger.js';
import { BoundedQueue } from './queue.js';

export interface PipelineSettings extends RuntimeSettings {
  /** `-w`, `pipeline.workers`: batches processed concurrently. One worker keeps event order. */
  workers: number;
  /** `-b`, `pipeline.batch.size`. */
  batchSize: number;
  /** `-u`, `pipeline.batch.delay` in milliseconds. */
  batchDelayMs: number;
  /** Interval of periodic filter flushes (Logstash: 5 s). */
  flushIntervalMs?: number;
}

const log = getLogger('logstash.javapipeline');

interface RunningInput { plan: PluginPlan; instance: InputInstance; done?: Promise<void> }

export class Pipeline {
  readonly #settings: PipelineSettings;
  readonly #queue: BoundedQueue;
  readonly #inputs: RunningInput[];
  readonly #filters: FilterGraph;
  readonly #outputs: OutputGraph;
  #stopping = false;
  #finished: Promise<void> | undefined;
  #failedInputs: string[] = [];
  #eventsOut = 0;
  #ready: Promise<boolean> | undefined;

  private constructor(settings: PipelineSettings, inputs: RunningInput[], filters: FilterGraph, outputs: OutputGraph) {
    this.#settings = settings;
    this.#inputs = inputs;
    this.#filters = filters;
    this.#outputs = outputs;
    // Room for a few batches per worker: enough to keep workers busy, small enough to push back early.
    this.#queue = new BoundedQueue(Math.max(settings.batchSize * settings.workers * 2, 256));
  }

  /** Instantiate every plugin (register step). Throws when a plugin refuses its configuration. */
  static async create(plan: PipelinePlan, settings: PipelineSettings): Promise<Pipeline> {
    const filters = await FilterGraph.build(plan.filters, settings);
    const outputs = await OutputGraph.build(plan.outputs, settings);
    const inputs: RunningInput[] = [];
    for (const p of plan.inputs) inputs.push({ plan: p, instance: await createInput(p, settings) });
    return new Pipeline(settings, inputs, filters, outputs);
  }

  get eventsOut(): number { return this.#eventsOut; }

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

  /** Begin a graceful shutdown. */
  async stop(): Promise<void> {
    if (this.#stopping) return this.#finished;
    this.#stopping = true;
    log.info('stopping: closing inputs, draining in-flight events');
    await Promise.all(this.#inputs.map(async (i) => {
      try { await i.instance.stop(); } catch (err) { log.error(`input ${i.plan.id} failed to stop`, { error: String(err) }); }
    }));
    return this.#finished;
  }

  async #run(): Promise<void> {
    const queue = this.#queue;
    const pipeline = this;
    const warn = rateLimited(log);
    const inputsDone = Promise.all(this.#inputs.map((input) => {
      const decorate = compileInputDecoration(input.plan.options);
      const sink: InputSink = {
        push(event: Event): boolean {
          if (decorate) {
            try { decorate(event); } catch (err) {
              // add_field into a field the event holds as a scalar: the event goes on without it.
              warn(input.plan.id, `input ${input.plan.id}: could not decorate an event; it is kept as it is`, { reason: err instanceof Error ? err.message : String(err) });
            }
          }
          return queue.push(event);
        },
        drained: () => queue.drained(),
        accepted: () => Promise.resolve(),
        get full() { return queue.size >= queue.capacity; },
        get stopping() { return pipeline.#stopping; },
      };
      input.done = input.instance.run(sink).catch((err: unknown) => {
        // A crashed input stops the whole pipeline: running on without a source would look healthy while
        // receiving nothing. What was already queued still drains to the outputs.
        log.error(`input ${input.plan.id} (${input.plan.name}) failed: ${err instanceof Error ? err.message : String(err)}; stopping the pipeline`);
        this.#failedInputs.push(input.plan.id);
        void this.stop();
      });
      return input.done;
    })).then(() => queue.close());
    this.#ready = Promise.all(this.#inputs.map((input) => {
      const ready = input.instance.ready?.() ?? Promise.resolve();
      // An input whose run() failed before it was ready is not ready.
      return Promise.race([ready.then(() => true, () => false), input.done!.then(() => !this.#failedInputs.includes(input.plan.id))]);
    })).then((all) => {
      const ok = all.every(Boolean);
      if (ok) log.info('Pipeline started', { 'pipeline.id': this.#settings.pipelineId ?? 'main' });
      return ok;
    });

    const flushTimer = this.#startPeriodicFlush();
    const workers = Array.from({ length: Math.max(1, this.#settings.workers) }, () => this.#worker());
    await Promise.all([inputsDone, ...workers]);
    if (flushTimer) clearInterval(flushTimer);
    // Final flush: events held by filters (aggregate-like) still reach the outputs.
    const tail: Event[] = [];
    await this.#filters.flush(true, (e) => { tail.push(e); });
    await this.#write(tail);
    await this.#filters.close();
    await this.#outputs.close();
  }

  async #worker(): Promise<void> {
    const { batchSize, batchDelayMs } = this.#settings;
    for (;;) {
      const batch = await this.#queue.take(batchSize, batchDelayMs);
      if (batch.length === 0) return;
      await this.#process(batch);
    }
  }

  async #process(batch: Event[]): Promise<void> {
    if (this.#filters.empty) return this.#write(batch);
    const out: Event[] = [];
    const collect = (e: Event): void => { out.push(e); };
    for (const e of batch) {
      const r = this.#filters.run(e, collect);
      if (r instanceof Promise) await r;
    }
    return this.#write(out);
  }

  async #write(events: Event[]): Promise<void> {
    if (events.length === 0) return;
    this.#eventsOut += events.length;
    await this.#outputs.write(events);
  }

  #startPeriodicFlush(): NodeJS.Timeout | undefined {
    const every = this.#settings.flushIntervalMs ?? 5000;
    if (every <= 0) return undefined;
    const t = setInterval(() => {
      const out: Event[] = [];
      void Promise.resolve(this.#filters.flush(false, (e) => { out.push(e); })).then(() => this.#write(out));
    }, every);
    t.unref();
    return t;
  }
}
