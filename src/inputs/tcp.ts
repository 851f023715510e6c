/**
 * The `tcp` input: reads events over TCP, as Logstash's tcp input. Server mode (default) accepts
 * connections; client mode connects to a server and reconnects when the connection drops. Every
 * connection has its own codec decoder (partial lines and multiline state never mix between clients),
 * ended when the connection closes so pending data is flushed. TLS with optional client-certificate
 * verification. Back-pressure: a full pipeline pauses the socket; nothing is dropped.
 *
 * Fields added (only when the event does not already have them), by `ecs_compatibility`:
 *   disabled: `host` (client name, or IP without reverse DNS), `[@metadata][ip_address]`, `port`,
 *             `sslsubject`, and with proxy_protocol `proxy_host`, `proxy_port`;
 *   v1/v8:    `[@metadata][input][tcp][source][name|ip|port]`, `[@metadata][input][tcp][tls][client][subject]`,
 *             `[@metadata][input][tcp][proxy][ip|port]`.
 *
 * With worker threads and a line codec (`line`, `json_lines`), each read's whole lines go to a thread as a
 * chunk with the connection's fields, and are decoded and stamped there (`decoderForChunks`).
 */
import net from 'node:net';
import tls from 'node:tls';
import { promises as dns } from 'node:dns';
import type { Event } from '../event/event.js';
import type { Hash, Value } from '../event/values.js';
import { defineInput, type CodecInstance, type Decoder, type InputInstance, type InputSink, type Logger, type PluginContext, type ResolvedOptions as Options } from '../plugins/api.js';
import { defineOptions } from '../plugins/options.js';
import { TcpListener, type Peer } from '../io/tcp.js';
import { readyLatch } from '../io/ready.js';
import { SinkGate, plainIp, pumpSocket } from '../io/pump.js';
import { proxiedConsumer, type ProxyInfo } from '../io/proxy.js';
import { chunkDelimiter, LineChunker } from './_line-chunks.js';
import { TLS_OPTION_SPECS, TlsConfigError, peerSubject, tlsSettings, type TlsSettings } from '../io/tls.js';

const OPTIONS = defineOptions({
  host: { type: 'string', default: '0.0.0.0', doc: 'Server mode: the address to listen on. Client mode: the address to connect to.' },
  port: { type: 'number', required: true, doc: 'Server mode: the port to listen on. Client mode: the port to connect to.' },
  codec: { type: 'codec', default: 'line', doc: 'Codec decoding each connection\'s bytes (default `line`); every connection gets its own decoder.' },
  mode: { type: 'string', values: ['server', 'client'], default: 'server', doc: '`server` accepts connections, `client` connects to a server.' },
  proxy_protocol: { type: 'boolean', default: false, doc: 'Expect a PROXY protocol v1 header first on every connection.' },
  tcp_keep_alive: { type: 'boolean', default: false, doc: 'Enable TCP keep-alive on connections (OS timings).' },
  dns_reverse_lookup_enabled: { type: 'boolean', default: true, doc: 'Resolve the client\'s IP to a host name for the host field (falls back to the IP).' },
  ...TLS_OPTION_SPECS,
});

type FieldNames = { host: string; hostIp: string; port: string; sslSubject: string; proxyHost: string; proxyPort: string };
const LEGACY_FIELDS: FieldNames = { host: 'host', hostIp: '[@metadata][ip_address]', port: 'port', sslSubject: 'sslsubject', proxyHost: 'proxy_host', proxyPort: 'proxy_port' };
const ECS_FIELDS: FieldNames = {
  host: '[@metadata][input][tcp][source][name]', hostIp: '[@metadata][input][tcp][source][ip]', port: '[@metadata][input][tcp][source][port]',
  sslSubject: '[@metadata][input][tcp][tls][client][subject]', proxyHost: '[@metadata][input][tcp][proxy][ip]', proxyPort: '[@metadata][input][tcp][proxy][port]',
};

/** What the input knows about one connection, stamped on each of its events. */
interface ConnectionInfo {
  name: string;
  ip: string;
  port: number;
  sslSubject?: string;
  proxy?: ProxyInfo;
}

function setUnlessPresent(event: Event, field: string, value: Value): void {
  const cur = event.get(field);
  if (cur === undefined || cur === null) event.set(field, value);
}

