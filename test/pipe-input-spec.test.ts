/**
 * pipe input, ported from logstash-input-pipe spec/inputs/pipe_spec.rb (3.1.0): register, interruptible
 * (two commands), "pipe from echo" in each ECS mode of the matrix (disabled, v1, v8), and "pipe from
 * tail" (ten lines appended to a file followed by `tail -f`). Every example is ported.
 */
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pipeInput from '../src/inputs/pipe.js';
import type { InputInstance } from '../src/plugins/api.js';
import type { EcsMode } from '../src/plugins/options.js';
import { waitFor } from './helpers/cli.js';
import { createPlugin, testContext } from './helpers/plugin-context.js';
import { TestSink } from './net-support.js';

async function start(options: Record<string, unknown>, ecs: EcsMode = 'v8'): Promise<{ sink: TestSink; input: InputInstance; running: Promise<void> }> {
  const input = await createPlugin(pipeInput, options, testContext({ ecs }, 'input', 'pipe')) as InputInstance;
  const sink = new TestSink();
  return { sink, input, running: input.run(sink) };
}

describe('pipe input (pipe_spec.rb)', () => {
  it('should register', async () => {
    await expect(createPlugin(pipeInput, { command: "echo 'world'" }, testContext({}, 'input', 'pipe'))).resolves.toBeDefined();
  });

  it.each(['echo ☹', 'echo foo'])('when interrupting the plugin (%s): stop() ends run()', async (command) => {
    const { sink, input, running } = await start({ command });
    await waitFor(() => sink.events.length > 0, 10_000, 'a line');
    await input.stop();
    await expect(running).resolves.toBeUndefined();
  });

  describe.each(['disabled', 'v1', 'v8'] as const)('pipe from echo, ecs_compatibility => %s', (ecs) => {
    it('should receive the pipe, set the host field and the command executed', async () => {
      const { sink, input, running } = await start({ command: 'echo ☹' }, ecs);
      await waitFor(() => sink.events.length > 0, 10_000, 'a line');
      await input.stop();
      await running;
      const e = sink.events[0]!;
      expect(e.get('message')).toBe('☹');
      if (ecs === 'disabled') {
        expect(typeof e.get('host')).toBe('string');
        expect(e.get('command')).toBe('echo ☹');
      } else {
        expect(typeof e.get('[host][name]')).toBe('string');
        expect(e.includes('command')).toBe(false);
        expect(e.get('[process][command_line]')).toBe('echo ☹');
      }
    });
  });

  it('pipe from tail: should receive all piped elements', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sluice-pipe-in-')), 'logstash-spec-input-pipe');
    writeFileSync(file, '');
    const { sink, input, running } = await start({ command: `tail -n +0 -f ${file}` });
    for (let i = 0; i < 10; i++) appendFileSync(file, `${i} ☹\n`);
    await waitFor(() => sink.events.length >= 10, 10_000, 'ten lines');
    await input.stop();
    await running;
    expect(sink.messages().sort()).toEqual(Array.from({ length: 10 }, (_, i) => `${i} ☹`));
  });
});
