/**
 * End to end: the real CLI (`sluice run`, built) with a tcp input and the multiline codec, real sockets
 * on 127.0.0.1. Interleaved connections, a trace flushed when its connection closes, an idle
 * connection flushed by auto_flush_interval, pending events flushed at shutdown.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { jsonLines, runCli, startCli, waitFor } from './helpers/cli.js';

type Cli = ReturnType<typeof startCli>;
const running: Cli[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) {
    if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM');
    await r.done;
  }
});

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Start `sluice run` with a tcp input using the given codec body; resolves once it listens. */
async function start(codecBody: string): Promise<{ cli: Cli; port: number }> {
  const port = await freePort();
  const cli = startCli(['run', '--log.level', 'info', '-e',
    `input { tcp { port => ${port} host => "127.0.0.1" codec => multiline { ${codecBody} } } } output { stdout { codec => json_lines } }`]);
  running.push(cli);
  await waitFor(() => /listening/.test(cli.stderr()) || cli.child.exitCode !== null, 20_000, 'the tcp input to listen');
  if (cli.child.exitCode !== null) throw new Error(`sluice exited: ${cli.stderr()}`);
  return { cli, port };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.setNoDelay(true);
    s.once('error', reject);
  });
}

const write = (s: net.Socket, data: string): Promise<void> => new Promise((r) => s.write(data, () => r()));
const tick = (ms = 2): Promise<void> => new Promise((r) => setTimeout(r, ms));
const messages = (cli: Cli): string[] => jsonLines(cli.stdout()).map((e) => String(e.message));

function javaTrace(k: number): string[] {
  return [
    `2024-05-01 10:00:0${k % 10},000 ERROR [conn-${k}] com.acme.Api - request ${k} failed`,
    `java.lang.IllegalStateException: boom from connection ${k}`,
    ...Array.from({ length: 12 }, (_, i) => `\tat com.acme.conn${k}.Layer${i}.call(Layer${i}.java:${100 + i})`),
    `Caused by: java.io.IOException: disk ${k} full`,
    `\tat com.acme.conn${k}.Disk.write(Disk.java:7)`,
    '\t... 12 more',
  ];
}

