/**
 * Queue page files (docs/queue.md): `page.<n>`, a 4-byte magic then records appended one after another,
 *
 *   u32 length | u32 crc32(payload) | f64 seq | payload (length bytes: one event in the wire format)
 *
 * all little-endian. A record is complete when its whole payload is on disk and the checksum matches:
 * recovery keeps every complete record of a page and cuts a torn one at the end (a crash mid-write).
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';

export const PAGE_MAGIC = Buffer.from('SLQ1', 'latin1');
export const RECORD_HEADER = 16;

export function encodeRecord(seq: number, payload: Buffer): Buffer {
  const b = Buffer.allocUnsafe(RECORD_HEADER + payload.length);
  b.writeUInt32LE(payload.length, 0);
  b.writeUInt32LE(crc32(payload), 4);
  b.writeDoubleLE(seq, 8);
  payload.copy(b, RECORD_HEADER);
  return b;
}

export interface ScannedRecord { seq: number; offset: number; length: number }

export interface PageScan {
  records: ScannedRecord[];
  /** Bytes of the page that hold complete records (the magic included). */
  validBytes: number;
  /** Bytes after validBytes that were not a complete record (a torn write), or a bad checksum. */
  tornBytes: number;
}

/** How much of a page recovery reads at once (records are checked inside the window, not one read each). */
const SCAN_WINDOW = 8 * 1024 * 1024;

/** Read a page from its start and find its complete records. */
export function scanPage(path: string): PageScan {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const records: ScannedRecord[] = [];
    if (size < PAGE_MAGIC.length) return { records, validBytes: 0, tornBytes: size };
    let window = Buffer.alloc(Math.min(size, SCAN_WINDOW));
    // The window holds the page's bytes [base, base + filled).
    let base = 0;
    let filled = readSync(fd, window, 0, window.length, 0);
    if (!window.subarray(0, PAGE_MAGIC.length).equals(PAGE_MAGIC)) return { records, validBytes: 0, tornBytes: size };
    let off = PAGE_MAGIC.length;
    while (off + RECORD_HEADER <= size) {
      let at = off - base;
      if (at + RECORD_HEADER > filled) {
        base = off;
        at = 0;
        filled = readSync(fd, window, 0, Math.min(window.length, size - off), off);
      }
      const length = window.readUInt32LE(at);
      const sum = window.readUInt32LE(at + 4);
      const seq = window.readDoubleLE(at + 8);
      const end = off + RECORD_HEADER + length;
      if (end > size) break;
      if (end - base > filled) {
        // The record runs past the window: slide the window to start at it (growing it for a huge record).
        if (RECORD_HEADER + length > window.length) window = Buffer.alloc(RECORD_HEADER + length);
        base = off;
        at = 0;
        filled = readSync(fd, window, 0, Math.min(window.length, size - off), off);
      }
      if (crc32(window.subarray(at + RECORD_HEADER, at + RECORD_HEADER + length)) !== sum) break;
      records.push({ seq, offset: off, length });
      off = end;
    }
    return { records, validBytes: off, tornBytes: size - off };
  } finally {
    closeSync(fd);
  }
}

/** Append-only writer of one page. */
export class PageWriter {
  readonly fd: number;
  #bytes: number;

  /** Open a page for appending; a new page gets the magic; a recovered one is cut to its complete records. */
  constructor(readonly path: string, validBytes: number | undefined) {
    this.fd = openSync(path, validBytes === undefined ? 'w+' : 'r+');
    if (validBytes === undefined || validBytes < PAGE_MAGIC.length) {
      ftruncateSync(this.fd, 0);
      writeSync(this.fd, PAGE_MAGIC, 0, PAGE_MAGIC.length, 0);
      this.#bytes = PAGE_MAGIC.length;
    } else {
      ftruncateSync(this.fd, validBytes);
      this.#bytes = validBytes;
    }
  }

  get bytes(): number { return this.#bytes; }

  /** Write records (already encoded, concatenated) at the end of the page. */
  append(data: Buffer): void {
    let done = 0;
    while (done < data.length) done += writeSync(this.fd, data, done, data.length - done, this.#bytes + done);
    this.#bytes += data.length;
  }

  close(): void { closeSync(this.fd); }
}

/** Sequential reader of one page's records from an offset, with one read buffer. */
export class PageReader {
  readonly #fd: number;
  #buf = Buffer.alloc(256 * 1024);
  #bufStart = 0;
  #bufLen = 0;

  constructor(readonly path: string) { this.#fd = openSync(path, 'r'); }

  /** The record at `offset`, or undefined when it is not (yet) complete or fails its checksum. */
  read(offset: number, limit: number): { seq: number; payload: Buffer; next: number } | undefined {
    if (offset + RECORD_HEADER > limit) return undefined;
    const header = this.#slice(offset, RECORD_HEADER);
    const length = header.readUInt32LE(0);
    const sum = header.readUInt32LE(4);
    const seq = header.readDoubleLE(8);
    if (offset + RECORD_HEADER + length > limit) return undefined;
    const payload = this.#slice(offset + RECORD_HEADER, length);
    if (crc32(payload) !== sum) return undefined;
    return { seq, payload, next: offset + RECORD_HEADER + length };
  }

  #slice(at: number, n: number): Buffer {
    if (at < this.#bufStart || at + n > this.#bufStart + this.#bufLen) {
      if (n > this.#buf.length) this.#buf = Buffer.alloc(n * 2);
      this.#bufStart = at;
      this.#bufLen = readSync(this.#fd, this.#buf, 0, this.#buf.length, at);
    }
    return this.#buf.subarray(at - this.#bufStart, at - this.#bufStart + n);
  }

  close(): void { closeSync(this.#fd); }
}
