/**
 * The `gelf` input (logstash-input-gelf 3.3): GELF over UDP (`use_udp`, default on: chunked, zlib or
 * gzip compressed, or plain JSON datagrams) and TCP (`use_tcp`: NUL-terminated JSON documents), one event
 * per message, built as src/formats/gelf/event.ts says (`source_host`, `timestamp` → `@timestamp`, `remap`,
 * `strip_leading_underscore`).
 *
 * Incomplete chunked messages are dropped after 5 seconds (counted in `gelf_chunks_expired`), and at
 * most 64 MiB of chunks are held; UDP datagrams wait in a bounded backlog while the pipeline is full
 * (src/io/udp.ts). TCP connections are paused while the pipeline is full.
 */
import type net from 'node:net';
import type { Event } from '../event/event.js';
import { defineInput, type InputInstance, type Counter, type InputSink, type Logger, type PluginContext } from '../plugins/api.js';
import { UdpReceiver, type Datagram } from '../io/udp.js';
import { TcpListener, type Peer } from '../io/tcp.js';
import { SinkGate, pumpSocket } from '../io/pump.js';
import { readyLatch } from '../io/ready.js';
import { ChunkAssembler, GelfFrameError, inflatePayload, isChunk } from '../formats/gelf/index.js';
import { gelfEvent, type GelfEventOptions } from '../formats/gelf/event.js';
import { rateLimited } from '../services/logger.js';

/** How long chunks of an incomplete message are kept (Graylog's limit). */
const CHUNK_TIMEOUT_MS = 5000;

const OPTIONS = {
  codec: { type: 'codec', default: 'plain', doc: 'Accepted as in Logstash (default `plain`); GELF messages are decoded as JSON.' },
  host: { type: 'string', default: '0.0.0.0', doc: 'The address to listen on.' },
  port: { type: 'number', default: 12201, doc: 'The port to listen on (UDP and TCP) unless `port_udp` / `port_tcp` say otherwise.' },
  port_tcp: { type: 'number', doc: 'The TCP port, when it differs from `port`.' },
  port_udp: { type: 'number', doc: 'The UDP port, when it differs from `port`.' },
  remap: { type: 'boolean', default: true, doc: 'Move `full_message` (else `short_message`) to `message`.' },
  strip_leading_underscore: { type: 'boolean', default: true, doc: 'Rename additional fields `_foo` to `foo`.' },
  use_tcp: { type: 'boolean', default: false, doc: 'Listen on TCP (NUL-terminated GELF JSON).' },
  use_udp: { type: 'boolean', default: true, doc: 'Listen on UDP (chunked and compressed GELF).' },
} as const;

