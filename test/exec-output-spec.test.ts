/**
 * exec output, ported from logstash-output-exec spec/outputs/exec_spec.rb (3.1.4), with real commands
 * instead of a stubbed Open3.popen3: the command is run with the event's sprintf, its output logged at
 * debug level (with stderr) and at info level unless quiet.
 * Every example is ported; "when debugging" checks the debug lines among all lines logged (the sluice
 * logger has no `debug?` switch to stub: both the debug and the info line are logged).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import execOutput from '../src/outputs/exec.js';
import type { OutputInstance } from '../src/plugins/api.js';
import { createPlugin, testContext, type TestContext } from './helpers/plugin-context.js';

const delivery = { signal: new AbortController().signal, attempt: 0 };

async function receive(options: Record<string, unknown>, events: Event[]): Promise<TestContext> {
  const ctx = testContext({}, 'output', 'exec');
  const out = await createPlugin(execOutput, options, ctx) as OutputInstance;
  expect(await out.receive(events, delivery)).toBeUndefined();
  return ctx;
}

describe('exec output (exec_spec.rb)', () => {
  const event = (): Event => new Event({ params: '1234' });

  it('receive a command and execute it (with the event\'s fields)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-exec-out-'));
    await receive({ command: `echo %{params} > ${dir}/ran` }, [event()]);
    expect(readFileSync(join(dir, 'ran'), 'utf8')).toBe('1234\n');
  });

  it('when debugging: register the stdout and stderr to the logger', async () => {
    const ctx = await receive({ command: 'echo 1; echo Oulala >&2' }, [event()]);
    expect(ctx.logs).toContainEqual({ level: 'debug', msg: 'running exec command', data: { command: 'echo 1; echo Oulala >&2' } });
    expect(ctx.logs).toContainEqual({ level: 'debug', msg: 'debugging command', data: { stdout: '1', stderr: 'Oulala' } });
  });

  it('when debugging is off and quiet is off: write output to the terminal (the info log)', async () => {
    const ctx = await receive({ command: 'echo 1' }, [event()]);
    expect(ctx.logs.filter((l) => l.level === 'info')).toEqual([{ level: 'info', msg: '1' }]);
  });

  it('quiet => true logs nothing at info level', async () => {
    const ctx = await receive({ command: 'echo 1', quiet: true }, [event()]);
    expect(ctx.logs.filter((l) => l.level === 'info')).toEqual([]);
  });

  it('runs one command per event, in order, each finished before the next starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-exec-out-'));
    await receive({ command: `sh -c 'sleep 0.%{n}; echo %{n} >> ${dir}/order'`, quiet: true }, [3, 1, 2].map((n) => new Event({ n })));
    expect(readFileSync(join(dir, 'order'), 'utf8')).toBe('3\n1\n2\n');
  });

  it('a program that does not exist is logged; the event counts as done', async () => {
    const ctx = await receive({ command: 'no_such_program_here 1 2' }, [event()]);
    expect(ctx.logs.find((l) => l.level === 'error')?.msg).toBe('exec output: could not run command');
  });
});
