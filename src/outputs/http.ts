/**
 * http: sends events to an HTTP endpoint, as Logstash's http output does. `format` picks the body: `json`
 * (one request per event, the event or its `mapping` as JSON), `json_batch` (one request per batch, a JSON
 * array), `form` (one request per event, `application/x-www-form-urlencoded`) or `message` (one request per
 * event, the sprintf'd `message`). `url` and header values are sprintf'd per event.
 *
 * A response in `retryable_codes` (429, 500, 502, 503, 504) or a connection failure is retried with
 * back-off when `retry_failed` is on (only the events that failed); a code in `ignorable_codes` or a 2xx
 * counts as written; any other code is a failure for good: the event is rejected (to the dead letter queue
 * when it is enabled, else logged and counted). `automatic_retries` retries a failed connection at once,
 * inside the request, before the back-off.
 */
import { gzip as gzipCb } from 'node:zlib';
import { promisify } from 'node:util';
import { Agent, request, type Dispatcher } from 'undici';
import { compileSprintf, type Formatter } from '../event/sprintf.js';
import type { Event } from '../event/event.js';
import { isHash, LsFloat, stringifyValue, type Value } from '../event/values.js';
import { defineOutput, PluginConfigError, type DeliveryReport, type Rejection } from '../plugins/api.js';
import type { ConfigValue } from '../plugins/options.js';
import { secretValue, tlsSettings, TlsConfigError } from '../io/tls.js';

const gzip = promisify(gzipCb);

const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json', json_batch: 'application/json', form: 'application/x-www-form-urlencoded', message: 'text/plain',
};

type Mapper = (event: Event) => Value;

/** `mapping` values are sprintf'd recursively, keys too (Logstash's convert_mapping). */
function compileMapping(v: ConfigValue): Mapper {
  if (typeof v === 'string') { const f = compileSprintf(v); return (e) => f(e); }
  if (Array.isArray(v)) { const items = v.map(compileMapping); return (e) => items.map((m) => m(e)); }
  if (typeof v === 'object' && !(v instanceof LsFloat)) {
    const entries = Object.entries(v).map(([k, x]) => [compileSprintf(k), compileMapping(x)] as const);
    return (e) => Object.fromEntries(entries.map(([k, m]) => [k(e), m(e)]));
  }
  return () => v as Value;
}

function formEncode(data: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(data)) {
    const text = typeof v === 'string' ? v : stringifyValue(v);
    parts.push(`${encodeURIComponent(k).replace(/%20/g, '+')}=${encodeURIComponent(text).replace(/%20/g, '+')}`);
  }
  return parts.join('&');
}

