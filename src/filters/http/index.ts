/**
 * http: calls a web service for each event and puts the answer in the event, as logstash-filter-http 2.0
 * (Logstash 8) does over its Manticore (Apache HttpClient 4.5) client.
 *
 * Per event: `url`, the names and values of `headers` and `query`, and `body` (recursively, keys too) are
 * sprintf'd. A `content-type` header is added unless `content-type` or `Content-Type` is given (exactly
 * those two spellings, as upstream checks): `application/json` with `body_format => json`, else
 * `text/plain`. With `body_format => json` a hash or array `body` is sent as JSON; a string as it is.
 *
 * A 2xx answer sets the response headers (names lower-cased, a repeated header an array) at
 * `target_headers`, then, unless the verb is HEAD or the answer has no body (204, 205, 304), the body at
 * `target_body`: parsed when a `content-type` value, split at `;`, is exactly `application/json`
 * (`_jsonparsefailure` when it is not valid JSON; the filter still counts as matched, as upstream), else
 * the text with surrounding whitespace removed. The text is decoded with the charset of the content type,
 * else UTF-8 for `application/json…`, else ISO-8859-1 (Apache's default). A connection error or a non-2xx
 * answer tags the event `_httprequestfailure` and leaves it otherwise as it was.
 *
 * ECS off: `target_body` defaults to `[body]`, `target_headers` to `[headers]`. ECS on: `target_body`
 * must be set, `target_headers` defaults to `[@metadata][filter][http][response][headers]`.
 *
 * The client follows Manticore's behaviour: redirects of GET/HEAD (301, 302, 307, 308) and 303 for any
 * verb, at most 5; failed connections (not refused, unknown host, timeout or TLS errors) retried
 * `automatic_retries` times for idempotent verbs (all with `retry_non_idempotent`); `request_timeout` is
 * how long a request waits for a free connection of the pool (`pool_max`, `pool_max_per_route`); cookies the
 * services set are kept and sent back (`cookies`, ./cookies.ts).
 */
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import type { ConnectionOptions } from 'node:tls';
import type { Event } from '../../event/event.js';
import { parseJson } from '../../event/json.js';
import { toS } from '../../event/ruby.js';
import { compileSprintf } from '../../event/sprintf.js';
import { isHash, LsFloat, stringifyValue, type Value } from '../../event/values.js';
import { defineFilter, PluginConfigError } from '../../plugins/api.js';
import type { ConfigValue } from '../../plugins/options.js';
import { secretValue, tlsSettings, TlsConfigError } from '../../io/tls.js';
import { CookieJar } from './cookies.js';

const VERBS = ['GET', 'HEAD', 'PATCH', 'DELETE', 'POST', 'PUT'] as const;
/** StandardHttpRequestRetryHandler's idempotent methods (of those the filter can send). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);
/** Manticore's DEFAULT_MAX_REDIRECTS. */
const MAX_REDIRECTS = 5;

const unsupported = (why: string) => ({ type: 'any', doc: `Not supported by sluice: ${why}.` } as const);
const JAVA_STORE = 'JKS/PKCS#12 stores are Java formats; use the PEM options ssl_certificate_authorities, ssl_certificate and ssl_key';
const UNSUPPORTED: Readonly<Record<string, string>> = {
  ssl_keystore_path: JAVA_STORE, ssl_keystore_password: JAVA_STORE, ssl_keystore_type: JAVA_STORE,
  ssl_truststore_path: JAVA_STORE, ssl_truststore_password: JAVA_STORE, ssl_truststore_type: JAVA_STORE,
};

// ---- sprintf of nested option values ---------------------------------------------------------------

/** A value with every string in it (hash keys included) sprintf'd per event: upstream's sprintf_object. */
type Template = (event: Event) => Value;

function compileTemplate(v: ConfigValue): Template {
  if (typeof v === 'string') { const f = compileSprintf(v); return (e) => f(e); }
  if (Array.isArray(v)) { const items = v.map(compileTemplate); return (e) => items.map((t) => t(e)); }
  if (typeof v === 'object' && !(v instanceof LsFloat)) {
    const entries = Object.entries(v).map(([k, x]) => [compileSprintf(k), compileTemplate(x)] as const);
    return (e) => {
      const out: Record<string, Value> = {};
      for (const [k, t] of entries) out[k(e)] = t(e);
      return out;
    };
  }
  return () => v as Value;
}

