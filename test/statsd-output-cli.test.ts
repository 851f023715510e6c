/**
 * The statsd output through the real CLI, to a UDP socket (and a TCP server) bound on 127.0.0.1, with the
 * docs' example (`count => { "http.bytes" => "%{bytes}" }` → `logstash.hal9000.http.bytes:123|c`).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, waitFor } from './helpers/cli.js';

const closers: (() => void)[] = [];
afterEach(() => { closers.splice(0).forEach((c) => c()); });
const input = (events: Record<string, unknown>[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

describe('statsd output through the CLI', () => {
  it('sends the docs\' example and counters per response code over UDP, one datagram per metric', async () => {
    const sock = dgram.createSocket('udp4');
    const got: string[] = [];
    sock.on('message', (m) => got.push(m.toString('utf8')));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    closers.push(() => sock.close());
    const config = `input { stdin { codec => json_lines } } output { statsd { host => "127.0.0.1" port => ${sock.address().port} count => { "http.bytes" => "%{bytes}" } increment => "apache.response.%{response}" } }`;
    const r = await runCli(['run', '-w', '1', '-e', config], { input: input([{ host: 'hal9000', bytes: 123, response: 200 }, { host: 'web.2', bytes: 7, response: 404 }]) });
    expect(r.code, r.stderr).toBe(0);
    await waitFor(() => got.length >= 4, 5000, 'four datagrams');
    expect(got).toEqual([
      'logstash.hal9000.apache.response.200:1|c', 'logstash.hal9000.http.bytes:123|c',
      'logstash.web_2.apache.response.404:1|c', 'logstash.web_2.http.bytes:7|c',
    ]);
  });

  it('protocol => tcp writes newline-separated metrics on one connection', async () => {
    let data = '';
    const server = net.createServer((c) => { c.setEncoding('utf8').on('data', (d: string) => { data += d; }); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => server.close());
    const port = (server.address() as net.AddressInfo).port;
    const r = await runCli(['run', '-w', '1', '-e', `input { stdin { codec => json_lines } } output { statsd { host => "127.0.0.1" port => ${port} protocol => "tcp" namespace => "app" sender => "%{[svc][name]}" timing => { "latency" => "%{ms}" } gauge => { "queue" => "%{q}" } } }`], {
      input: input([{ svc: { name: 'api' }, ms: 12, q: 3 }]),
    });
    expect(r.code, r.stderr).toBe(0);
    await waitFor(() => data.split('\n').length >= 3, 5000, 'two metrics');
    expect(data).toBe('app.api.latency:12|ms\napp.api.queue:3|g\n');
  });
});
