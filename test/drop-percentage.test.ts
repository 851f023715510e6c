import { testContext } from './helpers/plugin-context.js';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import type { FilterDefinition, FilterInstance } from '../src/plugins/api.js';
import { withDefaults } from '../src/runtime/instantiate.js';
import drop from '../src/filters/drop.js';

async function make(opts: Record<string, unknown> = {}): Promise<FilterInstance> {
  const d = drop as FilterDefinition;
  const ctx = testContext({ ecs: 'v8', id: 'drop' });
  return d.create(withDefaults(d, opts), ctx);
}

describe('drop filter', () => {
  it('cancels every event by default', async () => {
    const f = await make();
    const events = Array.from({ length: 100 }, () => new Event({ message: 'x' }));
    for (const e of events) await f.filter(e, () => {});
    expect(events.every((e) => e.cancelled)).toBe(true);
  });

  it('cancels about `percentage` % of the events', async () => {
    const f = await make({ percentage: 40 });
    const events = Array.from({ length: 5000 }, () => new Event({ message: 'x' }));
    for (const e of events) await f.filter(e, () => {});
    const share = events.filter((e) => e.cancelled).length / events.length;
    expect(share).toBeGreaterThan(0.35);
    expect(share).toBeLessThan(0.45);
  });

  it('never cancels with percentage 0, and reports success so common options apply', async () => {
    const f = await make({ percentage: 0 });
    const e = new Event({ message: 'x' });
    expect(await f.filter(e, () => {})).toBe(true);
    expect(e.cancelled).toBe(false);
  });
});