/** Reverse DNS with a time limit: a slow resolver must not hold a connection for long. */
async function reverseName(ip: string, port: number): Promise<string> {
  if (!ip) return ip;
  const timeout = new Promise<string>((r) => { setTimeout(() => r(ip), 2000).unref(); });
  const lookup = dns.lookupService(ip, port || 1).then((r) => r.hostname || ip, () => ip);
  return Promise.race([lookup, timeout]);
}

class TcpInput implements InputInstance {
  readonly #o: Options;
  readonly #codec: CodecInstance;
  readonly #log: Logger;
  readonly #fields: FieldNames;
  readonly #tls: TlsSettings;
  /** Where the codec's stream can be cut for the worker threads (line codecs), if it can. */
  readonly #chunkDelimiter: Buffer | undefined;
  #listener: TcpListener | undefined;
  #client: net.Socket | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  readonly #ready = readyLatch();

  constructor(options: Options, ctx: PluginContext, codec: CodecInstance, tlsConf: TlsSettings) {
    this.#o = options;
    this.#codec = codec;
    this.#log = ctx.logger;
    this.#fields = ctx.ecs === 'disabled' ? LEGACY_FIELDS : ECS_FIELDS;
    this.#tls = tlsConf;
    this.#chunkDelimiter = chunkDelimiter(codec);
  }

