/** Writing encoded events to a Node stream with back-pressure: one write per batch, wait for 'drain'. */
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

export function writeWithBackpressure(stream: Writable, data: string | Buffer): Promise<void> | void {
  if (data.length === 0) return;
  if (stream.write(data)) return;
  return new Promise((resolve, reject) => {
    const onDrain = (): void => { stream.off('error', onError); resolve(); };
    const onError = (err: Error): void => { stream.off('drain', onDrain); reject(err); };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}
