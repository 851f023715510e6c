/**
 * exec input, ported from logstash-input-exec spec/inputs/exec_spec.rb (3.6.0), in each ECS mode of its
 * matrix (disabled, v1, v8). The input runs as the runtime runs it, into a test sink, and is stopped once
 * the first run's events are in (the spec calls `execute` once).
 * Adapted: "when scheduling" travels in time with Timecop (the year 2000, 60× faster) and counts the runs
 * of `5-6 * * * * UTC` in ten minutes; here the schedule itself is asked for its firing times over those
 * ten minutes, and a real every-second schedule is run. "has duration" / "reports process elapsed time"
 * keep the spec's lower bounds (the command sleeps 1 s) but not its upper bounds, which are timings.
 */
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { LsFloat } from '../src/event/values.js';
import { compileSchedule } from '../src/formats/schedule.js';
import execInput from '../src/inputs/exec.js';
import { PluginConfigError, type InputInstance } from '../src/plugins/api.js';
import type { EcsMode } from '../src/plugins/options.js';
import { waitFor } from './helpers/cli.js';
import { createPlugin, testContext, type TestContext } from './helpers/plugin-context.js';
import { TestSink } from './net-support.js';

async function runUntil(options: Record<string, unknown>, ecs: EcsMode, done: (sink: TestSink, ctx: TestContext) => boolean): Promise<{ sink: TestSink; ctx: TestContext }> {
  const ctx = testContext({ ecs }, 'input', 'exec');
  const input = await createPlugin(execInput, options, ctx) as InputInstance;
  const sink = new TestSink();
  const running = input.run(sink);
  await waitFor(() => done(sink, ctx), 15_000, 'the command\'s run');
  await input.stop();
  await running;
  return { sink, ctx };
}

describe.each(['disabled', 'v1', 'v8'] as const)('exec input (exec_spec.rb), ecs_compatibility => %s', (ecs) => {
  it('when register: should not raise error if config is valid', async () => {
    await expect(createPlugin(execInput, { command: 'ls', interval: 0 }, testContext({ ecs }, 'input', 'exec'))).resolves.toBeDefined();
  });

  it('with an invalid config (neither interval nor schedule): should raise error', async () => {
    await expect(createPlugin(execInput, { command: 'ls' }, testContext({ ecs }, 'input', 'exec'))).rejects.toThrow(PluginConfigError);
    await expect(createPlugin(execInput, { command: 'ls', interval: 1, schedule: '* * * * *' }, testContext({ ecs }, 'input', 'exec'))).rejects.toThrow("either 'interval' or 'schedule' option must be defined");
  });

  it('when operating normally: enqueues some events, logs no error', async () => {
    const { sink, ctx } = await runUntil({ command: "echo 'hi!'", interval: 100 }, ecs, (s) => s.events.length > 0);
    expect(sink.events.length).not.toBe(0);
    expect(sink.events[0]!.get('message')).toBe('hi!\n');
    expect(ctx.logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('when command fails: does not enqueue an event, logs an error', async () => {
    const { sink, ctx } = await runUntil({ command: 'invalid_command 1 2 3', interval: 100 }, ecs, (_s, c) => c.logs.some((l) => l.level === 'error'));
    expect(sink.events).toEqual([]);
    expect(ctx.logs.find((l) => l.level === 'error')!.msg).toBe('Error while running command');
  });

  describe('when a command runs normally', () => {
    const command = "/bin/sh -c 'sleep 1; /bin/echo -n two; exit 3'";
    const once = (): Promise<{ sink: TestSink }> => runUntil({ command, interval: 100 }, ecs, (s) => s.events.length > 0);

    it('has output as expected, reports the command line, the exit code and the time it took', async () => {
      const e = (await once()).sink.events[0]!;
      expect(e.get('message')).toBe('two');
      if (ecs === 'disabled') {
        expect(e.get('command')).toBe(command);
        expect(e.get('[@metadata][exit_status]')).toBe(3);
        expect(e.get('host')).toBe(hostname());
        const duration = e.get('[@metadata][duration]');
        expect(duration).toBeInstanceOf(LsFloat);
        expect((duration as LsFloat).value).toBeGreaterThan(1);
        expect(e.includes('[@metadata][input][exec][process][elapsed_time]')).toBe(false);
      } else {
        expect(e.get('[process][command_line]')).toBe(command);
        expect(e.get('[process][exit_code]')).toBe(3);
        expect(e.get('[host][name]')).toBe(hostname());
        const elapsed = e.get('[@metadata][input][exec][process][elapsed_time]');
        expect(Number.isInteger(elapsed)).toBe(true);
        expect(elapsed as number).toBeGreaterThan(1 * 1_000_000);
        expect(e.includes('command')).toBe(false);
        expect(e.includes('[@metadata][duration]')).toBe(false);
      }
    });
  });
});

describe('exec input: scheduling (exec_spec.rb "when scheduling", adapted)', () => {
  it('"5-6 * * * * UTC" fires twice in the first ten minutes of the year 2000', () => {
    const s = compileSchedule('5-6 * * * * UTC');
    const end = Date.parse('2000-01-01T00:10:00Z');
    const fired: string[] = [];
    for (let t = s.next(new Date('2000-01-01T00:00:00Z')); t.getTime() <= end; t = s.next(t)) fired.push(t.toISOString());
    expect(fired).toEqual(['2000-01-01T00:05:00.000Z', '2000-01-01T00:06:00.000Z']);
  });

  it('a six-field line counts seconds first, and a time zone may follow', () => {
    expect(compileSchedule('*/10 * * * * *').next(new Date('2000-01-01T00:00:01Z')).toISOString()).toBe('2000-01-01T00:00:10.000Z');
    expect(compileSchedule('0 6 * * * America/Chicago').next(new Date('2000-01-01T00:00:00Z')).toISOString()).toBe('2000-01-01T12:00:00.000Z');
  });

  it('runs the command on the schedule', async () => {
    const { sink } = await runUntil({ command: 'echo tick', schedule: '* * * * * *' }, 'v8', (s) => s.events.length >= 2);
    expect(sink.events.slice(0, 2).map((e) => e.get('message'))).toEqual(['tick\n', 'tick\n']);
  });

  it('a cron line that does not parse is a config error', async () => {
    await expect(createPlugin(execInput, { command: 'ls', schedule: 'every day' }, testContext({}, 'input', 'exec'))).rejects.toThrow(/invalid cron line/);
  });
});

describe('exec input: when interrupting the plugin (an interruptible input plugin)', () => {
  it.each([0, 100])('interval => %s: stop() ends run()', async (interval) => {
    const input = await createPlugin(execInput, { command: 'ls', interval }, testContext({}, 'input', 'exec')) as InputInstance;
    const sink = new TestSink();
    const running = input.run(sink);
    await waitFor(() => sink.events.length > 0, 10_000, 'a first run');
    await input.stop();
    await expect(running).resolves.toBeUndefined();
  });

  it('stop() during a long command ends run() without waiting for the command', async () => {
    const input = await createPlugin(execInput, { command: 'sleep 600', interval: 1 }, testContext({}, 'input', 'exec')) as InputInstance;
    const sink = new TestSink();
    const running = input.run(sink);
    await new Promise((r) => setTimeout(r, 200));
    await input.stop();
    await expect(running).resolves.toBeUndefined();
    expect(sink.events).toEqual([]);
  });
});
