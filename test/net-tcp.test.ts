import net from 'node:net';
import tls from 'node:tls';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import tcpDef from '../src/inputs/tcp.js';
import { createPlugin } from './helpers/plugin-context.js';
import type { InputInstance } from '../src/plugins/api.js';

type Options = Record<string, unknown>;
import type { EcsMode } from '../src/plugins/options.js';
import { TestSink, lineCodec, runInput, sendTcp, sleep, testContext, waitFor } from './net-support.js';

const running: { input: InputInstance; done: Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) { await r.input.stop(); await r.done; }
});

async function start(opts: Options, sink: TestSink, ecs: EcsMode = 'v8'): Promise<{ input: InputInstance; port: number; ctx: ReturnType<typeof testContext> }> {
  const ctx = testContext(ecs, { line: lineCodec });
  const input = await createPlugin(tcpDef, { host: '127.0.0.1', port: 0, ...opts }, ctx);
  const { done } = await runInput(input, sink);
  running.push({ input, done });
  return { input, port: (input as unknown as { boundPort: number }).boundPort, ctx };
}

describe('tcp input: streams', () => {
  it('decodes each connection with its own decoder: partial lines of two clients are never joined', async () => {
    const sink = new TestSink();
    const { port } = await start({ dns_reverse_lookup_enabled: false }, sink);
    const a = net.connect(port, '127.0.0.1');
    const b = net.connect(port, '127.0.0.1');
    await Promise.all([a, b].map((s) => new Promise((r) => s.once('connect', r))));
    a.write('hello fr');
    await sleep(20);
    b.write('other cli');
    await sleep(20);
    a.write('om a\n');
    b.write('ent b\n');
    await waitFor(() => sink.events.length === 2);
    expect(sink.messages().sort()).toEqual(['hello from a', 'other client b']);
    a.destroy(); b.destroy();
  });

  it('flushes a connection\'s pending data when it closes mid-line', async () => {
    const sink = new TestSink();
    const { port } = await start({ dns_reverse_lookup_enabled: false }, sink);
    await sendTcp(port, ['one\ntwo\nthree without newline']);
    await waitFor(() => sink.events.length === 3);
    expect(sink.messages()).toEqual(['one', 'two', 'three without newline']);
  });

  it('adds ECS metadata fields for the peer (v8)', async () => {
    const sink = new TestSink();
    const { port } = await start({ dns_reverse_lookup_enabled: false }, sink, 'v8');
    await sendTcp(port, ['x\n']);
    await waitFor(() => sink.events.length === 1);
    const e = sink.events[0]!;
    expect(e.get('[@metadata][input][tcp][source][ip]')).toBe('127.0.0.1');
    expect(e.get('[@metadata][input][tcp][source][name]')).toBe('127.0.0.1');
    expect(typeof e.get('[@metadata][input][tcp][source][port]')).toBe('number');
    expect(e.get('host')).toBeUndefined();
    expect(e.get('port')).toBeUndefined();
  });

  it('adds legacy host, port and [@metadata][ip_address] with ECS disabled, resolving the host name', async () => {
    const sink = new TestSink();
    const { port } = await start({}, sink, 'disabled');
    const s = net.connect(port, '127.0.0.1');
    const localPort = await new Promise<number>((r) => s.once('connect', () => r(s.localPort!)));
    s.end('x\n');
    await waitFor(() => sink.events.length === 1);
    const e = sink.events[0]!;
    expect(e.get('port')).toBe(localPort);
    expect(e.get('[@metadata][ip_address]')).toBe('127.0.0.1');
    // Reverse DNS of 127.0.0.1 (localhost on most systems); the IP itself when nothing resolves.
    expect(['localhost', '127.0.0.1', 'localhost.localdomain']).toContain(e.get('host'));
  });

  it('keeps fields the codec already set (host from a JSON event is not overwritten)', async () => {
    const sink = new TestSink();
    const ctx = testContext('disabled');
    const { Event } = await import('../src/event/event.js');
    const codec = { decoder: (emit: (e: InstanceType<typeof Event>) => void) => ({ push: () => emit(new Event({ host: 'from-event', message: 'm' })), end: () => undefined }), encode: () => '' };
    const input = await createPlugin(tcpDef, { host: '127.0.0.1', port: 0, codec, dns_reverse_lookup_enabled: false }, ctx);
    const { done } = await runInput(input, sink);
    running.push({ input, done });
    await sendTcp((input as unknown as { boundPort: number }).boundPort, ['anything']);
    await waitFor(() => sink.events.length === 1);
    expect(sink.events[0]!.get('host')).toBe('from-event');
  });

  it('reads the PROXY v1 header and reports the original client', async () => {
    const sink = new TestSink();
    const { port } = await start({ proxy_protocol: true }, sink, 'disabled');
    await sendTcp(port, ['PROXY TCP4 10.1.2.3 10.0.0.1 40000 5000\r\nline one\nline two\n']);
    await waitFor(() => sink.events.length === 2);
    const e = sink.events[0]!;
    expect(e.get('host')).toBe('10.1.2.3');
    expect(e.get('port')).toBe(40000);
    expect(e.get('proxy_host')).toBe('10.0.0.1');
    expect(e.get('proxy_port')).toBe(5000);
    expect(sink.messages()).toEqual(['line one', 'line two']);
  });
});

