/**
 * A Lumberjack v2 writer for tests, written from logstash-input-beats' PROTOCOL.md and independent of
 * src/formats/lumberjack (so a misreading of the protocol in one is not mirrored by the other).
 *
 * Per window: `2W` + u32 window size, then one `2J` frame per event (u32 sequence 1..n, u32 length, JSON),
 * optionally all inside one `2C` frame (u32 length + zlib of the frames); the writer then waits for `2A`
 * frames until the ACKed sequence reaches n. ACK 0 (or a repeated sequence) is a keep-alive.
 * On a lost connection it reconnects and resends the events of the window after the last ACKed sequence,
 * as Beats do.
 */
import net from 'node:net';
import tls from 'node:tls';
import zlib from 'node:zlib';

export interface LumberjackClientOptions {
  host?: string;
  port: number;
  windowSize: number;
  compress?: boolean;
  tls?: tls.ConnectionOptions;
  /** Abort the connection once, after writing this many frames of the given window index (cut mid-window). */
  cut?: { window: number; afterFrames: number };
}

export interface WindowRecord { size: number; acks: number[] }

function u32(n: number): Buffer { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; }

function jsonFrame(seq: number, doc: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(doc));
  return Buffer.concat([Buffer.from('2J'), u32(seq), u32(body.length), body]);
}

export class LumberjackClient {
  readonly windows: WindowRecord[] = [];
  reconnects = 0;
  #socket: net.Socket | undefined;
  #buf = Buffer.alloc(0);
  #onAck: ((seq: number) => void) | undefined;
  #onClose: (() => void) | undefined;
  #cutDone = false;

  constructor(readonly o: LumberjackClientOptions) {}

  async #connect(): Promise<net.Socket> {
    const host = this.o.host ?? '127.0.0.1';
    const s = await new Promise<net.Socket>((resolve, reject) => {
      const sock: net.Socket = this.o.tls
        ? tls.connect({ host, port: this.o.port, ...this.o.tls }, () => resolve(sock))
        : net.connect({ host, port: this.o.port }, () => resolve(sock));
      sock.once('error', reject);
    });
    s.on('error', () => undefined);
    this.#buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, d]);
      while (this.#buf.length >= 6) {
        if (this.#buf[0] !== 0x32 || this.#buf[1] !== 0x41) throw new Error(`unexpected reply frame ${this.#buf.subarray(0, 2).toString('hex')}`);
        const seq = this.#buf.readUInt32BE(2);
        this.#buf = this.#buf.subarray(6);
        this.#onAck?.(seq);
      }
    });
    s.on('close', () => this.#onClose?.());
    this.#socket = s;
    return s;
  }

  /** Send all events, window by window; resolves when every window is fully ACKed. */
  async send(events: readonly unknown[]): Promise<void> {
    for (let at = 0, w = 0; at < events.length; w++) {
      const win = events.slice(at, at + this.o.windowSize);
      await this.#sendWindow(win, w);
      at += win.length;
    }
  }

  async #sendWindow(win: readonly unknown[], index: number): Promise<void> {
    let acked = 0;
    const record: WindowRecord = { size: win.length, acks: [] };
    this.windows.push(record);
    while (acked < win.length) {
      const socket = this.#socket && !this.#socket.destroyed ? this.#socket : await this.#connectRetrying();
      // Resend what is not ACKed: a new window of the remaining events, sequences from 1 again.
      const rest = win.slice(acked);
      const frames = rest.map((doc, i) => jsonFrame(i + 1, doc));
      const base = acked;
      const done = new Promise<boolean>((resolve) => {
        this.#onAck = (seq) => {
          record.acks.push(base + seq);
          if (seq > 0 && base + seq > acked) acked = base + seq;
          if (seq === rest.length) resolve(true);
        };
        this.#onClose = () => resolve(false);
      });
      const header = Buffer.concat([Buffer.from('2W'), u32(rest.length)]);
      const cut = this.o.cut;
      if (cut && !this.#cutDone && cut.window === index) {
        this.#cutDone = true;
        socket.write(Buffer.concat([header, ...frames.slice(0, cut.afterFrames)]));
        await new Promise((r) => setTimeout(r, 50));
        socket.destroy();
      } else if (this.o.compress) {
        const packed = zlib.deflateSync(Buffer.concat(frames));
        socket.write(Buffer.concat([header, Buffer.from('2C'), u32(packed.length), packed]));
      } else {
        socket.write(Buffer.concat([header, ...frames]));
      }
      const ok = await done;
      if (!ok) { this.reconnects++; this.#socket = undefined; }
    }
  }

  async #connectRetrying(): Promise<net.Socket> {
    for (let i = 0; ; i++) {
      try { return await this.#connect(); } catch (err) {
        if (i > 100) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  close(): void { this.#socket?.end(); }
}
