import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import syslogDef from '../src/inputs/syslog.js';
import { withDefaults } from '../src/runtime/instantiate.js';
import type { InputInstance, Options } from '../src/plugins/api.js';
import type { EcsMode } from '../src/plugins/options.js';
import { TestSink, runInput, sendTcp, sendUdp, sleep, testContext, waitFor } from './net-support.js';

const running: { input: InputInstance; done: Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) { await r.input.stop(); await r.done; }
});

async function start(opts: Options, sink: TestSink, ecs: EcsMode = 'v8') {
  const ctx = testContext(ecs);
  const input = await syslogDef.create(withDefaults(syslogDef, { host: '127.0.0.1', port: 0, ...opts }), ctx);
  const { done } = await runInput(input, sink);
  running.push({ input, done });
  return { input, port: (input as unknown as { boundPort: number }).boundPort, ctx };
}

const r5424 = (app: string, i: number): string => `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com ${app} ${1000 + i} ID47 [exampleSDID@32473 iut="3" eventSource="Application"] message ${i}`;
const r3164 = (app: string, i: number): string => `<34>Oct 11 22:14:15 mymachine ${app}[${i}]: 'su root' failed ${i}`;
const octet = (s: string): string => `${Buffer.byteLength(s)} ${s}`;

describe('syslog input over TCP', () => {
  it('decodes octet-counted and LF-framed messages of both RFCs on several connections at once', async () => {
    const sink = new TestSink();
    const { port } = await start({}, sink);
    const N = 200;
    const streams = {
      a: Array.from({ length: N }, (_, i) => octet(r5424('octet5424', i))).join(''),
      b: Array.from({ length: N }, (_, i) => `${r3164('lf3164', i)}\n`).join(''),
      c: Array.from({ length: N }, (_, i) => (i % 2 ? octet(r3164('mixed', i)) : `${r5424('mixed', i)}\n`)).join(''),
    };
    // Cut each stream into small pieces so frames straddle reads, and send all three concurrently.
    const pieces = (s: string): string[] => { const out: string[] = []; for (let i = 0; i < s.length; i += 997) out.push(s.slice(i, i + 997)); return out; };
    await Promise.all(Object.values(streams).map((s) => sendTcp(port, pieces(s), { gapMs: 1 })));
    await waitFor(() => sink.events.length === 3 * N);
    const by = (app: string) => sink.events.filter((e) => e.get('[log][syslog][appname]') === app);
    expect(by('octet5424')).toHaveLength(N);
    expect(by('lf3164')).toHaveLength(N);
    expect(by('mixed')).toHaveLength(N);
    expect(sink.events.filter((e) => e.tags.length > 0)).toEqual([]);
    const first = by('octet5424')[0]!;
    expect(first.get('message')).toBe('message 0');
    expect(first.get('[log][syslog][structured_data]')).toEqual({ 'exampleSDID@32473': { iut: '3', eventSource: 'Application' } });
    expect(first.get('[log][syslog][version]')).toBe(1);
    expect(first.get('[host][ip]')).toBe('127.0.0.1');
    expect(first.get('[service][type]')).toBe('system');
    expect(first.timestamp.toString()).toBe('2003-10-11T22:14:15.003Z');
    const bsd = by('lf3164')[7]!;
    expect(bsd.get('[process][pid]')).toBe(7);
    expect(bsd.get('[log][syslog][priority]')).toBe(34);
    expect(bsd.get('message')).toBe("'su root' failed 7");
    // Order within one connection is kept.
    expect(by('mixed').map((e) => e.get('message'))).toEqual(Array.from({ length: N }, (_, i) => (i % 2 ? `'su root' failed ${i}` : `message ${i}`)));
  });

  it('uses the legacy field names with ECS disabled (host is the peer IP)', async () => {
    const sink = new TestSink();
    const { port } = await start({}, sink, 'disabled');
    await sendTcp(port, [`${r3164('su', 1)}\n`]);
    await waitFor(() => sink.events.length === 1);
    const e = sink.events[0]!;
    expect(e.get('host')).toBe('127.0.0.1');
    expect(e.get('program')).toBe('su');
    expect(e.get('logsource')).toBe('mymachine');
    expect(e.get('priority')).toBe(34);
    expect(e.get('facility_label')).toBe('security/authorization');
    expect(e.get('severity_label')).toBe('Critical');
    expect(e.get('[service][type]')).toBeUndefined();
  });

  it('keeps garbage and undecodable frames as events tagged _syslogparsefailure', async () => {
    const sink = new TestSink();
    const { port } = await start({}, sink);
    await sendTcp(port, [octet(r5424('ok', 1)), 'xaaa garbage\n', '16<1>1 - - - - - -\n', octet('<999>1 nonsense')]);
    await waitFor(() => sink.events.length === 4);
    expect(sink.events.map((e) => [e.get('message'), e.tags])).toEqual([
      ['message 1', []],
      ['xaaa garbage', ['_syslogparsefailure']],
      ['16<1>1 - - - - - -', ['_syslogparsefailure']],
      ['<999>1 nonsense', ['_syslogparsefailure']],
    ]);
  });

  it('cuts frames longer than max_frame_size, tags them, logs why and resynchronises', async () => {
    const sink = new TestSink();
    const { port, ctx } = await start({ max_frame_size: 200 }, sink);
    const long = r5424('big', 1) + ' ' + 'x'.repeat(400);
    await sendTcp(port, [octet(long), octet(r5424('after', 2)), `${long}\n`, `${r3164('after', 3)}\n`]);
    await waitFor(() => sink.events.length === 4);
    const [cut1, ok1, cut2, ok2] = sink.events;
    expect(cut1!.tags).toContain('_syslogframetoolong');
    expect(String(cut1!.get('[event][original]'))).toBe(long.slice(0, 200));
    expect(ok1!.tags).toEqual([]);
    expect(ok1!.get('[log][syslog][appname]')).toBe('after');
    expect(cut2!.tags).toContain('_syslogframetoolong');
    expect(ok2!.tags).toEqual([]);
    const warns = ctx.logs.filter((l) => l.level === 'warn' && /max_frame_size/.test(l.msg));
    expect(warns).toHaveLength(2);
    expect(warns[0]!.data!.resync).toMatch(/skipping \d+ bytes/);
  });

  it('keeps a frame cut by the connection closing, tagged _syslogframeincomplete', async () => {
    const sink = new TestSink();
    const { port, ctx } = await start({}, sink);
    const msg = r5424('cut', 1);
    await sendTcp(port, [octet(r5424('whole', 0)), `${Buffer.byteLength(msg) + 50} ${msg}`]);
    await waitFor(() => sink.events.length === 2);
    expect(sink.events[0]!.tags).toEqual([]);
    const cut = sink.events[1]!;
    expect(cut.tags).toContain('_syslogframeincomplete');
    expect(cut.get('[log][syslog][appname]')).toBe('cut');
    expect(ctx.logs.some((l) => l.level === 'warn' && /closed inside an octet-counted frame/.test(l.msg))).toBe(true);
  });

  it('applies back-pressure: a slow pipeline loses nothing across many connections', async () => {
    const sink = new TestSink(25);
    const { port } = await start({}, sink);
    const conns = 4, per = 3000;
    const sending = Promise.all(Array.from({ length: conns }, (_, c) => sendTcp(port, [
      Array.from({ length: per }, (_, i) => octet(r5424(`c${c}`, i))).join(''),
    ])));
    const consumer = setInterval(() => sink.consume(200), 1);
    await sending;
    await waitFor(() => sink.events.length === conns * per, 30_000);
    clearInterval(consumer);
    expect(sink.fullSignals).toBeGreaterThan(0);
    for (let c = 0; c < conns; c++) {
      const msgs = sink.events.filter((e) => e.get('[log][syslog][appname]') === `c${c}`).map((e) => e.get('message'));
      expect(msgs).toEqual(Array.from({ length: per }, (_, i) => `message ${i}`));
    }
  });

  it('reads the PROXY v1 header and reports the original client IP', async () => {
    const sink = new TestSink();
    const { port } = await start({ proxy_protocol: true }, sink);
    await sendTcp(port, ['PROXY TCP4 192.168.0.10 10.0.0.1 40000 514\r\n', `${r3164('p', 1)}\n`]);
    await waitFor(() => sink.events.length === 1);
    expect(sink.events[0]!.get('[host][ip]')).toBe('192.168.0.10');
  });
});

describe('syslog input over UDP', () => {
  it('decodes one message per datagram on the same port, both RFCs', async () => {
    const sink = new TestSink();
    const { input, port } = await start({}, sink);
    expect((input as unknown as { udpPort: number }).udpPort).toBe(port);
    await sendUdp(port, [r5424('udp5424', 1), `${r3164('udp3164', 2)}\n`, 'not syslog at all']);
    await waitFor(() => sink.events.length === 3);
    const [a, b, c] = sink.events;
    expect(a!.get('[log][syslog][appname]')).toBe('udp5424');
    expect(b!.get('[process][name]')).toBe('udp3164');
    expect(b!.get('message')).toBe("'su root' failed 2");
    expect(c!.tags).toEqual(['_syslogparsefailure']);
    expect(c!.get('message')).toBe('not syslog at all');
    for (const e of sink.events) expect(e.get('[host][ip]')).toBe('127.0.0.1');
  });

  it('fails to start when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const input = await syslogDef.create(withDefaults(syslogDef, { host: '127.0.0.1', port }), testContext());
    await expect(input.run(new TestSink())).rejects.toThrow(/cannot listen on 127.0.0.1:\d+: address already in use/);
    blocker.close();
    await sleep(1);
  });
});
