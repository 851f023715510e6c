/**
 * The `udp` input: one datagram is one frame, decoded on its own (`codec.decodeFrame` when the codec has
 * it, else a fresh decoder per datagram, ended at once), so lines from two senders are never joined, as
 * Logstash decodes and flushes per packet. The sender's IP goes to `source_ip_fieldname`: `host` with ECS
 * disabled, `[host][ip]` in ECS mode.
 *
 * UDP cannot push back on a sender: while the pipeline is full, datagrams wait in a queue of at most
 * `queue_size` packets and beyond that are dropped and counted (src/io/udp.ts), as Logstash documents.
 */
import type { Event } from '../event/event.js';
import { defineInput, type CodecInstance, type InputInstance, type InputSink, type Logger, type PluginContext, type ResolvedOptions as Options } from '../plugins/api.js';
import { defineOptions } from '../plugins/options.js';
import { UdpReceiver, type Datagram } from '../io/udp.js';
import { readyLatch } from '../io/ready.js';

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

class UdpInput implements InputInstance {
  readonly #o: Options;
  readonly #codec: CodecInstance;
  readonly #log: Logger;
  readonly #ipField: string;
  #receiver: UdpReceiver | undefined;
  #stop: (() => void) | undefined;
  #stopped = false;
  readonly #ready = readyLatch();

  constructor(options: Options, ctx: PluginContext, codec: CodecInstance) {
    this.#o = options;
    this.#codec = codec;
    this.#log = ctx.logger;
    this.#ipField = (options.source_ip_fieldname as string | undefined) ?? (ctx.ecs === 'disabled' ? 'host' : '[host][ip]');
  }

  get boundPort(): number | undefined { return this.#receiver?.port; }

  /** Datagrams dropped because the in-memory queue was full. */
  get dropped(): number { return this.#receiver?.dropped ?? 0; }

  ready(): Promise<void> { return this.#ready.promise; }

  async run(sink: InputSink): Promise<void> {
    const host = this.#o.host as string;
    const receiver = new UdpReceiver({
      host, port: this.#o.port as number, label: 'udp input', logger: this.#log, sink,
      queueSize: this.#o.queue_size as number,
      maxDatagramBytes: this.#o.buffer_size as number,
      receiveBufferBytes: this.#o.receive_buffer_bytes as number | undefined,
      decode: (d) => this.#decode(d, sink),
    });
    this.#receiver = receiver;
    try { await receiver.bind(); } catch (err) { this.#ready.fail(err); throw err; }
    this.#log.info('udp input: listening', { address: `${host}:${receiver.port}`, receive_buffer_bytes: receiver.receiveBufferBytes, queue_size: this.#o.queue_size });
    this.#ready.open();
    if (!this.#stopped) await new Promise<void>((r) => { this.#stop = r; });
    // Whatever waited for room is still handed over: the pipeline drains it during shutdown.
    await receiver.close();
  }

  stop(): void {
    this.#stopped = true;
    this.#stop?.();
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
    if (this.#codec.decodeFrame) this.#codec.decodeFrame(d.data, emit);
    else {
      const dec = this.#codec.decoder(emit, { key: `udp:${d.ip}:${d.port}` });
      dec.push(d.data);
      dec.end();
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
