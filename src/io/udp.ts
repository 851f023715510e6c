/**
 * A UDP receiver with a bounded backlog, shared by the `udp` and `syslog` inputs.
 *
 * UDP cannot push back on a sender. While the pipeline is full, datagrams wait in a queue of at most
 * `queueSize` packets; beyond that they are dropped and counted, which is what Logstash's `queue_size`
 * documents ("unprocessed UDP packets you can hold in memory before packets will start dropping").
 * Closing hands the backlog to the decoder, so what was received before shutdown is still processed.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { InputSink, Logger } from '../plugins/api.js';
import { plainIp } from './pump.js';
import { bindError } from './tcp.js';

export interface Datagram { data: Buffer; ip: string; port: number }

export interface UdpReceiverOptions {
  host: string;
  port: number;
  /** Names the receiver in errors: `udp input`, `syslog input (udp)`. */
  label: string;
  logger: Logger;
  sink: InputSink;
  /** Decode one datagram into the sink; false when the sink said it is full. */
  decode: (d: Datagram) => boolean;
  /** Datagrams held while the pipeline is full (Logstash's `queue_size`). */
  queueSize: number;
  /** Longer datagrams are truncated to this many bytes (Logstash's `buffer_size`). */
  maxDatagramBytes?: number;
  /** SO_RCVBUF (Logstash's `receive_buffer_bytes`); the OS default when unset. */
  receiveBufferBytes?: number;
}

export class UdpReceiver {
  readonly #o: UdpReceiverOptions;
  readonly #socket: dgram.Socket;
  readonly #backlog: Datagram[] = [];
  #waiting = false;
  #dropped = 0;
  #lastDropLog = 0;
  #closed = false;

  constructor(options: UdpReceiverOptions) {
    this.#o = options;
    this.#socket = dgram.createSocket({ type: net.isIPv6(options.host) ? 'udp6' : 'udp4', reuseAddr: false });
  }

  /** The bound port (the ephemeral one when asked for port 0); undefined before bind(). */
  get port(): number | undefined {
    try { return this.#socket.address().port; } catch { return undefined; }
  }

  /** Datagrams dropped because the backlog was full. */
  get dropped(): number { return this.#dropped; }

  /** The receive buffer the OS granted (Linux reports twice the requested size). */
  get receiveBufferBytes(): number { return this.#socket.getRecvBufferSize(); }

  /** Bind and start receiving. Rejects with the address and a hint when the port cannot be bound. */
  async bind(): Promise<void> {
    const { host, port, label, logger } = this.#o;
    const socket = this.#socket;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => { reject(bindError(label, host, port, err)); };
      socket.once('error', onError);
      socket.bind(port, host, () => { socket.off('error', onError); resolve(); });
    });
    const wanted = this.#o.receiveBufferBytes;
    if (wanted !== undefined) {
      try { socket.setRecvBufferSize(wanted); } catch (err) { logger.warn(`${label}: cannot set receive_buffer_bytes`, { error: String(err) }); }
      // Linux reports twice the requested size (bookkeeping overhead), so only a smaller value is a failure.
      const got = socket.getRecvBufferSize();
      if (got < wanted) logger.warn(`Unable to set receive_buffer_bytes to desired size. Requested ${wanted} but obtained ${got} bytes.`);
    }
    socket.on('error', (err) => { logger.error(`${label}: socket error`, { error: err.message }); });
    const max = this.#o.maxDatagramBytes;
    socket.on('message', (msg, rinfo) => {
      const data = max !== undefined && msg.length > max ? msg.subarray(0, max) : msg;
      this.#receive({ data, ip: plainIp(rinfo.address), port: rinfo.port });
    });
  }

  /** Stop receiving, then decode whatever waited in the backlog (the pipeline drains it at shutdown). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await new Promise<void>((r) => { try { this.#socket.close(() => r()); } catch { r(); } });
    for (const d of this.#backlog.splice(0)) this.#decode(d);
  }

  #receive(d: Datagram): void {
    if (this.#waiting) {
      if (this.#backlog.length < this.#o.queueSize) this.#backlog.push(d);
      else this.#drop();
      return;
    }
    if (!this.#decode(d)) this.#waitForRoom();
  }

  #decode(d: Datagram): boolean {
    try {
      return this.#o.decode(d);
    } catch (err) {
      this.#o.logger.error(`${this.#o.label}: error decoding datagram`, { client: `${d.ip}:${d.port}`, error: String(err) });
      return true;
    }
  }

  #drop(): void {
    this.#dropped++;
    const now = Date.now();
    if (now - this.#lastDropLog > 5000) {
      this.#lastDropLog = now;
      this.#o.logger.warn(`${this.#o.label}: pipeline full and queue_size reached, dropping datagrams`, { dropped_total: this.#dropped, queue_size: this.#o.queueSize });
    }
  }

  #waitForRoom(): void {
    this.#waiting = true;
    void this.#o.sink.drained().then(() => {
      this.#waiting = false;
      while (this.#backlog.length > 0 && !this.#waiting) {
        if (!this.#decode(this.#backlog.shift()!)) this.#waitForRoom();
      }
    });
  }
}
