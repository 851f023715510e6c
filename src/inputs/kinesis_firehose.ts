/**
 * The `kinesis_firehose` input (sluice's own; Logstash has none): an HTTP endpoint for Amazon Kinesis Data
 * Firehose's "HTTP endpoint" destination. Firehose POSTs `{requestId, timestamp, records: [{data}]}` (each
 * `data` base64) with the `X-Amz-Firehose-Access-Key` header; the answer is `{requestId, timestamp}` once
 * every event of the request is accepted by the queue, or `{requestId, timestamp, errorMessage}` with an
 * error status. A request is all or nothing: when one record is malformed the answer is 400 and no event
 * of the request is emitted (Firehose retries the whole request).
 *
 * `record_decoding`: `cloudwatch_logs` (CloudWatch Logs subscription payloads, gzip detected by its magic
 * bytes; one event per log event; CONTROL_MESSAGE records skipped and counted as `control_messages`),
 * `json` (one event from a JSON object), `text` (the record in `message`), `auto` (CloudWatch when the
 * record is a subscription payload, else JSON when it is a JSON object, else text).
 */
import { cpus } from 'node:os';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Event } from '../event/event.js';
import { parseJson } from '../event/json.js';
import type { Hash } from '../event/values.js';
import { CloudWatchLogsError, cloudWatchEvents, decodeBase64, gunzip, isGzip, looksLikePayload, toPayload } from '../formats/cloudwatch-logs.js';
import { defineInput, PluginConfigError, type InputInstance, type InputSink, type Logger, type PluginContext } from '../plugins/api.js';
import { COMMON_INPUT_OPTIONS, defineOptions, type OptionsOf } from '../plugins/options.js';
import { bodyOf, createHttpServer } from '../io/http.js';
import { readyLatch } from '../io/ready.js';
import { TLS_OPTION_SPECS, TlsConfigError, tlsSettings, type TlsSettings } from '../io/tls.js';

const OPTIONS = defineOptions({
  host: { type: 'string', default: '0.0.0.0', doc: 'The host or IP to bind.' },
  port: { type: 'number', default: 8443, doc: 'The TCP port to bind to.' },
  access_key: { type: 'password', doc: 'When set, requests must carry it in `X-Amz-Firehose-Access-Key` (else 401).' },
  record_decoding: { type: 'string', values: ['auto', 'cloudwatch_logs', 'json', 'text'], default: 'auto', doc: 'How each record\'s data (after base64 and gzip) becomes events.' },
  max_content_length: { type: 'number', default: 64 * 1024 * 1024, doc: 'Largest request body in bytes (larger: 413).' },
  threads: { type: 'number', doc: 'Requests processed at once (default: the number of CPU cores).' },
  max_pending_requests: { type: 'number', default: 200, doc: 'Requests waiting beyond `threads`; more are answered 429.' },
  ssl_enabled: TLS_OPTION_SPECS.ssl_enabled,
  ssl_certificate: TLS_OPTION_SPECS.ssl_certificate,
  ssl_key: TLS_OPTION_SPECS.ssl_key,
  ssl_key_passphrase: TLS_OPTION_SPECS.ssl_key_passphrase,
  ssl_certificate_authorities: { type: 'array', default: [], doc: 'PEM CAs client certificates must chain to (with `ssl_client_authentication`).' },
  ssl_client_authentication: { type: 'string', values: ['none', 'optional', 'required'], default: 'none', doc: 'Whether clients must present a certificate.' },
  ssl_supported_protocols: { type: 'array', list: true, values: ['TLSv1.1', 'TLSv1.2', 'TLSv1.3'], default: ['TLSv1.2', 'TLSv1.3'], doc: 'Allowed TLS versions.' },
  ssl_cipher_suites: TLS_OPTION_SPECS.ssl_cipher_suites,
});

type Options = OptionsOf<Omit<typeof COMMON_INPUT_OPTIONS, keyof typeof OPTIONS> & typeof OPTIONS>;
type Decoding = Options['record_decoding'];

class RecordError extends Error {}

/** The events of one record's data (base64), or a RecordError. Counts control messages in `control`. */
export function recordEvents(data: unknown, decoding: Decoding, onControl: () => void): Event[] {
  if (typeof data !== 'string') throw new RecordError('record has no string `data`');
  let bytes = decodeBase64(data);
  if (bytes === undefined) {
    if (data === '') bytes = Buffer.alloc(0);
    else throw new RecordError('record `data` is not base64');
  }
  try {
    if (isGzip(bytes)) bytes = gunzip(bytes);
  } catch (err) { throw new RecordError((err as Error).message); }
  const text = bytes.toString('utf8');
  if (decoding === 'text') return [new Event({ message: text })];
  let parsed: unknown;
  let isJson = false;
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try { parsed = parseJson(trimmed); isJson = true; } catch { isJson = false; }
  }
  const cloudwatch = isJson && looksLikePayload(parsed);
  if (decoding === 'cloudwatch_logs' || (decoding === 'auto' && cloudwatch)) {
    if (!isJson) throw new RecordError('record is not a CloudWatch Logs payload (not JSON)');
    let payload;
    try { payload = toPayload(parsed); } catch (err) {
      if (err instanceof CloudWatchLogsError) throw new RecordError(err.message);
      throw err;
    }
    if (payload.messageType === 'CONTROL_MESSAGE') { onControl(); return []; }
    return cloudWatchEvents(payload);
  }
  if (decoding === 'json' || (decoding === 'auto' && isJson && typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))) {
    if (!isJson || typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new RecordError('record is not a JSON object');
    return [new Event(parsed as Hash)];
  }
  return [new Event({ message: text })];
}