// ---- URLs and query strings (Apache's URIBuilder) ----------------------------------------------------

/** Characters java.net.URI refuses, and a `%` not followed by two hex digits ("Malformed escape pair"). */
const ILLEGAL_URI = /[\s"<>\\^`{|}]|%(?![0-9A-Fa-f]{2})/;

/** application/x-www-form-urlencoded as URLEncodedUtils writes it: letters, digits and `-_.*` kept, space as `+`. */
function formEncode(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d || b === 0x5f || b === 0x2e || b === 0x2a) out += String.fromCharCode(b);
    else if (b === 0x20) out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function formDecode(s: string): string {
  try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch { return s; }
}

type Pair = readonly [string, string | null];

/** Manticore's struct_to_name_value_pairs: nested hashes as `a[b]`, arrays repeat the name, nil is left out. */
function queryPairs(v: Value, name: string | undefined, out: Pair[]): void {
  if (v === null) return;
  if (isHash(v)) { for (const [k, x] of Object.entries(v)) queryPairs(x, name === undefined ? k : `${name}[${k}]`, out); return; }
  if (Array.isArray(v)) { for (const x of v) queryPairs(x, name, out); return; }
  out.push([name ?? '', toS(v)]);
}

/**
 * The URL with `query` added: like URIBuilder#addParameters, the URL's own query is read into pairs and
 * everything is written again form-encoded. Without parameters the URL is used as it is.
 */
function withQuery(url: string, pairs: readonly Pair[]): string {
  if (pairs.length === 0) return url;
  const hash = url.indexOf('#');
  const fragment = hash >= 0 ? url.slice(hash) : '';
  const base = hash >= 0 ? url.slice(0, hash) : url;
  const q = base.indexOf('?');
  const all: Pair[] = [];
  if (q >= 0) {
    for (const part of base.slice(q + 1).split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      all.push(eq < 0 ? [formDecode(part), null] : [formDecode(part.slice(0, eq)), formDecode(part.slice(eq + 1))]);
    }
  }
  all.push(...pairs);
  const query = all.map(([k, v]) => (v === null ? formEncode(k) : `${formEncode(k)}=${formEncode(v)}`)).join('&');
  return `${q >= 0 ? base.slice(0, q) : base}?${query}${fragment}`;
}

// ---- the response ------------------------------------------------------------------------------------

type Headers = Record<string, string | string[]>;

function firstHeader(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Upstream's headers_has_json_content_type?: a string is split at `;`, an array is taken as it is. */
function hasJsonContentType(headers: Headers): boolean {
  const v = headers['content-type'] ?? '';
  const parts = Array.isArray(v) ? v : v.split(';');
  return parts.some((p) => p.trim() === 'application/json');
}

/** Manticore's EntityConverter: the content type's charset, else UTF-8 for `application/json…`, else ISO-8859-1. */
function decodeBody(bytes: Buffer, contentType: string | undefined): string {
  const [mime = '', ...params] = (contentType ?? '').split(';');
  let charset: string | undefined;
  for (const p of params) {
    const m = /^\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(p);
    if (m) { charset = m[1]!.toLowerCase(); break; }
  }
  if (charset === undefined) charset = mime.trim().toLowerCase().startsWith('application/json') ? 'utf-8' : 'iso-8859-1';
  if (charset === 'utf-8' || charset === 'utf8') return bytes.toString('utf8');
  if (['iso-8859-1', 'iso8859-1', 'iso_8859_1', 'latin1', 'l1'].includes(charset)) return bytes.toString('latin1');
  try { return new TextDecoder(charset).decode(bytes); } catch { return bytes.toString('latin1'); }
}

/** Ruby's String#strip: leading whitespace, trailing whitespace and NULs. */
function rubyStrip(s: string): string {
  return s.replace(/^[\t\n\v\f\r ]+/, '').replace(/[\0\t\n\v\f\r ]+$/, '');
}

/** Java's notion of blank text (every character up to U+0020): JrJackson reads it as nil. */
function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 32) return false;
  return true;
}

// ---- the connection pool -----------------------------------------------------------------------------

class PoolTimeoutError extends Error {}

