/**
 * The `syslog` input: TCP and UDP listeners on one port (default 514, host 0.0.0.0), decoding RFC 5424
 * and RFC 3164 with the `syslog` codec (unlike Logstash's input, which only groks RFC 3164).
 *
 * TCP is framed by RFC 6587 (src/formats/syslog/framing.ts): octet counting and LF-terminated frames, detected
 * at each frame boundary. A frame longer than `max_frame_size` is cut and tagged `_syslogframetoolong`,
 * the rest of it skipped; an octet-counted frame cut short by the connection closing is tagged
 * `_syslogframeincomplete`. A UDP datagram is one message (a single trailing LF, or CR LF, is removed as
 * a trailer). Back-pressure on TCP pauses the connection; UDP waits in a bounded queue (`queue_size`).
 *
 * The peer's IP goes to `host` (ECS disabled) or `[host][ip]` (ECS), and ECS mode adds
 * `[service][type]` = `system`, as Logstash's syslog input does.
 *
 * With worker threads (src/runtime/threads.ts) the TCP frames of each socket read are handed over as one
 * chunk (FrameChunk) and decoded and stamped on a thread by `decoderForChunks`, in the same way.
 */
import type net from 'node:net';
import type { Event } from '../event/event.js';
import { isHash } from '../event/values.js';
import { defineInput, type CodecInstance, type Decoder, type InputInstance, type InputSink, type Logger, type PluginContext, type ResolvedOptions as Options } from '../plugins/api.js';
import { defineOptions } from '../plugins/options.js';
import { loadPlugin } from '../plugins/registry.js';
import { SyslogFramer, frameProblemTag, DEFAULT_MAX_FRAME_SIZE, type Frame, type FrameProblem, type FramingMode } from '../formats/syslog/framing.js';
import { TcpListener, type Peer } from '../io/tcp.js';
import { UdpReceiver } from '../io/udp.js';
import { readyLatch } from '../io/ready.js';
import { SyslogRelay } from './_syslog-relay.js';
import { proxiedConsumer } from '../io/proxy.js';
import { SinkGate, pumpSocket } from '../io/pump.js';

const LF = Buffer.from('\n');

const FACILITY_LABELS = ['kernel', 'user-level', 'mail', 'system', 'security/authorization', 'syslogd', 'line printer', 'network news', 'UUCP', 'clock', 'security/authorization', 'FTP', 'NTP', 'log audit', 'log alert', 'clock', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];
const SEVERITY_LABELS = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'];

const OPTIONS = defineOptions({
  codec: { type: 'codec', doc: 'Codec decoding each frame (default: the `syslog` codec with this input\'s label, timezone and locale options).' },
  host: { type: 'string', default: '0.0.0.0', doc: 'The address to listen on (TCP and UDP).' },
  port: { type: 'number', default: 514, doc: 'The port to listen on (TCP and UDP). Ports below 1024 may need privileges; 5514 is usual.' },
  proxy_protocol: { type: 'boolean', default: false, doc: 'Expect a PROXY protocol v1 header first on every TCP connection.' },
  use_labels: { type: 'boolean', default: true, doc: 'Add facility and severity labels.' },
  facility_labels: { type: 'array', default: FACILITY_LABELS, doc: 'Facility labels, indexed by facility number.' },
  severity_labels: { type: 'array', default: SEVERITY_LABELS, doc: 'Severity labels, indexed by severity number.' },
  timezone: { type: 'string', doc: 'Time zone for timestamps without an offset (RFC 3164), e.g. `Europe/Paris`; the platform\'s by default.' },
  locale: { type: 'string', doc: 'Locale of month names in RFC 3164 timestamps.' },
  lenient: { type: 'boolean', default: false, doc: 'Decode leniently: accept what real senders emit besides the RFCs (see the `syslog` codec).' },
  format: { type: 'string', values: ['auto', 'rfc5424', 'rfc3164'], default: 'auto', doc: 'Decode every message as this format instead of detecting it per message.' },
  service_type: { type: 'string', default: 'system', doc: 'ECS mode: value of `[service][type]`.' },
  max_frame_size: { type: 'number', default: DEFAULT_MAX_FRAME_SIZE, doc: 'Largest TCP syslog frame in bytes; longer frames are cut and tagged `_syslogframetoolong`.' },
  framing: { type: 'string', values: ['auto', 'octet_counting', 'non_transparent'], default: 'auto', doc: 'RFC 6587 framing on TCP: detected per frame (`auto`), or forced.' },
  queue_size: { type: 'number', default: 2000, doc: 'UDP datagrams held in memory while the pipeline is full, before datagrams are dropped.' },
  receive_buffer_bytes: { type: 'number', doc: 'UDP socket receive buffer size (SO_RCVBUF); the OS default when unset.' },
  grok_pattern: { type: 'string', doc: 'Parse as Logstash\'s syslog input does: the frame is decoded by `codec` (`plain` by default), `syslog_field` matched with this grok pattern (default `<%{POSINT:priority}>%{SYSLOGLINE}`), `timestamp` parsed; `_grokparsefailure_sysloginput` when it does not match. Unset (and no `syslog_field`): RFC 5424 and RFC 3164 are decoded natively.' },
  syslog_field: { type: 'string', doc: 'With Logstash\'s parsing (see `grok_pattern`): the field the grok pattern is matched against (Logstash\'s default `message`).' },
});