describe('tcp input: back-pressure', () => {
  it('pauses the socket when the queue is full and loses nothing', async () => {
    const sink = new TestSink(50);
    const { port } = await start({ dns_reverse_lookup_enabled: false }, sink);
    const N = 30_000;
    const lines = Array.from({ length: N }, (_, i) => `event ${i}\n`).join('');
    const sending = sendTcp(port, [lines]);
    // A slow consumer: 500 events every 2 ms.
    const consumer = setInterval(() => sink.consume(500), 2);
    await sending;
    await waitFor(() => sink.events.length === N, 20_000);
    clearInterval(consumer);
    expect(sink.fullSignals).toBeGreaterThan(0);
    const msgs = sink.messages();
    expect(msgs[0]).toBe('event 0');
    expect(msgs[N - 1]).toBe(`event ${N - 1}`);
    expect(new Set(msgs).size).toBe(N);
  });

  it('stops reading while the queue stays full (the sender is held back by TCP)', async () => {
    const sink = new TestSink(10);
    const { port } = await start({ dns_reverse_lookup_enabled: false }, sink);
    const s = net.connect(port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    const big = Buffer.from(Array.from({ length: 60_000 }, (_, i) => `e${i}\n`).join(''));
    s.write(big);
    await sleep(300);
    const seen = sink.events.length;
    // Paused: far fewer events than were sent have been decoded, and the count no longer grows.
    expect(seen).toBeLessThan(60_000);
    await sleep(200);
    expect(sink.events.length).toBe(seen);
    sink.consume();
    const consumer = setInterval(() => sink.consume(), 1);
    await waitFor(() => sink.events.length === 60_000, 20_000);
    clearInterval(consumer);
    s.destroy();
  });
});

describe('tcp input: shutdown', () => {
  it('decodes the bytes a paused connection already holds when the input stops', async () => {
    const sink = new TestSink(5);
    const ctx = testContext('v8', { line: lineCodec });
    const input = await createPlugin(tcpDef, { host: '127.0.0.1', port: 0, dns_reverse_lookup_enabled: false }, ctx);
    const { done } = await runInput(input, sink);
    const port = (input as unknown as { boundPort: number }).boundPort;
    const s = net.connect(port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    s.on('error', () => undefined); // the server closes on us
    s.write(Array.from({ length: 50_000 }, (_, i) => `e${i}\n`).join(''));
    await sleep(300);
    const beforeStop = sink.events.length;
    await input.stop();
    await done;
    // More than the one partial line a close flushes: the buffered chunk was decoded.
    expect(sink.events.length - beforeStop).toBeGreaterThan(100);
    // Still in order, none repeated.
    sink.messages().forEach((m, i) => { if (m !== `e${i}` && i < sink.events.length - 1) throw new Error(`event ${i} is ${m}`); });
    s.destroy();
  });
});

describe('tcp input: TLS', () => {
  let dir = '';
  const haveOpenssl = (() => { try { execFileSync('openssl', ['version']); return true; } catch { return false; } })();

  beforeAll(() => {
    if (!haveOpenssl) return;
    dir = mkdtempSync(join(tmpdir(), 'sluice-tls-'));
    const run = (...args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' }); };
    const ext = join(dir, 'san.ext');
    execFileSync('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ${ext}`]);
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Test CA');
    for (const who of ['server', 'client']) {
      run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/C=FR/O=Sluice Tests/CN=${who}`);
      run('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.crt`, '-days', '2', '-extfile', ext);
    }
    run('pkcs8', '-topk8', '-in', 'server.key', '-out', 'server-enc.key', '-passout', 'pass:s3cret', '-v2', 'aes-256-cbc');
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rogue.key', '-out', 'rogue.crt', '-days', '2', '-subj', '/CN=rogue');
  });

  const f = (name: string): string => join(dir, name);
  async function tlsSend(port: number, text: string, client?: { cert: string; key: string }): Promise<'sent' | 'rejected'> {
    return new Promise((resolve) => {
      const s = tls.connect({ port, host: '127.0.0.1', ca: readFileSync(f('ca.crt')), ...(client ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {}) }, () => {
        s.end(text);
      });
      let done = false;
      s.on('error', () => { if (!done) { done = true; resolve('rejected'); } });
      s.on('close', () => { if (!done) { done = true; resolve('sent'); } });
    });
  }

  it.skipIf(!haveOpenssl)('accepts TLS clients and decodes their data', async () => {
    const sink = new TestSink();
    const { port } = await start({ ssl_enabled: true, ssl_certificate: f('server.crt'), ssl_key: f('server.key'), dns_reverse_lookup_enabled: false }, sink, 'disabled');
    await tlsSend(port, 'secret line\n');
    await waitFor(() => sink.events.length === 1);
    expect(sink.messages()).toEqual(['secret line']);
    expect(sink.events[0]!.get('sslsubject')).toBeUndefined();
  });

  it.skipIf(!haveOpenssl)('requires a client certificate signed by the CAs and reports its subject', async () => {
    const sink = new TestSink();
    const { port, ctx } = await start({
      ssl_enabled: true, ssl_certificate: f('server.crt'), ssl_key: f('server.key'), ssl_certificate_authorities: [f('ca.crt')],
      ssl_client_authentication: 'required', dns_reverse_lookup_enabled: false,
    }, sink, 'disabled');
    await tlsSend(port, 'no cert\n');
    await tlsSend(port, 'rogue cert\n', { cert: f('rogue.crt'), key: f('rogue.key') });
    await tlsSend(port, 'good cert\n', { cert: f('client.crt'), key: f('client.key') });
    await waitFor(() => sink.events.length >= 1);
    await sleep(100);
    expect(sink.messages()).toEqual(['good cert']);
    expect(sink.events[0]!.get('sslsubject')).toBe('CN=client,O=Sluice Tests,C=FR');
    expect(ctx.logs.some((l) => l.level === 'warn' && /TLS handshake failed/.test(l.msg))).toBe(true);
  });

  it.skipIf(!haveOpenssl)('optional client authentication accepts clients without a certificate but not with a bad one', async () => {
    const sink = new TestSink();
    const { port } = await start({
      ssl_enabled: true, ssl_certificate: f('server.crt'), ssl_key: f('server.key'), ssl_certificate_authorities: [f('ca.crt')],
      ssl_client_authentication: 'optional', dns_reverse_lookup_enabled: false,
    }, sink, 'v8');
    await tlsSend(port, 'anonymous\n');
    await tlsSend(port, 'rogue\n', { cert: f('rogue.crt'), key: f('rogue.key') });
    await tlsSend(port, 'verified\n', { cert: f('client.crt'), key: f('client.key') });
    await waitFor(() => sink.events.length >= 2);
    await sleep(100);
    expect(sink.messages().sort()).toEqual(['anonymous', 'verified']);
    const verified = sink.events.find((e) => e.get('message') === 'verified')!;
    expect(verified.get('[@metadata][input][tcp][tls][client][subject]')).toBe('CN=client,O=Sluice Tests,C=FR');
  });

  it.skipIf(!haveOpenssl)('reads an encrypted key with ssl_key_passphrase, and accepts the Logstash 8 names ssl_enable / ssl_cert', async () => {
    const sink = new TestSink();
    const { port } = await start({ ssl_enable: true, ssl_cert: f('server.crt'), ssl_key: f('server-enc.key'), ssl_key_passphrase: 's3cret', dns_reverse_lookup_enabled: false }, sink);
    await tlsSend(port, 'through an encrypted key\n');
    await waitFor(() => sink.events.length === 1);
    expect(sink.messages()).toEqual(['through an encrypted key']);
  });

  it.skipIf(!haveOpenssl)('client mode verifies the server certificate against ssl_certificate_authorities', async () => {
    const server = tls.createServer({ cert: readFileSync(f('server.crt')), key: readFileSync(f('server.key')) }, (s) => s.end('from a TLS server\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const runClient = async (cas: string[]): Promise<{ sink: TestSink; logs: ReturnType<typeof testContext>['logs'] }> => {
      const sink = new TestSink();
      const ctx = testContext('v8', { line: lineCodec });
      const input = await createPlugin(tcpDef, { host: '127.0.0.1', port, mode: 'client', ssl_enabled: true, ssl_certificate_authorities: cas }, ctx);
      const done = input.run(sink);
      await sleep(400);
      await input.stop();
      await done;
      return { sink, logs: ctx.logs };
    };
    const trusted = await runClient([f('ca.crt')]);
    expect(trusted.sink.messages()[0]).toBe('from a TLS server');
    const untrusted = await runClient([f('rogue.crt')]);
    expect(untrusted.sink.events).toHaveLength(0);
    expect(untrusted.logs.some((l) => l.level === 'warn' && /connection failed/.test(l.msg))).toBe(true);
    server.close();
  });

  it('rejects TLS set-ups Logstash rejects, at start-up', async () => {
    const ctx = testContext('v8', { line: lineCodec });
    await expect(createPlugin(tcpDef, { port: 1, ssl_enabled: true }, ctx)).rejects.toThrow(/ssl_certificate/);
    // A path option must name a file that exists (Logstash's :path validation), so use a real one.
    const cert = join(mkdtempSync(join(tmpdir(), 'sluice-tls-')), 'x.crt');
    writeFileSync(cert, '');
    await expect(createPlugin(tcpDef, { port: 1, ssl_enabled: true, ssl_certificate: '/no/such/x.crt' }, ctx)).rejects.toThrow(/ssl_certificate/);
    await expect(createPlugin(tcpDef, { port: 1, ssl_enabled: true, ssl_certificate: cert }, ctx)).rejects.toThrow(/requires an `ssl_key`/);
    await expect(createPlugin(tcpDef, { port: 1, mode: 'client', ssl_enabled: true, ssl_client_authentication: 'required' }, ctx)).rejects.toThrow(/must not be configured when mode is `client`/);
  });
});

describe('tcp input: client mode', () => {
  it('connects to a server, decodes what it sends and reconnects after the server closes', async () => {
    let connections = 0;
    const server = net.createServer((s) => { connections++; s.end(`hello ${connections}\npartial ${connections}`); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const sink = new TestSink();
    const ctx = testContext('v8', { line: lineCodec });
    const input = await createPlugin(tcpDef, { host: '127.0.0.1', port, mode: 'client' }, ctx);
    const done = input.run(sink);
    await waitFor(() => sink.events.length >= 4, 5000);
    await input.stop();
    await done;
    server.close();
    expect(sink.messages().slice(0, 4)).toEqual(['hello 1', 'partial 1', 'hello 2', 'partial 2']);
    expect(sink.events[0]!.get('[@metadata][input][tcp][source][port]')).toBe(port);
  });
});
