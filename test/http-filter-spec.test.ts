// Ports of logstash-filter-http's RSpec examples (spec/filters/http_spec.rb, logstash-plugins/logstash-filter-http
// at v2.0.0 / 1ab81a0), in the ECS modes its matrix runs. Upstream stubs `request_http` and checks the arguments it
// gets; here the filter talks to a real server on 127.0.0.1 (test/helpers/http-responder.ts), so the request is
// checked as the server received it and the response goes through the real client.
//
// Adapted, not ported word for word:
// - "headers": upstream's stubbed response has mixed-case names (`Server`, `Content-Type`); a real Manticore
//   response (what Logstash puts in the event) has lower-cased names, a repeated header as an array, so the
//   port expects `server`, `content-type` => [..] etc.
// - "request body / when using field references": upstream's context never merges `body` into the config, so its
//   expectation raises inside the stub, the filter rescues it and the example passes without checking anything.
//   The port sets the body and body_format it declares and checks what the server received.
// - "obsolete settings" and "invalid verb" are config-time errors in sluice's compiler: checked through
//   loadPipeline (the messages are sluice's).
// Not ported: the block after `=begin` (pending examples of the former `rest` filter, against
// jsonplaceholder.typicode.com; options that do not exist in this plugin).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadPipeline } from '../src/config/load.js';
import type { Hash } from '../src/event/values.js';
import http from '../src/filters/http/index.js';
import type { EcsMode } from '../src/plugins/options.js';
import { filterHarness } from './helpers/filter-run.js';
import { answer, startResponder, type HttpResponder } from './helpers/http-responder.js';

let srv: HttpResponder;
beforeAll(async () => { srv = await startResponder(); });
afterAll(async () => { await srv.close(); });
beforeEach(() => { srv.requests.length = 0; srv.respond = answer(200, 'Bom dia'); });

const data: Hash = { message: 'test' };

async function run(config: Record<string, unknown>, ecs: EcsMode = 'disabled', event: Hash = data) {
  const h = await filterHarness(http, config, { ecs });
  try {
    const [e] = await h.run(event);
    return { e: e!, ok: h.lastResult, logs: h.ctx.logs, req: srv.requests.at(-1) };
  } finally { await h.instance.close?.(); }
}

describe('target_body default', () => {
  it('has a default body_target (in legacy mode)', async () => {
    const { e } = await run({ url: `${srv.base}/` }, 'disabled');
    expect(e.get('body')).toBe('Bom dia');
  });

  it.each(['v1', 'v8'] as const)('fails due missing body_target (in ECS mode %s)', async (ecs) => {
    await expect(filterHarness(http, { url: `${srv.base}/` }, { ecs })).rejects.toThrow(/target_body/);
  });
});

describe.each(['disabled', 'v1', 'v8'] as const)('response body handling (ecs %s)', (ecs) => {
  const cfg = () => ({ url: `${srv.base}/users/10`, target_body: 'gw-response' });

  it('when body is JSON and headers are set correctly: fetches and writes body to target', async () => {
    srv.respond = answer(200, '{"id": 10}', { 'content-type': 'application/json' });
    const { e } = await run(cfg(), ecs);
    expect(e.get('[gw-response][id]')).toBe(10);
  });

  it('when there is no body: does not write a body to the event', async () => {
    srv.respond = answer(204, undefined);
    const { e } = await run(cfg(), ecs);
    expect(e.get('[gw-response]')).toBeUndefined();
  });

  it('with body target: fetches and writes body to target', async () => {
    const { e } = await run({ ...cfg(), target_body: '[rest]' }, ecs);
    expect(e.get('rest')).toBe('Bom dia');
    expect(e.includes('body')).toBe(false);
  });
});

describe('URL parameter', () => {
  it('interpolates request url using event data', async () => {
    srv.respond = answer(200, '4');
    const { e, req } = await run({ url: `${srv.base}/%{message}`, target_body: 'size' });
    expect(req!.url).toBe('/test');
    expect(e.get('size')).toBe('4');
  });
});

