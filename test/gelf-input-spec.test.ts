/**
 * gelf input and output. Ported from logstash-input-gelf spec/inputs/gelf_spec.rb (timestamp coercion,
 * json timestamp coercion, invalid JSON, _@timestamp valid/invalid, chunked messages) and
 * logstash-output-gelf spec/outputs/gelf_spec.rb ("sends the generated event": short and full message),
 * plus the real CLI with gelf-pro (an npm GELF client), the documents Docker's gelf log driver sends, and
 * the gelf output feeding the gelf input.
 * Not ported: "an interruptible input plugin" (covered by SIGTERM in the CLI tests); exponent-notation
 * timestamp 1.660873462488E13 (year 528279 is beyond what a JS Date holds: the timestamp field is kept).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import zlib from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ChunkAssembler, chunkPayload, inflatePayload } from '../src/formats/gelf/index.js';
import { gelfEvent, timestampFromSeconds } from '../src/formats/gelf/event.js';
import { jsonLines, startCli, waitFor } from './helpers/cli.js';
import { sleep } from './net-support.js';

const require = createRequire(import.meta.url);
const ev = (json: string) => gelfEvent(json, '10.0.0.1', { remap: true, stripLeadingUnderscore: true });

async function freePort(type: 'tcp' | 'udp' = 'tcp'): Promise<number> {
  if (type === 'udp') {
    return new Promise((resolve) => { const s = dgram.createSocket('udp4'); s.bind(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
  }
  return new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); }); });
}

describe('GELF documents into events (gelf_spec.rb)', () => {
  it.each([
    ['946702800', '2000-01-01T05:00:00.000Z'], ['946702800.1', '2000-01-01T05:00:00.100Z'],
    ['946702800.12', '2000-01-01T05:00:00.120Z'], ['946702800.123', '2000-01-01T05:00:00.123Z'],
    ['946702800.123456', '2000-01-01T05:00:00.123456Z'],
  ])('coerces %s seconds to %s', (secs, iso) => {
    expect(timestampFromSeconds(secs)!.toString()).toBe(iso);
  });
  it('a numeric timestamp becomes @timestamp and is removed', () => {
    const e = ev('{"timestamp":946702800.123}');
    expect(e.timestamp.toString()).toBe('2000-01-01T05:00:00.123Z');
    expect(e.includes('timestamp')).toBe(false);
    expect(e.get('source_host')).toBe('10.0.0.1');
    expect(ev('{"timestamp":946702800}').timestamp.toString()).toBe('2000-01-01T05:00:00.000Z');
  });
  it('invalid JSON falls back to plain text (inspected) tagged _jsonparsefailure', () => {
    const e = ev('Invalid JSON message');
    expect(e.get('message')).toBe('"Invalid JSON message"');
    expect(e.get('tags')).toEqual(['_jsonparsefailure']);
  });
  it('_@timestamp: a decimal string is parsed, "foo" tags _gelf_move_field_failure and stays', () => {
    expect(ev('{"short_message":"msg1","_@timestamp":"946702800.1"}').timestamp.toString()).toBe('2000-01-01T05:00:00.100Z');
    const bad = ev('{"short_message":"msg1","_@timestamp":"foo"}');
    expect(bad.get('message')).toBe('msg1');
    expect(bad.get('tags')).toEqual(['_gelf_move_field_failure']);
    expect(bad.get('_@timestamp')).toBe('foo');
  });
  it('remap: full_message wins, short_message dropped when equal; strip_leading_underscore', () => {
    const e = ev('{"version":"1.1","host":"web","short_message":"s","full_message":"f\\nstack","level":3,"facility":"app","_user":"bob","_n":2}');
    expect(e.get('message')).toBe('f\nstack');
    expect(e.get('short_message')).toBe('s');
    expect(e.includes('full_message')).toBe(false);
    expect(e.get('user')).toBe('bob');
    expect(e.get('n')).toBe(2);
    expect(e.get('level')).toBe(3);
    expect(e.get('facility')).toBe('app');
    expect(e.get('host')).toBe('web');
    const same = ev('{"short_message":"x","full_message":"x"}');
    expect(same.includes('short_message')).toBe(false);
    const kept = gelfEvent('{"short_message":"x","_a":1}', 'h', { remap: false, stripLeadingUnderscore: false });
    expect(kept.get('short_message')).toBe('x');
    expect(kept.includes('message')).toBe(false);
    expect(kept.get('_a')).toBe(1);
  });
});

describe('GELF chunks and compression', () => {
  it('reassembles chunks in any order, per sender and message id', () => {
    const payload = zlib.gzipSync(Buffer.from(JSON.stringify({ short_message: randomBytes(2500).toString('hex') })));
    const chunks = chunkPayload(payload, 100, randomBytes(8));
    expect(chunks.length).toBeGreaterThan(1);
    const a = new ChunkAssembler({ timeoutMs: 5000 });
    const shuffled = [...chunks].reverse();
    let out: Buffer | undefined;
    for (const c of shuffled) out = a.push('s1', c) ?? out;
    expect(JSON.parse(inflatePayload(out!).toString()).short_message).toHaveLength(5000);
    expect(a.pendingMessages).toBe(0);
  });
  it('drops incomplete messages after the timeout', () => {
    let now = 0;
    const a = new ChunkAssembler({ timeoutMs: 5000, now: () => now });
    const chunks = chunkPayload(Buffer.alloc(1000, 65), 100, randomBytes(8));
    a.push('s', chunks[0]!);
    now = 4000; expect(a.expire()).toBe(0);
    now = 5001; expect(a.expire()).toBe(1);
    expect(a.pendingMessages).toBe(0);
    // The rest arriving late does not complete anything.
    for (const c of chunks.slice(1)) expect(a.push('s', c)).toBeUndefined();
  });
  it('rejects a chunk count over 128 and a sequence number beyond the count', () => {
    const a = new ChunkAssembler({ timeoutMs: 5000 });
    const head = Buffer.from([0x1e, 0x0f, 1, 2, 3, 4, 5, 6, 7, 8, 0, 129, 65]);
    expect(() => a.push('s', head)).toThrow(/count/);
    head[10] = 5; head[11] = 3;
    expect(() => a.push('s', head)).toThrow(/not below/);
  });
  it('inflates zlib and gzip, leaves plain JSON', () => {
    const j = Buffer.from('{"a":1}');
    expect(inflatePayload(zlib.deflateSync(j)).toString()).toBe('{"a":1}');
    expect(inflatePayload(zlib.gzipSync(j)).toString()).toBe('{"a":1}');
    expect(inflatePayload(j).toString()).toBe('{"a":1}');
  });
});

/** What Docker's gelf log driver (go-gelf) sends: GELF 1.1, gzip by default, chunked above 1420 bytes. */
function dockerGelf(i: number, message: string): Record<string, unknown> {
  return {
    version: '1.1', host: 'docker-host', short_message: message, timestamp: 1700000000.5 + i / 1000, level: 6,
    _command: 'sh -c echo', _container_id: 'c0ffee'.repeat(10) + 'abcd', _container_name: 'web-1', _created: '2023-11-14T22:13:20.123456789Z',
    _image_id: 'sha256:deadbeef', _image_name: 'nginx:latest', _tag: 'c0ffee', _seq: i,
  };
}

