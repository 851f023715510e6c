/**
 * The tcp and udp outputs through the real CLI. From logstash-output-tcp's docs and spec/outputs/tcp_spec.rb
 * (client mode writes the encoded events to the server; server mode writes them to connected clients;
 * a server that is not up yet is retried every reconnect_interval) and logstash-output-udp (one datagram
 * per event, codec json).
 */
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { runCli, startCli, waitFor } from './helpers/cli.js';

const closers: (() => void)[] = [];
afterEach(() => { closers.splice(0).forEach((c) => c()); });
const input = (events: Record<string, unknown>[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

async function tcpServer(port = 0): Promise<{ port: number; data: () => string }> {
  let data = '';
  const s = net.createServer((c) => { c.setEncoding('utf8').on('data', (d: string) => { data += d; }); });
  await new Promise<void>((r) => s.listen(port, '127.0.0.1', () => r()));
  closers.push(() => { s.close(); });
  return { port: (s.address() as AddressInfo).port, data: () => data };
}

describe('tcp output', () => {
  it('client mode writes each event with the codec (json_lines here)', async () => {
    const s = await tcpServer();
    const r = await runCli(['run', '-e', `input { stdin { codec => json_lines } } output { tcp { host => "127.0.0.1" port => ${s.port} codec => json_lines } }`], { input: input([{ n: 1 }, { n: 2 }]) });
    expect(r.code, r.stderr).toBe(0);
    await waitFor(() => s.data().split('\n').filter(Boolean).length === 2, 5000, 'two lines');
    expect(s.data().split('\n').filter(Boolean).map((l) => JSON.parse(l).n)).toEqual([1, 2]);
  });

  it('default codec json writes the events as JSON documents', async () => {
    const s = await tcpServer();
    const r = await runCli(['run', '-e', `input { stdin { codec => json_lines } } output { tcp { host => "127.0.0.1" port => ${s.port} } }`], { input: input([{ n: 1 }]) });
    expect(r.code, r.stderr).toBe(0);
    await waitFor(() => s.data().length > 0, 5000, 'data');
    expect(JSON.parse(s.data())).toMatchObject({ n: 1 });
  });

  it('client mode keeps the events while the server is down and sends them once it is up', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const run = runCli(['run', '-e', `input { stdin { codec => json_lines } } output { tcp { host => "127.0.0.1" port => ${port} reconnect_interval => 0.2 codec => json_lines } }`], { input: input([{ n: 1 }]) });
    await new Promise((r) => setTimeout(r, 1000));
    const s = await tcpServer(port);
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    await waitFor(() => s.data().includes('"n":1'), 5000, 'the event');
  });

  it('server mode writes events to connected clients', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const cli = startCli(['run', '-e', `input { generator { count => 0 message => "tick" } } filter { sleep { time => 0.05 } } output { tcp { mode => "server" host => "127.0.0.1" port => ${port} codec => json_lines } }`]);
    closers.push(() => { cli.child.kill('SIGKILL'); });
    let got = '';
    await waitFor(() => /listening/.test(cli.stdout() + cli.stderr()), 15_000, 'the listener');
    const c = net.connect(port, '127.0.0.1');
    c.setEncoding('utf8').on('data', (d: string) => { got += d; });
    closers.push(() => { c.destroy(); });
    await waitFor(() => got.split('\n').filter(Boolean).length >= 2, 15_000, 'events');
    expect(JSON.parse(got.split('\n')[0]!).message).toBe('tick');
  });
});

describe('udp output', () => {
  it('sends one datagram per event, codec json', async () => {
    const sock = dgram.createSocket('udp4');
    const got: string[] = [];
    sock.on('message', (m) => got.push(m.toString('utf8')));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    closers.push(() => { sock.close(); });
    const port = sock.address().port;
    const r = await runCli(['run', '-e', `input { stdin { codec => json_lines } } output { udp { host => "127.0.0.1" port => ${port} } }`], { input: input([{ n: 1 }, { n: 2 }]) });
    expect(r.code, r.stderr).toBe(0);
    await waitFor(() => got.length === 2, 5000, 'two datagrams');
    expect(got.map((g) => JSON.parse(g).n).sort()).toEqual([1, 2]);
  });
});
