/**
 * The `http` input: receives events over HTTP(S), as Logstash's http input (v4): the body is decoded by the
 * codec of its content type (`additional_codecs`, application/json → json) or by `codec` (plain); the request
 * is answered `response_code` with "ok" only once its events are accepted by the queue (persisted queue:
 * written); basic auth (401 on a missing or wrong password, nothing emitted); `max_content_length` (413);
 * `threads` + `max_pending_requests` bound the requests in progress (429 beyond), and while a request has
 * waited for a full queue longer than 10 s new requests are answered 429, as Logstash's input does.
 *
 * Fields: ECS disabled: `headers` (lower-cased, `-` → `_`, plus request_method, request_path, http_version,
 * http_host, http_user_agent, http_accept) and `host` (client IP). ECS v1/v8: the headers go to
 * `[@metadata][input][http][request][headers]`, the client IP to `[host][ip]`, and `[http][version]`,
 * `[user_agent][original]`, `[url][domain]`, `[url][port]`, `[http][method]`, `[url][path]`,
 * `[http][request][body][bytes]`, `[http][request][mime_type]` are set.
 */
import { cpus } from 'node:os';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Event } from '../event/event.js';
import type { Hash } from '../event/values.js';
import { defineInput, PluginConfigError, type CodecInstance, type InputInstance, type InputSink, type Logger, type PluginContext } from '../plugins/api.js';
import { fieldStamper, type Stamp } from '../plugins/stamp.js';
import { COMMON_INPUT_OPTIONS, defineOptions, type OptionsOf } from '../plugins/options.js';
import { bodyOf, createHttpServer, remoteIp } from '../io/http.js';
import { readyLatch } from '../io/ready.js';
import { LEGACY_SERVER_TLS_SPECS, TLS_OPTION_SPECS, TlsConfigError, tlsSettings, withLegacyServerTls, type TlsSettings } from '../io/tls.js';

const OPTIONS = defineOptions({
  host: { type: 'string', default: '0.0.0.0', doc: 'The host or IP to bind.' },
  port: { type: 'number', default: 8080, doc: 'The TCP port to bind to.' },
  codec: { type: 'codec', default: 'plain', doc: 'Codec of bodies whose content type is not in `additional_codecs`.' },
  additional_codecs: { type: 'hash', default: { 'application/json': 'json' }, doc: 'Codec by content type (mime type without parameters), checked before `codec`.' },
  user: { type: 'string', doc: 'User name for basic authentication (with `password`).' },
  password: { type: 'password', doc: 'Password for basic authentication.' },
  response_code: { type: 'number', values: [200, 201, 202, 204], default: 200, doc: 'Status of a request processed successfully (204: no body).' },
  response_headers: { type: 'hash', default: { 'Content-Type': 'text/plain' }, doc: 'Headers of successful responses.' },
  remote_host_target_field: { type: 'string', doc: 'Field of the client IP (default `host`, ECS: `[host][ip]`).' },
  request_headers_target_field: { type: 'string', doc: 'Field of the request headers (default `headers`, ECS: `[@metadata][input][http][request][headers]`).' },
  threads: { type: 'number', doc: 'Requests processed at once (default: the number of CPU cores).' },
  max_pending_requests: { type: 'number', default: 200, doc: 'Requests waiting beyond `threads`; more are answered 429.' },
  max_content_length: { type: 'number', default: 100 * 1024 * 1024, doc: 'Largest request body in bytes (larger: 413).' },
  ssl_enabled: TLS_OPTION_SPECS.ssl_enabled,
  ssl_certificate: TLS_OPTION_SPECS.ssl_certificate,
  ssl_key: TLS_OPTION_SPECS.ssl_key,
  ssl_key_passphrase: TLS_OPTION_SPECS.ssl_key_passphrase,
  ssl_certificate_authorities: { type: 'array', default: [], doc: 'PEM files or directories of CAs client certificates must chain to (needs `ssl_client_authentication` optional or required).' },
  ssl_client_authentication: { type: 'string', values: ['none', 'optional', 'required'], default: 'none', doc: 'Whether clients must present a certificate signed by `ssl_certificate_authorities`.' },
  ssl_supported_protocols: { type: 'array', list: true, values: ['TLSv1.1', 'TLSv1.2', 'TLSv1.3'], default: ['TLSv1.2', 'TLSv1.3'], doc: 'Allowed TLS versions.' },
  ssl_cipher_suites: TLS_OPTION_SPECS.ssl_cipher_suites,
  ssl_handshake_timeout: { type: 'number', default: 10000, doc: 'Milliseconds a TLS handshake may take.' },
  ssl_keystore_path: { type: 'path', doc: 'Not supported by sluice (Java keystore): use `ssl_certificate` and `ssl_key` (PEM).' },
  ssl_keystore_password: { type: 'password', doc: 'Not supported by sluice (Java keystore).' },
  ssl_keystore_type: { type: 'string', values: ['pkcs12', 'jks'], doc: 'Not supported by sluice (Java keystore).' },
  ssl_truststore_path: { type: 'path', doc: 'Not supported by sluice (Java truststore): use `ssl_certificate_authorities` (PEM).' },
  ssl_truststore_password: { type: 'password', doc: 'Not supported by sluice (Java truststore).' },
  ssl_truststore_type: { type: 'string', values: ['pkcs12', 'jks'], doc: 'Not supported by sluice (Java truststore).' },
  // Deprecated in Logstash 8 (http input 3.x), removed in Logstash 9: still accepted, as their current forms.
  ...LEGACY_SERVER_TLS_SPECS,
  verify_mode: LEGACY_SERVER_TLS_SPECS.ssl_verify_mode,
  // Java keystores: sluice reads PEM files only.
  keystore: { type: 'path', obsolete: "Set 'ssl_keystore_path' instead.", doc: 'Obsolete.' },
  keystore_password: { type: 'password', obsolete: "Set 'ssl_keystore_password' instead.", doc: 'Obsolete.' },
});

