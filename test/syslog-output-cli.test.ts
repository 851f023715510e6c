/**
 * The syslog output through the CLI, to real sockets on 127.0.0.1: the messages logstash-output-syslog
 * builds (spec/outputs/syslog_spec.rb's expectations, with our own test code) over UDP and TCP, RFC 3164
 * and RFC 5424, labels and numeric priorities, line breaks kept on one line, and config errors.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, runCli, waitFor } from './helpers/cli.js';
import { checkConfig } from './helpers/pipeline-cli.js';

const closers: (() => void)[] = [];
afterEach(() => { for (const c of closers.splice(0)) c(); });

async function udpReceiver(): Promise<{ port: number; messages: string[] }> {
  const s = dgram.createSocket('udp4');
  const messages: string[] = [];
  s.on('message', (m) => messages.push(m.toString('utf8')));
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  closers.push(() => s.close());
  return { port: s.address().port, messages };
}

async function tcpReceiver(): Promise<{ port: number; text: () => string }> {
  let text = '';
  const server = net.createServer((sock) => { sock.setEncoding('utf8').on('data', (d: string) => { text += d; }); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.close());
  return { port: (server.address() as net.AddressInfo).port, text: () => text };
}

/** Events given on stdin as JSON lines, sent by one syslog output configured with `options`. */
async function send(options: string, events: Record<string, unknown>[]): Promise<void> {
  const input = events.map((e) => JSON.stringify(e)).join('\n') + '\n';
  const r = await runCli(['run', '-e', `input { stdin { codec => json_lines } } output { syslog { ${options} } }`], { input, timeoutMs: 30_000 });
  expect(r.code, r.stderr).toBe(0);
}

const at = '2026-03-04T05:06:07.089Z';

describe('syslog output', () => {
  it('RFC 3164 over UDP: <PRI>MMM dd HH:mm:ss host appname[procid]: message, priority from the labels', async () => {
    const rx = await udpReceiver();
    await send(`host => "127.0.0.1" port => ${rx.port} appname => "%{app}" procid => "%{pid}" facility => "local3" severity => "error"`,
      [{ '@timestamp': at, host: 'web-1', app: 'nginx', pid: '42', message: 'GET / 200' }]);
    await waitFor(() => rx.messages.length >= 1, 10_000, 'a datagram');
    // Logstash's label list lacks two of RFC 5424's facilities before local0, so local3 is its 17th, not 19:
    // 17 * 8 + error (3) = 139, as Logstash sends it.
    expect(rx.messages).toEqual(['<139>Mar 04 05:06:07 web-1 nginx[42]: GET / 200\n']);
  });

  it('defaults: user-level notice (13), LOGSTASH[-], %{host}; an unknown label falls back to user-level/notice', async () => {
    const rx = await udpReceiver();
    await send(`host => "127.0.0.1" port => ${rx.port} facility => "%{f}"`, [
      { '@timestamp': at, host: 'h', message: 'one', f: 'user-level' },
      { '@timestamp': at, host: 'h', message: 'two', f: 'no such facility' },
    ]);
    await waitFor(() => rx.messages.length >= 2, 10_000, 'two datagrams');
    expect(rx.messages.sort()).toEqual(['<13>Mar 04 05:06:07 h LOGSTASH[-]: one\n', '<13>Mar 04 05:06:07 h LOGSTASH[-]: two\n']);
  });

  it('RFC 5424 over TCP with msgid and structured data; line breaks are written as \\n; numeric priority', async () => {
    const rx = await tcpReceiver();
    await send(`host => "127.0.0.1" port => ${rx.port} protocol => "tcp" rfc => "rfc5424" msgid => "ID%{n}" structured_data => '[origin@123 n="%{n}"]' use_labels => false priority => "%{pri}"`, [
      { '@timestamp': at, host: 'db', message: 'first line\nsecond line\r\nthird', n: 7, pri: 34 },
      { '@timestamp': at, host: 'db', message: 'out of range', n: 8, pri: 999 },
    ]);
    await waitFor(() => rx.text().split('\n').length >= 3, 10_000, 'two lines');
    expect(rx.text()).toBe(
      '<34>1 2026-03-04T05:06:07.089+00:00 db LOGSTASH - ID7 [origin@123 n="7"] first line\\nsecond line\\nthird\n'
      + '<13>1 2026-03-04T05:06:07.089+00:00 db LOGSTASH - ID8 [origin@123 n="8"] out of range\n');
  });

  it('a TCP server that is not there yet: the events are sent once it listens (reconnect_interval)', async () => {
    const port = await freePort();
    const input = `${JSON.stringify({ '@timestamp': at, host: 'h', message: 'held' })}\n`;
    const run = runCli(['run', '-e', `input { stdin { codec => json_lines } } output { syslog { host => "127.0.0.1" port => ${port} protocol => "tcp" reconnect_interval => 1 } }`], { input, timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 1500));
    let text = '';
    const server = net.createServer((sock) => { sock.setEncoding('utf8').on('data', (d: string) => { text += d; }); });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    closers.push(() => server.close());
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    expect(text).toBe('<13>Mar 04 05:06:07 h LOGSTASH[-]: held\n');
  }, 40_000);

  it('refuses structured_data with RFC 3164, as Logstash does', async () => {
    const r = await checkConfig('output { syslog { host => "h" port => 514 structured_data => "[a b=\\"c\\"]" } }');
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('Structured data is not supported for RFC3164');
  });
});
