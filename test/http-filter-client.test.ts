// The http filter's client as Manticore (Apache HttpClient 4.5) behaves, checked against real servers on
// 127.0.0.1: query strings, basic auth, redirects, retries of broken connections, pool limits, charsets, empty
// and blank bodies, bodies that cannot be sent, cookies, and a plain HTTP proxy.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Hash } from '../src/event/values.js';
import http from '../src/filters/http/index.js';
import { CookieJar } from '../src/filters/http/cookies.js';
import { waitFor } from './helpers/cli.js';
import { filterHarness } from './helpers/filter-run.js';
import { answer, startResponder, type HttpResponder } from './helpers/http-responder.js';

let srv: HttpResponder;
beforeAll(async () => { srv = await startResponder(); });
afterAll(async () => { await srv.close(); });
beforeEach(() => { srv.requests.length = 0; srv.respond = answer(200, 'ok'); });

async function run(config: Record<string, unknown>, events: Hash[] = [{ message: 'm' }]) {
  const h = await filterHarness(http, { target_body: '[b]', target_headers: '[h]', ...config }, { ecs: 'disabled' });
  try {
    const out = await Promise.all(events.map(async (e) => (await h.run(e))[0]!));
    return { events: out, logs: h.ctx.logs };
  } finally { await h.instance.close?.(); }
}

describe('query strings (URIBuilder)', () => {
  it('adds the parameters to the URL\'s own query, form-encoded; arrays repeat, hashes nest, nil is left out', async () => {
    await run({ url: `${srv.base}/p?a=1&flag`, query: { s: 'x y/é*~', list: ['1', '2'], h: { k: 'v' }, n: 5 } });
    expect(srv.requests[0]!.url).toBe('/p?a=1&flag&s=x+y%2F%C3%A9*%7E&list=1&list=2&h%5Bk%5D=v&n=5');
  });

  it('leaves the URL as it is without parameters', async () => {
    await run({ url: `${srv.base}/p?a=%20b` });
    expect(srv.requests[0]!.url).toBe('/p?a=%20b');
  });

  it('a URL that java.net.URI refuses (an unresolved %{field}) fails the request', async () => {
    const { events } = await run({ url: `${srv.base}/%{missing}` });
    expect(events[0]!.get('tags')).toEqual(['_httprequestfailure']);
    expect(srv.requests).toHaveLength(0);
  });
});