type Options = OptionsOf<Omit<typeof COMMON_INPUT_OPTIONS, keyof typeof OPTIONS> & typeof OPTIONS>;

/** How long a request may wait for a full queue before new requests are refused (Logstash: 10 s). */
const BLOCK_THRESHOLD_MS = 10_000;

/** `host:port` or `[v6]:port` → domain and port, as Logstash's get_domain_port. */
export function domainPort(httpHost: string | undefined): [string | undefined, number | undefined] {
  if (httpHost === undefined) return [undefined, undefined];
  const m = /^(([^:]+)|\[(.*)\]):(\d+)$/.exec(httpHost);
  if (m) return [m[2] ?? m[3], Number(m[4])];
  return [httpHost, undefined];
}

/** Headers as Logstash's input records them: lower case, `-` → `_`, and the request line's parts. */
export function formatHeaders(req: FastifyRequest): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  const raw = req.raw.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i]!.toLowerCase().replace(/-/g, '_');
    // Repeated headers: the last one wins, as Netty's header map read into a Java map.
    out[key] = raw[i + 1]!;
  }
  delete out.authorization;
  const move = (from: string, to: string): void => { out[to] = out[from] ?? null; delete out[from]; };
  move('accept', 'http_accept');
  move('host', 'http_host');
  move('user_agent', 'http_user_agent');
  out.request_method = req.raw.method ?? 'GET';
  out.request_path = req.raw.url ?? '/';
  out.http_version = `HTTP/${req.raw.httpVersion}`;
  return out;
}

/** The mime type of a Content-Type value (no parameters), as Netty's HttpUtil.getMimeType. */
function mimeType(contentType: string | undefined): string {
  if (!contentType) return '';
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim();
}

function charsetOf(contentType: string | undefined): string {
  const m = contentType ? /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType) : null;
  return m ? m[1]!.toLowerCase() : 'utf-8';
}

/** The body for the codec: bytes when UTF-8 (a codec may take binary, gzip for cloudwatch_logs), else text. */
function bodyText(body: Buffer, charset: string): Buffer | string {
  if (charset === 'utf-8' || charset === 'utf8') return body;
  try { return new TextDecoder(charset).decode(body); } catch { return body.toString('utf8'); }
}

class HttpInput implements InputInstance {
  readonly #o: Options;
  readonly #log: Logger;
  readonly #codec: CodecInstance;
  readonly #codecs: Map<string, CodecInstance>;
  readonly #tls: TlsSettings;
  readonly #ecs: boolean;
  readonly #hostField: string;
  readonly #headersField: string;
  readonly #auth: string | undefined;
  readonly #stamp: Stamp;
  readonly #ready = readyLatch();
  readonly #rejected;
  #inFlight = 0;
  readonly #threads: number;
  /** Start times of requests waiting for room in the queue. */
  readonly #blocked = new Set<number>();
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(o: Options, ctx: PluginContext, codecs: Map<string, CodecInstance>, tlsConf: TlsSettings, password: string | undefined) {
    this.#o = o;
    this.#log = ctx.logger;
    this.#threads = o.threads ?? Math.max(1, cpus().length);
    this.#codec = o.codec;
    this.#codecs = codecs;
    this.#tls = tlsConf;
    this.#ecs = ctx.ecs !== 'disabled';
    this.#hostField = o.remote_host_target_field ?? (this.#ecs ? '[host][ip]' : 'host');
    this.#headersField = o.request_headers_target_field ?? (this.#ecs ? '[@metadata][input][http][request][headers]' : 'headers');
    this.#auth = o.user !== undefined && password !== undefined ? `Basic ${Buffer.from(`${o.user}:${password}`).toString('base64')}` : undefined;
    this.#stamp = fieldStamper(ctx.logger);
    this.#rejected = ctx.metrics.counter('rejected_requests');
  }