/** Counted slots; a waiter gives up after `timeoutMs` (0: waits for ever), as a pool lease does. */
class Slots {
  readonly #size: number;
  #free: number;
  readonly #waiting: Array<{ grant: () => void }> = [];
  constructor(size: number) { this.#size = Math.max(1, Math.floor(size)); this.#free = this.#size; }

  /** Nothing holds or waits for a slot. */
  get idle(): boolean { return this.#free === this.#size; }

  acquire(timeoutMs: number): Promise<void> {
    if (this.#free > 0) { this.#free--; return Promise.resolve(); }
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = { grant: () => { if (timer) clearTimeout(timer); resolve(); } };
      this.#waiting.push(waiter);
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          const i = this.#waiting.indexOf(waiter);
          if (i >= 0) this.#waiting.splice(i, 1);
          reject(new PoolTimeoutError('Timeout waiting for connection from pool'));
        }, timeoutMs);
      }
    });
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next.grant(); else this.#free++;
  }
}

/** Errors Apache's StandardHttpRequestRetryHandler does not retry: timeouts, refused, unknown host, TLS. */
function retryable(err: unknown): boolean {
  if (err instanceof PoolTimeoutError) return false;
  const codes: string[] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    if (/certificate|ssl|tls/i.test(e.message)) return false;
  }
  if (codes.some((c) => /TIMEOUT|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ERR_TLS|CERT|ERR_SSL|UND_ERR_ABORTED|ERR_INVALID_URL|UND_ERR_INVALID_ARG/.test(c))) return false;
  return codes.some((c) => /ECONNRESET|EPIPE|UND_ERR_SOCKET|ECONNABORTED/.test(c));
}

function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error && err.cause.message !== err.message ? ` (${err.cause.message})` : '';
  return `${err.message}${cause}`;
}

// ---- proxy -------------------------------------------------------------------------------------------

interface ProxySpec { uri: string; token?: string }

/** The three forms of the mixin's `proxy`: a URL, `{host, port, scheme, user, password}`, `{url, user, password}`. */
function proxySpec(v: ConfigValue): ProxySpec {
  const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  if (typeof v === 'string') {
    const uri = /^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : `http://${v}`;
    let parsed: URL;
    try { parsed = new URL(uri); } catch { throw new PluginConfigError(`http filter: invalid proxy URL ${v}`, 'proxy'); }
    if (parsed.username) {
      const token = basic(decodeURIComponent(parsed.username), decodeURIComponent(parsed.password));
      parsed.username = ''; parsed.password = '';
      return { uri: parsed.href, token };
    }
    return { uri: parsed.href };
  }
  if (!isHash(v as Value)) throw new PluginConfigError('http filter: `proxy` must be a URL or a hash with `url` or `host`', 'proxy');
  const h = v as Record<string, ConfigValue>;
  const str = (k: string): string | undefined => (h[k] === undefined ? undefined : toS(h[k] as Value));
  let uri: string;
  if (h.url !== undefined) uri = str('url')!;
  else if (h.host !== undefined) uri = `${str('scheme') ?? 'http'}://${str('host')}:${str('port') ?? '80'}`;
  else throw new PluginConfigError('http filter: a `proxy` hash needs `url` or `host`', 'proxy');
  const user = str('user') ?? str('username');
  const pass = str('password') ?? str('pass');
  return { uri, ...(user !== undefined ? { token: basic(user, pass ?? '') } : {}) };
}

// ---- the plugin --------------------------------------------------------------------------------------

const MISSING_TARGET_BODY = `Missing a required setting for the http filter plugin:

  filter {
    http {
      target_body => # SETTING MISSING
      ...
    }
  }`;

