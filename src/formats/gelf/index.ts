/**
 * GELF (Graylog Extended Log Format) framing and payloads, without I/O.
 *
 * A UDP datagram is one of: a chunk (magic 0x1e 0x0f, an 8-byte message id, a sequence number and a
 * sequence count, then part of the payload), a zlib stream (0x78 …), a gzip stream (0x1f 0x8b), or plain
 * JSON. A chunked message is the concatenation of its chunks in sequence order, itself possibly
 * compressed. Incomplete messages are dropped after a timeout (Graylog's is 5 s), and at most 128 chunks
 * make a message, as the GELF specification says.
 */
import zlib from 'node:zlib';

export const CHUNK_MAGIC_0 = 0x1e;
export const CHUNK_MAGIC_1 = 0x0f;
export const CHUNK_HEADER_BYTES = 12;
export const MAX_CHUNKS = 128;

export class GelfFrameError extends Error {}

/** Decompress a payload when it starts with a zlib or gzip header; plain payloads are returned as they are. */
export function inflatePayload(data: Buffer): Buffer {
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) return zlib.gunzipSync(data);
  // zlib: CMF 0x78 (deflate, 32K window) and a header checksum (CMF*256+FLG divisible by 31).
  if (data.length >= 2 && data[0] === 0x78 && ((data[0] << 8) | data[1]!) % 31 === 0) return zlib.inflateSync(data);
  // Graylog's "uncompressed" magic (0x1f 0x3c) precedes the JSON in some old clients.
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x3c) return data.subarray(2);
  return data;
}

export function isChunk(data: Buffer): boolean {
  return data.length >= CHUNK_HEADER_BYTES && data[0] === CHUNK_MAGIC_0 && data[1] === CHUNK_MAGIC_1;
}

interface Partial {
  parts: (Buffer | undefined)[];
  received: number;
  bytes: number;
  firstSeen: number;
}

export interface ChunkAssemblerOptions {
  /** Incomplete messages older than this are dropped (ms). */
  timeoutMs: number;
  /** The most bytes held in incomplete messages; beyond it the oldest are dropped. */
  maxPendingBytes?: number;
  /** The clock (tests pass their own). */
  now?: () => number;
}

/**
 * Reassembles chunked GELF messages, keyed by sender and message id. `push` returns the complete
 * (still compressed, maybe) payload when the last chunk arrives.
 */
export class ChunkAssembler {
  readonly #pending = new Map<string, Partial>();
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  #bytes = 0;
  /** Messages dropped incomplete (timed out or evicted). */
  expired = 0;

  constructor(o: ChunkAssemblerOptions) {
    this.#timeoutMs = o.timeoutMs;
    this.#maxBytes = o.maxPendingBytes ?? 64 * 1024 * 1024;
    this.#now = o.now ?? Date.now;
  }

  get pendingMessages(): number { return this.#pending.size; }

  /** Throws GelfFrameError for a malformed chunk. */
  push(sender: string, chunk: Buffer): Buffer | undefined {
    const id = chunk.subarray(2, 10).toString('hex');
    const seq = chunk[10]!;
    const count = chunk[11]!;
    if (count === 0 || count > MAX_CHUNKS) throw new GelfFrameError(`chunk count ${count} out of range 1..${MAX_CHUNKS}`);
    if (seq >= count) throw new GelfFrameError(`chunk number ${seq} not below the chunk count ${count}`);
    const body = chunk.subarray(CHUNK_HEADER_BYTES);
    if (count === 1) return body;
    const key = `${sender}/${id}`;
    let p = this.#pending.get(key);
    if (p && p.parts.length !== count) {
      this.#drop(key, p);
      p = undefined;
    }
    if (!p) {
      p = { parts: new Array<Buffer | undefined>(count).fill(undefined), received: 0, bytes: 0, firstSeen: this.#now() };
      this.#pending.set(key, p);
    }
    if (p.parts[seq] === undefined) {
      // Copied: the datagram's buffer may be reused by the socket.
      p.parts[seq] = Buffer.from(body);
      p.received++;
      p.bytes += body.length;
      this.#bytes += body.length;
    }
    if (p.received === count) {
      this.#pending.delete(key);
      this.#bytes -= p.bytes;
      return Buffer.concat(p.parts as Buffer[]);
    }
    while (this.#bytes > this.#maxBytes && this.#pending.size > 0) {
      const [k, oldest] = this.#pending.entries().next().value as [string, Partial];
      this.#drop(k, oldest);
      this.expired++;
    }
    return undefined;
  }

  /** Drop incomplete messages older than the timeout; returns how many. */
  expire(): number {
    const limit = this.#now() - this.#timeoutMs;
    let n = 0;
    // Insertion order is arrival order of first chunks, so the oldest come first.
    for (const [k, p] of this.#pending) {
      if (p.firstSeen > limit) break;
      this.#drop(k, p);
      n++;
    }
    this.expired += n;
    return n;
  }

  #drop(key: string, p: Partial): void {
    this.#pending.delete(key);
    this.#bytes -= p.bytes;
  }
}

/**
 * Split a payload into GELF chunks of `bodySize` payload bytes each (plus the 12-byte header), as
 * gelf-rb does with its `max_chunk_size`; a payload that fits is sent as it is.
 */
export function chunkPayload(payload: Buffer, bodySize: number, id: Buffer): Buffer[] {
  if (payload.length <= bodySize) return [payload];
  const count = Math.ceil(payload.length / bodySize);
  if (count > MAX_CHUNKS) throw new GelfFrameError(`message of ${payload.length} bytes needs ${count} chunks, more than ${MAX_CHUNKS}`);
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const head = Buffer.alloc(CHUNK_HEADER_BYTES);
    head[0] = CHUNK_MAGIC_0; head[1] = CHUNK_MAGIC_1;
    id.copy(head, 2, 0, 8);
    head[10] = i; head[11] = count;
    out.push(Buffer.concat([head, payload.subarray(i * bodySize, (i + 1) * bodySize)]));
  }
  return out;
}
