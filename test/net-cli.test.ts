/**
 * The network inputs through the real CLI (`npm run build` first): `sluice run` listening on real sockets
 * on 127.0.0.1, as a user runs it.
 */
import net from 'node:net';
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { jsonLines, startCli, waitFor } from './helpers/cli.js';
import { sendTcp, sendUdp, sleep } from './net-support.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

/** `Pipelines running` is logged once every input listens (TCP and UDP): traffic sent then is received. */
async function running(cli: { stderr: () => string; child: { exitCode: number | null } }): Promise<void> {
  await waitFor(() => /Pipelines running/.test(cli.stderr()) || cli.child.exitCode !== null, 20_000, 'Pipelines running');
  if (cli.child.exitCode !== null) throw new Error(`sluice exited: ${cli.stderr()}`);
}

const octet = (s: string): string => `${Buffer.byteLength(s)} ${s}`;
const r5424 = (i: number): string => `<165>1 2003-10-11T22:14:15.003Z host-a app5424 ${i} ID47 [ex@32473 n="${i}"] five ${i}`;
const r3164 = (i: number): string => `<34>Oct 11 22:14:15 host-b app3164[${i}]: three ${i}`;

describe('sluice run with network inputs', () => {
  it('syslog input: TCP clients (both framings, both RFCs, concurrent), a UDP client, garbage, cut and oversized frames', async () => {
    const port = await freePort();
    const cli = startCli(['run', '-e', `input { syslog { port => ${port} host => "127.0.0.1" max_frame_size => 300 } } output { stdout { codec => json_lines } }`]);
    await running(cli);
    const N = 100;
    await Promise.all([
      sendTcp(port, [Array.from({ length: N }, (_, i) => octet(r5424(i))).join('')]),
      sendTcp(port, [Array.from({ length: N }, (_, i) => `${r3164(i)}\n`).join('')]),
      sendTcp(port, Array.from({ length: N }, (_, i) => (i % 2 ? `${r5424(1000 + i)}\n` : octet(r3164(1000 + i)))), { gapMs: 1 }),
      sendUdp(port, [r5424(5000), r3164(5001)]),
      sendTcp(port, ['hello, not syslog\n', octet(`<13>1 - - - - - - ${'x'.repeat(500)}`), octet(r3164(7000))]),
      sendTcp(port, [octet(r5424(8000)), `200 ${r5424(8001)}`]),
    ]);
    await waitFor(() => jsonLines(cli.stdout()).length >= 3 * N + 2 + 3 + 2, 20_000, 'all events');
    cli.child.kill('SIGTERM');
    const r = await cli.done;
    expect(r.code).toBe(0);
    const evs = jsonLines(r.stdout) as { message: string; tags?: string[]; log?: { syslog?: { appname?: string } }; host?: { ip?: string } }[];
    expect(evs).toHaveLength(3 * N + 2 + 3 + 2);
    const app = (a: string) => evs.filter((e) => e.log?.syslog?.appname === a && !e.tags);
    expect(app('app5424')).toHaveLength(N + N / 2 + 1 + 1);
    expect(app('app3164')).toHaveLength(N + N / 2 + 1 + 1);
    expect(evs.every((e) => e.host?.ip === '127.0.0.1')).toBe(true);
    expect(evs.find((e) => e.message === 'hello, not syslog')!.tags).toEqual(['_syslogparsefailure']);
    expect(evs.filter((e) => e.tags?.includes('_syslogframetoolong'))).toHaveLength(1);
    const cut = evs.filter((e) => e.tags?.includes('_syslogframeincomplete'));
    expect(cut).toHaveLength(1);
    expect(cut[0]!.log?.syslog?.appname).toBe('app5424');
    expect(r.stderr).toMatch(/frame longer than max_frame_size/);
  }, 60_000);

  it('tcp input: a blocked reader downstream (stdout not read) loses nothing, order kept per connection', async () => {
    const port = await freePort();
    const cli = startCli(['run', '-b', '50', '-e', `input { tcp { port => ${port} host => "127.0.0.1" } } output { stdout { codec => json_lines } }`]);
    await running(cli);
    // Stop reading the CLI's stdout: its pipe fills, the output blocks, the queue fills, the input pauses.
    cli.child.stdout!.pause();
    const conns = 3, per = 20_000;
    const payload = (c: number): string => Array.from({ length: per }, (_, i) => `conn ${c} line ${i} ${'p'.repeat(40)}\n`).join('');
    const sends = Array.from({ length: conns }, (_, c) => sendTcp(port, [payload(c)]));
    // Kernel socket buffers on loopback can absorb these 7 MB, so the senders may finish; what must hold
    // is that the blocked output loses nothing (the in-process tests show the socket being paused).
    await sleep(1500);
    const whilePaused = (cli.stdout().match(/\n/g) ?? []).length;
    expect(whilePaused).toBeLessThan(conns * per);
    cli.child.stdout!.resume();
    await Promise.all(sends);
    await waitFor(() => (cli.stdout().match(/\n/g) ?? []).length >= conns * per, 60_000, 'all lines');
    cli.child.kill('SIGTERM');
    const r = await cli.done;
    expect(r.code).toBe(0);
    const evs = jsonLines(r.stdout) as { message: string }[];
    expect(evs).toHaveLength(conns * per);
    for (let c = 0; c < conns; c++) {
      const mine = evs.filter((e) => e.message.startsWith(`conn ${c} `));
      expect(mine).toHaveLength(per);
      mine.forEach((e, i) => { if (!e.message.startsWith(`conn ${c} line ${i} `)) throw new Error(`conn ${c} event ${i}: ${e.message}`); });
    }
  }, 120_000);

  it('tcp input with ECS disabled adds host and port; udp input adds the sender address', async () => {
    const tport = await freePort();
    const uport = await freePort();
    const cli = startCli(['run', '--pipeline.ecs_compatibility', 'disabled', '-e',
      `input { tcp { port => ${tport} host => "127.0.0.1" dns_reverse_lookup_enabled => false } udp { port => ${uport} host => "127.0.0.1" } } output { stdout { codec => json_lines } }`]);
    await running(cli);
    await sendTcp(tport, ['over tcp\nlast line without newline']);
    await sleep(200);
    await sendUdp(uport, ['over udp']);
    await waitFor(() => jsonLines(cli.stdout()).length >= 3, 10_000, 'three events');
    cli.child.kill('SIGTERM');
    const r = await cli.done;
    const evs = jsonLines(r.stdout) as Record<string, unknown>[];
    const tcp = evs.filter((e) => e.port !== undefined);
    expect(tcp.map((e) => e.message)).toEqual(['over tcp', 'last line without newline']);
    expect(tcp[0]!.host).toBe('127.0.0.1');
    expect(typeof tcp[0]!.port).toBe('number');
    const udp = evs.find((e) => e.message === 'over udp')!;
    expect(udp.host).toBe('127.0.0.1');
  }, 30_000);

  const haveLogger = spawnSync('logger', ['--help'], { encoding: 'utf8' }).stdout?.includes('--rfc5424') ?? false;
  it('default pipeline (no config): receives a message sent with `logger --rfc5424 -T` on port 5514 and prints it as JSON', async () => {
    const cli = startCli(['run']);
    await running(cli);
    const text = `sluice default pipeline ${process.pid}`;
    if (haveLogger) {
      execFileSync('logger', ['--rfc5424', '-n', '127.0.0.1', '-P', '5514', '-T', '-t', 'sluicetest', text]);
    } else {
      // The same bytes logger sends (non-transparent framing over TCP).
      await sendTcp(5514, [`<13>1 ${new Date().toISOString()} testhost sluicetest - - [timeQuality tzKnown="1"] ${text}\n`]);
    }
    await waitFor(() => cli.stdout().includes(text), 10_000, 'the logged message');
    cli.child.kill('SIGTERM');
    const r = await cli.done;
    expect(r.code).toBe(0);
    const ev = jsonLines(r.stdout).find((e) => e.message === text) as { log: { syslog: { appname: string; priority: number; version: number } }; host: { ip: string } };
    expect(ev.log.syslog).toMatchObject({ appname: 'sluicetest', priority: 13, version: 1 });
    expect(ev.host.ip).toBe('127.0.0.1');
  }, 30_000);
});

