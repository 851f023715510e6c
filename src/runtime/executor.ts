/**
 * A pipeline worker's job, one batch at a time: filters, then every output the events reach (all outputs
 * at once; the batch is done when the slowest is), under the delivery contract. The in-process executor
 * runs on the pipeline's thread; the thread executor (threads.ts) runs the same code on a worker thread.
 */
import type { PipelinePlan } from '../config/plan.js';
import type { Event } from '../event/event.js';
import { getLogger } from '../services/logger.js';
import { deliver, type RetryState } from './delivery.js';
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

const EMPTY: BatchResult = { filtered: 0, rejected: [], unfinished: false };

export class LocalExecutor implements BatchExecutor {
  readonly #filters: FilterGraph;
  readonly #outputs: OutputGraph;
  readonly #retrying = new Map<string, RetryState>();
  readonly #log = getLogger('logstash.javapipeline');

  private constructor(filters: FilterGraph, outputs: OutputGraph) { this.#filters = filters; this.#outputs = outputs; }

  static async create(plan: PipelinePlan, settings: GraphSettings): Promise<LocalExecutor> {
    const filters = await FilterGraph.build(plan.filters, settings);
    try {
      const outputs = await OutputGraph.build(plan.outputs, settings);
      return new LocalExecutor(filters, outputs);
    } catch (err) {
      await filters.close();
      throw err;
    }
  }

  get flushes(): boolean { return this.#filters.flushes; }

  async process(events: Event[], signal: AbortSignal): Promise<BatchResult> {
    const r = this.#filters.run(events);
    const filtered = r instanceof Promise ? await r : r;
    return this.#write(filtered, signal);
  }

  async flush(final: boolean, signal: AbortSignal): Promise<BatchResult> {
    if (!this.#filters.flushes) return EMPTY;
    return this.#write(await this.#filters.flush(final), signal);
  }

  async #write(events: Event[], signal: AbortSignal): Promise<BatchResult> {
    if (events.length === 0) return EMPTY;
    const perOutput = this.#outputs.route(events);
    const result: BatchResult = { filtered: events.length, rejected: [], unfinished: false };
    await Promise.all(this.#outputs.outputs.map(async (o) => {
      const batch = perOutput[o.index]!;
      if (batch.length === 0) return;
      const outcome = await deliver(batch, {
        output: o.instance, id: o.plan.id, name: o.plan.name, stats: o.stats, logger: this.#log, signal,
        onRetry: (state) => { if (state) this.#retrying.set(o.plan.id, state); else this.#retrying.delete(o.plan.id); },
      });
      for (const r of outcome.rejected) result.rejected.push({ event: r.event, reason: r.reason, pluginId: o.plan.id, pluginType: o.plan.name });
      if (outcome.unfinished.length > 0) result.unfinished = true;
    }));
    return result;
  }

  retrying(): RetryState[] { return [...this.#retrying.values()]; }

  async close(): Promise<void> {
    await this.#filters.close();
    await this.#outputs.close();
  }
}
