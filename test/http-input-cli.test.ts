/**
 * The http input through the real CLI on real sockets. Expected fields and statuses come from Logstash's
 * http input docs (plugins-inputs-http, "Event Metadata and the Elastic Common Schema") and its spec
 * (logstash-plugins/logstash-input-http spec/inputs/http_spec.rb: "with default codec", "with json codec",
 * "additional_codecs", "response_headers", "basic auth", "max_content_length", "response_code", "ssl").
 */
import { execFileSync } from 'node:child_process';
import https from 'node:https';
import net from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, startCli, waitFor } from './helpers/cli.js';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

type Cli = ReturnType<typeof startCli>;

async function start(config: (port: number) => string, ecs = 'v8'): Promise<{ cli: Cli; port: number; url: string }> {
  const port = await freePort();
  const cli = startCli(['run', '-w', '1', '--pipeline.ecs_compatibility', ecs, '-e', config(port)]);
  await waitFor(() => /Pipelines running/.test(cli.stderr()) || cli.child.exitCode !== null, 20_000, 'Pipelines running');
  return { cli, port, url: `http://127.0.0.1:${port}` };
}

async function stop(cli: Cli): Promise<void> {
  cli.child.kill('SIGTERM');
  await cli.done;
}

const out = '} output { stdout { codec => json_lines } }';