class GelfInput implements InputInstance {
  readonly #host: string;
  readonly #portUdp: number | undefined;
  readonly #portTcp: number | undefined;
  readonly #log: Logger;
  readonly #ev: GelfEventOptions;
  readonly #assembler = new ChunkAssembler({ timeoutMs: CHUNK_TIMEOUT_MS });
  readonly #ready = readyLatch();
  readonly #warn: ReturnType<typeof rateLimited>;
  readonly #counters: { expired: Counter; invalid: Counter };
  #udp: UdpReceiver | undefined;
  #tcp: TcpListener | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(o: { host: string; portUdp?: number; portTcp?: number; remap: boolean; strip: boolean }, ctx: PluginContext) {
    this.#host = o.host;
    this.#portUdp = o.portUdp;
    this.#portTcp = o.portTcp;
    this.#log = ctx.logger;
    this.#warn = rateLimited(ctx.logger);
    this.#ev = {
      remap: o.remap, stripLeadingUnderscore: o.strip,
      onMoveFailure: (from, to, reason) => this.#warn(`move:${from}`, `Failed to move field \`${from}\` to \`${to}\`: ${reason}`),
    };
    this.#counters = { expired: ctx.metrics.counter('gelf_chunks_expired'), invalid: ctx.metrics.counter('gelf_invalid_datagrams') };
  }

  get udpPort(): number | undefined { return this.#udp?.port; }
  get tcpPort(): number | undefined { return this.#tcp?.port; }

  ready(): Promise<void> { return this.#ready.promise; }

  async run(sink: InputSink): Promise<void> {
    try {
      if (this.#portUdp !== undefined) {
        this.#udp = new UdpReceiver({
          host: this.#host, port: this.#portUdp, label: 'gelf input (udp)', logger: this.#log, sink, queueSize: 2000,
          decode: (d) => this.#datagram(d, sink),
        });
        await this.#udp.bind();
        this.#log.info('Starting gelf listener (udp) ...', { address: `${this.#host}:${this.#udp.port}` });
      }
      if (this.#portTcp !== undefined) {
        this.#tcp = new TcpListener({
          host: this.#host, port: this.#portTcp, logger: this.#log, label: 'gelf input (tcp)',
          onConnection: (socket, peer) => this.#serve(socket, peer, sink),
        });
        await this.#tcp.listen();
      }
    } catch (err) {
      this.#ready.fail(err);
      await this.#udp?.close();
      await this.#tcp?.close();
      throw err;
    }
    this.#ready.open();
    const sweep = setInterval(() => {
      const n = this.#assembler.expire();
      if (n > 0) {
        this.#counters.expired.inc(n);
        this.#warn('expired', 'gelf input: incomplete chunked messages dropped after 5 s', { messages: n });
      }
    }, 1000);
    sweep.unref();
    if (!this.#stopped) await new Promise<void>((r) => { this.#wake = r; });
    clearInterval(sweep);
    await Promise.all([this.#udp?.close(), this.#tcp?.close()]);
  }

  stop(): void {
    this.#stopped = true;
    this.#wake?.();
  }

  #datagram(d: Datagram, sink: InputSink): boolean {
    let payload: Buffer | undefined = d.data;
    try {
      if (isChunk(payload)) payload = this.#assembler.push(`${d.ip}:${d.port}`, payload);
      if (payload === undefined) return true;
      payload = inflatePayload(payload);
    } catch (err) {
      this.#counters.invalid.inc();
      this.#warn('invalid', 'Gelfd failed to parse a message skipping', { client: `${d.ip}:${d.port}`, error: err instanceof GelfFrameError ? err.message : String(err) });
      return true;
    }
    return sink.push(this.#event(payload, d.ip));
  }

  #event(payload: Buffer, ip: string): Event {
    return gelfEvent(payload.toString('utf8'), ip, this.#ev);
  }

  #serve(socket: net.Socket, peer: Peer, sink: InputSink): Promise<void> {
    const gate = new SinkGate(sink);
    let pending: Buffer[] = [];
    const frame = (buf: Buffer): void => {
      if (buf.length === 0) return;
      let payload = buf;
      try { payload = inflatePayload(buf); } catch { /* not compressed after all: read as text */ }
      gate.push(this.#event(payload, peer.ip));
    };
    return pumpSocket({
      socket, gate, logger: this.#log, peer: `${peer.ip}:${peer.port}`,
      consumer: {
        push: (chunk) => {
          let at = 0;
          let nul: number;
          while ((nul = chunk.indexOf(0, at)) >= 0) {
            const part = chunk.subarray(at, nul);
            if (pending.length > 0) { pending.push(part); frame(Buffer.concat(pending)); pending = []; } else frame(part);
            at = nul + 1;
          }
          if (at < chunk.length) pending.push(Buffer.from(chunk.subarray(at)));
        },
        // Logstash reads the last document of a connection even without its NUL.
        end: () => { if (pending.length > 0) { const rest = Buffer.concat(pending); pending = []; if (rest.toString('utf8').trim() !== '') frame(rest); } },
      },
    });
  }
}

export default defineInput({
  name: 'gelf',
  doc: 'Reads GELF messages (Graylog Extended Log Format) over UDP (chunked, zlib or gzip) and TCP (NUL-terminated), as Docker\'s gelf log driver and GELF libraries send them.',
  options: OPTIONS,
  create(options, ctx) {
    return new GelfInput({
      host: options.host,
      ...(options.use_udp ? { portUdp: options.port_udp ?? options.port } : {}),
      ...(options.use_tcp ? { portTcp: options.port_tcp ?? options.port } : {}),
      remap: options.remap,
      strip: options.strip_leading_underscore,
    }, ctx);
  },
});
