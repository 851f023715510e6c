/**
 * Logstash's own pattern spec (logstash-patterns-core RSpec, transcribed in
 * fixtures/conformance/patterns-core/cases.json) run in-process through the grok filter.
 * The end-to-end runner (run-patterns-core.mjs) does the same through `sluice run`; this test
 * keeps the check fast and independent of the rest of the pipeline; both judge with the same
 * checker (test/helpers/patterns-core-spec.ts).
 */
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import type { GrokFilter } from '../src/filters/grok.js';
import { grokFilter } from './helpers/grok.js';
import { checkOp, hardOps, loadSpecCases, type Json, type SpecCase } from './helpers/patterns-core-spec.js';

export async function runConformance(cases: SpecCase[]): Promise<{ pass: number; total: number; failures: string[] }> {
  const filters = new Map<string, GrokFilter>();
  let pass = 0;
  let total = 0;
  const failures: string[] = [];
  for (const c of cases) {
    const hard = hardOps(c);
    if (hard === undefined) continue;
    const ecs = c.mode === 'ecs-v1' ? 'v1' : 'disabled';
    const key = JSON.stringify([ecs, c.match, c.grok_options ?? {}]);
    let f = filters.get(key);
    if (f === undefined) {
      try {
        f = await grokFilter({ match: { message: c.match }, ...(c.grok_options ?? {}) }, ecs);
      } catch (e) {
        total++;
        failures.push(`${c.id} [${c.mode}] ${c.match}\n  compile error: ${(e as Error).message}`);
        continue;
      }
      filters.set(key, f);
    }
    const event = new Event({ message: c.message });
    f.filter(event);
    const ev = JSON.parse(event.toJSON()) as Record<string, Json>;
    const meta = JSON.parse(JSON.stringify(event.metadata)) as Json;
    total++;
    const bad = hard.filter((o) => !checkOp(o, ev, meta));
    if (bad.length === 0) pass++;
    else failures.push(`${c.id} [${c.mode}] ${c.match}\n  got: ${JSON.stringify(ev).slice(0, 700)}\n  failed: ${JSON.stringify(bad).slice(0, 500)}`);
  }
  for (const f of filters.values()) await f.close();
  return { pass, total, failures };
}

describe('logstash-patterns-core spec, in-process', () => {
  it('passes every non-pending case', async () => {
    const cases = loadSpecCases();
    const r = await runConformance(cases);
    if (r.failures.length) console.log(`${r.pass}/${r.total}\n` + r.failures.slice(0, 30).join('\n'));
    expect(r.failures).toEqual([]);
    expect(r.total).toBe(760);
  });
});
