/**
 * The queue's checkpoint (docs/queue.md): which pages exist, how many complete records each sealed page
 * holds, and the first sequence number not yet acknowledged. Written to `checkpoint.tmp`, synced, then
 * renamed over `checkpoint`, so a crash leaves either the old or the new one, never half of one; a
 * checksum guards it all the same.
 *
 *   "SLCP" | u16 version (1) | f64 firstUnackedSeq | f64 nextSeq | u32 pages
 *   | per page: u32 num | f64 firstSeq | u32 count | f64 bytes | u8 sealed
 *   | u32 crc32 of everything before
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

export interface PageState {
  num: number;
  firstSeq: number;
  /** Complete records in the page (for the head page: as of this checkpoint). */
  count: number;
  /** Bytes of the page holding complete records. */
  bytes: number;
  /** Rolled over: nothing more is written to it. */
  sealed: boolean;
}

export interface Checkpoint {
  firstUnackedSeq: number;
  nextSeq: number;
  pages: PageState[];
}

const MAGIC = 'SLCP';
const PAGE_ENTRY = 4 + 8 + 4 + 8 + 1;

export function encodeCheckpoint(c: Checkpoint): Buffer {
  const b = Buffer.alloc(4 + 2 + 8 + 8 + 4 + c.pages.length * PAGE_ENTRY + 4);
  let o = b.write(MAGIC, 0, 'latin1');
  o = b.writeUInt16LE(1, o);
  o = b.writeDoubleLE(c.firstUnackedSeq, o);
  o = b.writeDoubleLE(c.nextSeq, o);
  o = b.writeUInt32LE(c.pages.length, o);
  for (const p of c.pages) {
    o = b.writeUInt32LE(p.num, o);
    o = b.writeDoubleLE(p.firstSeq, o);
    o = b.writeUInt32LE(p.count, o);
    o = b.writeDoubleLE(p.bytes, o);
    o = b.writeUInt8(p.sealed ? 1 : 0, o);
  }
  b.writeUInt32LE(crc32(b.subarray(0, o)), o);
  return b;
}

export class CheckpointError extends Error {}

export function decodeCheckpoint(b: Buffer): Checkpoint {
  if (b.length < 30 || b.toString('latin1', 0, 4) !== MAGIC) throw new CheckpointError('not a queue checkpoint');
  if (crc32(b.subarray(0, b.length - 4)) !== b.readUInt32LE(b.length - 4)) throw new CheckpointError('checkpoint checksum mismatch');
  let o = 4;
  const version = b.readUInt16LE(o); o += 2;
  if (version !== 1) throw new CheckpointError(`unknown checkpoint version ${version}`);
  const firstUnackedSeq = b.readDoubleLE(o); o += 8;
  const nextSeq = b.readDoubleLE(o); o += 8;
  const n = b.readUInt32LE(o); o += 4;
  const pages: PageState[] = [];
  for (let i = 0; i < n; i++) {
    const num = b.readUInt32LE(o); o += 4;
    const firstSeq = b.readDoubleLE(o); o += 8;
    const count = b.readUInt32LE(o); o += 4;
    const bytes = b.readDoubleLE(o); o += 8;
    const sealed = b.readUInt8(o) === 1; o += 1;
    pages.push({ num, firstSeq, count, bytes, sealed });
  }
  return { firstUnackedSeq, nextSeq, pages };
}

export function readCheckpoint(dir: string): Checkpoint | undefined {
  const path = join(dir, 'checkpoint');
  if (!existsSync(path)) return undefined;
  return decodeCheckpoint(readFileSync(path));
}

/** writeCheckpoint off the event loop (libuv's thread pool): the same steps, awaited. */
export async function writeCheckpointAsync(dir: string, c: Checkpoint): Promise<void> {
  const tmp = join(dir, 'checkpoint.tmp');
  const fh = await open(tmp, 'w');
  try {
    await fh.write(encodeCheckpoint(c), 0, undefined, 0);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, 'checkpoint'));
}

/** Write atomically: a temporary file, synced, renamed over the checkpoint. */
export function writeCheckpoint(dir: string, c: Checkpoint, sync: boolean): void {
  const tmp = join(dir, 'checkpoint.tmp');
  const fd = openSync(tmp, 'w');
  try {
    const b = encodeCheckpoint(c);
    writeSync(fd, b, 0, b.length, 0);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, 'checkpoint'));
}
