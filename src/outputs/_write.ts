/** Writing encoded events to a Node stream with back-pressure: one write per batch, done when it is written. */
import type { Writable } from 'node:stream';
import type { Event } from '../event/event.js';
import type { CodecInstance } from '../plugins/api.js';

/** Encode a batch into one string/buffer (one syscall per batch instead of per event). */
export function encodeBatch(codec: CodecInstance, events: readonly Event[]): string | Buffer {
  let text = '';
  let buffers: Buffer[] | undefined;
  for (const e of events) {
    const enc = codec.encode(e);
    if (typeof enc === 'string' && !buffers) text += enc;
    else {
      buffers ??= text ? [Buffer.from(text)] : [];
      buffers.push(typeof enc === 'string' ? Buffer.from(enc) : enc);
    }
  }
  return buffers ? Buffer.concat(buffers) : text;
}

/**
 * Write one batch; resolves once the stream has handed it to the OS (the write callback), so an event
 * counts as delivered (and a persisted queue forgets it) only when it has left the process. A full
 * stream buffer is waited out the same way: the callback comes after the drain.
 */
export function writeWithBackpressure(stream: Writable, data: string | Buffer): Promise<void> | void {
  if (data.length === 0) return;
  return new Promise((resolve, reject) => {
    stream.write(data, (err) => { if (err) reject(err); else resolve(); });
  });
}
