/**
 * The `beats` input (logstash-input-beats 6.x): the Lumberjack protocol (v2 JSON frames, v1 key/value
 * frames, zlib-compressed frames, windows and ACKs) over TCP or TLS, as Filebeat and the other Beats send.
 *
 * Events: a document with `message` (`line` for v1 lumberjack) has it decoded by the codec (default
 * `plain`), and the rest of the document merged into each decoded event (`@timestamp` parsed, hashes merged
 * one level); with `enrich` including `codec_metadata` the event is tagged `beats_input_codec_<codec>_applied`.
 * A document without one becomes the event as it is, tagged `beats_input_raw_event`. The Beat's own fields
 * (`[@metadata][beat]`, `[@metadata][version]`, `host`, `agent`, `ecs`, `input`, `log`…) come through as
 * the Beat sent them. `source_metadata` adds the client IP (`[@metadata][ip_address]`, or
 * `[@metadata][input][beats][host][ip]` with ECS), `ssl_peer_metadata` the client certificate.
 *
 * Delivery: a window's frames are ACKed (with the highest sequence) only once the pipeline's queue accepted
 * their events (InputSink.accepted, so a persisted queue has them on disk). While a window is still being
 * read, partial ACKs report progress; while the pipeline is full the socket is paused and ACKs are
 * withheld, so the Beat waits (and keep-alive ACKs repeat the last sequence every 5 s, so it does not time
 * out). A connection cut before its ACK makes the Beat send the window again: delivery is at least once.
 */
import type net from 'node:net';
import tls from 'node:tls';
import { Event } from '../event/event.js';
import { parseJson } from '../event/json.js';
import { toS } from '../event/ruby.js';
import { Timestamp } from '../event/timestamp.js';
import { isHash, type Hash, type Value } from '../event/values.js';
import { defineInput, PluginConfigError, type CodecInstance, type Counter, type InputInstance, type InputSink, type Logger, type PluginContext } from '../plugins/api.js';
import { codecNameOf } from '../plugins/context.js';
import { fieldStamper, type Stamp } from '../plugins/stamp.js';
import { TcpListener, type Peer } from '../io/tcp.js';
import { SinkGate, pumpSocket } from '../io/pump.js';
import { readyLatch } from '../io/ready.js';
import { LEGACY_SERVER_TLS_SPECS, TLS_OPTION_SPECS, TlsConfigError, peerSubject, tlsSettings, withLegacyServerTls, type TlsSettings } from '../io/tls.js';
import { LumberjackParser, LumberjackProtocolError, ackFrame, type LumberjackFrame } from '../formats/lumberjack/index.js';

const KEEPALIVE_MS = 5000;
const ENRICH_ALL = ['source_metadata', 'codec_metadata', 'ssl_peer_metadata'] as const;

const OPTIONS = {
  host: { type: 'string', default: '0.0.0.0', doc: 'The address to listen on.' },
  port: { type: 'number', required: true, doc: 'The port to listen on (Beats use 5044).' },
  codec: { type: 'codec', default: 'plain', doc: 'Codec decoding each document\'s `message` (default `plain`).' },
  ssl_enabled: TLS_OPTION_SPECS.ssl_enabled,
  ssl_certificate: TLS_OPTION_SPECS.ssl_certificate,
  ssl_key: TLS_OPTION_SPECS.ssl_key,
  ssl_key_passphrase: TLS_OPTION_SPECS.ssl_key_passphrase,
  ssl_certificate_authorities: TLS_OPTION_SPECS.ssl_certificate_authorities,
  ssl_client_authentication: { type: 'string', values: ['none', 'optional', 'required'], default: 'none', doc: 'Whether Beats must present a certificate signed by `ssl_certificate_authorities`: `none`, `optional` (verified when presented) or `required`.' },
  ssl_supported_protocols: { ...TLS_OPTION_SPECS.ssl_supported_protocols, default: ['TLSv1.2', 'TLSv1.3'] },
  ssl_cipher_suites: TLS_OPTION_SPECS.ssl_cipher_suites,
  ssl_handshake_timeout: { type: 'number', default: 10000, doc: 'Milliseconds an incomplete TLS handshake may take.' },
  client_inactivity_timeout: { type: 'number', default: 60, doc: 'Seconds after which an idle connection (no window in progress) is closed.' },
  add_hostname: { type: 'boolean', default: false, deprecated: 'This option will be removed in the future as beats determine the event schema', doc: 'Copy `[beat][hostname]` to `host` (or `[@metadata][input][beats][host][name]` with ECS) when that is not set.' },
  include_codec_tag: { type: 'boolean', deprecated: 'use `enrich` option to configure which enrichments to perform', doc: 'Tag events `beats_input_codec_<codec>_applied` / `beats_input_raw_event` (default true, or as `enrich` says).' },
  enrich: { type: 'string', list: true, values: [...ENRICH_ALL, 'none', 'all'], doc: 'Enrichments: `source_metadata`, `codec_metadata`, `ssl_peer_metadata`, or `all` / `none` (default: source_metadata and codec_metadata).' },
  executor_threads: { type: 'number', default: 1, doc: 'Accepted for compatibility; connections are served on the event loop.' },
  event_loop_threads: { type: 'number', default: 0, doc: 'Accepted for compatibility; connections are served on the event loop.' },
  // Deprecated in Logstash 8 (beats input 6.x), removed in Logstash 9: still accepted, as their current forms.
  ...LEGACY_SERVER_TLS_SPECS,
  ssl_peer_metadata: { type: 'boolean', deprecated: 'use `enrich` option to configure which enrichments to perform', doc: 'Deprecated: true adds `ssl_peer_metadata` to the enrichments.' },
} as const;

