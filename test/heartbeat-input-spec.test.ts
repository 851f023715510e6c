/**
 * heartbeat input, ported from logstash-input-heartbeat spec/inputs/heartbeat_spec.rb (3.1.x), plus the
 * real CLI at a configured rate.
 * Not ported: "an interruptible input plugin" shared example (covered by stop() below and the CLI's SIGTERM).
 */
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import heartbeat from '../src/inputs/heartbeat.js';
import type { InputInstance } from '../src/plugins/api.js';
import type { EcsMode } from '../src/plugins/options.js';
import { createPlugin, testContext } from './helpers/plugin-context.js';
import { jsonLines, runCli, startCli, waitFor } from './helpers/cli.js';
import { TestSink } from './net-support.js';

async function generate(options: Record<string, unknown>, ecs: EcsMode = 'v8'): Promise<TestSink> {
  const input = await createPlugin(heartbeat, { interval: 0.01, count: 1, ...options }, testContext({ ecs }, 'input', 'heartbeat')) as InputInstance;
  const sink = new TestSink();
  await input.run(sink);
  return sink;
}

describe('heartbeat input (heartbeat_spec.rb)', () => {
  it('generates an "ok" message by default', async () => {
    expect((await generate({})).events[0]!.get('message')).toBe('ok');
  });
  it('generates a message containing "my_message"', async () => {
    expect((await generate({ message: 'my_message' })).events[0]!.get('message')).toBe('my_message');
  });
  it('message => sequence with ECS disabled puts the sequence in clock', async () => {
    const e = (await generate({ message: 'sequence' }, 'disabled')).events[0]!;
    expect(e.get('clock')).toBe(1);
  });
  it('message => epoch with ECS disabled: clock is the current epoch, no message', async () => {
    const now = Math.floor(Date.now() / 1000);
    const e = (await generate({ message: 'epoch' }, 'disabled')).events[0]!;
    expect((e.get('clock') as number) - now).toBeLessThan(2);
    expect(e.includes('message')).toBe(false);
  });
  it('sequence => epoch with ECS v1 fills [event][sequence]', async () => {
    const now = Math.floor(Date.now() / 1000);
    const e = (await generate({ sequence: 'epoch' }, 'v1')).events[0]!;
    expect((e.get('[event][sequence]') as number) - now).toBeLessThan(2);
  });
  it('with ECS, message => sequence is kept verbatim while sequence => epoch fills the sequence', async () => {
    const e = (await generate({ sequence: 'epoch', message: 'sequence' }, 'v1')).events[0]!;
    expect(e.get('message')).toBe('sequence');
    expect(typeof e.get('[event][sequence]')).toBe('number');
  });
  it('with ECS, free text message and sequence => epoch', async () => {
    const e = (await generate({ sequence: 'epoch', message: 'funny message' }, 'v1')).events[0]!;
    expect(e.get('message')).toBe('funny message');
  });
  it('a fixed count generates that many events then stops (ECS disabled and enabled)', async () => {
    const a = await generate({ interval: 0.01, message: 'sequence', count: 4 }, 'disabled');
    expect(a.events.map((e) => e.get('clock'))).toEqual([1, 2, 3, 4]);
    const b = await generate({ interval: 0.01, sequence: 'sequence', count: 4 }, 'v1');
    expect(b.events.map((e) => e.get('[event][sequence]'))).toEqual([1, 2, 3, 4]);
  });
  it('sequence takes precedence over message with ECS disabled', async () => {
    const now = Math.floor(Date.now() / 1000);
    const e = (await generate({ sequence: 'epoch', message: 'sequence' }, 'disabled')).events[0]!;
    expect((e.get('clock') as number) - now).toBeLessThan(2);
  });
  it.each([['disabled', 'host'], ['v1', '[host][name]'], ['v8', '[host][name]']] as const)('ECS %s puts the host name in %s', async (ecs, field) => {
    expect((await generate({}, ecs)).events[0]!.get(field)).toBe(hostname());
  });
  it('stop() ends a long interval at once', async () => {
    const input = await createPlugin(heartbeat, { interval: 3600 }, testContext({}, 'input', 'heartbeat')) as InputInstance;
    const sink = new TestSink();
    const run = input.run(sink);
    await waitFor(() => sink.events.length === 1);
    await input.stop();
    await run;
    expect(sink.events).toHaveLength(1);
  });
});

describe('heartbeat input through the CLI', () => {
  it('count and sequence: the input ends and the pipeline exits', async () => {
    const r = await runCli(['run', '-e', 'input { heartbeat { interval => 0.05 count => 5 sequence => sequence } } output { stdout { codec => json_lines } }']);
    expect(r.code).toBe(0);
    const evs = jsonLines(r.stdout);
    expect(evs.map((e) => (e.event as { sequence: number }).sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(evs.every((e) => e.message === 'ok' && (e.host as { name: string }).name === hostname())).toBe(true);
  });
  it('events come at the configured rate', async () => {
    const cli = startCli(['run', '-e', 'input { heartbeat { interval => 0.2 message => "alive" } } output { stdout { codec => json_lines } }']);
    await waitFor(() => jsonLines(cli.stdout()).length >= 6, 15_000, 'six heartbeats');
    cli.child.kill('SIGTERM');
    const r = await cli.done;
    expect(r.code).toBe(0);
    const ts = jsonLines(r.stdout).map((e) => Date.parse(String(e['@timestamp'])));
    const gaps = ts.slice(1).map((t, i) => t - ts[i]!);
    // Each gap is the interval: not faster, and not drifting by a whole interval.
    expect(gaps.every((g) => g >= 180 && g < 400)).toBe(true);
  });
});