describe('multiline over tcp, through the CLI', () => {
  it('several connections sending Java traces at the same moment: each event is exactly one whole trace', async () => {
    const { cli, port } = await start('pattern => "^%{TIMESTAMP_ISO8601} " negate => true what => "previous"');
    const N = 6;
    const socks = await Promise.all(Array.from({ length: N }, () => connect(port)));
    const payloads = socks.map((_, k) => javaTrace(k).join('\n') + `\n2024-05-01 10:00:09,000 INFO [conn-${k}] com.acme.Api - conn ${k} done\n`);
    // Round-robin small pieces (cut mid-line and mid-word) so the server sees the streams interleaved.
    const piece = 17;
    const longest = Math.max(...payloads.map((p) => p.length));
    for (let off = 0; off < longest; off += piece) {
      await Promise.all(socks.map((s, k) => (off < payloads[k]!.length ? write(s, payloads[k]!.slice(off, off + piece)) : undefined)));
      if (off % (piece * 8) === 0) await tick();
    }
    for (const s of socks) s.end();
    await waitFor(() => messages(cli).length >= 2 * N, 20_000, `${2 * N} events`);
    const got = messages(cli);
    expect(got.length).toBe(2 * N);
    for (let k = 0; k < N; k++) {
      const traces = got.filter((m) => m.includes(`request ${k} failed`));
      expect(traces).toEqual([javaTrace(k).join('\n')]);
      expect(got.filter((m) => m.includes(`conn ${k} done`))).toHaveLength(1);
    }
    const events = jsonLines(cli.stdout());
    for (const e of events.filter((e) => String(e.message).includes('failed'))) expect(e.tags).toEqual(['multiline']);
  });

  it('the same interleaving with preset => "java" and no regex', async () => {
    const { cli, port } = await start('preset => "java"');
    const N = 4;
    const socks = await Promise.all(Array.from({ length: N }, () => connect(port)));
    const payloads = socks.map((_, k) => javaTrace(k).join('\n') + '\n');
    for (let off = 0; off < Math.max(...payloads.map((p) => p.length)); off += 11) {
      await Promise.all(socks.map((s, k) => (off < payloads[k]!.length ? write(s, payloads[k]!.slice(off, off + 11)) : undefined)));
    }
    for (const s of socks) s.end();
    await waitFor(() => messages(cli).length >= N, 20_000, `${N} events`);
    await tick(200);
    const got = messages(cli);
    expect(got.sort()).toEqual(Array.from({ length: N }, (_, k) => javaTrace(k).join('\n')).sort());
  });

  it('reassembles lines and UTF-8 characters split across TCP reads before matching', async () => {
    const { cli, port } = await start('pattern => "^\\s" what => "previous"');
    const s = await connect(port);
    const text = 'Ошибка: 日本語 failed ✓\n  à la ligne\n  ünïcödé 🎉\nsuivant\n';
    const bytes = Buffer.from(text, 'utf8');
    // One byte per write, with pauses so the server really gets separate reads.
    for (let i = 0; i < bytes.length; i++) {
      await new Promise<void>((r) => s.write(bytes.subarray(i, i + 1), () => r()));
      if (i % 5 === 0) await tick(1);
    }
    s.end();
    await waitFor(() => messages(cli).length >= 2, 10_000, 'two events');
    expect(messages(cli)).toEqual(['Ошибка: 日本語 failed ✓\n  à la ligne\n  ünïcödé 🎉', 'suivant']);
  });

  it('a trace at the very end of a stream is flushed when the connection closes', async () => {
    const { cli, port } = await start('pattern => "^\\s" what => "previous"');
    const s = await connect(port);
    // The last line has no newline either: it is still part of the trace.
    await write(s, 'first line\njava.lang.Error: last words\n\tat a.B.c(B.java:1)\n\tat a.B.d(B.java:2)');
    await tick(300);
    expect(messages(cli)).toEqual(['first line']);
    s.end();
    await waitFor(() => messages(cli).length >= 2, 10_000, 'the flush on close');
    expect(messages(cli)).toEqual(['first line', 'java.lang.Error: last words\n\tat a.B.c(B.java:1)\n\tat a.B.d(B.java:2)']);
  });

  it('the last event of an idle connection is flushed by auto_flush_interval while it stays open', async () => {
    const { cli, port } = await start('pattern => "^\\s" what => "previous" auto_flush_interval => 1');
    const s = await connect(port);
    const t0 = Date.now();
    await write(s, 'java.lang.Error: idle\n\tat a.B.c(B.java:1)\n');
    await tick(400);
    expect(messages(cli)).toEqual([]);
    await waitFor(() => messages(cli).length >= 1, 10_000, 'the auto flush');
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(messages(cli)).toEqual(['java.lang.Error: idle\n\tat a.B.c(B.java:1)']);
    expect(s.destroyed).toBe(false);
    // The connection still works afterwards.
    await write(s, 'next\n');
    s.end();
    await waitFor(() => messages(cli).length >= 2, 10_000, 'the second event');
    expect(messages(cli)[1]).toBe('next');
  });

  it('pending events of open connections are flushed at shutdown (SIGTERM)', async () => {
    const { cli, port } = await start('pattern => "^\\s" what => "previous"');
    const a = await connect(port);
    const b = await connect(port);
    await write(a, 'from a\n  more a\n');
    await write(b, 'from b\n');
    await tick(300);
    expect(messages(cli)).toEqual([]);
    cli.child.kill('SIGTERM');
    const r = await cli.done;
    expect(r.code).toBe(0);
    expect(messages(cli).sort()).toEqual(['from a\n  more a', 'from b']);
    a.destroy();
    b.destroy();
  });

  it('stdin with preset => "stacktraces": the six-language fixture comes out as its expected events', async () => {
    const fix = new URL('../fixtures/multiline/', import.meta.url);
    const input = readFileSync(new URL('mixed.log', fix));
    const expected = (JSON.parse(readFileSync(new URL('mixed.expected.json', fix), 'utf8')) as { events: string[][] }).events;
    const r = await runCli(['run', '--log.level', 'warn', '-e',
      'input { stdin { codec => multiline { preset => "stacktraces" } } } output { stdout { codec => json_lines } }'], { input });
    expect(r.code).toBe(0);
    const events = jsonLines(r.stdout);
    expect(events.map((e) => String(e.message).split('\n'))).toEqual(expected);
    for (const e of events) {
      expect((e.event as { original: string }).original).toBe(e.message);
      expect(e.tags === undefined ? 1 : 2).toBe(String(e.message).includes('\n') ? 2 : 1);
    }
  });
});

