/**
 * null output, ported from logstash-output-null spec/outputs/null_spec.rb (3.0.5): register and receive
 * raise nothing. Both examples are ported; the CLI test shows the events counted as written.
 */
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import nullOutput from '../src/outputs/null.js';
import type { OutputInstance } from '../src/plugins/api.js';
import { createPlugin } from './helpers/plugin-context.js';
import { jsonLines, runCli } from './helpers/cli.js';

describe('null output (null_spec.rb)', () => {
  it('#register should not raise an error', async () => {
    await expect(createPlugin(nullOutput, {})).resolves.toBeDefined();
  });
  it('#receive should not raise an error, and reports every event written', async () => {
    const out = await createPlugin(nullOutput, {}) as OutputInstance;
    expect(await out.receive([new Event({ message: 'foobar' })], { signal: new AbortController().signal, attempt: 0 })).toBeUndefined();
  });
});

describe('null output through the CLI', () => {
  it('discards the events: nothing is written, the run ends normally, and an output beside it gets them all', async () => {
    const input = Array.from({ length: 500 }, (_, i) => JSON.stringify({ n: i })).join('\n') + '\n';
    const alone = await runCli(['run', '-e', 'input { stdin { codec => json_lines } } output { null {} }'], { input });
    expect(alone.code, alone.stderr).toBe(0);
    expect(alone.stdout).toBe('');
    const beside = await runCli(['run', '-w', '1', '-e', 'input { stdin { codec => json_lines } } output { null {} stdout { codec => json_lines } }'], { input });
    expect(beside.code, beside.stderr).toBe(0);
    expect(jsonLines(beside.stdout).map((e) => e.n)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });
});
