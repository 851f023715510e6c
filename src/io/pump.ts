/**
 * Reading a socket into the pipeline with back-pressure. Events are pushed synchronously while a chunk
 * is decoded; when the queue reports full (`sink.push()` returned false) the socket is paused until
 * `sink.drained()` resolves. A read is decoded in slices of 4 KiB; once the queue is full the rest of the
 * read is held (not dropped) until there is room, so at most one slice per connection goes past a full queue.
 */
import type { Socket } from 'node:net';
import type { Event } from '../event/event.js';
import type { InputSink, Logger } from '../plugins/api.js';

/** Wraps the sink for one stream and remembers whether the queue filled up. */
export class SinkGate {
  full = false;
  constructor(readonly sink: InputSink) {}
  /** Bound so it can be handed to codecs as their `emit`. */
  readonly push = (event: Event): void => {
    if (!this.sink.push(event)) this.full = true;
  };
}

export interface StreamConsumer {
  /** Bytes from the socket; events go out through the gate's push. */
  push(chunk: Buffer): void;
  /** The socket closed (either side): flush whatever is pending. */
  end(): void;
  /**
   * Optional: called once a socket read has been fed (or the part of it fed before the queue filled), for
   * consumers that hand over their output per read rather than per event (the syslog input's frames for
   * the worker threads).
   */
  flush?(): void;
}

export interface PumpOptions {
  socket: Socket;
  gate: SinkGate;
  consumer: StreamConsumer;
  logger: Logger;
  /** For logs: `127.0.0.1:50312`. */
  peer: string;
}

/** How much of a socket read is decoded before the queue is asked again whether it is full. */
const SLICE_BYTES = 4096;

/** Per socket: decode what is still buffered in it (used at shutdown, before the socket is destroyed). */
const drainers = new WeakMap<Socket, () => void>();

/**
 * At shutdown: hand the bytes already read from the kernel but not yet decoded (a paused socket holds up
 * to one buffer of them) to the decoder, so closing loses nothing the sender was told we received.
 */
export function drainBuffered(socket: Socket): void {
  drainers.get(socket)?.();
}

/** Pump one socket until it closes. Resolves after the consumer was ended (pending data flushed). */
export function pumpSocket({ socket, gate, consumer, logger, peer }: PumpOptions): Promise<void> {
  return new Promise((resolve) => {
    let ended = false;
    let waiting = false;
    const finish = (): void => {
      if (ended) return;
      ended = true;
      // Bytes held back for a full queue are still the sender's data: decode them before the end.
      if (held) { const rest = held; held = undefined; try { consumer.push(rest); } catch (err) { logger.error('error decoding data', { client: peer, error: String(err) }); } }
      try { consumer.end(); } catch (err) { logger.error('error flushing connection data', { client: peer, error: String(err) }); }
      resolve();
    };
    drainers.set(socket, () => {
      if (ended) return;
      // read() would also emit 'data' to the listener: detach it so each chunk is decoded once.
      socket.off('data', onData);
      let chunk: Buffer | null;
      try {
        if (held) { const rest = held; held = undefined; consumer.push(rest); }
        while ((chunk = socket.read() as Buffer | null) !== null) consumer.push(chunk);
        consumer.flush?.();
      } catch (err) {
        logger.error('error decoding data at shutdown', { client: peer, error: String(err) });
      }
    });
    // A socket read is fed to the decoder in slices, and the rest held back once the queue is full: one
    // 64 KiB read of short lines is hundreds of events, too many to push past a bounded (persisted) queue.
    let held: Buffer | undefined;
    const feed = (chunk: Buffer): boolean => {
      let at = 0;
      try {
        while (at < chunk.length) {
          const end = Math.min(chunk.length, at + SLICE_BYTES);
          consumer.push(at === 0 && end === chunk.length ? chunk : chunk.subarray(at, end));
          at = end;
          if (gate.full && at < chunk.length) { held = chunk.subarray(at); break; }
        }
        consumer.flush?.();
      } catch (err) {
        // A codec bug must not take down the listener; the connection is closed with a reason.
        logger.error('error decoding data, closing connection', { client: peer, error: String(err) });
        held = undefined;
        socket.destroy();
        return false;
      }
      return true;
    };
    const waitForRoom = (): void => {
      if (!gate.full || waiting) return;
      waiting = true;
      socket.pause();
      void gate.sink.drained().then(() => {
        waiting = false;
        gate.full = false;
        const rest = held;
        held = undefined;
        if (rest && !feed(rest)) return;
        if (gate.full) { waitForRoom(); return; }
        if (!socket.destroyed) socket.resume();
      });
    };
    const onData = (chunk: Buffer): void => {
      if (!feed(chunk)) return;
      waitForRoom();
    };
    socket.on('data', onData);
    // The socket may have closed while the caller was busy (reverse DNS): decode what it held and end.
    if (socket.destroyed) { drainers.get(socket)?.(); finish(); }
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') logger.debug('connection reset by peer', { client: peer });
      else logger.warn('connection error', { client: peer, error: err.message });
    });
    socket.on('end', () => { logger.debug('connection closed', { client: peer }); });
    socket.on('close', finish);
  });
}

/** The IP without the IPv4-mapped IPv6 prefix (`::ffff:127.0.0.1` → `127.0.0.1`), as Java reports it. */
export function plainIp(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
