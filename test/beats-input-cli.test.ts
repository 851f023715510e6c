/**
 * The beats input through the real CLI, against test/helpers/lumberjack-client.ts (a Lumberjack v2 writer
 * written from the protocol document, independent of the server's parser). Behaviour from
 * logstash-input-beats: docs/index.asciidoc (options, fields, enrich), lib/logstash/inputs/beats/*.rb
 * (codec tags, merge of the document into decoded events, add_hostname) and BeatsHandler.java (ACK of the
 * window's highest sequence).
 * Not ported: spec/integration/filebeat_spec.rb (needs a Filebeat binary) and the Java unit tests of the
 * Netty server (their subject is Netty's pipeline).
 */
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import tlsModule from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli, startCli, waitFor } from './helpers/cli.js';
import { LumberjackClient } from './helpers/lumberjack-client.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); }); });
}

/** A document as Filebeat 8 sends it. */
function filebeatDoc(client: number, i: number): Record<string, unknown> {
  return {
    '@timestamp': `2024-05-01T10:00:${String(i % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z`,
    '@metadata': { beat: 'filebeat', type: '_doc', version: '8.11.0' },
    message: `client ${client} line ${i}`,
    log: { offset: i * 10, file: { path: '/var/log/app.log' } },
    input: { type: 'filestream' },
    ecs: { version: '8.0.0' },
    host: { name: `web-${client}` },
    agent: { type: 'filebeat', version: '8.11.0', name: `web-${client}`, id: 'a1b2', ephemeral_id: 'e1' },
    event: { dataset: 'app' },
    n: i,
  };
}

const COPY_META = 'filter { mutate { copy => { "[@metadata]" => "meta" } } }';