export default defineFilter({
  name: 'http',
  doc: 'Calls a web service (REST API) for each event and puts the response body and headers in the event; failed requests are tagged `_httprequestfailure`.',
  options: {
    url: { type: 'string', required: true, doc: 'URL to call; sprintf allowed.' },
    verb: { type: 'string', values: VERBS, default: 'GET', doc: 'HTTP verb: GET, HEAD, PATCH, DELETE, POST or PUT.' },
    headers: { type: 'hash', default: {}, doc: 'Request headers; names and values sprintf\'d (an array value sends the header once per item).' },
    query: { type: 'hash', default: {}, doc: 'Query string parameters added to the URL; names and values sprintf\'d.' },
    body: { type: 'any', doc: 'Request body: a string, or a hash or array (sent as JSON with `body_format => json`); sprintf\'d throughout.' },
    body_format: { type: 'string', values: ['text', 'json'], default: 'text', doc: '`json`: a hash or array `body` is serialized as JSON, content type application/json; `text`: text/plain.' },
    target_body: { type: 'field_reference', doc: 'Where the response body goes: default `[body]` without ECS; required with ECS.' },
    target_headers: { type: 'field_reference', doc: 'Where the response headers go: default `[headers]` without ECS, `[@metadata][filter][http][response][headers]` with ECS.' },
    tag_on_request_failure: { type: 'array', default: ['_httprequestfailure'], doc: 'Tags added when the request fails or the answer is not 2xx.' },
    tag_on_json_failure: { type: 'array', default: ['_jsonparsefailure'], doc: 'Tags added when a JSON response body cannot be parsed.' },
    // The http client mixin (logstash-mixin-http_client 7.x).
    request_timeout: { type: 'number', default: 60, doc: 'Seconds a request waits for a free connection of the pool (Manticore\'s connection request timeout; 0: no limit).' },
    socket_timeout: { type: 'number', default: 10, doc: 'Seconds to wait for data on the socket (0: no limit).' },
    connect_timeout: { type: 'number', default: 10, doc: 'Seconds to wait for a connection to be established.' },
    follow_redirects: { type: 'boolean', default: true, doc: 'Follow redirects (GET and HEAD on 301/302/307/308, any verb on 303; at most 5).' },
    pool_max: { type: 'number', default: 50, doc: 'Maximum concurrent connections.' },
    pool_max_per_route: { type: 'number', default: 25, doc: 'Maximum concurrent connections to one host.' },
    keepalive: { type: 'boolean', default: true, doc: 'Reuse connections between requests.' },
    automatic_retries: { type: 'number', default: 1, doc: 'Retries of a request whose connection failed (not refused, timed out or unknown host).' },
    retry_non_idempotent: { type: 'boolean', default: false, doc: 'Also retry POST and PATCH (`automatic_retries`).' },
    validate_after_inactivity: { type: 'number', default: 200, doc: 'Accepted for compatibility (undici detects stale connections itself).' },
    ssl_enabled: { type: 'boolean', default: true, doc: 'Use the other `ssl_*` options for https:// URLs (when false, https uses the system defaults).' },
    ssl_certificate_authorities: { type: 'path', list: true, doc: 'The PEM CA file the server certificate must chain to (one file).' },
    ssl_certificate: { type: 'path', doc: 'PEM client certificate (with `ssl_key`).' },
    ssl_key: { type: 'path', doc: 'PEM private key of `ssl_certificate`.' },
    ssl_verification_mode: { type: 'string', values: ['full', 'none'], default: 'full', doc: 'Verify the server certificate and host name (`full`) or not (`none`).' },
    ssl_cipher_suites: { type: 'string', list: true, doc: 'Cipher suites in priority order (OpenSSL names).' },
    ssl_supported_protocols: { type: 'string', list: true, values: ['TLSv1.1', 'TLSv1.2', 'TLSv1.3'], default: [], doc: 'Allowed TLS versions (default: the runtime\'s).' },
    ssl_keystore_path: unsupported('JKS/PKCS#12 stores are Java formats; use ssl_certificate and ssl_key (PEM)'),
    ssl_keystore_password: unsupported('JKS/PKCS#12 stores are Java formats'),
    ssl_keystore_type: unsupported('JKS/PKCS#12 stores are Java formats'),
    ssl_truststore_path: unsupported('JKS/PKCS#12 stores are Java formats; use ssl_certificate_authorities (PEM)'),
    ssl_truststore_password: unsupported('JKS/PKCS#12 stores are Java formats'),
    ssl_truststore_type: unsupported('JKS/PKCS#12 stores are Java formats'),
    cookies: { type: 'boolean', default: true, doc: 'Keep cookies the services set and send them back (in memory, shared by all events of this filter), as a browser would.' },
    proxy: { type: 'any', doc: 'HTTP proxy: `http://proxy:3128`, `{host => … port => … scheme => … user => … password => …}` or `{url => … user => … password => …}`.' },
    user: { type: 'string', doc: 'User for HTTP basic authentication (sent with every request; needs `password`).' },
    password: { type: 'password', doc: 'Password for HTTP basic authentication.' },
    cacert: { type: 'any', obsolete: 'Use `ssl_certificate_authorities` instead', doc: 'Removed in logstash-filter-http 2.0.' },
    client_cert: { type: 'any', obsolete: 'Use `ssl_certificate` instead', doc: 'Removed in logstash-filter-http 2.0.' },
    client_key: { type: 'any', obsolete: 'Use `ssl_key` instead', doc: 'Removed in logstash-filter-http 2.0.' },
    keystore: { type: 'any', obsolete: 'Use `ssl_keystore_path` instead', doc: 'Removed in logstash-filter-http 2.0.' },
    keystore_type: { type: 'any', obsolete: 'Use `ssl_keystore_type` instead', doc: 'Removed in logstash-filter-http 2.0.' },
    keystore_password: { type: 'password', obsolete: 'Use `ssl_keystore_password` instead', doc: 'Removed in logstash-filter-http 2.0.' },
    truststore: { type: 'any', obsolete: 'Use `ssl_truststore_path` instead', doc: 'Removed in logstash-filter-http 2.0.' },
    truststore_type: { type: 'any', obsolete: 'Use `ssl_truststore_type` instead', doc: 'Removed in logstash-filter-http 2.0.' },
    truststore_password: { type: 'password', obsolete: 'Use `ssl_truststore_password` instead', doc: 'Removed in logstash-filter-http 2.0.' },
  },
  // Creating it opens no socket (undici connects on the first request), so the config check creates it.
  check: 'create',
  create(o, ctx) {
    const fail = (message: string, option: string, hint?: string): never => { throw new PluginConfigError(`http filter: ${message}`, option, hint); };
    const ecs = ctx.ecs !== 'disabled';
    for (const [k, why] of Object.entries(UNSUPPORTED)) {
      if ((o as Record<string, unknown>)[k] !== undefined) fail(`option \`${k}\` is not supported (${why})`, k);
    }
    if (o.target_body === undefined && ecs) {
      ctx.logger.error(MISSING_TARGET_BODY);
      fail(`\`target_body\` is required in ecs_compatibility mode ${ctx.ecs} (Wrong configuration)`, 'target_body', 'set `target_body => "[field]"`, or `ecs_compatibility => disabled` for the default `[body]`');
    }
    const targetBody = o.target_body ?? '[body]';
    const targetHeaders = o.target_headers ?? (ecs ? '[@metadata][filter][http][response][headers]' : '[headers]');
    // Upstream raises these when its client is first built (the first event); sluice refuses to start.
    const password = secretValue(o.password);
    if (o.user !== undefined && (password === undefined || password === '')) fail(`User '${o.user}' specified without password!`, 'password');
    const cas = o.ssl_certificate_authorities ?? [];
    let tls: ConnectionOptions | undefined;
    if (o.ssl_enabled) {
      if (cas.length > 1) fail('Multiple values on `ssl_certificate_authorities` are not supported by this plugin', 'ssl_certificate_authorities');
      if ((o.ssl_certificate === undefined) !== (o.ssl_key === undefined)) fail('You must specify both `ssl_certificate` and `ssl_key` for an HTTP client, or neither!', o.ssl_certificate === undefined ? 'ssl_certificate' : 'ssl_key');
      try {
        tls = tlsSettings({
          ssl_enabled: true,
          ssl_certificate: o.ssl_certificate, ssl_key: o.ssl_key, ssl_certificate_authorities: cas,
          ssl_verification_mode: o.ssl_verification_mode,
          ssl_supported_protocols: o.ssl_supported_protocols, ssl_cipher_suites: o.ssl_cipher_suites ?? [],
        }, 'client', ctx.logger, ctx.cwd).client;
      } catch (err) {
        if (err instanceof TlsConfigError) fail(err.message, 'ssl_certificate_authorities');
        throw err;
      }
    } else {
      const ignored = Object.keys(o).filter((k) => k.startsWith('ssl_') && k !== 'ssl_enabled' && (o as Record<string, unknown>)[k] !== undefined
        && !(k === 'ssl_verification_mode' && o.ssl_verification_mode === 'full') && !(k === 'ssl_supported_protocols' && o.ssl_supported_protocols.length === 0));
      if (ignored.length > 0) ctx.logger.warn(`Configured SSL settings are not used when \`ssl_enabled\` is set to \`false\`: ${JSON.stringify(ignored)}`);
    }
    if (o.verb === 'HEAD' || o.body === undefined) { /* no body to check */ } else {
      const b = o.body;
      const serialized = o.body_format === 'json' && (Array.isArray(b) || (typeof b === 'object' && !(b instanceof LsFloat)));
      if (typeof b !== 'string' && !serialized) {
        ctx.logger.warn('http filter: a `body` that is not a string is sent only with `body_format => json` when it is a hash or an array; every request will fail', { body: toS(b as Value) });
      }
    }

    const urlOf = compileSprintf(o.url);
    const headerNames = compileTemplate(o.headers as Record<string, ConfigValue>);
    const queryOf = compileTemplate(o.query as Record<string, ConfigValue>);
    const bodyOf = o.body === undefined ? undefined : compileTemplate(o.body);
    const method = o.verb as Dispatcher.HttpMethod;
    const defaultContentType = o.body_format === 'json' ? 'application/json' : 'text/plain';
    const auth = o.user !== undefined ? `Basic ${Buffer.from(`${o.user}:${password ?? ''}`).toString('base64')}` : undefined;
    const requestTags = o.tag_on_request_failure.map((t) => toS(t as Value));
    const jsonTags = o.tag_on_json_failure.map((t) => toS(t as Value));
    const perRoute = Math.max(1, Math.floor(o.pool_max_per_route));
    const waitMs = Math.max(0, o.request_timeout * 1000);
    const total = new Slots(o.pool_max);
    const routes = new Map<string, Slots>();
    const retries = Math.max(0, Math.floor(o.automatic_retries));

    const agentOptions: Agent.Options = {
      connections: perRoute,
      keepAliveTimeout: 4000,
      connectTimeout: o.connect_timeout * 1000,
      headersTimeout: o.socket_timeout * 1000,
      bodyTimeout: o.socket_timeout * 1000,
    };
    let dispatcher: Dispatcher;
    if (o.proxy !== undefined) {
      const p = proxySpec(o.proxy);
      dispatcher = new ProxyAgent({ ...agentOptions, uri: p.uri, ...(p.token ? { token: p.token } : {}), proxyTunnel: false, ...(tls ? { requestTls: tls } : {}) });
    } else {
      dispatcher = new Agent({ ...agentOptions, ...(tls ? { connect: { ...tls } } : {}) });
    }
    const failures = ctx.metrics.counter('failures');
    const logger = ctx.logger;
    const jar = o.cookies ? new CookieJar() : undefined;

    interface Answer { code: number; headers: Headers; body: Buffer | undefined }

    /** One exchange on a pooled connection: the slot is held until the body is read. */
    const exchange = async (url: string, verb: Dispatcher.HttpMethod, headers: Headers, body: string | undefined): Promise<Answer> => {
      let origin: string;
      try { origin = new URL(url).origin; } catch { throw new Error(`Invalid URL: ${url}`); }
      let route = routes.get(origin);
      if (!route) { route = new Slots(perRoute); routes.set(origin, route); }
      await route.acquire(waitMs);
      try {
        await total.acquire(waitMs);
        try {
          const res = await request(url, { method: verb, headers, body: verb === 'HEAD' ? null : body ?? null, dispatcher, ...(o.keepalive ? {} : { reset: true }) });
          const resHeaders = res.headers as Headers;
          const bytes = Buffer.from(await res.body.arrayBuffer());
          // Apache gives these answers no entity: Manticore's body is nil.
          const none = verb === 'HEAD' || res.statusCode < 200 || res.statusCode === 204 || res.statusCode === 205 || res.statusCode === 304;
          return { code: res.statusCode, headers: resHeaders, body: none ? undefined : bytes };
        } finally { total.release(); }
      } finally {
        route.release();
        // Hosts come from sprintf'd URLs: forget a route nobody uses, so their number stays bounded.
        if (route.idle) routes.delete(origin);
      }
    };

    const withRetries = async (url: string, verb: Dispatcher.HttpMethod, headers: Headers, body: string | undefined): Promise<Answer> => {
      const canRetry = IDEMPOTENT.has(verb) || o.retry_non_idempotent;
      for (let attempt = 0; ; attempt++) {
        try { return await exchange(url, verb, headers, body); } catch (err) {
          if (!canRetry || attempt >= retries || !retryable(err)) throw err;
          logger.debug('http filter: retrying a request whose connection failed', { url, attempt: attempt + 1, error: errorMessage(err) });
        }
      }
    };

    /** The request, following redirects as Apache's DefaultRedirectStrategy and RedirectExec do. */
    const send = async (url: string, headers: Headers, body: string | undefined): Promise<Answer> => {
      if (ILLEGAL_URI.test(url)) throw new Error(`Illegal character in URL: ${url}`);
      const first = new URL(url);
      let verb = method;
      let current = url;
      let payload = body;
      const seen = new Set<string>();
      for (let hops = 0; ; hops++) {
        const sameOrigin = new URL(current).origin === first.origin;
        let h: Headers = auth && sameOrigin && !Object.keys(headers).some((k) => k.toLowerCase() === 'authorization') ? { ...headers, authorization: auth } : headers;
        const at = new URL(current);
        const cookie = jar?.header(at);
        if (cookie !== undefined) {
          // Apache's RequestAddCookies adds its own Cookie header next to any the config sets.
          const mine = h.cookie;
          h = { ...h, cookie: mine === undefined ? cookie : [...(Array.isArray(mine) ? mine : [mine]), cookie] };
        }
        const answer = await withRetries(current, verb, h, payload);
        jar?.store(at, answer.headers['set-cookie']);
        if (!o.follow_redirects) return answer;
        const location = firstHeader(answer.headers, 'location');
        const { code } = answer;
        const getOrHead = verb === 'GET' || verb === 'HEAD';
        const redirected = code === 303 || ((code === 301 || code === 302 || code === 307 || code === 308) && getOrHead);
        if (!redirected || location === undefined) return answer;
        if (hops >= MAX_REDIRECTS) throw new Error(`Maximum redirects (${MAX_REDIRECTS}) exceeded`);
        const next = new URL(location, current).href;
        if (seen.has(next)) throw new Error(`Circular redirect to '${next}'`);
        seen.add(next);
        if (!getOrHead) verb = 'GET';
        payload = undefined;
        current = next;
      }
    };

    const processResponse = (event: Event, answer: Answer): void => {
      event.set(targetHeaders, answer.headers as Value);
      if (method === 'HEAD' || answer.body === undefined) return;
      const text = decodeBody(answer.body, firstHeader(answer.headers, 'content-type'));
      if (hasJsonContentType(answer.headers)) {
        let parsed: Value;
        try {
          parsed = isBlank(text) ? null : parseJson(text);
        } catch (err) {
          logger.warn('JSON parsing error', { message: errorMessage(err) });
          for (const t of jsonTags) event.tag(t);
          return;
        }
        event.set(targetBody, parsed);
      } else {
        event.set(targetBody, rubyStrip(text));
      }
    };

    return {
      async filter(event) {
        const url = urlOf(event);
        const headers: Headers = {};
        const named = headerNames(event) as Record<string, Value>;
        for (const [k, v] of Object.entries(named)) {
          const values = (Array.isArray(v) ? v : [v]).filter((x) => x !== null).map((x) => toS(x));
          if (values.length > 0) headers[k] = values.length === 1 ? values[0]! : values;
        }
        if (!('content-type' in named) && !('Content-Type' in named)) headers['content-type'] = defaultContentType;
        const pairs: Pair[] = [];
        queryPairs(queryOf(event), undefined, pairs);
        let body: Value | undefined = bodyOf?.(event);
        if (o.body_format === 'json' && (Array.isArray(body) || isHash(body))) body = stringifyValue(body);

        let answer: Answer;
        try {
          if (body !== undefined && typeof body !== 'string' && method !== 'HEAD') {
            throw new Error(`cannot send a ${Array.isArray(body) ? 'Array' : isHash(body) ? 'Hash' : typeof body} body as text (use body_format => json for a hash or an array)`);
          }
          answer = await send(withQuery(url, pairs), headers, typeof body === 'string' ? body : undefined);
        } catch (err) {
          failures.inc();
          logger.error('error during HTTP request', { url, body: body === undefined ? null : toS(body), client_error: errorMessage(err) });
          for (const t of requestTags) event.tag(t);
          return false;
        }
        if (answer.code < 200 || answer.code > 299) {
          failures.inc();
          logger.error('error during HTTP request', {
            url, code: answer.code, headers: answer.headers as Value,
            response: answer.body === undefined ? null : decodeBody(answer.body, firstHeader(answer.headers, 'content-type')),
          });
          for (const t of requestTags) event.tag(t);
          return false;
        }
        logger.debug('success received', { code: answer.code });
        processResponse(event, answer);
        return true;
      },
      async close() { await dispatcher.close(); },
    };
  },
});
