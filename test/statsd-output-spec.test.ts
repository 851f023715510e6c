/**
 * statsd output, ported from logstash-output-statsd spec/outputs/statsd_spec.rb (3.2.0) and its
 * spec_helper's StatsdServer: a UDP socket and a TCP server bound on 127.0.0.1 receive what the plugin
 * sends for `count => ["foo.bar", "0.1"]` with `sender => "spec"`. Every example is ported; metric path
 * rules come from the plugin's build_stat and statsd-ruby 1.4.0's send_stats.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import statsd, { buildStat } from '../src/outputs/statsd.js';
import type { OutputInstance } from '../src/plugins/api.js';
import { waitFor } from './helpers/cli.js';
import { createPlugin, testContext } from './helpers/plugin-context.js';

const delivery = { signal: new AbortController().signal, attempt: 0 };
const closers: (() => void)[] = [];
afterEach(() => { closers.splice(0).forEach((c) => c()); });

async function udpServer(): Promise<{ port: number; received: string[] }> {
  const sock = dgram.createSocket('udp4');
  const received: string[] = [];
  sock.on('message', (m) => received.push(m.toString('utf8')));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  closers.push(() => sock.close());
  return { port: sock.address().port, received };
}

async function tcpServer(): Promise<{ port: number; received: () => string }> {
  let data = '';
  const server = net.createServer((c) => { c.setEncoding('utf8').on('data', (d: string) => { data += d; }); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(() => server.close());
  return { port: (server.address() as net.AddressInfo).port, received: () => data };
}

async function send(options: Record<string, unknown>, events: Event[]): Promise<void> {
  const out = await createPlugin(statsd, options, testContext({}, 'output', 'statsd')) as OutputInstance;
  await out.receive(events, delivery);
  await out.close?.();
}

describe('statsd output (statsd_spec.rb)', () => {
  it('registration and close: should register without errors', async () => {
    const out = await createPlugin(statsd, {}, testContext({}, 'output', 'statsd')) as OutputInstance;
    await out.close?.();
  });

  const properties = { metric: 'foo.bar', count: 10 };

  it('UDP #send: should receive data send to the server', async () => {
    const server = await udpServer();
    await send({ host: '127.0.0.1', sender: 'spec', port: server.port, protocol: 'udp', count: ['foo.bar', '0.1'] }, [new Event({ ...properties })]);
    await waitFor(() => server.received.length > 0, 5000, 'a datagram');
    expect(server.received).toContain('logstash.spec.foo.bar:0.1|c');
  });

  it('TCP #send: should receive data send to the server', async () => {
    const server = await tcpServer();
    await send({ host: '127.0.0.1', sender: 'spec', port: server.port, protocol: 'tcp', count: ['foo.bar', '0.1'] }, [new Event({ ...properties })]);
    await waitFor(() => server.received().length > 0, 5000, 'data');
    expect(server.received()).toContain('logstash.spec.foo.bar:0.1|c');
  });
});

describe('statsd output: metric paths and messages (build_stat, statsd-ruby send_stats)', () => {
  it('in the sender, :: becomes a dot, then : | @ and dots become underscores; in the metric : | @ become underscores', () => {
    expect(buildStat('http.bytes', 'hal9000')).toBe('hal9000.http.bytes');
    expect(buildStat('a::b:c|d@e', 'web.example.com')).toBe('web_example_com.a.b_c_d_e');
    expect(buildStat('m', 'Foo::Bar:1')).toBe('Foo_Bar_1.m');
  });

  it('every metric type, in upstream\'s order, with sprintf in names and values; an empty namespace adds no prefix', async () => {
    const server = await udpServer();
    await send({
      host: '127.0.0.1', port: server.port, namespace: '',
      increment: ['hits.%{verb}'], decrement: ['left'], count: { 'http.bytes': '%{bytes}' }, timing: { rt: '%{ms}' }, set: { users: '%{user}' }, gauge: { load: 0.5 },
    }, [new Event({ host: 'hal9000', verb: 'GET', bytes: 123, ms: 45, user: 'bob' })]);
    await waitFor(() => server.received.length >= 6, 5000, 'six datagrams');
    expect(server.received).toEqual([
      'hal9000.hits.GET:1|c', 'hal9000.left:-1|c', 'hal9000.http.bytes:123|c', 'hal9000.rt:45|ms', 'hal9000.users:bob|s', 'hal9000.load:0.5|g',
    ]);
  });

  it('sample_rate other than 1 marks each metric; at 0 nothing is sent', async () => {
    const server = await udpServer();
    await send({ host: '127.0.0.1', port: server.port, sender: 's', sample_rate: 2, increment: ['a'] }, [new Event({})]);
    await waitFor(() => server.received.length > 0, 5000, 'a datagram');
    expect(server.received).toEqual(['logstash.s.a:1|c|@2']);
    await send({ host: '127.0.0.1', port: server.port, sender: 's', sample_rate: 0, increment: ['b'] }, [new Event({})]);
    await send({ host: '127.0.0.1', port: server.port, sender: 's', increment: ['c'] }, [new Event({})]);
    await waitFor(() => server.received.length > 1, 5000, 'the marker datagram');
    expect(server.received).toEqual(['logstash.s.a:1|c|@2', 'logstash.s.c:1|c']);
  });
});