describe('beats input through the CLI', () => {
  it('100,000 events from 4 concurrent clients (window 1 and 2048, compressed and not) arrive once with Logstash\'s fields; every window ACKed with its sequence', async () => {
    const port = await freePort();
    const cli = startCli(['run', '-e', `input { beats { host => "127.0.0.1" port => ${port} } } ${COPY_META} output { stdout { codec => json_lines } }`], { timeoutMs: 240_000 });
    await waitFor(() => /Pipelines running/.test(cli.stderr()), 20_000, 'pipeline');
    const per = 25_000;
    const configs = [{ windowSize: 1, compress: false }, { windowSize: 1, compress: true }, { windowSize: 2048, compress: false }, { windowSize: 2048, compress: true }];
    // Window-1 clients make a round trip per event: send fewer through them so the run stays short,
    // the same 100,000 in total.
    const counts = [2_000, 2_000, 48_000, 48_000];
    const clients = configs.map((c) => new LumberjackClient({ port, ...c }));
    await Promise.all(clients.map((c, k) => c.send(Array.from({ length: counts[k]! }, (_, i) => filebeatDoc(k, i)))));
    const total = counts.reduce((a, b) => a + b, 0);
    expect(total).toBe(100_000);
    await waitFor(() => (cli.stdout().match(/\n/g) ?? []).length >= total, 60_000, 'all events');
    cli.child.kill('SIGTERM');
    const r = await cli.done;
    expect(r.code).toBe(0);
    const evs = jsonLines(r.stdout);
    expect(evs).toHaveLength(total);
    const keys = new Set(evs.map((e) => e.message));
    expect(keys.size).toBe(total);
    for (const [k, c] of clients.entries()) {
      expect(c.reconnects).toBe(0);
      for (const w of c.windows) expect(w.acks[w.acks.length - 1]).toBe(w.size);
      expect(c.windows).toHaveLength(Math.ceil(counts[k]! / configs[k]!.windowSize));
    }
    const e = evs.find((x) => x.message === 'client 3 line 61')!;
    expect(e).toMatchObject({
      '@timestamp': '2024-05-01T10:00:01.061Z',
      host: { name: 'web-3' }, agent: { type: 'filebeat', version: '8.11.0' }, ecs: { version: '8.0.0' },
      input: { type: 'filestream' }, log: { offset: 610, file: { path: '/var/log/app.log' } },
      tags: ['beats_input_codec_plain_applied'],
      meta: { beat: 'filebeat', version: '8.11.0', type: '_doc', input: { beats: { host: { ip: '127.0.0.1' } } } },
    });
    // The plain codec's [event][original] (ECS) merged with the Beat's own `event` hash.
    expect(e.event).toEqual({ original: 'client 3 line 61', dataset: 'app' });
  }, 240_000);

  it('a client cut mid-window resends the rest and nothing is lost', async () => {
    const port = await freePort();
    const cli = startCli(['run', '-e', `input { beats { host => "127.0.0.1" port => ${port} } } output { stdout { codec => json_lines } }`]);
    await waitFor(() => /Pipelines running/.test(cli.stderr()), 20_000, 'pipeline');
    const c = new LumberjackClient({ port, windowSize: 500, cut: { window: 3, afterFrames: 200 } });
    const N = 5000;
    await c.send(Array.from({ length: N }, (_, i) => ({ message: `m ${i}`, n: i })));
    expect(c.reconnects).toBe(1);
    await waitFor(() => new Set(jsonLines(cli.stdout()).map((x) => x.n)).size >= N, 20_000, 'all events');
    cli.child.kill('SIGTERM');
    const r = await cli.done;
    const ns = jsonLines(r.stdout).map((x) => x.n as number);
    expect(new Set(ns).size).toBe(N);
    // At least once: events of the cut window that were received but not ACKed may come twice.
    expect(ns.length - N).toBeLessThanOrEqual(200);
  }, 60_000);

  it('back-pressure: a blocked output withholds ACKs; nothing is lost once it drains', async () => {
    const port = await freePort();
    const cli = startCli(['run', '-b', '20', '-w', '1', '-e', `input { beats { host => "127.0.0.1" port => ${port} } } output { stdout { codec => json_lines } }`]);
    await waitFor(() => /Pipelines running/.test(cli.stderr()), 20_000, 'pipeline');
    cli.child.stdout!.pause();
    const c = new LumberjackClient({ port, windowSize: 1000 });
    const N = 60_000;
    const big = 'x'.repeat(300);
    const sending = c.send(Array.from({ length: N }, (_, i) => ({ message: `m ${i} ${big}`, n: i })));
    await new Promise((r) => setTimeout(r, 2000));
    const ackedWhileBlocked = c.windows.filter((w) => w.acks.includes(w.size)).length;
    expect(ackedWhileBlocked).toBeLessThan(N / 1000);
    cli.child.stdout!.resume();
    await sending;
    await waitFor(() => (cli.stdout().match(/\n/g) ?? []).length >= N, 60_000, 'all events');
    cli.child.kill('SIGTERM');
    const r = await cli.done;
    expect(new Set(jsonLines(r.stdout).map((x) => x.n)).size).toBe(N);
  }, 120_000);

  it('raw events (no message), v1 `line`, ECS disabled fields, add_hostname, enrich none, include_codec_tag', async () => {
    const port = await freePort();
    const port2 = await freePort();
    const cli = startCli(['run', '-e', `input { beats { host => "127.0.0.1" port => ${port} ecs_compatibility => disabled add_hostname => true } beats { host => "127.0.0.1" port => ${port2} enrich => none } } ${COPY_META} output { stdout { codec => json_lines } }`]);
    await waitFor(() => /Pipelines running/.test(cli.stderr()), 20_000, 'pipeline');
    await new LumberjackClient({ port, windowSize: 10 }).send([
      { metric: 1, beat: { hostname: 'beat-host' } },
      { message: 'hello', '@timestamp': '2020-01-01T00:00:00.000Z', beat: { hostname: 'beat-host' } },
    ]);
    await new LumberjackClient({ port: port2, windowSize: 10 }).send([{ message: 'plain' }, { metric: 2 }]);
    await waitFor(() => jsonLines(cli.stdout()).length >= 4, 20_000, 'events');
    cli.child.kill('SIGTERM');
    const evs = jsonLines((await cli.done).stdout);
    const raw = evs.find((e) => e.metric === 1)!;
    expect(raw).toMatchObject({ tags: ['beats_input_raw_event'], host: 'beat-host', meta: { ip_address: '127.0.0.1' } });
    const hello = evs.find((e) => e.message === 'hello')!;
    expect(hello).toMatchObject({ '@timestamp': '2020-01-01T00:00:00.000Z', tags: ['beats_input_codec_plain_applied'], host: 'beat-host' });
    expect(hello.event).toBeUndefined();
    const plain = evs.find((e) => e.message === 'plain')!;
    expect(plain.tags).toBeUndefined();
    expect(plain.meta ?? {}).toEqual({});
    expect(evs.find((e) => e.metric === 2)!.tags).toBeUndefined();
  }, 60_000);

  it('1,000 concurrent connections each send a window; an idle one is closed after client_inactivity_timeout', async () => {
    const port = await freePort();
    const cli = startCli(['run', '-e', `input { beats { host => "127.0.0.1" port => ${port} client_inactivity_timeout => 1 } } output { stdout { codec => json_lines } }`]);
    await waitFor(() => /Pipelines running/.test(cli.stderr()), 20_000, 'pipeline');
    const clients = Array.from({ length: 1000 }, () => new LumberjackClient({ port, windowSize: 5, compress: true }));
    await Promise.all(clients.map((c, k) => c.send(Array.from({ length: 5 }, (_, i) => ({ message: `c${k} e${i}` })))));
    const idle = net.connect(port, '127.0.0.1');
    const closedAfter = await new Promise<number>((resolve) => { const t0 = Date.now(); idle.on('close', () => resolve(Date.now() - t0)); idle.on('error', () => undefined); });
    expect(closedAfter).toBeGreaterThanOrEqual(900);
    expect(closedAfter).toBeLessThan(5000);
    await waitFor(() => jsonLines(cli.stdout()).length >= 5000, 20_000, 'events');
    cli.child.kill('SIGTERM');
    const evs = jsonLines((await cli.done).stdout);
    expect(new Set(evs.map((e) => e.message)).size).toBe(5000);
    for (const c of clients) c.close();
  }, 60_000);

  it('config errors: enrich alias with others, enrich with include_codec_tag', async () => {
    const a = await runCli(['run', '-e', 'input { beats { port => 5044 enrich => ["all", "source_metadata"] } } output { stdout {} }']);
    expect(a.code).not.toBe(0);
    expect(a.stderr).toMatch(/when an alias is provided to `enrich`, it must be the only value given/);
    const b = await runCli(['run', '-e', 'input { beats { port => 5044 enrich => ["source_metadata"] include_codec_tag => false } } output { stdout {} }']);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/both `enrich` and \(deprecated\) `include_codec_tag` were provided/);
  }, 30_000);
});

