/**
 * Lumberjack (the Beats protocol) frames, without I/O. Every frame starts with a version byte (`1` or
 * `2`) and a type byte:
 *   W  window size: u32 — how many data frames the writer sends before it waits for an ACK;
 *   J  JSON data (v2): u32 sequence, u32 length, that many bytes of JSON;
 *   D  key/value data (v1): u32 sequence, u32 pair count, then per pair u32 length + key, u32 length + value;
 *   C  compressed: u32 length, that many bytes of zlib holding whole frames;
 *   A  ACK (reader → writer): u32 sequence, acknowledging every frame up to it.
 * All integers are big-endian. The parser is incremental: bytes are fed as they arrive and whole frames
 * come out; a compressed frame is inflated and its frames come out in order.
 */
import zlib from 'node:zlib';

export type LumberjackFrame =
  | { type: 'window'; version: number; size: number }
  | { type: 'json'; version: number; sequence: number; payload: Buffer }
  | { type: 'data'; version: number; sequence: number; fields: Record<string, string> };

export class LumberjackProtocolError extends Error {}

/** Frames larger than this are refused (a corrupt length would otherwise buffer without end). */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

/** An ACK frame for `sequence`, in the writer's protocol version. */
export function ackFrame(version: number, sequence: number): Buffer {
  const b = Buffer.alloc(6);
  b[0] = version === 1 ? 0x31 : 0x32;
  b[1] = 0x41;
  b.writeUInt32BE(sequence >>> 0, 2);
  return b;
}

export class LumberjackParser {
  #buf: Buffer = Buffer.alloc(0);
  readonly #maxBytes: number;

  constructor(maxFrameBytes = MAX_FRAME_BYTES) { this.#maxBytes = maxFrameBytes; }

  /** Bytes held that do not yet make a whole frame. */
  get buffered(): number { return this.#buf.length; }

  /** Feed bytes; returns the whole frames they complete. Throws LumberjackProtocolError on a bad stream. */
  push(chunk: Buffer): LumberjackFrame[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: LumberjackFrame[] = [];
    const used = parseFrames(this.#buf, out, this.#maxBytes, false);
    this.#buf = used === this.#buf.length ? Buffer.alloc(0) : Buffer.from(this.#buf.subarray(used));
    return out;
  }
}

/**
 * Parse whole frames from `buf` into `out`; returns the bytes used. With `complete`, the buffer must end
 * on a frame boundary (the content of a compressed frame).
 */
function parseFrames(buf: Buffer, out: LumberjackFrame[], max: number, complete: boolean): number {
  let at = 0;
  for (;;) {
    if (buf.length - at < 2) break;
    const v = buf[at]!;
    if (v !== 0x31 && v !== 0x32) throw new LumberjackProtocolError(`unknown protocol version byte 0x${v.toString(16)}`);
    const version = v - 0x30;
    const type = buf[at + 1]!;
    const rest = buf.length - at - 2;
    const p = at + 2;
    if (type === 0x57) { // W
      if (rest < 4) break;
      out.push({ type: 'window', version, size: buf.readUInt32BE(p) });
      at = p + 4;
    } else if (type === 0x4a) { // J
      if (rest < 8) break;
      const len = buf.readUInt32BE(p + 4);
      if (len > max) throw new LumberjackProtocolError(`JSON frame of ${len} bytes is larger than allowed`);
      if (rest < 8 + len) break;
      out.push({ type: 'json', version, sequence: buf.readUInt32BE(p), payload: buf.subarray(p + 8, p + 8 + len) });
      at = p + 8 + len;
    } else if (type === 0x43) { // C
      if (rest < 4) break;
      const len = buf.readUInt32BE(p);
      if (len > max) throw new LumberjackProtocolError(`compressed frame of ${len} bytes is larger than allowed`);
      if (rest < 4 + len) break;
      let inner: Buffer;
      try { inner = zlib.inflateSync(buf.subarray(p + 4, p + 4 + len), { maxOutputLength: max }); } catch (err) {
        throw new LumberjackProtocolError(`cannot inflate compressed frame: ${(err as Error).message}`);
      }
      parseFrames(inner, out, max, true);
      at = p + 4 + len;
    } else if (type === 0x44) { // D
      const end = dataFrameEnd(buf, p);
      if (end < 0) break;
      const sequence = buf.readUInt32BE(p);
      const count = buf.readUInt32BE(p + 4);
      const fields: Record<string, string> = {};
      let q = p + 8;
      for (let i = 0; i < count; i++) {
        const kl = buf.readUInt32BE(q); const k = buf.toString('utf8', q + 4, q + 4 + kl); q += 4 + kl;
        const vl = buf.readUInt32BE(q); fields[k] = buf.toString('utf8', q + 4, q + 4 + vl); q += 4 + vl;
      }
      out.push({ type: 'data', version, sequence, fields });
      at = end;
    } else {
      throw new LumberjackProtocolError(`invalid frame type 0x${type.toString(16)}`);
    }
  }
  if (complete && at !== buf.length) throw new LumberjackProtocolError('compressed frame holds a partial frame');
  return at;
}

/** Where a v1 data frame starting its payload at `p` ends, or -1 when not all of it is there. */
function dataFrameEnd(buf: Buffer, p: number): number {
  if (buf.length - p < 8) return -1;
  const count = buf.readUInt32BE(p + 4);
  let q = p + 8;
  for (let i = 0; i < count * 2; i++) {
    if (buf.length - q < 4) return -1;
    q += 4 + buf.readUInt32BE(q);
    if (q > buf.length) return -1;
  }
  return q;
}