export default defineOutput({
  name: 'http',
  doc: 'Sends events to an HTTP(S) endpoint, one request per event or (`json_batch`) per batch, retrying throttled and failed requests.',
  options: {
    url: { type: 'string', required: true, doc: 'URL to send to; sprintf allowed.' },
    http_method: { type: 'string', required: true, values: ['put', 'post', 'patch', 'delete', 'get', 'head'], doc: 'HTTP verb.' },
    format: { type: 'string', default: 'json', values: ['json', 'json_batch', 'form', 'message'], doc: 'Body format: `json`, `json_batch` (array of the batch), `form` or `message`.' },
    message: { type: 'string', doc: 'Body with `format => message`; sprintf allowed.' },
    mapping: { type: 'hash', doc: 'Send this hash (values sprintf\'d) instead of the whole event (json, json_batch, form).' },
    headers: { type: 'hash', default: {}, doc: 'Extra headers; values sprintf\'d per event.' },
    content_type: { type: 'string', doc: 'Content-Type (default from `format`: application/json, application/x-www-form-urlencoded, text/plain).' },
    user: { type: 'string', doc: 'User for HTTP basic authentication.' },
    password: { type: 'password', doc: 'Password for HTTP basic authentication.' },
    http_compression: { type: 'boolean', default: false, doc: 'Gzip request bodies (Content-Encoding: gzip).' },
    retry_failed: { type: 'boolean', default: true, doc: 'Retry retryable responses and connection failures (with back-off) instead of giving up.' },
    retryable_codes: { type: 'array', default: [429, 500, 502, 503, 504], doc: 'Response codes that are retried.' },
    ignorable_codes: { type: 'array', doc: 'Response codes counted as success (not retried, not logged).' },
    automatic_retries: { type: 'number', default: 1, doc: 'Immediate retries of a request whose connection failed.' },
    pool_max: { type: 'number', default: 50, doc: 'Maximum concurrent connections.' },
    pool_max_per_route: { type: 'number', default: 25, doc: 'Maximum concurrent connections per host.' },
    request_timeout: { type: 'number', default: 60, doc: 'Seconds before a request times out (then retried).' },
    socket_timeout: { type: 'number', default: 10, doc: 'Seconds of inactivity on a socket before the request fails.' },
    connect_timeout: { type: 'number', default: 10, doc: 'Seconds to establish a connection.' },
    keepalive: { type: 'boolean', default: true, doc: 'Keep connections open between requests.' },
    ssl_enabled: { type: 'boolean', doc: 'Accepted for compatibility: TLS is used for https:// URLs.' },
    ssl_certificate_authorities: { type: 'array', list: true, doc: 'PEM CA files the server certificate must chain to.' },
    ssl_verification_mode: { type: 'string', values: ['full', 'none'], default: 'full', doc: 'Verify the server certificate and host name (`full`) or not (`none`).' },
    ssl_certificate: { type: 'path', doc: 'PEM client certificate.' },
    ssl_key: { type: 'path', doc: 'PEM private key of `ssl_certificate`.' },
    ssl_supported_protocols: { type: 'array', list: true, values: ['TLSv1.1', 'TLSv1.2', 'TLSv1.3'], doc: 'Allowed TLS versions.' },
    ssl_cipher_suites: { type: 'array', list: true, doc: 'Cipher suites (OpenSSL names).' },
    cacert: { type: 'path', deprecated: 'Set \'ssl_certificate_authorities\' instead.', doc: 'Deprecated name of `ssl_certificate_authorities`.' },
    client_cert: { type: 'path', deprecated: 'Set \'ssl_certificate\' instead.', doc: 'Deprecated name of `ssl_certificate`.' },
    client_key: { type: 'path', deprecated: 'Set \'ssl_key\' instead.', doc: 'Deprecated name of `ssl_key`.' },
    retry_non_idempotent: { type: 'boolean', default: false, doc: 'Also retry POST/PATCH at once after a connection failure (`automatic_retries`).' },
    cookies: { type: 'boolean', default: true, doc: 'Accepted for compatibility; cookies are not kept.' },
    proxy: { type: 'any', doc: 'Not supported by sluice: HTTP proxies are not implemented.' },
    ssl_keystore_path: { type: 'path', doc: 'Not supported by sluice (Java keystore); use ssl_certificate and ssl_key.' },
    ssl_truststore_path: { type: 'path', doc: 'Not supported by sluice (Java truststore); use ssl_certificate_authorities.' },
  },
  create(options, ctx) {
    const fail = (message: string, option: string): never => { throw new PluginConfigError(`http output: ${message}`, option); };
    if (options.format === 'message' && options.message === undefined) fail('`message` must be set when `format => message`', 'message');
    for (const k of ['proxy', 'ssl_keystore_path', 'ssl_truststore_path'] as const) if (options[k] !== undefined) fail(`option \`${k}\` is not supported`, k);
    const urlOf = compileSprintf(options.url);
    const method = options.http_method.toUpperCase() as Dispatcher.HttpMethod;
    const contentType = options.content_type ?? CONTENT_TYPES[options.format]!;
    const headerFns = Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), compileSprintf(String(v))] as const);
    const auth = options.user !== undefined ? `Basic ${Buffer.from(`${options.user}:${secretValue(options.password) ?? ''}`).toString('base64')}` : undefined;
    const mapping = options.mapping !== undefined ? compileMapping(options.mapping) : undefined;
    const messageOf: Formatter | undefined = options.message !== undefined ? compileSprintf(options.message) : undefined;
    const retryable = new Set((options.retryable_codes ?? []).map(Number));
    const ignorable = new Set((options.ignorable_codes ?? []).map(Number));
    let tls;
    if (/^https:/i.test(options.url) || options.ssl_enabled) {
      try {
        tls = tlsSettings({
          ssl_enabled: true,
          ssl_certificate: options.ssl_certificate ?? options.client_cert,
          ssl_key: options.ssl_key ?? options.client_key,
          ssl_certificate_authorities: [...(options.ssl_certificate_authorities ?? []).map(String), ...(options.cacert !== undefined ? [options.cacert] : [])],
          ssl_verification_mode: options.ssl_verification_mode,
          ssl_supported_protocols: options.ssl_supported_protocols ?? [],
          ssl_cipher_suites: options.ssl_cipher_suites ?? [],
        }, 'client', ctx.logger, ctx.cwd).client;
      } catch (err) {
        if (err instanceof TlsConfigError) fail(err.message, 'ssl_certificate_authorities');
        throw err;
      }
    }
    const agent = new Agent({
      connections: Math.max(1, Math.min(options.pool_max_per_route, options.pool_max)),
      keepAliveTimeout: options.keepalive ? 4000 : 1,
      headersTimeout: options.request_timeout * 1000,
      bodyTimeout: options.socket_timeout * 1000,
      connectTimeout: options.connect_timeout * 1000,
      ...(tls ? { connect: { ...tls } } : {}),
    });
    const failures = ctx.metrics.counter('failures');
    const label = `http output ${ctx.id}`;

    const body = (event: Event): string => {
      if (options.format === 'message') return messageOf!(event);
      const data = mapping ? mapping(event) : undefined;
      if (options.format === 'form') return formEncode(isHash(data) ? data : (data === undefined ? event.toObject() : {}));
      return data === undefined ? event.toJSON() : stringifyValue(data);
    };
    const headersFor = (event: Event): Record<string, string> => {
      const h: Record<string, string> = { 'content-type': contentType };
      for (const [k, f] of headerFns) h[k] = f(event);
      if (auth) h.authorization = auth;
      if (options.http_compression) h['content-encoding'] = 'gzip';
      return h;
    };

    type Outcome = 'ok' | 'retry' | { reason: string };
    const send = async (url: string, headers: Record<string, string>, text: string, signal: AbortSignal): Promise<Outcome> => {
      const payload = options.http_compression ? await gzip(text) : text;
      const idempotent = method !== 'POST' && method !== 'PATCH';
      const tries = 1 + (idempotent || options.retry_non_idempotent ? Math.max(0, options.automatic_retries) : 0);
      let lastError = '';
      for (let t = 0; t < tries; t++) {
        try {
          const res = await request(url, { method, headers, body: method === 'GET' || method === 'HEAD' ? null : payload, dispatcher: agent, signal });
          const status = res.statusCode;
          const text2 = await res.body.text();
          if ((status >= 200 && status <= 299) || ignorable.has(status)) return 'ok';
          if (retryable.has(status) && options.retry_failed) {
            ctx.logger.warn(`${label}: Encountered a retryable HTTP response code`, { url, code: status });
            return 'retry';
          }
          failures.inc();
          ctx.logger.error(`${label}: Encountered non-2xx HTTP code ${status}`, { url, code: status, response: text2.slice(0, 300) });
          return { reason: `HTTP ${status} from ${url}: ${text2.slice(0, 300)}` };
        } catch (err) {
          if (signal.aborted) return 'retry';
          lastError = err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err);
        }
      }
      failures.inc();
      if (options.retry_failed) {
        ctx.logger.warn(`${label}: Could not send the request, will retry`, { url, error: lastError });
        return 'retry';
      }
      ctx.logger.error(`${label}: Could not send the request`, { url, error: lastError });
      return { reason: `request to ${url} failed: ${lastError}` };
    };

    return {
      retryPolicy: { initialMs: 2000, maxMs: 60_000 },
      async receive(events, { signal }) {
        if (options.format === 'json_batch') {
          const first = events[0]!;
          const text = `[${events.map((e) => body(e)).join(',')}]`;
          const r = await send(urlOf(first), headersFor(first), text, signal);
          if (r === 'ok') return;
          if (r === 'retry') throw new Error(`json_batch request to ${urlOf(first)} failed`);
          return { rejected: events.map((_, index) => ({ index, reason: r.reason })) };
        }
        const outcomes = await Promise.all(events.map((e) => send(urlOf(e), headersFor(e), body(e), signal)));
        const retry: number[] = [];
        const rejected: Rejection[] = [];
        outcomes.forEach((o, i) => {
          if (o === 'retry') retry.push(i);
          else if (o !== 'ok') rejected.push({ index: i, reason: o.reason });
        });
        const report: DeliveryReport = { ...(retry.length ? { retry } : {}), ...(rejected.length ? { rejected } : {}) };
        return report;
      },
      async close() { await agent.close(); },
    };
  },
});