describe('beats input: TLS', () => {
  let dir = '';
  const haveOpenssl = (() => { try { execFileSync('openssl', ['version']); return true; } catch { return false; } })();
  beforeAll(() => {
    if (!haveOpenssl) return;
    dir = mkdtempSync(join(tmpdir(), 'sluice-beats-tls-'));
    const run = (...args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' }); };
    execFileSync('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ${join(dir, 'san.ext')}`]);
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Test CA');
    for (const who of ['server', 'client']) {
      run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/O=Sluice Tests/CN=${who}`);
      run('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.crt`, '-days', '2', '-extfile', 'san.ext');
    }
  });

  // Logstash 8 configs still say `ssl => true` and `ssl_verify_mode => "force_peer"` (deprecated, beats input 6.x).
  it.skipIf(!haveOpenssl).each([
    ['current options', 'ssl_enabled => true ssl_client_authentication => "required" enrich => all'],
    ['Logstash 8\'s deprecated ssl, ssl_verify_mode and ssl_peer_metadata', 'ssl => true ssl_verify_mode => "force_peer" ssl_peer_metadata => true'],
  ])('a required client certificate (%s): a client with one is served (with ssl_peer_metadata), one without is refused', async (_what, tlsOptions) => {
    const port = await freePort();
    const f = (n: string): string => join(dir, n);
    const cli = startCli(['run', '-e', `input { beats { host => "127.0.0.1" port => ${port} ${tlsOptions} ssl_certificate => "${f('server.crt')}" ssl_key => "${f('server.key')}" ssl_certificate_authorities => ["${f('ca.crt')}"] } } ${COPY_META} output { stdout { codec => json_lines } }`]);
    await waitFor(() => /Pipelines running/.test(cli.stderr()), 20_000, 'pipeline');
    const ca = readFileSync(f('ca.crt'));
    const good = new LumberjackClient({ port, windowSize: 100, compress: true, tls: { ca, cert: readFileSync(f('client.crt')), key: readFileSync(f('client.key')), servername: 'localhost' } });
    await good.send(Array.from({ length: 300 }, (_, i) => ({ message: `tls ${i}` })));
    good.close();
    // No client certificate: the handshake fails or the connection is closed before any ACK.
    const refused = await new Promise<boolean>((resolve) => {
      const s = tlsModule.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
      s.on('error', () => resolve(true));
      s.on('close', () => resolve(true));
      s.on('secureConnect', () => { s.write(Buffer.from('2W\0\0\0\x01', 'latin1')); });
      s.on('data', () => resolve(false));
    });
    expect(refused).toBe(true);
    await waitFor(() => jsonLines(cli.stdout()).length >= 300, 20_000, 'tls events');
    cli.child.kill('SIGTERM');
    const evs = jsonLines((await cli.done).stdout);
    expect(evs).toHaveLength(300);
    expect(evs[0]!.meta).toMatchObject({ tls_peer: { status: 'verified' }, input: { beats: { tls: { client: { subject: 'CN=client,O=Sluice Tests' } } } } });
    expect(String((evs[0]!.meta as { input: { beats: { tls: { version_protocol: string } } } }).input.beats.tls.version_protocol)).toMatch(/^TLSv1\.[23]$/);
  }, 60_000);
});
