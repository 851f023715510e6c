/**
 * One file the file input follows, identified by its inode (and device) plus its first bytes: the
 * inode alone is not enough, since file systems reuse the inode of a deleted file for the next one created.
 *
 * A WatchedFile outlives its path: renamed by a rotation it is still the same file, read to its end through
 * the descriptor it holds; deleted while open it is read to its end too. Its position counts the bytes read;
 * `lineStart` is where its unterminated last line starts, the position that is safe to record: a restart
 * re-reads that line whole instead of emitting half of it.
 */
import type { FileHandle } from 'node:fs/promises';
import { LineTokenizer } from '../../formats/lines.js';

/** How many first bytes identify a file. */
export const FINGERPRINT_BYTES = 256;
/** Fewest identical first bytes for a new file to be taken for a copy (logrotate's copytruncate). */
export const COPY_MATCH_BYTES = 32;

export class WatchedFile {
  /** `inode major minor`, as the sincedb keys it. */
  readonly key: string;
  /** The path it was discovered under: what events carry in `path` / `[log][file][path]`. */
  readonly origin: string;
  /** Where it is now (a rotation renames it). */
  path: string;
  fd: FileHandle | undefined;
  /** Next byte to read. */
  pos = 0;
  /** Position whose events the pipeline has accepted: what the sincedb records. */
  committed = 0;
  readonly tokenizer: LineTokenizer;
  /** The first bytes, up to FINGERPRINT_BYTES (fewer while the file is shorter). */
  fingerprint: Buffer = Buffer.alloc(0);
  /** Size at the last stat. */
  size = 0;
  mtimeMs = 0;
  /** When it last grew (or was opened), ms. */
  lastGrowth = Date.now();
  /** When its position last changed, for the sincedb's "last active" (epoch seconds). */
  lastActive = Date.now() / 1000;
  /** Its path now names another file, or no glob matches it any more: read it to its end, then let go. */
  rotated = false;
  /** Unlinked (no name left): read to the end, then closed for good. */
  deleted = false;
  /** Its stream was ended (close_older, deletion, read mode completion): the codec's state was flushed. */
  ended = false;
  /** A gzip file: read whole through gunzip, never followed. */
  archive = false;
  /** Read mode: read to its end and handed to file_completed_action. Tail mode: an archive read. */
  completed = false;
  /** The file a rotation replaced with this one: read first, and its unterminated last line continues here. */
  predecessor: WatchedFile | undefined;
  /** The last bytes read (up to TAIL_BYTES, ending at `pos`): how a copy is checked to hold what was read. */
  tail: Buffer = Buffer.alloc(0);
  /** The content before a truncation: what a copy of it must hold, and where reading the copy resumes. */
  beforeTruncation: ReadContent & { at: number } | undefined;
  /** A new file whose first bytes equal a followed file's: held back a moment in case it is a copy. */
  copyCheckUntil = 0;

  constructor(key: string, path: string, delimiter: Buffer) {
    this.key = key;
    this.origin = path;
    this.path = path;
    this.tokenizer = new LineTokenizer(delimiter);
  }

  /** Where the unterminated last line starts (the position safe to commit). */
  get lineStart(): number { return this.pos - this.tokenizer.pendingBytes; }

  get open(): boolean { return this.fd !== undefined; }

  async close(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    await fd?.close().catch(() => undefined);
  }
}

/** What was read of a file: its first bytes, how far, and the bytes just before that point. */
export interface ReadContent { fingerprint: Buffer; pos: number; tail: Buffer }

/** How many of the last bytes read are kept to recognise a copy. */
export const TAIL_BYTES = 64;

/** True when the shorter of the two byte strings is a prefix of the longer, over at least `min` bytes. */
export function samePrefix(a: Buffer, b: Buffer, min = 1): boolean {
  const n = Math.min(a.length, b.length);
  if (n < min) return false;
  return a.subarray(0, n).equals(b.subarray(0, n));
}