describe('basic authentication', () => {
  it('sends user and password with every request', async () => {
    await run({ url: `${srv.base}/`, user: 'ann', password: 's3cret' });
    expect(srv.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('ann:s3cret').toString('base64')}`);
  });

  it('keeps an Authorization header the config sets', async () => {
    await run({ url: `${srv.base}/`, user: 'ann', password: 's3cret', headers: { Authorization: 'Bearer t' } });
    expect(srv.headerValues(srv.requests[0]!, 'authorization')).toEqual(['Bearer t']);
  });

  it('refuses a user without password at start-up', async () => {
    await expect(filterHarness(http, { url: `${srv.base}/`, target_body: 'b', user: 'ann' }, { ecs: 'disabled' })).rejects.toThrow("User 'ann' specified without password!");
  });
});

describe('redirects (DefaultRedirectStrategy)', () => {
  beforeEach(() => {
    srv.respond = (req, res) => {
      const m = /^\/r(\d+)\/(\d+)/.exec(req.url);
      if (m && Number(m[2]) > 0) { res.statusCode = Number(m[1]); res.setHeader('Location', `/r${m[1]}/${Number(m[2]) - 1}`); res.end(); return; }
      if (req.url === '/loop') { res.statusCode = 302; res.setHeader('Location', '/loop2'); res.end(); return; }
      if (req.url === '/loop2') { res.statusCode = 302; res.setHeader('Location', '/loop'); res.end(); return; }
      res.end(`${req.method} ${req.url} [${req.body}]`);
    };
  });

  it.each([301, 302, 307, 308])('follows a %i for GET', async (code) => {
    const { events } = await run({ url: `${srv.base}/r${code}/2` });
    expect(events[0]!.get('b')).toBe(`GET /r${code}/0 []`);
  });

  it('follows a 303 for POST with a GET without body', async () => {
    const { events } = await run({ url: `${srv.base}/r303/1`, verb: 'POST', body: 'data' });
    expect(events[0]!.get('b')).toBe('GET /r303/0 []');
  });

  it('does not follow a 302 for POST: the 302 is a failure', async () => {
    const { events } = await run({ url: `${srv.base}/r302/1`, verb: 'POST', body: 'data' });
    expect(events[0]!.get('tags')).toEqual(['_httprequestfailure']);
    expect(srv.requests).toHaveLength(1);
  });

  it('gives up after 5 redirects, and on a circular one', async () => {
    expect((await run({ url: `${srv.base}/r302/5` })).events[0]!.get('b')).toBe('GET /r302/0 []');
    const six = await run({ url: `${srv.base}/r302/6` });
    expect(six.events[0]!.get('tags')).toEqual(['_httprequestfailure']);
    expect(six.logs.some((l) => l.msg === 'error during HTTP request' && String(l.data?.client_error).includes('Maximum redirects (5) exceeded'))).toBe(true);
    const loop = await run({ url: `${srv.base}/loop` });
    expect(loop.logs.some((l) => String(l.data?.client_error).includes('Circular redirect'))).toBe(true);
  });

  it('with follow_redirects => false, a redirect is a non-2xx answer', async () => {
    const { events } = await run({ url: `${srv.base}/r301/1`, follow_redirects: false });
    expect(events[0]!.get('tags')).toEqual(['_httprequestfailure']);
  });
});

describe('retries of broken connections (StandardHttpRequestRetryHandler)', () => {
  let flaky: Server;
  let base: string;
  let hits: number;
  beforeAll(async () => {
    // Drops the connection without an answer on every other request.
    flaky = createServer((req, res) => {
      hits++;
      if (hits % 2 === 1) { req.socket.destroy(); return; }
      res.end(`answer ${hits}`);
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`;
  });
  afterAll(async () => { flaky.closeAllConnections(); await new Promise((r) => flaky.close(r)); });
  beforeEach(() => { hits = 0; });

  it('retries GET once by default', async () => {
    const { events } = await run({ url: `${base}/` });
    expect(events[0]!.get('b')).toBe('answer 2');
  });

  it('does not retry POST unless retry_non_idempotent', async () => {
    expect((await run({ url: `${base}/`, verb: 'POST', body: 'x' })).events[0]!.get('tags')).toEqual(['_httprequestfailure']);
    hits = 0;
    expect((await run({ url: `${base}/`, verb: 'POST', body: 'x', retry_non_idempotent: true })).events[0]!.get('b')).toBe('answer 2');
  });

  it('does not retry with automatic_retries => 0', async () => {
    expect((await run({ url: `${base}/`, automatic_retries: 0 })).events[0]!.get('tags')).toEqual(['_httprequestfailure']);
  });
});

describe('connection pool', () => {
  it('pool_max_per_route bounds the requests in flight to one host', async () => {
    let most = 0;
    const held: (() => void)[] = [];
    // Hold each answer until two requests are waiting, then answer both: with the limit at 2 that happens for
    // every pair, and a third request in flight would show in `most`.
    srv.respond = (_req, res) => {
      held.push(() => res.end('ok'));
      most = Math.max(most, held.length);
      if (held.length === 2) for (const release of held.splice(0)) release();
    };
    const { events } = await run({ url: `${srv.base}/`, pool_max_per_route: 2 }, Array.from({ length: 12 }, (_, i) => ({ message: `m${i}` })));
    expect(events.every((e) => e.get('b') === 'ok')).toBe(true);
    expect(srv.requests).toHaveLength(12);
    expect(most).toBe(2);
  });

  it('pool_max bounds the requests in flight to all hosts', async () => {
    let most = 0;
    const held: (() => void)[] = [];
    const respond = (_req: unknown, res: { end(body: string): void }) => {
      held.push(() => res.end('ok'));
      most = Math.max(most, held.length);
      if (held.length === 3) for (const release of held.splice(0)) release();
    };
    const other = await startResponder(respond);
    srv.respond = respond;
    try {
      // Two routes (two servers), 6 events each.
      const events = Array.from({ length: 12 }, (_, i) => ({ message: `m${i}`, port: i % 2 ? srv.port : other.port }));
      const out = await run({ url: 'http://127.0.0.1:%{port}/', pool_max: 3, pool_max_per_route: 25 }, events);
      expect(out.events.every((e) => e.get('b') === 'ok')).toBe(true);
      expect(most).toBe(3);
      expect(other.requests.length).toBeGreaterThan(0);
    } finally { await other.close(); }
  });
});

