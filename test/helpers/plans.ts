/** Build PipelinePlan pieces in tests without going through the config language. */
import type { PluginPlan, Step, Condition } from '../../src/config/plan.js';
import type { FilterDefinition, OutputDefinition, FilterInstance, OutputInstance, Options } from '../../src/plugins/api.js';
import { defineFilter, defineOutput } from '../../src/plugins/api.js';
import type { Event } from '../../src/event/event.js';

let n = 0;
const loc = { file: 'test', line: 1, column: 1 };

export function filterStep(filter: FilterInstance['filter'], options: Options = {}, extra: Partial<FilterInstance> = {}): Step {
  const def: FilterDefinition = defineFilter({ name: 'fake', doc: '', options: {}, create: () => ({ filter, ...extra }) });
  const plugin: PluginPlan = { kind: 'filter', name: 'fake', definition: def, options, id: `fake_${++n}`, location: loc };
  return { type: 'plugin', plugin };
}

export function ifStep(...branches: [Condition | null, Step[]][]): Step {
  return { type: 'if', branches: branches.map(([condition, steps]) => ({ condition, steps, location: loc })) };
}

export function collectingOutput(): { step: Step; events: Event[]; batches: number[]; closed: () => boolean } {
  const events: Event[] = [];
  const batches: number[] = [];
  let closed = false;
  const instance: OutputInstance = {
    receive(batch) { events.push(...batch); batches.push(batch.length); },
    close() { closed = true; },
  };
  const def: OutputDefinition = defineOutput({ name: 'collect', doc: '', options: {}, create: () => instance });
  const plugin: PluginPlan = { kind: 'output', name: 'collect', definition: def, options: {}, id: `collect_${++n}`, location: loc };
  return { step: { type: 'plugin', plugin }, events, batches, closed: () => closed };
}
