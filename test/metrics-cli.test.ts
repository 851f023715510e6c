// The metrics filter through the real CLI (built by `npm test`): the final flush at shutdown emits the metrics.
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './helpers/cli.js';

describe('metrics through sluice run', () => {
  it('emits a metric event with meters and timers, tagged with add_tag', async () => {
    const cfg = 'input { stdin { codec => json_lines } } filter { metrics { meter => ["http_%{response}"] timer => ["rt", "%{t}"] add_tag => ["metric"] } if "metric" not in [tags] { drop {} } } output { stdout { codec => json_lines } }';
    const r = await runCli(['run', '-e', cfg], { input: '{"response":200,"t":10}\n{"response":404,"t":30}\n{"response":200,"t":20}\n' });
    expect(r.code).toBe(0);
    const events = jsonLines(r.stdout);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      message: hostname(), tags: ['metric'],
      http_200: { count: 2 }, http_404: { count: 1 },
      rt: { count: 3, min: 10, max: 30, mean: 20, p99: 30, p1: 10 },
    });
    expect(Object.keys(events[0]!.http_200 as object)).toEqual(['count', 'rate_1m', 'rate_5m', 'rate_15m']);
  });
  it('refuses invalid rates at start-up', async () => {
    const r = await runCli(['run', '-e', 'input { stdin {} } filter { metrics { meter => ["m"] rates => [90] } } output { stdout {} }']);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/possible rates are 1, 5, 15/);
  });
});