/** Options of the syslog codec that this input forwards when the codec declares them. */
const FORWARDED = ['use_labels', 'facility_labels', 'severity_labels', 'timezone', 'locale', 'lenient', 'format'] as const;

class SyslogInput implements InputInstance {
  readonly #o: Options;
  readonly #codec: CodecInstance;
  readonly #log: Logger;
  readonly #ecs: boolean;
  /** Logstash's grok-based parsing, when `grok_pattern` or `syslog_field` is set. */
  readonly #relay: SyslogRelay | undefined;
  #listener: TcpListener | undefined;
  #udp: UdpReceiver | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  readonly #ready = readyLatch();

  constructor(options: Options, ctx: PluginContext, codec: CodecInstance, relay: SyslogRelay | undefined) {
    this.#o = options;
    this.#codec = codec;
    this.#log = ctx.logger;
    this.#ecs = ctx.ecs !== 'disabled';
    this.#relay = relay;
  }

  get boundPort(): number | undefined { return this.#listener?.port; }
  get udpPort(): number | undefined { return this.#udp?.port; }

  /** Both listeners bound. */
  ready(): Promise<void> { return this.#ready.promise; }

  async run(sink: InputSink): Promise<void> {
    try { await this.#listen(sink); } catch (err) { this.#ready.fail(err); throw err; }
    this.#ready.open();
    if (!this.#stopping) await new Promise<void>((r) => { this.#wake = r; });
    await this.#udp!.close();
    await this.#listener!.close();
  }

  async #listen(sink: InputSink): Promise<void> {
    const host = this.#o.host as string;
    const listener = new TcpListener({
      host, port: this.#o.port as number, logger: this.#log, label: 'syslog input (tcp)',
      onConnection: (socket, peer) => this.#serveTcp(socket, peer, sink),
    });
    this.#listener = listener;
    await listener.listen();
    // UDP on the same port number (the bound one, when port 0 picked an ephemeral port).
    const udp = new UdpReceiver({
      host, port: listener.port, label: 'syslog input (udp)', logger: this.#log, sink,
      queueSize: this.#o.queue_size as number,
      receiveBufferBytes: this.#o.receive_buffer_bytes as number | undefined,
      decode: (d) => this.#decodeDatagram(d.data, d.ip, sink),
    });
    this.#udp = udp;
    try { await udp.bind(); } catch (err) { await listener.close(); throw err; }
    this.#log.info('syslog input (udp): listening', { address: `${host}:${listener.port}` });
  }

  stop(): void {
    this.#stopping = true;
    this.#wake?.();
  }

  /** Stamp the peer and ECS service fields (plain object writes: this runs for every event). */
  #decorate(event: Event, ip: string): void {
    const data = event.data;
    if (this.#relay) {
      // As Logstash's syslog input: the peer address replaces whatever the codec put there.
      event.set(this.#ecs ? '[host][ip]' : 'host', ip);
      return;
    }
    if (!this.#ecs) {
      // Logstash's syslog input sets the peer address unconditionally.
      data.host = ip;
      return;
    }
    const host = data.host;
    if (host === undefined || host === null) data.host = { ip };
    else if (isHash(host)) host.ip = ip;
    // A scalar `host` (set by a custom codec) is left alone rather than failing the event.
    const service = data.service;
    if (service === undefined || service === null) data.service = { type: this.#o.service_type as string };
    else if (isHash(service) && service.type === undefined) service.type = this.#o.service_type as string;
  }

  /**
   * On a worker thread: the events of one chunk of frames a connection's reader put together on the
   * pipeline thread (see FrameChunk), decoded and stamped as #serveTcp does. `context` is the peer's IP.
   * Logstash's grok-based parsing (grok_pattern) stays on the pipeline thread.
   */
  decoderForChunks(emit: (event: Event) => void, context?: string): Decoder | undefined {
    if (this.#relay) return undefined;
    const ip = context ?? '';
    const key = `syslog:tcp:${ip}`;
    const emitFrame = (data: Buffer, problem: FrameProblem | undefined): void => {
      const tag = problem ? frameProblemTag(problem) : undefined;
      this.#decodeFrame(data, (event) => {
        if (tag) event.tag(tag);
        this.#decorate(event, ip);
        emit(event);
      }, key);
    };
    return {
      push: (chunk) => FrameChunk.read(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, emitFrame),
      end: () => {},
    };
  }

  #decodeFrame(frame: Buffer, emit: (e: Event) => void, key: string): void {
    if (this.#codec.decodeFrame) this.#codec.decodeFrame(frame, emit);
    else {
      const d = this.#codec.decoder(emit, { key });
      d.push(frame);
      d.end();
    }
  }

  #serveTcp(socket: net.Socket, peer: Peer, sink: InputSink): Promise<void> {
    const gate = new SinkGate(sink);
    const mode = ({ auto: 'auto', octet_counting: 'octet-counting', non_transparent: 'non-transparent' } as const)[this.#o.framing as 'auto'] as FramingMode;
    const framer = new SyslogFramer({ mode, maxFrameSize: this.#o.max_frame_size as number });
    let ip = peer.ip;
    const key = `syslog:tcp:${peer.ip}:${peer.port}`;
    const peerText = `${peer.ip}:${peer.port}`;
    // With worker threads the frames of each read go to the threads as one chunk, decoded there.
    const pushChunk = this.#relay ? undefined : sink.pushChunk;
    const chunk = pushChunk ? new FrameChunk() : undefined;
    const flush = (): void => {
      if (!chunk || chunk.empty) return;
      if (!pushChunk!(chunk.take(), ip)) gate.full = true;
    };
    const onFrame = (frame: Frame): void => {
      if (frame.problem === 'too_long') {
        this.#log.warn('syslog input: frame longer than max_frame_size, cut', {
          client: peerText, max_frame_size: framer.maxFrameSize, declared_length: frame.declaredLength,
          resync: frame.method === 'octet-counting' ? `skipping ${frame.skipped} bytes` : 'skipping to the next LF',
        });
      } else if (frame.problem === 'incomplete') {
        this.#log.warn('syslog input: connection closed inside an octet-counted frame', { client: peerText, declared_length: frame.declaredLength, received: frame.data.length });
      }
      if (chunk) { chunk.add(frame.data, frame.problem); return; }
      const tag = frame.problem ? frameProblemTag(frame.problem) : undefined;
      // Logstash's own parsing reads lines with their LF, as its TCP listener hands them to the codec.
      const data = this.#relay && frame.method !== 'octet-counting' && !frame.problem ? Buffer.concat([frame.data, LF]) : frame.data;
      this.#decodeFrame(data, (event) => {
        if (tag) event.tag(tag);
        this.#decorate(event, ip);
        this.#deliver(event, gate.push);
      }, key);
    };
    const push = proxiedConsumer({
      enabled: this.#o.proxy_protocol === true, socket, logger: this.#log, reader: 'syslog input', peer: peerText,
      onHeader: (info) => { ip = info.clientIp; },
      next: (chunk) => framer.push(chunk, onFrame),
    });
    return pumpSocket({
      socket, gate, logger: this.#log, peer: peerText,
      consumer: {
        push,
        end: () => { framer.end(onFrame); flush(); },
        ...(chunk ? { flush } : {}),
      },
    });
  }

  /** Push the event, after Logstash's parsing when it is configured (in order per stream). */
  #deliver(event: Event, push: (e: Event) => void): void {
    if (!this.#relay) { push(event); return; }
    this.#relay.apply(event, () => push(event));
  }

  #decodeDatagram(msg: Buffer, ip: string, sink: InputSink): boolean {
    let end = msg.length;
    // A trailing LF (or CR LF) is a trailer, not part of the message; Logstash's own parsing keeps it.
    if (!this.#relay && end > 0 && msg[end - 1] === 0x0a) { end--; if (end > 0 && msg[end - 1] === 0x0d) end--; }
    let room = true;
    this.#decodeFrame(msg.subarray(0, end), (event) => {
      this.#decorate(event, ip);
      this.#deliver(event, (e) => { if (!sink.push(e)) room = false; });
    }, `syslog:udp:${ip}`);
    return room;
  }
}