describe('when request returns 404', () => {
  it('tags the event with _httprequestfailure', async () => {
    srv.respond = answer(404, '');
    const { e, ok } = await run({ url: `${srv.base}/404`, target_body: 'rest' });
    expect(e.includes('rest')).toBe(false);
    expect(e.get('tags')).toContain('_httprequestfailure');
    expect(ok).toBe(false);
  });
});

describe('headers', () => {
  const responseHeaders = {
    Server: 'Apache',
    'Last-Modified': 'Mon, 18 Jul 2016 02:36:04 GMT',
    'X-Backend-Server': 'logstash.elastic.co',
    'Content-Type': ['application/json', 'application/xml'],
  };
  beforeEach(() => { srv.respond = answer(200, 'Bom dia', responseHeaders); });
  const cfg = () => ({ url: `${srv.base}/`, target_body: '[the][body]' });

  describe.each(['disabled', 'v1'] as const)('(ecs %s)', (ecs) => {
    it('sets response headers in the event', async () => {
      const { e, req } = await run(cfg(), ecs);
      expect(req!.url).toBe('/');
      const where = ecs === 'disabled' ? 'headers' : '[@metadata][filter][http][response][headers]';
      if (ecs !== 'disabled') expect(e.includes('headers')).toBe(false);
      expect(e.get(where)).toMatchObject({
        server: 'Apache', 'x-backend-server': 'logstash.elastic.co', 'content-type': ['application/json', 'application/xml'],
      });
    });

    it('with a headers target: sets response headers in the event', async () => {
      const { e } = await run({ ...cfg(), target_headers: '[res][headers]' }, ecs);
      expect(e.get('[res][headers]')).toMatchObject({ server: 'Apache' });
      expect(Object.keys(e.get('[res][headers]') as Hash)).toContain('last-modified');
    });
  });

  it('(extra) request headers are included in the request', async () => {
    const { req } = await run({ ...cfg(), headers: { 'Cache-Control': 'nocache' } });
    expect(srv.headerValues(req!, 'Cache-Control')).toEqual(['nocache']);
  });

  it('content-type header is an array: resolves the content-type', async () => {
    const { req, e } = await run({ ...cfg(), headers: { 'Content-type': ['application/json', 'logstash/custom-media-type'] } });
    expect(req!.rawHeaders.filter(([k]) => k === 'Content-type').map(([, v]) => v)).toEqual(['application/json', 'logstash/custom-media-type']);
    expect(e.get('tags')).not.toContain('_httprequestfailure');
  });

  it('content-type header is a string: resolves the content-type', async () => {
    const { req, e } = await run({ ...cfg(), headers: { 'Content-type': 'application/json; logstash/custom-media-type' } });
    expect(req!.rawHeaders.filter(([k]) => k === 'Content-type').map(([, v]) => v)).toEqual(['application/json; logstash/custom-media-type']);
    expect(e.get('tags')).not.toContain('_httprequestfailure');
  });

  it('content-type header is an empty string: resolves the content-type', async () => {
    const { req, e } = await run({ ...cfg(), headers: { 'Content-type': '' } });
    expect(req!.rawHeaders.filter(([k]) => k === 'Content-type').map(([, v]) => v)).toEqual(['']);
    expect(e.get('tags')).not.toContain('_httprequestfailure');
  });
});

describe('query string parameters', () => {
  it('when set, are included in the request', async () => {
    const { req } = await run({ url: `${srv.base}/`, target_body: 'x', query: { color: 'green' } });
    expect(req!.url).toBe('/?color=green');
  });
});

