/**
 * A pipeline worker's job, one batch at a time: filters, then every output the events reach (all outputs
 * at once; the batch is done when the slowest is), under the delivery contract. The in-process executor
 * runs on the pipeline's thread; the thread executor (threads.ts) runs the same code on a worker thread.
 */
import type { PipelinePlan } from '../config/plan.js';
import type { Event } from '../event/event.js';
import { getLogger } from '../services/logger.js';
import { deliver, deliverEncoded, type RetryState } from './delivery.js';
import { FilterGraph, OutputGraph, type GraphSettings } from './graph.js';

/** An event an output refused for good, with what the dead letter queue records. */
export interface RejectedEvent {
  event: Event;
  reason: string;
  pluginId: string;
  pluginType: string;
}

export interface BatchResult {
  /** Events that left the filters (and went to the outputs). */
  filtered: number;
  rejected: RejectedEvent[];
  /** True when the retries were stopped by the signal before every event was delivered. */
  unfinished: boolean;
}

export interface BatchExecutor {
  /** Filters and outputs for one batch; resolves once every output is done with it. */
  process(events: Event[], signal: AbortSignal): Promise<BatchResult>;
  /** Flush filters that hold events (periodically, and `final` at shutdown) through the outputs. */
  flush(final: boolean, signal: AbortSignal): Promise<BatchResult>;
  /** Outputs waiting to retry right now (for the shutdown watcher). */
  retrying(): RetryState[];
  close(): Promise<void>;
}

/** A batch's events for one output, encoded by a worker thread with that output's codec. */
export interface EncodedBatch { index: number; payload: string | Buffer; count: number }

export const EMPTY_RESULT: BatchResult = { filtered: 0, rejected: [], unfinished: false };

/**
 * The outputs of a pipeline, shared by every worker: routes filtered events to the outputs their
 * conditionals select and delivers to all of them at once, under the delivery contract.
 */
export class OutputStage {
  readonly #outputs: OutputGraph;
  readonly #retrying = new Map<string, RetryState>();
  readonly #log = getLogger('logstash.javapipeline');
  #users = 0;

  private constructor(outputs: OutputGraph) { this.#outputs = outputs; }

  static async create(plan: PipelinePlan, settings: GraphSettings): Promise<OutputStage> {
    return new OutputStage(await OutputGraph.build(plan.outputs, settings));
  }

  /** Each executor using the stage takes a share; the outputs close when the last one is released. */
  share(): this { this.#users++; return this; }

  async write(events: Event[], signal: AbortSignal): Promise<BatchResult> {
    if (events.length === 0) return EMPTY_RESULT;
    return this.writeEncoded(events.length, [], events, signal);
  }

  get outputCount(): number { return this.#outputs.outputs.length; }

  /** Indexes of the outputs that take batches already encoded (`receiveEncoded`): worker threads encode for them. */
  encodedOutputs(): number[] {
    return this.#outputs.outputs.filter((o) => o.instance.receiveEncoded !== undefined).map((o) => o.index);
  }

  /**
   * Deliver `filtered` events: the encoded payloads to their outputs, `events` (when given) routed to every
   * output that has no payload here.
   */
  async writeEncoded(filtered: number, encoded: readonly EncodedBatch[], events: Event[] | undefined, signal: AbortSignal): Promise<BatchResult> {
    if (filtered === 0) return EMPTY_RESULT;
    const result: BatchResult = { filtered, rejected: [], unfinished: false };
    const byOutput = new Map<number, EncodedBatch>();
    for (const e of encoded) byOutput.set(e.index, e);
    const perOutput = events ? this.#outputs.route(events) : undefined;
    await Promise.all(this.#outputs.outputs.map(async (o) => {
      const options = {
        output: o.instance, id: o.plan.id, name: o.plan.name, stats: o.stats, logger: this.#log, signal,
        onRetry: (state: RetryState | undefined) => { if (state) this.#retrying.set(o.plan.id, state); else this.#retrying.delete(o.plan.id); },
      };
      const payload = byOutput.get(o.index);
      if (payload) {
        if ((await deliverEncoded(payload.payload, payload.count, options)).unfinished) result.unfinished = true;
        return;
      }
      const batch = perOutput?.[o.index];
      if (!batch || batch.length === 0) return;
      const outcome = await deliver(batch, options);
      for (const r of outcome.rejected) result.rejected.push({ event: r.event, reason: r.reason, pluginId: o.plan.id, pluginType: o.plan.name });
      if (outcome.unfinished.length > 0) result.unfinished = true;
    }));
    return result;
  }

  retrying(): RetryState[] { return [...this.#retrying.values()]; }

  async release(): Promise<void> {
    if (--this.#users <= 0) await this.#outputs.close();
  }
}

/** Filters and outputs on the pipeline's own thread. */
export class LocalExecutor implements BatchExecutor {
  readonly #filters: FilterGraph;
  readonly #outputs: OutputStage;

  private constructor(filters: FilterGraph, outputs: OutputStage) { this.#filters = filters; this.#outputs = outputs; }

  static async create(plan: PipelinePlan, settings: GraphSettings): Promise<LocalExecutor> {
    const filters = await FilterGraph.build(plan.filters, settings);
    try {
      return new LocalExecutor(filters, (await OutputStage.create(plan, settings)).share());
    } catch (err) {
      await filters.close();
      throw err;
    }
  }

  /** Filters of its own over outputs shared with other executors (the thread pool's). */
  static async withOutputs(plan: PipelinePlan, settings: GraphSettings, outputs: OutputStage): Promise<LocalExecutor> {
    return new LocalExecutor(await FilterGraph.build(plan.filters, settings), outputs.share());
  }

  get flushes(): boolean { return this.#filters.flushes; }

  /** The filters alone. */
  filter(events: Event[]): Event[] | Promise<Event[]> { return this.#filters.run(events); }

  async process(events: Event[], signal: AbortSignal): Promise<BatchResult> {
    const r = this.#filters.run(events);
    const filtered = r instanceof Promise ? await r : r;
    return this.#outputs.write(filtered, signal);
  }

  async flush(final: boolean, signal: AbortSignal): Promise<BatchResult> {
    if (!this.#filters.flushes) return EMPTY_RESULT;
    return this.#outputs.write(await this.#filters.flush(final), signal);
  }

  retrying(): RetryState[] { return this.#outputs.retrying(); }

  async close(): Promise<void> {
    await this.#filters.close();
    await this.#outputs.release();
  }
}