class FirehoseInput implements InputInstance {
  readonly #o: Options;
  readonly #log: Logger;
  readonly #tls: TlsSettings;
  readonly #key: string | undefined;
  readonly #ready = readyLatch();
  readonly #control;
  readonly #records;
  readonly #failed;
  #inFlight = 0;
  readonly #threads: number;
  #stopped = false;
  #wake: (() => void) | undefined;
  #port: number | undefined;

  constructor(o: Options, ctx: PluginContext, tlsConf: TlsSettings) {
    this.#o = o;
    this.#log = ctx.logger;
    this.#threads = o.threads ?? Math.max(1, cpus().length);
    this.#tls = tlsConf;
    this.#key = o.access_key;
    this.#control = ctx.metrics.counter('control_messages');
    this.#records = ctx.metrics.counter('records');
    this.#failed = ctx.metrics.counter('failed_requests');
  }

  get boundPort(): number | undefined { return this.#port; }

  ready(): Promise<void> { return this.#ready.promise; }

  async run(sink: InputSink): Promise<void> {
    const server = createHttpServer({ host: this.#o.host, port: this.#o.port, tls: this.#tls.server, bodyLimit: this.#o.max_content_length, label: 'kinesis_firehose input' });
    server.app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
      this.#fail(reply, err.statusCode ?? 500, this.#requestId(req, undefined), err.message);
    });
    server.app.route({
      method: ['POST', 'PUT'], url: '*',
      handler: (req, reply) => this.#handle(req, reply, sink),
    });
    try {
      this.#port = await server.listen();
    } catch (err) { this.#ready.fail(err); throw err; }
    this.#log.info('Starting kinesis_firehose input listener', { address: `${this.#o.host}:${this.#port}`, ssl_enabled: this.#tls.enabled });
    this.#ready.open();
    if (!this.#stopped && !sink.stopping) await new Promise<void>((r) => { this.#wake = r; });
    await server.close();
  }

  #requestId(req: FastifyRequest, body: unknown): string {
    const header = req.headers['x-amz-firehose-request-id'];
    if (typeof header === 'string') return header;
    if (typeof body === 'object' && body !== null && typeof (body as { requestId?: unknown }).requestId === 'string') return (body as { requestId: string }).requestId;
    return '';
  }

  #fail(reply: FastifyReply, status: number, requestId: string, message: string): void {
    this.#failed.inc();
    void reply.code(status).header('content-type', 'application/json').send(JSON.stringify({ requestId, timestamp: Date.now(), errorMessage: message }));
  }

  async #handle(req: FastifyRequest, reply: FastifyReply, sink: InputSink): Promise<void> {
    let body: unknown;
    let parseError: string | undefined;
    try { body = JSON.parse(bodyOf(req).toString('utf8')); } catch (err) { parseError = (err as Error).message; }
    const requestId = this.#requestId(req, body);
    if (this.#key !== undefined && req.headers['x-amz-firehose-access-key'] !== this.#key) {
      return this.#fail(reply, 401, requestId, 'Invalid or missing X-Amz-Firehose-Access-Key');
    }
    if (parseError !== undefined) return this.#fail(reply, 400, requestId, `request body is not JSON: ${parseError}`);
    const records = (body as { records?: unknown }).records;
    if (typeof body !== 'object' || body === null || !Array.isArray(records)) return this.#fail(reply, 400, requestId, 'request body has no `records` array');
    if (this.#inFlight >= this.#threads + this.#o.max_pending_requests) return this.#fail(reply, 429, requestId, 'Too many requests, retry later');
    // Decode everything first: a malformed record fails the request with nothing emitted.
    const events: Event[] = [];
    let controls = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as { data?: unknown } | null;
      try {
        for (const e of recordEvents(r?.data, this.#o.record_decoding, () => { controls++; })) {
          e.metadata.input = { kinesis_firehose: { request_id: requestId } };
          events.push(e);
        }
      } catch (err) {
        if (!(err instanceof RecordError)) throw err;
        return this.#fail(reply, 400, requestId, `records[${i}]: ${err.message}`);
      }
    }
    this.#inFlight++;
    try {
      this.#control.inc(controls);
      this.#records.inc(records.length);
      let full = false;
      for (const e of events) if (!sink.push(e)) full = true;
      if (full || sink.full) await sink.drained();
      await sink.accepted();
    } finally { this.#inFlight--; }
    void reply.code(200).header('content-type', 'application/json').send(JSON.stringify({ requestId, timestamp: Date.now() }));
  }

  stop(): void {
    this.#stopped = true;
    this.#wake?.();
  }
}

export default defineInput({
  name: 'kinesis_firehose',
  doc: 'Receives Amazon Kinesis Data Firehose HTTP endpoint deliveries (CloudWatch Logs subscriptions, JSON or text records); all or nothing per request.',
  options: OPTIONS,
  create(options, ctx) {
    let conf: TlsSettings = { enabled: false, clientAuthentication: 'none' };
    if (options.ssl_enabled) {
      if (options.ssl_client_authentication === 'none' && options.ssl_certificate_authorities.length > 0) {
        throw new PluginConfigError("The configuration of `ssl_certificate_authorities` requires setting `ssl_client_authentication` to `optional` or 'required'", 'ssl_client_authentication');
      }
      try {
        conf = tlsSettings(options, 'server', ctx.logger, ctx.cwd);
      } catch (err) {
        if (err instanceof TlsConfigError) throw new PluginConfigError(`kinesis_firehose input: ${err.message}`);
        throw err;
      }
    }
    return new FirehoseInput(options, ctx, conf);
  },
});