interface Fields { hostname: string; hostip: string; tlsProtocol: string; tlsSubject: string; tlsCipher: string }
const LEGACY: Fields = { hostname: 'host', hostip: '[@metadata][ip_address]', tlsProtocol: '[@metadata][tls_peer][protocol]', tlsSubject: '[@metadata][tls_peer][subject]', tlsCipher: '[@metadata][tls_peer][cipher_suite]' };
const ECS: Fields = {
  hostname: '[@metadata][input][beats][host][name]', hostip: '[@metadata][input][beats][host][ip]', tlsProtocol: '[@metadata][input][beats][tls][version_protocol]',
  tlsSubject: '[@metadata][input][beats][tls][client][subject]', tlsCipher: '[@metadata][input][beats][tls][cipher]',
};

interface Settings {
  host: string;
  port: number;
  tls: TlsSettings;
  codec: CodecInstance;
  codecTag: string | undefined;
  rawTag: string | undefined;
  sourceMetadata: boolean;
  peerMetadata: boolean;
  addHostname: boolean;
  inactivityMs: number;
  handshakeMs: number;
}

class BeatsInput implements InputInstance {
  readonly #s: Settings;
  readonly #log: Logger;
  readonly #f: Fields;
  readonly #stamp: Stamp;
  readonly #ready = readyLatch();
  readonly #events: Counter;
  readonly #acks: Counter;
  #listener: TcpListener | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(s: Settings, ctx: PluginContext) {
    this.#s = s;
    this.#log = ctx.logger;
    this.#f = ctx.ecs === 'disabled' ? LEGACY : ECS;
    this.#stamp = fieldStamper(ctx.logger);
    this.#events = ctx.metrics.counter('beats_events');
    this.#acks = ctx.metrics.counter('beats_acks');
  }

  get boundPort(): number | undefined { return this.#listener?.port; }
  ready(): Promise<void> { return this.#ready.promise; }

  async run(sink: InputSink): Promise<void> {
    const s = this.#s;
    const listener = new TcpListener({
      host: s.host, port: s.port, logger: this.#log, label: 'beats input',
      ...(s.tls.server ? { tls: { ...s.tls.server, handshakeTimeout: s.handshakeMs } } : {}),
      onConnection: (socket, peer) => this.#serve(socket, peer, sink),
    });
    this.#listener = listener;
    try { await listener.listen(); } catch (err) { this.#ready.fail(err); throw err; }
    this.#ready.open();
    if (!this.#stopped) await new Promise<void>((r) => { this.#wake = r; });
    await listener.close();
  }

  stop(): void {
    this.#stopped = true;
    this.#wake?.();
  }

  #serve(socket: net.Socket, peer: Peer, sink: InputSink): Promise<void> {
    const s = this.#s;
    const gate = new SinkGate(sink);
    const parser = new LumberjackParser();
    const tlsInfo = socket instanceof tls.TLSSocket && this.#s.peerMetadata ? this.#peerInfo(socket, peer) : undefined;
    const client = `${peer.ip}:${peer.port}`;
    // Window state: frames expected, received, and the ACK already written.
    let version = 2;
    let windowSize = 0;
    let received = 0;
    let pushedSeq = 0;
    let ackedSeq = 0;
    let gen = 0;
    let inflight = 0;
    let partialPending = false;
    let chain: Promise<void> = Promise.resolve();
    let lastAckAt = Date.now();
    const writeAck = (seq: number): void => {
      if (socket.destroyed) return;
      socket.write(ackFrame(version, seq));
      lastAckAt = Date.now();
      this.#acks.inc();
    };
    // ACKs go out in order, each once the queue accepted every event pushed before it was asked for.
    const enqueue = (step: () => Promise<void>): void => {
      inflight++;
      chain = chain.then(step).catch((err: unknown) => { this.#log.error('beats input: ACK failed', { client, error: String(err) }); }).finally(() => { inflight--; });
    };
    const finalAck = (seq: number): void => {
      const g = gen;
      enqueue(async () => { await sink.accepted(); if (g === gen) ackedSeq = seq; writeAck(seq); });
    };
    // Partial ACK: progress within a window still being read (at most one waiting at a time).
    const partialAck = (): void => {
      if (partialPending) return;
      partialPending = true;
      enqueue(async () => {
        const g = gen;
        const seq = pushedSeq;
        await sink.accepted();
        partialPending = false;
        if (g === gen && seq > ackedSeq && received < windowSize) { ackedSeq = seq; writeAck(seq); }
      });
    };
    const windowOpen = (): boolean => received < windowSize;
    const keepalive = setInterval(() => {
      if ((windowOpen() || inflight > 0) && Date.now() - lastAckAt >= KEEPALIVE_MS) writeAck(ackedSeq);
    }, KEEPALIVE_MS);
    keepalive.unref();
    if (s.inactivityMs > 0) {
      socket.setTimeout(s.inactivityMs, () => {
        if (windowOpen() || inflight > 0) return;
        this.#log.debug('beats input: closing inactive connection', { client, client_inactivity_timeout: s.inactivityMs / 1000 });
        socket.destroy();
      });
    }
    const frame = (f: LumberjackFrame): void => {
      version = f.version;
      if (f.type === 'window') {
        windowSize = f.size;
        received = 0;
        pushedSeq = 0;
        ackedSeq = 0;
        gen++;
        if (f.size === 0) enqueue(async () => { writeAck(0); });
        return;
      }
      const doc = f.type === 'json' ? this.#document(f.payload, client) : f.fields;
      if (doc === undefined) { socket.destroy(); return; }
      this.#toEvents(doc, peer, tlsInfo, gate.push);
      received++;
      pushedSeq = f.sequence;
      if (received === windowSize) finalAck(f.sequence);
    };
    return pumpSocket({
      socket, gate, logger: this.#log, peer: client,
      consumer: {
        push: (chunk) => {
          let frames: LumberjackFrame[];
          try { frames = parser.push(chunk); } catch (err) {
            if (!(err instanceof LumberjackProtocolError)) throw err;
            this.#log.warn('beats input: invalid frame, closing connection', { client, error: err.message });
            socket.destroy();
            return;
          }
          for (const f of frames) { if (socket.destroyed) break; frame(f); }
          // Partial ACK: progress within a window still being read.
          if (windowOpen() && received > 0 && pushedSeq > ackedSeq) partialAck();
        },
        end: () => { clearInterval(keepalive); },
      },
    });
  }

  #document(payload: Buffer, client: string): Hash | undefined {
    let doc: Value;
    try { doc = parseJson(payload.toString('utf8')); } catch (err) {
      this.#log.error('beats input: unable to parse beats payload, closing connection', { client, error: String(err) });
      return undefined;
    }
    if (!isHash(doc)) {
      this.#log.error('beats input: beats payload is not a JSON object, closing connection', { client });
      return undefined;
    }
    return doc;
  }

  #peerInfo(socket: tls.TLSSocket, peer: Peer): Hash {
    if (peer.sslSubject === undefined) return { status: 'unverified' };
    return { status: 'verified', protocol: socket.getProtocol() ?? '', subject: peerSubject(socket) ?? '', cipher: socket.getCipher().standardName };
  }

  #toEvents(doc: Hash, peer: Peer, tlsInfo: Hash | undefined, push: (e: Event) => void): void {
    const s = this.#s;
    const f = this.#f;
    if (s.sourceMetadata && peer.ip) setNested(doc, f.hostip, peer.ip);
    if (tlsInfo) {
      const md = isHash(doc['@metadata']) ? doc['@metadata'] : (doc['@metadata'] = {});
      md.tls_peer = { status: tlsInfo.status! };
      if (tlsInfo.status === 'verified') {
        setNested(doc, f.tlsProtocol, tlsInfo.protocol!);
        setNested(doc, f.tlsSubject, tlsInfo.subject!);
        setNested(doc, f.tlsCipher, tlsInfo.cipher!);
      }
    }
    const targetKey = doc.message !== undefined && doc.message !== null ? 'message' : doc.line !== undefined && doc.line !== null ? 'line' : undefined;
    if (targetKey === undefined) {
      const event = new Event(doc);
      this.#copyHostname(event);
      if (s.rawTag) event.tag(s.rawTag);
      this.#events.inc();
      push(event);
      return;
    }
    const text = typeof doc[targetKey] === 'string' ? doc[targetKey] as string : toS(doc[targetKey]);
    delete doc[targetKey];
    const ts = coerceTimestamp(doc['@timestamp'], this.#log);
    delete doc['@timestamp'];
    const decoded: Event[] = [];
    const codec = s.codec;
    if (codec.decodeFrame) codec.decodeFrame(text, (e) => decoded.push(e));
    else { const d = codec.decoder((e) => decoded.push(e)); d.push(text); d.end(); }
    decoded.forEach((event, i) => {
      if (ts) event.timestamp = ts;
      mergeInto(event, i === decoded.length - 1 ? doc : structuredClone(doc));
      this.#copyHostname(event);
      if (s.codecTag) event.tag(s.codecTag);
      this.#events.inc();
      push(event);
    });
  }

  #copyHostname(event: Event): void {
    if (!this.#s.addHostname) return;
    const host = event.get('[beat][hostname]');
    if (host !== undefined && host !== null) this.#stamp(event, this.#f.hostname, host);
  }
}

/** Set a field reference's value inside a document not yet an event (creating the hashes on the way). */
function setNested(doc: Hash, ref: string, value: Value): void {
  const path = ref.replace(/^\[|\]$/g, '').split('][');
  let h = doc;
  for (const key of path.slice(0, -1)) {
    const next = h[key];
    h = isHash(next) ? next : (h[key] = {});
  }
  h[path[path.length - 1]!] = value;
}

/** The document's fields onto the decoded event; a hash the event has already is merged one level. */
function mergeInto(event: Event, doc: Hash): void {
  for (const [k, v] of Object.entries(doc)) {
    if (k === '@metadata') {
      if (isHash(v)) Object.assign(event.metadata, v);
      continue;
    }
    const existing = event.data[k];
    event.data[k] = isHash(existing) && isHash(v) ? { ...existing, ...v } : v;
  }
}

function coerceTimestamp(v: Value | undefined, log: Logger): Timestamp | undefined {
  if (v === undefined || v === null) return undefined;
  if (v instanceof Timestamp) return v;
  const t = typeof v === 'string' ? Timestamp.parse(v) : undefined;
  if (!t) log.warn('Unrecognized @timestamp value, setting current time to @timestamp', { value: toS(v) });
  return t;
}

function resolveEnrich(given: readonly string[] | undefined, codecTagGiven: boolean): Set<string> {
  if (given !== undefined && codecTagGiven) throw new PluginConfigError('both `enrich` and (deprecated) `include_codec_tag` were provided; use only `enrich`', 'enrich');
  if (given === undefined) return new Set(['source_metadata', 'codec_metadata']);
  const aliases = given.filter((g) => g === 'all' || g === 'none');
  if (aliases.length > 0 && given.length > 1) {
    throw new PluginConfigError(`when an alias is provided to \`enrich\`, it must be the only value given (got: ${JSON.stringify(given)}, including ${aliases.length > 1 ? 'aliases' : 'alias'} ${aliases.join(',')})`, 'enrich');
  }
  if (aliases[0] === 'all') return new Set(ENRICH_ALL);
  if (aliases[0] === 'none') return new Set();
  return new Set(given);
}

export default defineInput({
  name: 'beats',
  doc: 'Receives events from Elastic Beats (Filebeat, Metricbeat…) over the Lumberjack v2 protocol, with TLS, ACKs after the queue accepted the events, and back-pressure.',
  options: OPTIONS,
  create(given, ctx) {
    let options: typeof given;
    try { options = withLegacyServerTls(given); } catch (err) {
      if (err instanceof TlsConfigError) throw new PluginConfigError(`beats input: ${err.message}`, 'ssl_verify_mode');
      throw err;
    }
    // `include_codec_tag` has no declared default, so whether the config set it is known.
    const codecTagGiven = options.include_codec_tag !== undefined;
    const enrich = resolveEnrich(options.enrich, codecTagGiven);
    if (options.ssl_peer_metadata === true) enrich.add('ssl_peer_metadata');
    const codecTagOn = options.include_codec_tag ?? enrich.has('codec_metadata');
    let tlsConf: TlsSettings;
    try {
      tlsConf = tlsSettings(options, 'server', ctx.logger, ctx.cwd);
    } catch (err) {
      if (err instanceof TlsConfigError) throw new PluginConfigError(`beats input: ${err.message}`, 'ssl_enabled');
      throw err;
    }
    const codecName = codecNameOf(options.codec) ?? 'plain';
    return new BeatsInput({
      host: options.host,
      port: options.port,
      tls: tlsConf,
      codec: options.codec,
      codecTag: codecTagOn ? `beats_input_codec_${codecName}_applied` : undefined,
      rawTag: codecTagOn ? 'beats_input_raw_event' : undefined,
      sourceMetadata: enrich.has('source_metadata'),
      peerMetadata: enrich.has('ssl_peer_metadata') && tlsConf.enabled && options.ssl_client_authentication !== 'none',
      addHostname: options.add_hostname,
      inactivityMs: options.client_inactivity_timeout * 1000,
      handshakeMs: options.ssl_handshake_timeout,
    }, ctx);
  },
});
