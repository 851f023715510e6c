/**
 * Filters without inputs and outputs: events in, filtered events out, in order. Used by `sluice test`
 * (as logstash-filter-verifier does, a case's input lines skip the config's inputs and outputs) and by tests.
 */
import type { PipelinePlan } from '../config/plan.js';
import type { Event } from '../event/event.js';
import type { EcsMode } from '../plugins/options.js';
import { FilterGraph } from './graph.js';

export interface FilterRunner {
  /** Run events through the filter section; returns surviving and emitted events in order. */
  process(events: Event[]): Promise<Event[]>;
  /** End-of-run flush of filters holding events (returned); the filters stay usable. */
  flush(): Promise<Event[]>;
  /** Release the filters (grok's guard worker, timers). */
  close(): Promise<void>;
}

export async function createFilterRunner(plan: PipelinePlan, options: { ecs?: EcsMode } = {}): Promise<FilterRunner> {
  const graph = await FilterGraph.build(plan.filters, { ecs: options.ecs ?? 'v8' });
  return {
    process: async (events) => graph.run(events),
    flush: () => graph.flush(true),
    close: () => graph.close(),
  };
}