describe('request_timeout (waiting for a pooled connection)', () => {
  it('a request that cannot get a connection within request_timeout fails; the one holding it succeeds', async () => {
    let release: (() => void) | undefined;
    srv.respond = (_req, res) => { release = () => res.end('slow'); };
    const h = await filterHarness(http, { url: `${srv.base}/`, target_body: '[b]', pool_max_per_route: 1, request_timeout: 0.05 }, { ecs: 'disabled' });
    try {
      const first = h.run({ message: 'first' });
      const [second] = await h.run({ message: 'second' });
      // The server still holds the first request's answer: the second waited for the only connection.
      expect(second!.get('tags')).toEqual(['_httprequestfailure']);
      expect(h.ctx.logs.some((l) => String(l.data?.client_error).includes('Timeout waiting for connection from pool'))).toBe(true);
      await waitFor(() => release !== undefined, 10_000, 'the first request at the server');
      release!();
      expect((await first)[0]!.get('b')).toBe('slow');
      expect(srv.requests).toHaveLength(1);
    } finally { await h.instance.close?.(); }
  });
});

describe('response bodies', () => {
  it('decodes text without charset as ISO-8859-1 (Apache\'s default), with a charset as that charset', async () => {
    srv.respond = (_req, res) => { res.setHeader('Content-Type', 'text/plain'); res.end(Buffer.from('café', 'utf8')); };
    expect((await run({ url: `${srv.base}/` })).events[0]!.get('b')).toBe('cafÃ©');
    srv.respond = (_req, res) => { res.setHeader('Content-Type', 'text/plain; charset=UTF-8'); res.end(Buffer.from('café', 'utf8')); };
    expect((await run({ url: `${srv.base}/` })).events[0]!.get('b')).toBe('café');
    srv.respond = (_req, res) => { res.setHeader('Content-Type', 'application/json'); res.end(Buffer.from('{"a":"café"}', 'utf8')); };
    expect((await run({ url: `${srv.base}/` })).events[0]!.get('[b][a]')).toBe('café');
  });

  it('parses JSON only for a content-type token exactly application/json', async () => {
    srv.respond = answer(200, '{"a":1}', { 'Content-Type': 'application/vnd.api+json' });
    expect((await run({ url: `${srv.base}/` })).events[0]!.get('b')).toBe('{"a":1}');
    srv.respond = answer(200, '{"a":1}', { 'Content-Type': 'text/html; application/json' });
    expect((await run({ url: `${srv.base}/` })).events[0]!.get('[b][a]')).toBe(1);
  });

  it('an empty 200 answer: an empty string as text, nil as JSON; a HEAD sets only the headers', async () => {
    srv.respond = answer(200, '');
    const text = (await run({ url: `${srv.base}/` })).events[0]!;
    expect(text.get('b')).toBe('');
    srv.respond = answer(200, '', { 'Content-Type': 'application/json' });
    const json = (await run({ url: `${srv.base}/` })).events[0]!;
    expect(json.includes('b')).toBe(true);
    expect(json.get('b')).toBeNull();
    srv.respond = answer(200, undefined, { 'X-A': '1' });
    const head = (await run({ url: `${srv.base}/`, verb: 'HEAD' })).events[0]!;
    expect(head.includes('b')).toBe(false);
    expect(head.get('[h][x-a]')).toBe('1');
  });
});

describe('request bodies', () => {
  it('a hash body with body_format => text cannot be sent: every event is tagged, as upstream (Hash#encoding)', async () => {
    const { events, logs } = await run({ url: `${srv.base}/`, verb: 'POST', body: { a: '%{message}' } });
    expect(events[0]!.get('tags')).toEqual(['_httprequestfailure']);
    expect(srv.requests).toHaveLength(0);
    expect(logs.some((l) => l.level === 'warn' && l.msg.includes('not a string'))).toBe(true);
  });

  it('a GET or DELETE carries a configured body; keepalive => false closes the connection', async () => {
    await run({ url: `${srv.base}/`, verb: 'DELETE', body: 'gone', keepalive: false });
    expect(srv.requests[0]!.body).toBe('gone');
    expect(srv.requests[0]!.headers.connection).toBe('close');
  });
});