  get boundPort(): number | undefined { return this.#port; }
  #port: number | undefined;

  ready(): Promise<void> { return this.#ready.promise; }

  async run(sink: InputSink): Promise<void> {
    const server = createHttpServer({ host: this.#o.host, port: this.#o.port, tls: this.#tls.server, bodyLimit: this.#o.max_content_length, label: 'http input' });
    server.app.server.headersTimeout = 60_000;
    server.app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
      const status = err.statusCode ?? 500;
      if (status >= 500) this.#log.error('unable to process event.', { message: err.message });
      void reply.code(status).header('content-type', 'text/plain').send(status === 413 ? '' : err.message);
    });
    server.app.route({
      method: ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'],
      url: '*',
      handler: (req, reply) => this.#handle(req, reply, sink),
    });
    try {
      this.#port = await server.listen();
    } catch (err) { this.#ready.fail(err); throw err; }
    this.#log.info('Starting http input listener', { address: `${this.#o.host}:${this.#port}`, ssl_enabled: this.#tls.enabled });
    this.#ready.open();
    if (!this.#stopped && !sink.stopping) await new Promise<void>((r) => { this.#wake = r; });
    await server.close();
  }

  async #handle(req: FastifyRequest, reply: FastifyReply, sink: InputSink): Promise<void> {
    if (this.#auth !== undefined) {
      const given = req.headers.authorization;
      if (given === undefined) {
        return void reply.code(401).header('www-authenticate', 'Basic realm="Logstash HTTP Input"').header('content-length', 0).send();
      }
      if (given !== this.#auth) return void reply.code(401).header('content-length', 0).send();
    }
    if (this.#inFlight >= this.#threads + this.#o.max_pending_requests || this.#blockedTooLong()) {
      this.#rejected.inc();
      return void reply.code(429).header('content-length', 0).send();
    }
    this.#inFlight++;
    try {
      const events = this.#decode(req);
      if (events === undefined) return void reply.code(500).header('content-length', 0).send();
      let full = false;
      for (const e of events) if (!sink.push(e)) full = true;
      if (full || sink.full) {
        const since = Date.now();
        this.#blocked.add(since);
        try { await sink.drained(); } finally { this.#blocked.delete(since); }
      }
      await sink.accepted();
    } finally {
      this.#inFlight--;
    }
    reply.code(this.#o.response_code);
    for (const [k, v] of Object.entries(this.#o.response_headers)) reply.header(k, String(v));
    if (this.#o.response_code === 204) return void reply.send();
    return void reply.header('content-type', 'text/plain').send('ok');
  }

  #blockedTooLong(): boolean {
    if (this.#blocked.size === 0) return false;
    const now = Date.now();
    for (const t of this.#blocked) if (now - t > BLOCK_THRESHOLD_MS) return true;
    return false;
  }

  /** The events of one request, all decoded before any is queued; undefined when the codec failed. */
  #decode(req: FastifyRequest): Event[] | undefined {
    const contentType = req.headers['content-type'];
    const codec = this.#codecs.get(mimeType(contentType).toLowerCase()) ?? this.#codec;
    const text = bodyText(bodyOf(req), charsetOf(contentType));
    const headers = formatHeaders(req);
    const ip = remoteIp(req);
    const events: Event[] = [];
    const emit = (e: Event): void => { this.#stampEvent(e, headers, ip); events.push(e); };
    try {
      if (codec.decodeFrame) codec.decodeFrame(text, emit);
      else { const d = codec.decoder(emit); d.push(text); d.end(); }
    } catch (err) {
      this.#log.error('unable to process event.', { message: (err as Error).message });
      return undefined;
    }
    return events;
  }

  #stampEvent(e: Event, headers: Record<string, string | null>, ip: string): void {
    const s = this.#stamp;
    if (this.#ecs) {
      const h = (k: string): string | undefined => headers[k] ?? undefined;
      const version = h('http_version');
      if (version !== undefined) s(e, '[http][version]', version, true);
      const ua = h('http_user_agent');
      if (ua !== undefined) s(e, '[user_agent][original]', ua, true);
      const [domain, port] = domainPort(h('http_host'));
      if (domain !== undefined) s(e, '[url][domain]', domain, true);
      if (port !== undefined) s(e, '[url][port]', port, true);
      const method = h('request_method');
      if (method !== undefined) s(e, '[http][method]', method, true);
      const path = h('request_path');
      if (path !== undefined) s(e, '[url][path]', path, true);
      const length = h('content_length');
      if (length !== undefined) s(e, '[http][request][body][bytes]', length, true);
      const ct = h('content_type');
      if (ct !== undefined) s(e, '[http][request][mime_type]', ct, true);
    }
    s(e, this.#headersField, { ...headers } as Hash, true);
    s(e, this.#hostField, ip, true);
  }

  stop(): void {
    this.#stopped = true;
    this.#wake?.();
  }
}

function checkTls(o: Options): void {
  if (!o.ssl_enabled) return;
  if (o.ssl_keystore_path !== undefined || o.ssl_truststore_path !== undefined) {
    throw new PluginConfigError('Java keystores and truststores are not supported; use `ssl_certificate`/`ssl_key` and `ssl_certificate_authorities` (PEM files)', o.ssl_keystore_path !== undefined ? 'ssl_keystore_path' : 'ssl_truststore_path');
  }
  if (o.ssl_certificate !== undefined && o.ssl_key === undefined) throw new PluginConfigError('Using an `ssl_certificate` requires an `ssl_key`', 'ssl_key');
  if (o.ssl_key !== undefined && o.ssl_certificate === undefined) throw new PluginConfigError('An `ssl_certificate` is required when using an `ssl_key`', 'ssl_certificate');
  if (o.ssl_certificate === undefined) throw new PluginConfigError('Either an `ssl_certificate` or `ssl_keystore_path` is required when SSL is enabled `ssl_enabled => true`', 'ssl_certificate');
  const cas = o.ssl_certificate_authorities.length > 0;
  if (o.ssl_client_authentication !== 'none' && !cas) {
    throw new PluginConfigError('Using `ssl_client_authentication` set to `optional` or `required`, requires the configuration of `ssl_certificate_authorities` or `ssl_truststore_path`', 'ssl_certificate_authorities');
  }
  if (o.ssl_client_authentication === 'none' && cas) {
    throw new PluginConfigError("The configuration of `ssl_certificate_authorities` requires setting `ssl_client_authentication` to `optional` or 'required'", 'ssl_client_authentication');
  }
}

function legacyTls(options: Options): Options {
  try { return withLegacyServerTls(options); } catch (err) {
    if (err instanceof TlsConfigError) throw new PluginConfigError(`http input: ${err.message}`, 'ssl_verify_mode');
    throw err;
  }
}

export default defineInput({
  name: 'http',
  doc: 'Receives events over HTTP(S) (webhooks, apps): codec by content type, basic auth, TLS with client certificates, answered once the queue accepted the events.',
  options: OPTIONS,
  check(options) { checkTls(legacyTls(options)); },
  async create(given, ctx) {
    const options = legacyTls(given);
    checkTls(options);
    let conf: TlsSettings = { enabled: false, clientAuthentication: 'none' };
    if (!options.ssl_enabled) {
      const set = (['ssl_certificate', 'ssl_key', 'ssl_key_passphrase', 'ssl_keystore_path', 'ssl_truststore_path'] as const).filter((k) => options[k] !== undefined);
      if (options.ssl_certificate_authorities.length > 0) set.push('ssl_certificate_authorities' as never);
      if (set.length > 0) ctx.logger.warn(`Configured SSL settings are not used when \`ssl_enabled\` is set to \`false\`: ${set.join(', ')}`);
    } else try {
      conf = tlsSettings(options, 'server', ctx.logger, ctx.cwd);
    } catch (err) {
      if (err instanceof TlsConfigError) throw new PluginConfigError(`http input: ${err.message}`);
      throw err;
    }
    if (conf.server) conf.server.handshakeTimeout = options.ssl_handshake_timeout;
    const codecs = new Map<string, CodecInstance>();
    for (const [type, name] of Object.entries(options.additional_codecs)) {
      codecs.set(type.toLowerCase(), await ctx.createCodec(String(name)));
    }
    const password = options.password;
    return new HttpInput(options, ctx, codecs, conf, password);
  },
});
