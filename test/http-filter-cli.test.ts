// The http filter through the real CLI (stdin json_lines → filter → stdout json_lines) against a real HTTP server
// started here on 127.0.0.1: what the service receives, where its answer lands with ECS off and on, and how
// failures (4xx/5xx, a refused connection, invalid JSON) tag the event and keep it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from './helpers/cli.js';
import { answer, startResponder, type HttpResponder } from './helpers/http-responder.js';
import { checkConfig, runFilterSection } from './helpers/pipeline-cli.js';

let srv: HttpResponder;
beforeAll(async () => { srv = await startResponder(); });
afterAll(async () => { await srv.close(); });
beforeEach(() => { srv.requests.length = 0; });

/** Answers by path: /json/* echoes the request as JSON, /text a padded text, /status/N that status, /bad invalid JSON. */
function router(): void {
  srv.respond = (req, res) => {
    if (req.url.startsWith('/json')) {
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('X-Service', 'echo');
      res.end(JSON.stringify({ method: req.method, url: req.url, body: req.body, n: 1.5 }));
    } else if (req.url.startsWith('/text')) {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('  plain answer \n');
    } else if (req.url.startsWith('/status/')) {
      res.statusCode = Number(req.url.slice('/status/'.length));
      res.end('it went wrong');
    } else if (req.url.startsWith('/bad')) {
      res.setHeader('Content-Type', 'application/json');
      res.end('{"not": json');
    } else answer(404, 'unknown')(req, res);
  };
}

describe('http filter (CLI)', () => {
  beforeEach(router);

  it('GET with sprintf in url, query and headers; a JSON answer parsed into target_body, headers into target_headers', async () => {
    const { events } = await runFilterSection(
      `http { url => "${srv.base}/json/%{[user][id]}" query => { "q" => "%{message}" "page" => "2" } headers => { "X-User" => "%{[user][name]}" } target_body => "[api]" target_headers => "[api_headers]" }`,
      [{ message: 'hello world', user: { id: 42, name: 'ann' } }],
    );
    expect(srv.requests).toHaveLength(1);
    const req = srv.requests[0]!;
    expect(req.method).toBe('GET');
    expect(req.url).toBe('/json/42?q=hello+world&page=2');
    expect(srv.headerValues(req, 'X-User')).toEqual(['ann']);
    expect(srv.headerValues(req, 'content-type')).toEqual(['text/plain']);
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e.api).toEqual({ method: 'GET', url: '/json/42?q=hello+world&page=2', body: '', n: 1.5 });
    expect(e.api_headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'x-service': 'echo' });
    expect(e.tags).toBeUndefined();
  });

  it('POST with a JSON body built from the event', async () => {
    const { events } = await runFilterSection(
      `http { url => "${srv.base}/json" verb => "POST" body_format => "json" body => { "id" => "%{id}" "items" => ["%{message}", "fixed"] } target_body => "[api]" }`,
      [{ message: 'm1', id: 'a-1' }],
    );
    const req = srv.requests[0]!;
    expect(req.method).toBe('POST');
    expect(srv.headerValues(req, 'content-type')).toEqual(['application/json']);
    expect(JSON.parse(req.body)).toEqual({ id: 'a-1', items: ['m1', 'fixed'] });
    expect((events[0]!.api as Record<string, unknown>).body).toBe(req.body);
  });

  it('a text answer is put in target_body with surrounding whitespace removed; events keep their order', async () => {
    const input = Array.from({ length: 20 }, (_, i) => ({ message: `m${i}` }));
    const { events } = await runFilterSection(`http { url => "${srv.base}/text?%{message}" target_body => "[answer]" }`, input);
    expect(events.map((e) => e.message)).toEqual(input.map((e) => e.message));
    for (const e of events) expect(e.answer).toBe('plain answer');
    expect(srv.requests).toHaveLength(20);
  });

  it('ECS off: body in [body], headers in [headers] by default', async () => {
    const { events } = await runFilterSection(`http { url => "${srv.base}/text" }`, [{ message: 'x' }], { args: ['--pipeline.ecs_compatibility', 'disabled'] });
    expect(events[0]!.body).toBe('plain answer');
    expect(events[0]!.headers).toMatchObject({ 'content-type': 'text/plain; charset=utf-8' });
  });

  it('ECS on: headers go to [@metadata][filter][http][response][headers]; target_body is required', async () => {
    const { events } = await runFilterSection(
      `http { url => "${srv.base}/text" target_body => "[answer]" } mutate { copy => { "[@metadata][filter][http][response][headers]" => "[meta_headers]" } }`,
      [{ message: 'x' }], { args: ['--pipeline.ecs_compatibility', 'v8'] },
    );
    const e = events[0]!;
    expect(e.answer).toBe('plain answer');
    expect(e.headers).toBeUndefined();
    expect(e.meta_headers).toMatchObject({ 'content-type': 'text/plain; charset=utf-8' });

    const r = await checkConfig(`input { stdin {} } filter { http { url => "${srv.base}/text" } } output { stdout {} }`);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/target_body/);
  });

  it.each([404, 500])('a %i answer tags the event _httprequestfailure, sets nothing and keeps it', async (code) => {
    const { events, result } = await runFilterSection(
      `http { url => "${srv.base}/status/${code}" target_body => "[api]" target_headers => "[h]" add_tag => ["called"] }`,
      [{ message: 'keep me' }],
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ message: 'keep me', tags: ['_httprequestfailure'] });
    expect(events[0]!.api).toBeUndefined();
    expect(events[0]!.h).toBeUndefined();
    expect(result.stdout + result.stderr).toMatch(/error during HTTP request/);
    expect(result.stdout + result.stderr).toContain(`:code=>${code}`);
  });

  it('a refused connection tags the event _httprequestfailure and keeps it', async () => {
    const port = await freePort();
    const { events, result } = await runFilterSection(
      `http { url => "http://127.0.0.1:${port}/" target_body => "[api]" tag_on_request_failure => ["_httprequestfailure", "down"] }`,
      [{ message: 'a' }, { message: 'b' }],
    );
    expect(events.map((e) => [e.message, e.tags])).toEqual([['a', ['_httprequestfailure', 'down']], ['b', ['_httprequestfailure', 'down']]]);
    expect(result.stdout + result.stderr).toMatch(/ECONNREFUSED/);
  });

  it('invalid JSON in a JSON answer tags _jsonparsefailure; the headers are set and the filter still counts as matched', async () => {
    const { events } = await runFilterSection(
      `http { url => "${srv.base}/bad" target_body => "[api]" target_headers => "[h]" add_tag => ["called"] }`,
      [{ message: 'x' }],
    );
    const e = events[0]!;
    expect(e.tags).toEqual(['_jsonparsefailure', 'called']);
    expect(e.api).toBeUndefined();
    expect(e.h).toMatchObject({ 'content-type': 'application/json' });
  });

  it('refuses obsolete and unsupported options at start-up', async () => {
    const obsolete = await checkConfig(`input { stdin {} } filter { http { url => "${srv.base}/" target_body => "b" cacert => "/x.pem" } } output { stdout {} }`);
    expect(obsolete.code).toBe(1);
    expect(obsolete.stdout + obsolete.stderr).toMatch(/cacert.*obsolete.*ssl_certificate_authorities/);
    const jks = await checkConfig(`input { stdin {} } filter { http { url => "${srv.base}/" target_body => "b" ssl_truststore_password => "x" } } output { stdout {} }`);
    expect(jks.code).toBe(1);
    expect(jks.stdout + jks.stderr).toMatch(/ssl_truststore_password.*not supported/);
  });
});
