/**
 * Run one filter on events as the pipeline does: created with its declared defaults, the common options
 * (add_field, add_tag, remove_field, remove_tag) applied when it reports success.
 */
import { Event } from '../../src/event/event.js';
import type { Hash } from '../../src/event/values.js';
import type { FilterDefinition, FilterInstance } from '../../src/plugins/api.js';
import { compileFilterMatched } from '../../src/plugins/decorate.js';
import type { EcsMode } from '../../src/plugins/options.js';
import { withDefaults } from '../../src/plugins/context.js';
import { createPlugin, testContext, type TestContext } from './plugin-context.js';

export interface FilterRun {
  filter: FilterInstance;
  ctx: TestContext;
  /** Filter one event (a string is a `message`); resolves to the same event, changed. */
  run(data: string | Hash | Event): Promise<Event>;
  close(): Promise<void>;
}

export async function filterRun(def: FilterDefinition, options: Record<string, unknown> = {}, ecs: EcsMode = 'disabled'): Promise<FilterRun> {
  const ctx = testContext({ ecs, id: def.name }, 'filter', def.name);
  const filter = await createPlugin(def, { ecs_compatibility: ecs, ...options }, ctx);
  const matched = compileFilterMatched(withDefaults(def, options));
  return {
    filter,
    ctx,
    async run(data) {
      const event = data instanceof Event ? data : new Event(typeof data === 'string' ? { message: data } : data);
      const ok = await filter.filter(event, () => {});
      if (ok) matched?.(event);
      return event;
    },
    async close() { await filter.close?.(); },
  };
}

/** Create, run on one event, close. */
export async function runFilter(def: FilterDefinition, options: Record<string, unknown>, data: string | Hash, ecs: EcsMode = 'disabled'): Promise<Event> {
  const r = await filterRun(def, options, ecs);
  try { return await r.run(data); } finally { await r.close(); }
}
