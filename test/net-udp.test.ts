import { afterEach, describe, expect, it } from 'vitest';
import udpDef from '../src/inputs/udp.js';
import { createPlugin } from './helpers/plugin-context.js';
import type { InputInstance } from '../src/plugins/api.js';

type Options = Record<string, unknown>;
import type { EcsMode } from '../src/plugins/options.js';
import { TestSink, frameCodec, lineCodec, runInput, sendUdp, sleep, testContext, waitFor } from './net-support.js';

const running: { input: InputInstance; done: Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) { await r.input.stop(); await r.done; }
});

async function start(opts: Options, sink: TestSink, ecs: EcsMode = 'v8'): Promise<{ input: InputInstance; port: number }> {
  const ctx = testContext(ecs, { plain: frameCodec, line: lineCodec });
  const input = await createPlugin(udpDef, { host: '127.0.0.1', port: 0, ...opts }, ctx);
  const { done } = await runInput(input, sink);
  running.push({ input, done });
  return { input, port: (input as unknown as { boundPort: number }).boundPort };
}

describe('udp input', () => {
  it('makes one event per datagram with the sender IP in [host][ip] (ECS)', async () => {
    const sink = new TestSink();
    const { port } = await start({}, sink, 'v8');
    await sendUdp(port, ['first datagram', 'second\nwith a newline inside']);
    await waitFor(() => sink.events.length === 2);
    expect(sink.messages()).toEqual(['first datagram', 'second\nwith a newline inside']);
    expect(sink.events[0]!.get('[host][ip]')).toBe('127.0.0.1');
  });

  it('puts the sender IP in host with ECS disabled, or in source_ip_fieldname', async () => {
    const sink = new TestSink();
    const { port } = await start({}, sink, 'disabled');
    await sendUdp(port, ['x']);
    await waitFor(() => sink.events.length === 1);
    expect(sink.events[0]!.get('host')).toBe('127.0.0.1');
    const sink2 = new TestSink();
    const { port: port2 } = await start({ source_ip_fieldname: '[client][address]' }, sink2, 'v8');
    await sendUdp(port2, ['y']);
    await waitFor(() => sink2.events.length === 1);
    expect(sink2.events[0]!.get('[client][address]')).toBe('127.0.0.1');
    expect(sink2.events[0]!.get('[host][ip]')).toBeUndefined();
  });

  it('decodes each datagram with a fresh decoder when the codec has no frame decoder: nothing is joined across datagrams', async () => {
    const sink = new TestSink();
    const { port } = await start({ codec: lineCodec() }, sink);
    await sendUdp(port, ['a1\na2', 'b-partial']);
    await waitFor(() => sink.events.length === 3);
    expect(sink.messages()).toEqual(['a1', 'a2', 'b-partial']);
  });

  it('truncates datagrams to buffer_size', async () => {
    const sink = new TestSink();
    const { port } = await start({ buffer_size: 5 }, sink);
    await sendUdp(port, ['0123456789']);
    await waitFor(() => sink.events.length === 1);
    expect(sink.messages()).toEqual(['01234']);
  });

  it('holds at most queue_size datagrams while the pipeline is full, then drops and counts', async () => {
    const sink = new TestSink(1);
    const { input, port } = await start({ queue_size: 5 }, sink);
    await sendUdp(port, Array.from({ length: 20 }, (_, i) => `d${i}`));
    await waitFor(() => (input as unknown as { dropped: number }).dropped === 14);
    expect(sink.events.length).toBe(1);
    const consumer = setInterval(() => sink.consume(), 2);
    await waitFor(() => sink.events.length === 6);
    await sleep(30);
    clearInterval(consumer);
    expect(sink.messages()).toEqual(['d0', 'd1', 'd2', 'd3', 'd4', 'd5']);
  });

  it('warns when receive_buffer_bytes cannot be obtained and applies it otherwise', async () => {
    const sink = new TestSink();
    const ctx = testContext('v8', { plain: frameCodec });
    const input = await createPlugin(udpDef, { host: '127.0.0.1', port: 0, receive_buffer_bytes: 65536 }, ctx);
    const { done } = await runInput(input, sink);
    running.push({ input, done });
    const info = ctx.logs.find((l) => /listening/.test(l.msg));
    expect(Number(info!.data!.receive_buffer_bytes)).toBeGreaterThanOrEqual(65536);
  });
});