describe('request body', () => {
  const cfg = () => ({ url: `${srv.base}/`, target_body: '[the][body]' });

  describe('format json', () => {
    const json = () => ({ ...cfg(), body_format: 'json', body: { hey: 'you' } });
    it('serializes the body to json', async () => {
      const { req } = await run(json());
      expect(req!.body).toBe('{"hey":"you"}');
    });
    it('sets content-type to application/json', async () => {
      const { req } = await run(json());
      expect(srv.headerValues(req!, 'content-type')).toEqual(['application/json']);
    });
  });

  describe('format text', () => {
    const text = () => ({ ...cfg(), body_format: 'text', body: 'Hey, you!' });
    it('uses the text as body for the request', async () => {
      const { req } = await run(text());
      expect(req!.body).toBe('Hey, you!');
    });
    it('sets content-type to text/plain', async () => {
      const { req } = await run(text());
      expect(srv.headerValues(req!, 'content-type')).toEqual(['text/plain']);
    });
    it('content-type header present: respects set header and does not add another', async () => {
      const { req } = await run({ ...text(), headers: { 'X-UA': 'FOO', 'Content-Type': 'application/x-www-form-urlencoded' } });
      expect(req!.rawHeaders.filter(([k]) => k.toLowerCase() === 'content-type')).toEqual([['Content-Type', 'application/x-www-form-urlencoded']]);
      expect(srv.headerValues(req!, 'X-UA')).toEqual(['FOO']);
    });
  });

  it('when using field references: fills the body with event data', async () => {
    const event = { message: 'ola', key1: 'mykey', field1: 'normal value', nested: { field2: 'value2' } };
    const body = { '%{key1}': ['%{[field1]}', 'another_value', { key: 'other-%{[nested][field2]}' }] };
    const { req } = await run({ ...cfg(), body_format: 'json', body }, 'disabled', event);
    const sent = JSON.parse(req!.body) as Record<string, unknown>;
    expect(Object.keys(sent)).toContain('mykey');
    expect(sent.mykey).toEqual(['normal value', 'another_value', { key: 'other-value2' }]);
  });

  it('when the verb is HEAD: does not include the body', async () => {
    const { e, req } = await run({ ...cfg(), verb: 'HEAD' });
    expect(req!.method).toBe('HEAD');
    expect(e.includes('body')).toBe(false);
    expect(e.get('[the][body]')).toBeUndefined();
  });
});

describe('verb', () => {
  it.each(['GET', 'HEAD', 'POST', 'DELETE', 'PATCH', 'PUT'])('when verb %s is set, it is used in the request', async (verb) => {
    const { req } = await run({ url: `${srv.base}/`, target_body: '[the][body]', verb });
    expect(req!.method).toBe(verb);
  });

  it('when using an invalid verb, the config is refused', async () => {
    const r = await loadPipeline({ text: 'input { stdin {} } filter { http { url => "http://127.0.0.1/" target_body => "x" verb => "something else" } } output { stdout {} }' }, { ecs: 'v8' });
    expect(r.plan).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(['SLC_INVALID_VALUE']);
  });
});

describe('obsolete settings', () => {
  it.each([
    ['cacert', 'ssl_certificate_authorities'], ['client_cert', 'ssl_certificate'], ['client_key', 'ssl_key'],
    ['keystore', 'ssl_keystore_path'], ['truststore', 'ssl_truststore_path'], ['keystore_password', 'ssl_keystore_password'],
    ['truststore_password', 'ssl_truststore_password'], ['keystore_type', 'ssl_keystore_type'], ['truststore_type', 'ssl_truststore_type'],
  ])('with option %s: an error that it is obsolete, pointing to %s', async (name, canonical) => {
    const r = await loadPipeline({ text: `input { stdin {} } filter { http { url => "https://a-non-existent.url1" target_body => "[the][body]" ${name} => "test_value" } } output { stdout {} }` }, { ecs: 'v8' });
    expect(r.plan).toBeUndefined();
    expect(r.diagnostics).toMatchObject([{ code: 'SLC_OBSOLETE_OPTION', message: `option \`${name}\` of filter \`http\` is obsolete: Use \`${canonical}\` instead` }]);
  });
});
