/**
 * Running one filter on events as the pipeline does: created from its definition with declared defaults,
 * the common options (add_field, add_tag, …) applied when `filter` returns true, events it emits kept after
 * their parent. For ports of plugins' RSpec examples.
 */
import { Event } from '../../src/event/event.js';
import { deepClone, type Hash } from '../../src/event/values.js';
import type { FilterDefinition, FilterInstance } from '../../src/plugins/api.js';
import { compileFilterMatched } from '../../src/plugins/decorate.js';
import type { EcsMode } from '../../src/plugins/options.js';
import { createPlugin, testContext, type TestContext } from './plugin-context.js';

export interface FilterHarness {
  instance: FilterInstance;
  ctx: TestContext;
  /** Filter one event; returns it (it may be cancelled) followed by the events emitted for it. */
  run(event: Event | Hash): Promise<Event[]>;
  /** What filter() returned for the last event. */
  readonly lastResult: boolean | undefined;
}

export async function filterHarness(def: FilterDefinition, options: Record<string, unknown> = {}, opts: { ecs?: EcsMode; cwd?: string; dataDir?: string } = {}): Promise<FilterHarness> {
  const ctx = testContext({ ecs: opts.ecs ?? 'v8', id: def.name, ...(opts.cwd ? { cwd: opts.cwd } : {}), ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) }, 'filter', def.name);
  const instance = await createPlugin(def, { ...options, ...(opts.ecs ? { ecs_compatibility: opts.ecs } : {}) }, ctx);
  const matched = compileFilterMatched(options);
  let lastResult: boolean | undefined;
  return {
    instance,
    ctx,
    get lastResult() { return lastResult; },
    async run(input) {
      const event = input instanceof Event ? input : new Event(deepClone(input));
      const emitted: Event[] = [];
      const ok = await instance.filter(event, (e) => { emitted.push(e); });
      lastResult = ok;
      if (ok && matched && !event.cancelled) matched(event);
      return [event, ...emitted];
    },
  };
}

/** Filter one event with a fresh filter; returns the event. */
export async function filterOne(def: FilterDefinition, options: Record<string, unknown>, data: Event | Hash, opts: { ecs?: EcsMode; cwd?: string } = {}): Promise<Event> {
  const h = await filterHarness(def, options, opts);
  const [e] = await h.run(data);
  await h.instance.close?.();
  return e!;
}