function sendDatagrams(port: number, datagrams: Buffer[]): Promise<void> {
  const s = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    let i = 0;
    const next = (): void => {
      if (i >= datagrams.length) { s.close(); resolve(); return; }
      const d = datagrams[i++]!;
      s.send(d, port, '127.0.0.1', (err) => {
        if (err) { reject(err); return; }
        // Loopback drops when a burst overruns the receive buffer: pace a little.
        if (i % 4 === 0) setTimeout(next, 1); else next();
      });
    };
    next();
  });
}

describe('gelf input through the CLI', () => {
  it('10,000 GELF messages over UDP (Docker gzip, zlib, plain, chunked, out of order) and TCP arrive with their fields', async () => {
    const port = await freePort();
    const cli = startCli(['run', '-e', `input { gelf { host => "127.0.0.1" port => ${port} use_tcp => true } } output { stdout { codec => json_lines } }`]);
    await waitFor(() => /Pipelines running/.test(cli.stderr()), 20_000, 'pipeline');
    const N = 9000;
    // UDP has no flow control: send in blocks, each once the previous one is out (loopback drops a burst
    // that overruns the socket buffer, which is not what this test is about).
    const datagramsOf = (seqs: number[]): Buffer[] => seqs.flatMap((i) => {
      const big = i % 10 === 0;
      const doc = Buffer.from(JSON.stringify(dockerGelf(i, big ? `big ${i} ${randomBytes(2000).toString('hex')}` : `line ${i}`)));
      const body = i % 3 === 0 ? zlib.gzipSync(doc) : i % 3 === 1 ? zlib.deflateSync(doc) : doc;
      const chunks = chunkPayload(body, 1420, randomBytes(8));
      if (chunks.length > 1 && i % 20 === 0) chunks.reverse();
      return chunks;
    });
    const received = (): Set<unknown> => new Set(jsonLines(cli.stdout()).map((e) => e.seq));
    for (let block = 0; block < N; block += 250) {
      let wanted = Array.from({ length: 250 }, (_, k) => block + k);
      // A loaded machine can still drop datagrams in the kernel before sluice sees them (UDP is lossy by
      // design); what was lost there is sent again, as a shipper would, at most three times.
      for (let attempt = 0; wanted.length > 0; attempt++) {
        await sendDatagrams(port, datagramsOf(wanted));
        const got = await waitFor(() => jsonLines(cli.stdout()).length >= block + 250, 10_000, `block ${block}`).then(() => true, () => false);
        if (got) break;
        const have = received();
        wanted = wanted.filter((i) => !have.has(i));
        if (attempt === 3) throw new Error(`block ${block}: still missing ${wanted.slice(0, 30).join(',')} ${cli.stderr().slice(-800)}`);
      }
    }
    // TCP: NUL-terminated documents, split at arbitrary points.
    const tcpText = Array.from({ length: 1000 }, (_, i) => `${JSON.stringify({ version: '1.1', host: 'tcp-host', short_message: `tcp ${i}`, _seq: N + i, level: 4 })}\0`).join('');
    await new Promise<void>((resolve, reject) => {
      const c = net.connect(port, '127.0.0.1', () => { c.write(tcpText.slice(0, 777)); setTimeout(() => c.end(tcpText.slice(777)), 20); });
      c.on('close', () => resolve()); c.on('error', reject);
    });
    await waitFor(() => jsonLines(cli.stdout()).length >= N + 1000, 30_000, 'all messages').catch((err: Error) => { throw new Error(`${err.message}: got ${jsonLines(cli.stdout()).length}; ${cli.stderr().slice(-2000)}`); });
    cli.child.kill('SIGTERM');
    const r = await cli.done;
    expect(r.code).toBe(0);
    const evs = jsonLines(r.stdout);
    expect(evs).toHaveLength(N + 1000);
    const seqs = new Set(evs.map((e) => e.seq));
    expect(seqs.size).toBe(N + 1000);
    const e5 = evs.find((e) => e.seq === 5)!;
    expect(e5).toMatchObject({ message: 'line 5', host: 'docker-host', level: 6, version: '1.1', container_name: 'web-1', image_name: 'nginx:latest', tag: 'c0ffee', source_host: '127.0.0.1', '@timestamp': '2023-11-14T22:13:20.505Z' });
    expect(e5.short_message).toBeUndefined();
    expect(e5._container_name).toBeUndefined();
    expect(String(evs.find((e) => e.seq === 20)!.message)).toMatch(/^big 20 [0-9a-f]{4000}$/);
    expect(evs.find((e) => e.seq === N + 3)).toMatchObject({ message: 'tcp 3', host: 'tcp-host', level: 4 });
  }, 90_000);

  it('gelf-pro (npm GELF client) over UDP, with large chunked messages, and over TCP', async () => {
    const udpPort = await freePort('udp');
    const tcpPort = await freePort();
    const cli = startCli(['run', '-e', `input { gelf { host => "127.0.0.1" port_udp => ${udpPort} port_tcp => ${tcpPort} use_tcp => true } } output { stdout { codec => json_lines } }`]);
    await waitFor(() => /Pipelines running/.test(cli.stderr()), 20_000, 'pipeline');
    type GelfPro = { setConfig(c: object): void; info(m: string, extra: object, cb: (err: Error | null) => void): void; error(m: string, extra: object, cb: (err: Error | null) => void): void };
    const send = (log: GelfPro, level: 'info' | 'error', msg: string, extra: object) => new Promise<void>((resolve, reject) => log[level](msg, extra, (err) => (err ? reject(err) : resolve())));
    const udpLog = require('gelf-pro') as GelfPro;
    udpLog.setConfig({ fields: { facility: 'pro' }, adapterName: 'udp', adapterOptions: { host: '127.0.0.1', port: udpPort } });
    const large = 'L'.repeat(20_000) + randomBytes(4000).toString('hex');
    for (let i = 0; i < 50; i++) await send(udpLog, 'info', i === 7 ? large : `udp ${i}`, { n: i, user: { name: 'bob' } });
    // gelf-pro's module is a singleton: load a fresh copy for the TCP adapter.
    delete require.cache[require.resolve('gelf-pro')];
    const tcpLog = require('gelf-pro') as GelfPro;
    tcpLog.setConfig({ adapterName: 'tcp', adapterOptions: { host: '127.0.0.1', port: tcpPort } });
    for (let i = 0; i < 20; i++) await send(tcpLog, 'error', `tcp ${i}`, { n: 100 + i });
    await waitFor(() => jsonLines(cli.stdout()).length >= 70, 20_000, 'gelf-pro messages');
    await sleep(200);
    cli.child.kill('SIGTERM');
    const r = await cli.done;
    const evs = jsonLines(r.stdout);
    expect(evs).toHaveLength(70);
    const e7 = evs.find((e) => e.n === 7)!;
    expect(e7.message).toBe(large);
    expect(e7).toMatchObject({ facility: 'pro', level: 6, user_name: 'bob', source_host: '127.0.0.1' });
    expect(evs.find((e) => e.n === 103)).toMatchObject({ message: 'tcp 3', level: 3 });
  }, 60_000);

  it('the gelf output feeds the gelf input (UDP chunked and TCP)', async () => {
    const udpPort = await freePort('udp');
    const tcpPort = await freePort();
    const receiver = startCli(['run', '-e', `input { gelf { host => "127.0.0.1" port_udp => ${udpPort} port_tcp => ${tcpPort} use_tcp => true } } output { stdout { codec => json_lines } }`]);
    await waitFor(() => /Pipelines running/.test(receiver.stderr()), 20_000, 'receiver');
    const input = Array.from({ length: 200 }, (_, i) => JSON.stringify({
      message: i === 3 ? 'M'.repeat(9000) : `event ${i}`, severity: i % 2 ? 'warn' : 'error', tags: ['a', 'b'], user: { name: 'ann', id: 7 }, id: `x${i}`, n: i,
    })).join('\n') + '\n';
    const { runCli } = await import('./helpers/cli.js');
    const r1 = await runCli(['run', '-e', `input { stdin { codec => json_lines } } output { gelf { host => "127.0.0.1" port => ${udpPort} chunksize => 500 } gelf { host => "127.0.0.1" port => ${tcpPort} protocol => "TCP" sender => "sender-%{n}" } }`], { input });
    expect(r1.code).toBe(0);
    await waitFor(() => jsonLines(receiver.stdout()).length >= 400, 20_000, 'events through gelf');
    receiver.child.kill('SIGTERM');
    const r = await receiver.done;
    const evs = jsonLines(r.stdout);
    expect(evs).toHaveLength(400);
    const tcp3 = evs.find((e) => e.host === 'sender-3')!;
    // short_message and full_message are both the message: remap keeps one.
    expect(tcp3).toMatchObject({ message: 'M'.repeat(9000), level: 4, tags: 'a, b', user_name: 'ann', user_id: 7, _id: 'x3', n: 3, facility: 'gelf-rb', version: '1.0' });
    expect(tcp3.short_message).toBeUndefined();
    const udp4 = evs.filter((e) => e.n === 4 && e.host !== 'sender-4');
    expect(udp4).toHaveLength(1);
    expect(udp4[0]).toMatchObject({ message: 'event 4', level: 3 });
  }, 60_000);
});
