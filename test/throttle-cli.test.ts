// The throttle filter through the real CLI (built by `npm test`): drop what is throttled.
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './helpers/cli.js';

describe('throttle through sluice run', () => {
  it('tags events above after_count per key, and a conditional drops them', async () => {
    const input = ['a', 'a', 'b', 'a', 'b', 'b'].map((h, i) => JSON.stringify({ '@timestamp': `2016-07-09T00:00:0${i}Z`, host: h, n: i })).join('\n') + '\n';
    const cfg = 'input { stdin { codec => json_lines } } filter { throttle { key => "%{host}" after_count => 2 period => 60 add_tag => ["throttled"] } if "throttled" in [tags] { drop {} } } output { stdout { codec => json_lines } }';
    const r = await runCli(['run', '-e', cfg], { input });
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout).map((e) => e.n)).toEqual([0, 1, 2, 4]);
  });
});