describe('http input: events and fields', () => {
  let s: { cli: Cli; port: number; url: string };
  beforeAll(async () => { s = await start((p) => `input { http { host => "127.0.0.1" port => ${p} } ${out}`); });
  afterAll(async () => { await stop(s.cli); });

  it('logs the listener address when it starts', () => {
    expect(s.cli.stderr()).toContain(`Starting http input listener {:address=>"127.0.0.1:${s.port}", :ssl_enabled=>false}`);
  });

  it('answers 200 "ok" and decodes a text body with the plain codec, with the ECS fields of Logstash 8', async () => {
    const res = await fetch(`${s.url}/path/to?x=1`, { method: 'PUT', body: 'hello', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'curl/7.64.1' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    await waitFor(() => jsonLines(s.cli.stdout()).some((e) => e.message === 'hello'), 5000, 'event');
    const e = jsonLines(s.cli.stdout()).find((x) => x.message === 'hello')!;
    expect(e.http).toEqual({ method: 'PUT', version: 'HTTP/1.1', request: { mime_type: 'application/x-www-form-urlencoded', body: { bytes: '5' } } });
    expect(e.url).toEqual({ domain: '127.0.0.1', port: s.port, path: '/path/to?x=1' });
    expect(e.user_agent).toEqual({ original: 'curl/7.64.1' });
    expect(e.host).toEqual({ ip: '127.0.0.1' });
    expect(e.headers).toBeUndefined();
  });

  it('decodes application/json with the json codec (additional_codecs default)', async () => {
    const res = await fetch(s.url, { method: 'POST', body: JSON.stringify({ app: 'web', n: 3 }), headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(res.status).toBe(200);
    await waitFor(() => jsonLines(s.cli.stdout()).some((e) => e.app === 'web'), 5000, 'json event');
    const e = jsonLines(s.cli.stdout()).find((x) => x.app === 'web')!;
    expect(e.n).toBe(3);
    expect(e.message).toBeUndefined();
    expect((e.http as { request: { mime_type: string } }).request.mime_type).toBe('application/json; charset=utf-8');
  });

  it('a JSON array makes one event per element', async () => {
    await fetch(s.url, { method: 'POST', body: JSON.stringify([{ arr: 1 }, { arr: 2 }]), headers: { 'content-type': 'application/json' } });
    await waitFor(() => jsonLines(s.cli.stdout()).filter((e) => e.arr !== undefined).length === 2, 5000, 'two events');
  });

  it('gzip-encoded bodies are decompressed', async () => {
    const res = await fetch(s.url, { method: 'POST', body: gzipSync('zipped body'), headers: { 'content-encoding': 'gzip', 'content-type': 'text/plain' } });
    expect(res.status).toBe(200);
    await waitFor(() => jsonLines(s.cli.stdout()).some((e) => e.message === 'zipped body'), 5000, 'gzip event');
  });

  it('many keep-alive POSTs arrive once each', async () => {
    const n = 500;
    await Promise.all(Array.from({ length: n }, (_, i) => fetch(s.url, { method: 'POST', body: `bulk ${i}` }).then((r) => r.text())));
    await waitFor(() => jsonLines(s.cli.stdout()).filter((e) => String(e.message).startsWith('bulk ')).length >= n, 10_000, 'all events');
    const got = jsonLines(s.cli.stdout()).filter((e) => String(e.message).startsWith('bulk ')).map((e) => e.message);
    expect(new Set(got).size).toBe(n);
    expect(got.length).toBe(n);
  });
});

describe('http input: ECS disabled', () => {
  it('puts the headers in `headers` and the client IP in `host`', async () => {
    const s = await start((p) => `input { http { host => "127.0.0.1" port => ${p} } ${out}`, 'disabled');
    try {
      await fetch(`${s.url}/twitter/tweet/1`, { method: 'POST', body: 'legacy', headers: { 'content-type': 'text/plain', 'x-custom-header': 'v', 'user-agent': 'ua' } });
      await waitFor(() => jsonLines(s.cli.stdout()).length > 0, 5000, 'event');
      const e = jsonLines(s.cli.stdout())[0]!;
      expect(e.host).toBe('127.0.0.1');
      const h = e.headers as Record<string, unknown>;
      expect(h).toMatchObject({
        request_method: 'POST', request_path: '/twitter/tweet/1', http_version: 'HTTP/1.1', http_host: `127.0.0.1:${s.port}`,
        http_user_agent: 'ua', content_type: 'text/plain', content_length: '6', x_custom_header: 'v',
      });
      expect(e.http).toBeUndefined();
    } finally { await stop(s.cli); }
  });

  it('remote_host_target_field and request_headers_target_field move the fields', async () => {
    const s = await start((p) => `input { http { host => "127.0.0.1" port => ${p} remote_host_target_field => "remote" request_headers_target_field => "[req][h]" } ${out}`, 'disabled');
    try {
      await fetch(s.url, { method: 'POST', body: 'x' });
      await waitFor(() => jsonLines(s.cli.stdout()).length > 0, 5000, 'event');
      const e = jsonLines(s.cli.stdout())[0]!;
      expect(e.remote).toBe('127.0.0.1');
      expect((e.req as { h: { request_method: string } }).h.request_method).toBe('POST');
      expect(e.host).toBeUndefined();
      expect(e.headers).toBeUndefined();
    } finally { await stop(s.cli); }
  });
});

describe('http input: options', () => {
  it('basic auth: a wrong or missing password gets 401 and emits nothing; the right one 200', async () => {
    const s = await start((p) => `input { http { host => "127.0.0.1" port => ${p} user => "logstash" password => "s3cret" } ${out}`);
    try {
      const auth = (u: string, pw: string): string => `Basic ${Buffer.from(`${u}:${pw}`).toString('base64')}`;
      const bad = await fetch(s.url, { method: 'POST', body: 'wrong', headers: { authorization: auth('logstash', 'nope') } });
      expect(bad.status).toBe(401);
      const none = await fetch(s.url, { method: 'POST', body: 'none' });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Basic realm="Logstash HTTP Input"');
      const good = await fetch(s.url, { method: 'POST', body: 'right', headers: { authorization: auth('logstash', 's3cret') } });
      expect(good.status).toBe(200);
      await waitFor(() => jsonLines(s.cli.stdout()).length > 0, 5000, 'event');
      await new Promise((r) => setTimeout(r, 300));
      const events = jsonLines(s.cli.stdout());
      expect(events.map((e) => e.message)).toEqual(['right']);
      // The Authorization header is not recorded.
      expect(JSON.stringify(events[0])).not.toContain('Basic');
    } finally { await stop(s.cli); }
  });

  it('max_content_length: a larger body gets 413 and emits nothing', async () => {
    const s = await start((p) => `input { http { host => "127.0.0.1" port => ${p} max_content_length => 10 } ${out}`);
    try {
      const big = await fetch(s.url, { method: 'POST', body: 'x'.repeat(100) });
      expect(big.status).toBe(413);
      const small = await fetch(s.url, { method: 'POST', body: 'small' });
      expect(small.status).toBe(200);
      await waitFor(() => jsonLines(s.cli.stdout()).length > 0, 5000, 'event');
      expect(jsonLines(s.cli.stdout()).map((e) => e.message)).toEqual(['small']);
    } finally { await stop(s.cli); }
  });

  it('response_code 204 sends no body; response_headers are sent; additional_codecs maps content types', async () => {
    const s = await start((p) => `input { http { host => "127.0.0.1" port => ${p} response_code => 204
      response_headers => { "X-Logstash" => "yes" } additional_codecs => { "application/x-ndjson" => "json_lines" } } ${out}`);
    try {
      const res = await fetch(s.url, { method: 'POST', body: '{"a":1}\n{"a":2}\n', headers: { 'content-type': 'application/x-ndjson' } });
      expect(res.status).toBe(204);
      expect(res.headers.get('x-logstash')).toBe('yes');
      expect(await res.text()).toBe('');
      await waitFor(() => jsonLines(s.cli.stdout()).length >= 2, 5000, 'events');
      expect(jsonLines(s.cli.stdout()).map((e) => e.a)).toEqual([1, 2]);
      // application/json is no longer mapped (the hash replaces the default): plain.
      await fetch(s.url, { method: 'POST', body: '{"b":1}', headers: { 'content-type': 'application/json' } });
      await waitFor(() => jsonLines(s.cli.stdout()).length >= 3, 5000, 'plain event');
      expect(jsonLines(s.cli.stdout())[2]!.message).toBe('{"b":1}');
    } finally { await stop(s.cli); }
  });

  it('rejects ssl_certificate_authorities without client authentication at start-up', async () => {
    const port = await freePort();
    const cli = startCli(['run', '-e', `input { http { port => ${port} ssl_enabled => true ssl_certificate => "package.json" ssl_key => "package.json" ssl_certificate_authorities => ["package.json"] } ${out}`]);
    const r = await cli.done;
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('requires setting `ssl_client_authentication`');
  });
});

describe('http input: TLS', () => {
  const haveOpenssl = (() => { try { execFileSync('openssl', ['version']); return true; } catch { return false; } })();
  let dir = '';
  beforeAll(() => {
    if (!haveOpenssl) return;
    dir = mkdtempSync(join(tmpdir(), 'sluice-http-tls-'));
    const run = (...args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' }); };
    execFileSync('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ${join(dir, 'san.ext')}`]);
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Test CA');
    for (const who of ['server', 'client']) {
      run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`);
      run('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.crt`, '-days', '2', '-extfile', 'san.ext');
    }
  });
  const f = (n: string): string => join(dir, n);

  function post(port: number, body: string, client: boolean): Promise<number | 'refused'> {
    return new Promise((resolve) => {
      const req = https.request({
        host: '127.0.0.1', port, method: 'POST', ca: readFileSync(f('ca.crt')),
        ...(client ? { cert: readFileSync(f('client.crt')), key: readFileSync(f('client.key')) } : {}),
      }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
      req.on('error', () => resolve('refused'));
      req.end(body);
    });
  }

  it.skipIf(!haveOpenssl)('ssl_client_authentication => required accepts only clients with a certificate from the CAs', async () => {
    const s = await start((p) => `input { http { host => "127.0.0.1" port => ${p} ssl_enabled => true ssl_certificate => "${f('server.crt')}" ssl_key => "${f('server.key')}"
      ssl_certificate_authorities => ["${f('ca.crt')}"] ssl_client_authentication => "required" } ${out}`);
    try {
      expect(s.cli.stderr()).toContain(':ssl_enabled=>true');
      expect(await post(s.port, 'anonymous', false)).toBe('refused');
      expect(await post(s.port, 'with cert', true)).toBe(200);
      await waitFor(() => jsonLines(s.cli.stdout()).length > 0, 5000, 'event');
      expect(jsonLines(s.cli.stdout()).map((e) => e.message)).toEqual(['with cert']);
    } finally { await stop(s.cli); }
  });
});

describe('http input: spec details (http_spec.rb "request handling", "basic auth", "parse domain host")', () => {
  it('get_domain_port: IPv4 and IPv6 hosts with and without a port', async () => {
    const { domainPort } = await import('../src/inputs/http.js');
    expect(domainPort('localhost:8080')).toEqual(['localhost', 8080]);
    expect(domainPort('localhost')).toEqual(['localhost', undefined]);
    expect(domainPort('[2001:db8::8a2e:370:7334]:8080')).toEqual(['2001:db8::8a2e:370:7334', 8080]);
    expect(domainPort('2001:db8::8a2e:370:7334')).toEqual(['2001:db8::8a2e:370:7334', undefined]);
  });

  it('deflate bodies are decompressed, undecodable ones get 400; charsets are honoured; a bad token gets 401 without WWW-Authenticate', async () => {
    const { deflateSync } = await import('node:zlib');
    const s = await start((p) => `input { http { host => "127.0.0.1" port => ${p} user => "u" password => "p" } ${out}`);
    try {
      const auth = { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` };
      expect((await fetch(s.url, { method: 'POST', body: deflateSync('deflated'), headers: { ...auth, 'content-type': 'text/plain', 'content-encoding': 'deflate' } })).status).toBe(200);
      expect((await fetch(s.url, { method: 'POST', body: 'hello', headers: { ...auth, 'content-type': 'text/plain', 'content-encoding': 'deflate' } })).status).toBe(400);
      expect((await fetch(s.url, { method: 'POST', body: Buffer.from('caf\xe9 cr\xe8me', 'latin1'), headers: { ...auth, 'content-type': 'text/plain; charset=ISO-8859-1' } })).status).toBe(200);
      const bad = await fetch(s.url, { method: 'POST', body: 'hi', headers: { authorization: 'Basic meh', 'content-type': 'text/plain' } });
      expect(bad.status).toBe(401);
      expect(bad.headers.get('www-authenticate')).toBeNull();
      await waitFor(() => jsonLines(s.cli.stdout()).length >= 2, 5000, 'events');
      await new Promise((r) => setTimeout(r, 200));
      expect(jsonLines(s.cli.stdout()).map((e) => e.message)).toEqual(['deflated', 'café crème']);
    } finally { await stop(s.cli); }
  });
});

describe('http input: back-pressure (http_spec.rb "handling overflowing requests with a 429")', () => {
  it('with the queue full, threads + max_pending_requests requests wait and the next one gets 429', async () => {
    const s = await start((p) => `input { http { host => "127.0.0.1" port => ${p} threads => 1 max_pending_requests => 1 } }
      filter { sleep { time => 60 } } output { stdout { codec => json_lines } }`);
    try {
      let blocked = 0;
      let status = 0;
      const deadline = Date.now() + 30_000;
      while (status !== 429) {
        if (Date.now() > deadline) throw new Error(`never 429 (blocked=${blocked})`);
        try {
          const r = await fetch(s.url, { method: 'POST', body: '{}', signal: AbortSignal.timeout(500) });
          status = r.status;
          await r.text();
        } catch { blocked++; }
      }
      expect(status).toBe(429);
      expect(blocked).toBe(2);
    } finally {
      s.cli.child.kill('SIGKILL');
      await s.cli.done;
    }
  }, 60_000);
});