  /** The listening port once run() has bound it (tests use port 0). */
  get boundPort(): number | undefined { return this.#listener?.port; }

  /** Server mode: bound; client mode: at once (a client has nothing to bind and retries its server). */
  ready(): Promise<void> { return this.#ready.promise; }

  async run(sink: InputSink): Promise<void> {
    if (this.#o.mode === 'client') { this.#ready.open(); return this.#runClient(sink); }
    const listener = new TcpListener({
      host: this.#o.host as string,
      port: this.#o.port as number,
      tls: this.#tls.server,
      keepAlive: this.#o.tcp_keep_alive as boolean,
      logger: this.#log,
      label: 'tcp input',
      onConnection: (socket, peer) => this.#serve(socket, peer, sink),
    });
    this.#listener = listener;
    try { await listener.listen(); } catch (err) { this.#ready.fail(err); throw err; }
    this.#ready.open();
    if (this.#stopping) { await listener.close(); return; }
    await new Promise<void>((r) => { this.#wake = r; });
    await listener.close();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#client?.destroy();
    this.#wake?.();
  }

  async #serve(socket: net.Socket, peer: Peer, sink: InputSink): Promise<void> {
    const info: ConnectionInfo = { name: peer.ip, ip: peer.ip, port: peer.port, sslSubject: peer.sslSubject };
    // Streams start paused: bytes wait in the socket while the name resolves.
    if (this.#o.dns_reverse_lookup_enabled) info.name = await reverseName(peer.ip, peer.port);
    await this.#consume(socket, info, sink);
  }

  /** Stamp the connection's fields on an event (only those it does not have yet). */
  #stamp(event: Event, info: ConnectionInfo): void {
    const f = this.#fields;
    const ecs = f === ECS_FIELDS;
    // Fast path for the usual case (nothing set yet): build the fields directly, since this runs for
    // every event and field-reference writes cost more than the rest of the input's work.
    const md = event.metadata;
    if (ecs && md.input === undefined) {
      const tcp: Hash = { source: { name: info.name, ip: info.ip, port: info.port } };
      if (info.sslSubject !== undefined) tcp.tls = { client: { subject: info.sslSubject } };
      if (info.proxy) tcp.proxy = { ip: info.proxy.proxyIp, port: info.proxy.proxyPort };
      md.input = { tcp };
      return;
    }
    if (!ecs && !info.proxy && info.sslSubject === undefined && event.data.host === undefined && event.data.port === undefined && md.ip_address === undefined) {
      event.data.host = info.name;
      event.data.port = info.port;
      md.ip_address = info.ip;
      return;
    }
    if (info.proxy) {
      setUnlessPresent(event, f.proxyHost, info.proxy.proxyIp);
      setUnlessPresent(event, f.proxyPort, info.proxy.proxyPort);
    }
    setUnlessPresent(event, f.host, info.name);
    setUnlessPresent(event, f.hostIp, info.ip);
    setUnlessPresent(event, f.port, info.port);
    if (info.sslSubject !== undefined) setUnlessPresent(event, f.sslSubject, info.sslSubject);
  }

  /**
   * On a worker thread: the events of a chunk of one connection's lines (see #consume), decoded and
   * stamped as they would be here. `context` is the connection's ConnectionInfo as JSON.
   */
  decoderForChunks(emit: (event: Event) => void, context?: string): Decoder | undefined {
    if (!this.#chunkDelimiter || context === undefined) return undefined;
    const info = JSON.parse(context) as ConnectionInfo;
    return this.#codec.decoder((event) => { this.#stamp(event, info); emit(event); }, { key: `tcp:${info.ip}:${info.port}` });
  }

  /** Decode one connection's bytes into events until it closes. */
  #consume(socket: net.Socket, info: ConnectionInfo, sink: InputSink): Promise<void> {
    const gate = new SinkGate(sink);
    // With worker threads and a line codec, each read's whole lines go to the threads, decoded there.
    const pushChunk = this.#chunkDelimiter ? sink.pushChunk : undefined;
    const chunker = pushChunk
      ? new LineChunker(this.#chunkDelimiter!, (bytes) => { if (!pushChunk(bytes, JSON.stringify(info))) gate.full = true; })
      : undefined;
    const decoder = chunker ?? this.#codec.decoder((event) => { this.#stamp(event, info); gate.push(event); }, { key: `tcp:${info.ip}:${info.port}` });
    const peerText = `${info.ip}:${info.port}`;
    const push = proxiedConsumer({
      enabled: this.#o.proxy_protocol === true, socket, logger: this.#log, reader: 'tcp input', peer: peerText,
      onHeader: (proxy) => {
        info.proxy = proxy;
        info.ip = proxy.clientIp;
        info.name = proxy.clientIp;
        info.port = proxy.clientPort;
      },
      next: (chunk) => decoder.push(chunk),
    });
    return pumpSocket({
      socket, gate, logger: this.#log, peer: peerText,
      consumer: {
        push,
        end: () => decoder.end(),
        ...(chunker ? { flush: () => chunker.flush() } : {}),
      },
    });
  }

  async #runClient(sink: InputSink): Promise<void> {
    const host = this.#o.host as string;
    const port = this.#o.port as number;
    while (!this.#stopping && !sink.stopping) {
      const socket = await new Promise<net.Socket | undefined>((resolve) => {
        const s = this.#tls.client
          ? tls.connect({ ...this.#tls.client, host, port, servername: net.isIP(host) ? undefined : host }, () => resolve(s))
          : net.connect({ host, port }, () => resolve(s));
        this.#client = s;
        s.once('error', (err) => {
          this.#log.warn('tcp input: connection failed', { address: `${host}:${port}`, error: err.message });
          resolve(undefined);
        });
      });
      if (socket) {
        if (this.#o.tcp_keep_alive) socket.setKeepAlive(true);
        const ip = plainIp(socket.remoteAddress);
        const info: ConnectionInfo = { name: host, ip, port: socket.remotePort ?? port };
        if (socket instanceof tls.TLSSocket) {
          const cert = socket.getPeerCertificate();
          if (cert && cert.subject && this.#tls.client?.rejectUnauthorized !== false) {
            info.sslSubject = peerSubject(socket);
          }
        }
        this.#log.debug('tcp input: connected', { address: `${host}:${port}` });
        await this.#consume(socket, info, sink);
      }
      if (this.#stopping || sink.stopping) break;
      // Do not hammer a server that is down.
      await new Promise<void>((r) => { const t = setTimeout(r, 1000); this.#wake = () => { clearTimeout(t); r(); }; });
    }
  }
}

export default defineInput({
  name: 'tcp',
  doc: 'Reads events over TCP (server or client mode), one codec stream per connection, with TLS and back-pressure.',
  options: OPTIONS,
  async create(options, ctx) {
    const mode = options.mode === 'client' ? 'client' : 'server';
    let conf: TlsSettings;
    try {
      conf = tlsSettings(options, mode, ctx.logger, ctx.cwd);
    } catch (err) {
      if (err instanceof TlsConfigError) throw new Error(`tcp input: ${err.message}`);
      throw err;
    }
    const codec = options.codec;
    return new TcpInput(options, ctx, codec, conf);
  },
});