/**
 * Frames of one connection put together for a worker thread: per frame a 4-byte length (little-endian),
 * a byte for its problem (0 none, 1 too long, 2 incomplete), then its bytes.
 */
class FrameChunk {
  #frames: Buffer[] = [];
  #problems: number[] = [];
  #bytes = 0;

  get empty(): boolean { return this.#frames.length === 0; }

  add(data: Buffer, problem: FrameProblem | undefined): void {
    this.#frames.push(data);
    this.#problems.push(problem === 'too_long' ? 1 : problem === 'incomplete' ? 2 : 0);
    this.#bytes += 5 + data.length;
  }

  /** The chunk's bytes (a buffer of its own); the builder starts empty again. */
  take(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.#bytes);
    let at = 0;
    for (let i = 0; i < this.#frames.length; i++) {
      const f = this.#frames[i]!;
      out.writeUInt32LE(f.length, at);
      out[at + 4] = this.#problems[i]!;
      f.copy(out, at + 5);
      at += 5 + f.length;
    }
    this.#frames = [];
    this.#problems = [];
    this.#bytes = 0;
    return out;
  }

  static read(bytes: Buffer, frame: (data: Buffer, problem: FrameProblem | undefined) => void): void {
    for (let at = 0; at + 5 <= bytes.length;) {
      const length = bytes.readUInt32LE(at);
      const code = bytes[at + 4];
      frame(bytes.subarray(at + 5, at + 5 + length), code === 1 ? 'too_long' : code === 2 ? 'incomplete' : undefined);
      at += 5 + length;
    }
  }
}

export default defineInput({
  name: 'syslog',
  doc: 'Receives syslog (RFC 5424 and RFC 3164) over TCP and UDP on one port, with RFC 6587 framing on TCP (octet counting or LF, detected per frame). '
    + 'A frame longer than `max_frame_size` is cut and tagged `_syslogframetoolong`; a frame cut short by the connection closing is tagged `_syslogframeincomplete`; '
    + 'a message that does not decode is tagged `_syslogparsefailure`. Nothing is dropped.',
  options: OPTIONS,
  async create(options, ctx) {
    const max = options.max_frame_size as number;
    if (!Number.isInteger(max) || max < 1) throw new Error(`syslog input: max_frame_size must be a positive integer, got ${max}`);
    const relayed = options.grok_pattern !== undefined || options.syslog_field !== undefined;
    let codec = options.codec;
    if (!codec && relayed) codec = await ctx.createCodec('plain');
    if (!codec) {
      const def = await loadPlugin('codec', 'syslog');
      if (!def) throw new Error('syslog input: the syslog codec is not available');
      const declared = def.options;
      const forwarded: Record<string, unknown> = {};
      for (const k of FORWARDED) if (k in declared && options[k] !== undefined) forwarded[k] = options[k];
      codec = await ctx.createCodec('syslog', forwarded);
    }
    const relay = relayed
      ? await SyslogRelay.create({
        syslogField: (options.syslog_field as string | undefined) ?? 'message',
        grokPattern: options.grok_pattern as string | undefined,
        useLabels: options.use_labels as boolean,
        facilityLabels: (options.facility_labels as unknown[]).map(String),
        severityLabels: (options.severity_labels as unknown[]).map(String),
        timezone: options.timezone as string | undefined,
        locale: options.locale as string | undefined,
        serviceType: options.service_type as string,
      }, ctx)
      : undefined;
    return new SyslogInput(options, ctx, codec, relay);
  },
});
