/**
 * The http output through the real CLI against an HTTP server started here. Behaviours from the plugin's
 * docs (logstash-output-http: format json/json_batch/form/message, mapping, headers, retryable_codes
 * 429/500/502/503/504, ignorable_codes, retry_failed) and spec/outputs/http_spec.rb (one request per
 * event, json_batch one array per batch, retrying 429/5xx until success, not retrying a 404).
 */
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from './helpers/cli.js';

interface Got { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }
const servers: http.Server[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => { s.close(() => r()); s.closeAllConnections(); }))); });

async function server(answer: (g: Got, n: number) => number = () => 200): Promise<{ url: string; got: Got[] }> {
  const got: Got[] = [];
  const s = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => {
      const g = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      got.push(g);
      res.writeHead(answer(g, got.length)).end('{}');
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  servers.push(s);
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, got };
}
const input = (events: Record<string, unknown>[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
const conf = (out: string): string => `input { stdin { codec => json_lines } } output { http { ${out} } }`;

describe('http output', () => {
  it('format json: one request per event, the event as JSON, url and headers sprintf\'d, basic auth', async () => {
    const s = await server();
    const r = await runCli(['run', '-e', conf(`url => "${s.url}/in/%{kind}" http_method => "post" headers => { "X-Kind" => "%{kind}" } user => "u" password => "p"`)], { input: input([{ kind: 'a', n: 1 }, { kind: 'b', n: 2 }]) });
    expect(r.code, r.stderr).toBe(0);
    expect(s.got.map((g) => g.url).sort()).toEqual(['/in/a', '/in/b']);
    for (const g of s.got) {
      expect(g.method).toBe('POST');
      expect(g.headers['content-type']).toBe('application/json');
      expect(g.headers['x-kind']).toBe(JSON.parse(g.body).kind);
      expect(g.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
      expect(JSON.parse(g.body)).toHaveProperty('@timestamp');
    }
  });

  it('format json_batch: one request with the batch as a JSON array', async () => {
    const s = await server();
    const r = await runCli(['run', '-e', conf(`url => "${s.url}" http_method => "put" format => "json_batch"`)], { input: input([{ n: 1 }, { n: 2 }, { n: 3 }]) });
    expect(r.code, r.stderr).toBe(0);
    const all = s.got.flatMap((g) => JSON.parse(g.body) as { n: number }[]);
    expect(all.map((e) => e.n).sort()).toEqual([1, 2, 3]);
    expect(s.got.every((g) => g.method === 'PUT')).toBe(true);
  });

  it('format message and form, mapping, content_type', async () => {
    const s = await server();
    const r1 = await runCli(['run', '-e', conf(`url => "${s.url}/m" http_method => "post" format => "message" message => "n=%{n}" content_type => "text/x-custom"`)], { input: input([{ n: 7 }]) });
    expect(r1.code, r1.stderr).toBe(0);
    expect(s.got[0]!.body).toBe('n=7');
    expect(s.got[0]!.headers['content-type']).toBe('text/x-custom');
    const r2 = await runCli(['run', '-e', conf(`url => "${s.url}/f" http_method => "post" format => "form" mapping => { "name" => "%{who}" "fixed" => "a b" }`)], { input: input([{ who: 'bob&co' }]) });
    expect(r2.code, r2.stderr).toBe(0);
    expect(s.got[1]!.body).toBe('name=bob%26co&fixed=a+b');
    expect(s.got[1]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const r3 = await runCli(['run', '-e', conf(`url => "${s.url}/j" http_method => "post" mapping => { "msg" => "%{who}" "nested" => { "k" => "v-%{who}" } }`)], { input: input([{ who: 'x' }]) });
    expect(r3.code, r3.stderr).toBe(0);
    expect(JSON.parse(s.got[2]!.body)).toEqual({ msg: 'x', nested: { k: 'v-x' } });
  });

  it('retries 429 and 503 answers until accepted, only the failed events', async () => {
    let ones = 0;
    const s = await server((g) => {
      if (JSON.parse(g.body).n !== 1) return 200;
      ones++;
      return ones === 1 ? 429 : ones === 2 ? 503 : 200;
    });
    const r = await runCli(['run', '-e', conf(`url => "${s.url}" http_method => "post"`)], { input: input([{ n: 1 }, { n: 2 }]), timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    const bodies = s.got.map((g) => JSON.parse(g.body).n);
    expect(bodies.filter((n) => n === 2)).toHaveLength(1);
    expect(bodies.filter((n) => n === 1)).toHaveLength(3);
  }, 30_000);

  it('does not retry a 404 (logged), and ignorable_codes count as success', async () => {
    const s = await server(() => 404);
    const r = await runCli(['run', '-e', conf(`url => "${s.url}" http_method => "post"`)], { input: input([{ n: 1 }]) });
    expect(r.code, r.stderr).toBe(0);
    expect(s.got).toHaveLength(1);
    expect(r.stdout + r.stderr).toMatch(/non-2xx HTTP code 404/);
    const s2 = await server(() => 409);
    const r2 = await runCli(['run', '-e', conf(`url => "${s2.url}" http_method => "post" ignorable_codes => [409]`)], { input: input([{ n: 1 }]) });
    expect(r2.code, r2.stderr).toBe(0);
    expect(s2.got).toHaveLength(1);
    expect(r2.stdout + r2.stderr).not.toMatch(/non-2xx/);
  });

  it('format message without message is a start-up error', async () => {
    const r = await runCli(['run', '-e', conf('url => "http://127.0.0.1:1" http_method => "post" format => "message"')]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/message/);
  });
});
