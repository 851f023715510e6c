/**
 * The `udp` input: one datagram is one frame, decoded on its own (`codec.decodeFrame` when the codec has
 * it, else a fresh decoder per datagram, ended at once), so lines from two senders are never joined, as
 * Logstash decodes and flushes per packet. The sender's IP goes to `source_ip_fieldname`: `host` with ECS
 * disabled, `[host][ip]` in ECS mode.
 *
 * UDP cannot push back on a sender. While the pipeline is full, datagrams wait in a queue of at most
 * `queue_size` packets; beyond that they are dropped and counted, which is what Logstash's `queue_size`
 * documents ("unprocessed UDP packets you can hold in memory before packets will start dropping").
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Event } from '../event/event.js';
import { defineInput, type CodecInstance, type InputInstance, type InputSink, type Logger, type PluginContext, type ResolvedOptions as Options } from '../plugins/api.js';
import { defineOptions } from '../plugins/options.js';
import { plainIp } from '../io/pump.js';
import { bindError } from '../io/tcp.js';

const OPTIONS = defineOptions({
  codec: { type: 'codec', default: 'plain', doc: 'Codec decoding each datagram (default `plain`).' },
  host: { type: 'string', default: '0.0.0.0', doc: 'The address to listen on (IPv4 or IPv6).' },
  port: { type: 'number', required: true, doc: 'The port to listen on.' },
  buffer_size: { type: 'number', default: 65536, doc: 'The maximum datagram size read; longer datagrams are truncated.' },
  receive_buffer_bytes: { type: 'number', doc: 'Socket receive buffer size (SO_RCVBUF); the OS default when unset.' },
  workers: { type: 'number', default: 2, doc: 'Accepted for compatibility: decoding runs on the event loop, so it has no effect.' },
  queue_size: { type: 'number', default: 2000, doc: 'Datagrams held in memory while the pipeline is full, before datagrams are dropped.' },
  source_ip_fieldname: { type: 'string', doc: 'Field for the sender\'s IP (default `host`, or `[host][ip]` in ECS mode).' },
});

interface Datagram { data: Buffer; ip: string; port: number }

class UdpInput implements InputInstance {
  readonly #o: Options;
  readonly #codec: CodecInstance;
  readonly #log: Logger;
  readonly #ipField: string;
  #socket: dgram.Socket | undefined;
  #stop: (() => void) | undefined;
  #stopped = false;
  /** Datagrams received while the pipeline was full. */
  readonly #backlog: Datagram[] = [];
  #waiting = false;
  #dropped = 0;
  #lastDropLog = 0;

  constructor(options: Options, ctx: PluginContext, codec: CodecInstance) {
    this.#o = options;
    this.#codec = codec;
    this.#log = ctx.logger;
    this.#ipField = (options.source_ip_fieldname as string | undefined) ?? (ctx.ecs === 'disabled' ? 'host' : '[host][ip]');
  }

  get boundPort(): number | undefined {
    try { return this.#socket?.address().port; } catch { return undefined; }
  }

  /** Datagrams dropped because the in-memory queue was full. */
  get dropped(): number { return this.#dropped; }

  async run(sink: InputSink): Promise<void> {
    const host = this.#o.host as string;
    const type = net.isIPv6(host) ? 'udp6' : 'udp4';
    const socket = dgram.createSocket({ type, reuseAddr: false });
    this.#socket = socket;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => { reject(bindError('udp input', host, this.#o.port as number, err)); };
      socket.once('error', onError);
      socket.bind(this.#o.port as number, host, () => { socket.off('error', onError); resolve(); });
    });
    const wanted = this.#o.receive_buffer_bytes as number | undefined;
    if (wanted !== undefined) {
      try { socket.setRecvBufferSize(wanted); } catch (err) { this.#log.warn('udp input: cannot set receive_buffer_bytes', { error: String(err) }); }
    }
    const got = socket.getRecvBufferSize();
    // Linux reports twice the requested size (bookkeeping overhead), so only a smaller value is a failure.
    if (wanted !== undefined && got < wanted) this.#log.warn(`Unable to set receive_buffer_bytes to desired size. Requested ${wanted} but obtained ${got} bytes.`);
    this.#log.info('udp input: listening', { address: `${host}:${this.boundPort}`, receive_buffer_bytes: got, queue_size: this.#o.queue_size });
    socket.on('error', (err) => { this.#log.error('udp input: socket error', { error: err.message }); });
    const max = this.#o.buffer_size as number;
    socket.on('message', (msg, rinfo) => {
      const data = msg.length > max ? msg.subarray(0, max) : msg;
      this.#receive({ data, ip: plainIp(rinfo.address), port: rinfo.port }, sink);
    });
    if (!this.#stopped) await new Promise<void>((r) => { this.#stop = r; });
    await new Promise<void>((r) => { try { socket.close(() => r()); } catch { r(); } });
    // Whatever waited for room is still handed over: the pipeline drains it during shutdown.
    for (const d of this.#backlog.splice(0)) this.#decode(d, sink);
  }

  stop(): void {
    this.#stopped = true;
    this.#stop?.();
  }

  #receive(d: Datagram, sink: InputSink): void {
    if (this.#waiting) {
      if (this.#backlog.length < (this.#o.queue_size as number)) this.#backlog.push(d);
      else this.#drop();
      return;
    }
    if (!this.#decode(d, sink)) this.#wait(sink);
  }

  #drop(): void {
    this.#dropped++;
    const now = Date.now();
    if (now - this.#lastDropLog > 5000) {
      this.#lastDropLog = now;
      this.#log.warn('udp input: pipeline full and queue_size reached, dropping datagrams', { dropped_total: this.#dropped, queue_size: this.#o.queue_size });
    }
  }

  #wait(sink: InputSink): void {
    this.#waiting = true;
    void sink.drained().then(() => {
      this.#waiting = false;
      while (this.#backlog.length > 0 && !this.#waiting) {
        if (!this.#decode(this.#backlog.shift()!, sink)) this.#wait(sink);
      }
    });
  }

  /** Decode one datagram; false when the pipeline said it is full. */
  #decode(d: Datagram, sink: InputSink): boolean {
    let room = true;
    const field = this.#ipField;
    const emit = (event: Event): void => {
      const cur = event.get(field);
      if (cur === undefined || cur === null) event.set(field, d.ip);
      if (!sink.push(event)) room = false;
    };
    try {
      if (this.#codec.decodeFrame) this.#codec.decodeFrame(d.data, emit);
      else {
        const dec = this.#codec.decoder(emit, { key: `udp:${d.ip}:${d.port}` });
        dec.push(d.data);
        dec.end();
      }
    } catch (err) {
      this.#log.error('udp input: error decoding datagram', { client: `${d.ip}:${d.port}`, error: String(err) });
    }
    return room;
  }
}

export default defineInput({
  name: 'udp',
  doc: 'Reads events from UDP datagrams, one datagram per frame, with the sender\'s IP on each event.',
  options: OPTIONS,
  async create(options, ctx) {
    const codec = options.codec;
    return new UdpInput(options, ctx, codec);
  },
});