describe('cookies (one store per filter, as Manticore\'s client)', () => {
  it('sends back the cookies a service set, to later events too; not with cookies => false', async () => {
    srv.respond = (req, res) => {
      if (req.url === '/login') { res.setHeader('Set-Cookie', ['session=abc; Path=/', 'other=1; Path=/private']); res.statusCode = 302; res.setHeader('Location', '/home'); }
      res.end('ok');
    };
    const h = await filterHarness(http, { url: `${srv.base}%{message}`, target_body: '[b]' }, { ecs: 'disabled' });
    try {
      await h.run({ message: '/login' });
      await h.run({ message: '/api' });
      await h.run({ message: '/private/x' });
    } finally { await h.instance.close?.(); }
    expect(srv.requests.map((r) => [r.url, r.headers.cookie])).toEqual([
      ['/login', undefined], ['/home', 'session=abc'], ['/api', 'session=abc'], ['/private/x', 'other=1; session=abc'],
    ]);
    srv.requests.length = 0;
    await run({ url: `${srv.base}/login`, cookies: false });
    expect(srv.requests.map((r) => r.headers.cookie)).toEqual([undefined, undefined]);
  });

  it('follows RFC 6265 for domain, path, expiry and Secure', () => {
    const jar = new CookieJar();
    const at = (u: string) => new URL(u);
    jar.store(at('http://www.example.com/a/b'), ['dir=1', 'wide=2; Domain=.example.com; Path=/', 'foreign=3; Domain=other.com', 'sec=4; Secure; Path=/']);
    expect(jar.header(at('http://www.example.com/a/c'))).toBe('dir=1; wide=2');
    expect(jar.header(at('http://www.example.com/other'))).toBe('wide=2');
    expect(jar.header(at('http://api.example.com/'))).toBe('wide=2');
    expect(jar.header(at('https://www.example.com/'))).toBe('wide=2; sec=4');
    expect(jar.header(at('http://other.com/'))).toBeUndefined();
    jar.store(at('http://www.example.com/'), 'wide=gone; Domain=example.com; Path=/; Max-Age=0');
    expect(jar.header(at('http://api.example.com/'))).toBeUndefined();
    jar.store(at('http://www.example.com/'), 'soon=1; Max-Age=60', 1_000);
    expect(jar.header(at('http://www.example.com/'), 2_000)).toBe('soon=1');
    expect(jar.header(at('http://www.example.com/'), 61_001)).toBeUndefined();
  });
});

describe('proxy', () => {
  let proxy: Server;
  let proxyPort: number;
  const seen: { url: string; auth: string | undefined }[] = [];
  beforeAll(async () => {
    // A forward proxy for plain HTTP: absolute-form request line, forwarded to the origin.
    proxy = createServer((req, res) => {
      seen.push({ url: req.url ?? '', auth: req.headers['proxy-authorization'] });
      const target = new URL(req.url ?? '');
      const headers = { ...req.headers };
      delete headers['proxy-authorization'];
      const up = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, { ...r.headers, 'x-via-proxy': 'yes' });
        r.pipe(res);
      });
      req.pipe(up);
    });
    proxy.on('connection', (s: Socket) => s.setNoDelay(true));
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyPort = (proxy.address() as AddressInfo).port;
  });
  afterAll(async () => { proxy.closeAllConnections(); await new Promise((r) => proxy.close(r)); });
  beforeEach(() => { seen.length = 0; });

  it('sends plain-HTTP requests through a proxy given as a URL', async () => {
    const { events } = await run({ url: `${srv.base}/via?x=1`, proxy: `http://127.0.0.1:${proxyPort}` });
    expect(seen.map((s) => s.url)).toEqual([`${srv.base}/via?x=1`]);
    expect(events[0]!.get('[h][x-via-proxy]')).toBe('yes');
    expect(events[0]!.get('b')).toBe('ok');
  });

  it('takes the hash form with user and password', async () => {
    await run({ url: `${srv.base}/via`, proxy: { host: '127.0.0.1', port: proxyPort, user: 'u', password: 'p' } });
    expect(seen).toEqual([{ url: `${srv.base}/via`, auth: `Basic ${Buffer.from('u:p').toString('base64')}` }]);
  });
});
