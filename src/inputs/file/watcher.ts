/**
 * The file input's engine (Logstash's filewatch): finds files by glob, follows them through rotations,
 * reads them in order, and records in the sincedb how far the pipeline has accepted each one.
 *
 * One loop, ticking every `stat_interval` (sooner when fs.watch says a watched directory changed):
 *  1. discovery (every `discover_interval` ticks, and on a directory event): expand the globs, and for each
 *     file found decide whether it is one already followed (same inode and first bytes; perhaps renamed),
 *     a copy of one (copytruncate), one the sincedb knows, or a new one, and where to start reading it;
 *  2. reading: each file in order (`file_sort_by`/`file_sort_direction`, a rotated file before the one that
 *     replaced it), from its position to its end, through at most `max_open_files` descriptors; a file
 *     shorter than its position, or whose first bytes changed, was truncated and is read again from 0;
 *  3. commit: once the pipeline has accepted every event read (with the persisted queue: written to its
 *     pages), the positions reached become the ones the sincedb records, every `sincedb_write_interval`.
 *
 * Tail mode follows files forever; read mode reads each file once, gzip'd ones too, then hands it to
 * `file_completed_action`.
 */
import { watch, type FSWatcher } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, dirname, sep } from 'node:path';
import { createGunzip } from 'node:zlib';
import { createReadStream } from 'node:fs';
import fg from 'fast-glob';
import type { Logger } from '../../plugins/api.js';
import { identityKey, loadSincedb, saveSincedb, type SincedbEntry } from './sincedb.js';
import { COPY_MATCH_BYTES, FINGERPRINT_BYTES, samePrefix, TAIL_BYTES, WatchedFile, type ReadContent } from './watched-file.js';

export interface WatchSettings {
  patterns: readonly string[];
  exclude: readonly string[];
  mode: 'tail' | 'read';
  startAtBeginning: boolean;
  statIntervalMs: number;
  /** Discovery every this many ticks. */
  discoverEvery: number;
  sincedbPath: string;
  sincedbWriteIntervalMs: number;
  sincedbCleanAfterSeconds: number;
  closeOlderMs: number | undefined;
  ignoreOlderMs: number | undefined;
  maxOpenFiles: number;
  delimiter: Buffer;
  chunkSize: number;
  chunkCount: number;
  sortBy: 'last_modified' | 'path';
  sortDescending: boolean;
  exitAfterRead: boolean;
  checkArchiveValidity: boolean;
}

/** Where the watcher's lines go (the file input: its codec, per file, then the pipeline). */
export interface LineConsumer {
  /** One line of `file` (without the delimiter). False when the pipeline's queue is full. */
  line(file: WatchedFile, line: Buffer): boolean;
  /** `file`'s stream is over (closed, deleted, completed): flush what its codec holds. */
  end(file: WatchedFile): void;
  drained(): Promise<void>;
  /** Every line handed over so far survives a crash (InputSink#delivered). */
  delivered(): Promise<void>;
  readonly stopping: boolean;
  /** Read mode: `file` was read completely and its events accepted (file_completed_action). */
  completed(path: string): Promise<void>;
}

const GZIP = /\.(gz|gzip)$/i;
/** How long after a truncation a new file may be recognised as the truncated content's copy. */
const COPY_WINDOW_MS = 60_000;
/** How long a rotated-away file stays open at its end in case its writer has not reopened yet. */
const ROTATED_GRACE_MS = 5_000;
/** Most directories watched with fs.watch (the rest rely on polling). */
const MAX_DIR_WATCHES = 256;

export class FileWatcher {
  readonly #s: WatchSettings;
  readonly #log: Logger;
  readonly #out: LineConsumer;
  /** `exclude` as fast-glob ignore patterns: Logstash matches them against the file name only. */
  readonly #ignore: string[];
  /** Every file followed, by identity. */
  readonly #byKey = new Map<string, WatchedFile>();
  /** The file each path names now. */
  readonly #byPath = new Map<string, WatchedFile>();
  readonly #sincedb: Map<string, SincedbEntry>;
  #ticks = 0;
  #lastRoundMs = 0;
  #lastSincedbWrite = Date.now();
  #dirty = false;
  #stopped = false;
  #wake: (() => void) | undefined;
  /** Something happened during a round (a directory event, a freed descriptor): tick again soon. */
  #again = false;
  #discoverSoon = false;
  readonly #dirWatches = new Map<string, FSWatcher>();
  /** Read mode: files read, waiting for their events to be delivered before file_completed_action. */
  readonly #completing = new Set<Promise<void>>();

  constructor(settings: WatchSettings, consumer: LineConsumer, logger: Logger) {
    this.#s = settings;
    this.#out = consumer;
    this.#log = logger;
    this.#ignore = settings.exclude.map((p) => `**/${p}`);
    this.#sincedb = loadSincedb(settings.sincedbPath);
  }

  /** Follow the files until stop() (tail mode), or until all are read with `exit_after_read`. */
  async run(): Promise<void> {
    let initial = true;
    try {
      while (!this.#stopped && !this.#out.stopping) {
        if (initial || this.#discoverSoon || this.#ticks % this.#s.discoverEvery === 0) {
          this.#discoverSoon = false;
          await this.#discover(initial);
          initial = false;
        }
        this.#ticks++;
        const t0 = performance.now();
        if (this.#s.mode === 'read') await this.#readModeRound();
        else await this.#tailRound();
        this.#lastRoundMs = performance.now() - t0;
        await this.#commit();
        this.#housekeeping();
        if (Date.now() - this.#lastSincedbWrite >= this.#s.sincedbWriteIntervalMs) this.#writeSincedb();
        if (this.#s.mode === 'read' && this.#s.exitAfterRead && [...this.#byKey.values()].every((f) => f.completed)) {
          await Promise.all([...this.#completing]);
          break;
        }
        await this.#sleep();
      }
    } finally {
      await this.#shutdown();
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#wake?.();
  }

  // ---- discovery --------------------------------------------------------------------------------

  async #discover(initial: boolean): Promise<void> {
    const found = await fg([...this.#s.patterns], {
      onlyFiles: true, absolute: true, dot: false, followSymbolicLinks: true, suppressErrors: true, unique: true, ignore: this.#ignore,
    });
    const seen = new Set<WatchedFile>();
    const fresh: WatchedFile[] = [];
    for (const path of found) {
      const name = basename(path);
      let st;
      try { st = await stat(path); } catch { continue; }
      if (!st.isFile()) continue;
      const key = identityKey(st.ino, st.dev);
      if (this.#s.mode === 'tail' && GZIP.test(name) && !this.#byKey.has(key)) {
        // Tail mode reads a gzip'd rotation only as part of the backlog found at start-up (oldest first,
        // with start_position => beginning). One appearing later is the compressed copy of lines already
        // read: it is remembered as read, so a restart does not read it either.
        const remembered = this.#sincedb.get(key);
        if (!initial || !this.#s.startAtBeginning || remembered !== undefined) {
          if (remembered === undefined) {
            this.#sincedb.set(key, { key, position: st.size, lastActive: Date.now() / 1000, path, fingerprint: await readPrefix(path) });
            this.#dirty = true;
          }
          continue;
        }
      }
      const known = this.#byKey.get(key);
      if (known !== undefined) {
        // Same inode. Unless the inode was reused for a new file (known is closed, its first bytes differ).
        if (known.open || samePrefix(await readPrefix(path), known.fingerprint)) {
          seen.add(known);
          if (known.path !== path) {
            this.#log.debug('file renamed', { from: known.path, to: path });
            known.path = path;
          }
          this.#byPath.set(path, known);
          known.rotated = false;
          continue;
        }
        this.#forget(known);
      }
      const file = new WatchedFile(key, path, this.#s.delimiter);
      file.archive = GZIP.test(name);
      file.size = st.size;
      file.mtimeMs = st.mtimeMs;
      file.fingerprint = await readPrefix(path);
      const previous = this.#byPath.get(path);
      if (previous !== undefined && previous !== file && previous.key !== key) {
        // The path names a new file: the old one was rotated away (renamed or deleted); it is read to its
        // end first, and its unterminated last line continues in the new one (Upstart's case).
        previous.rotated = true;
        file.predecessor = previous;
      }
      await this.#placeNewFile(file, initial);
      this.#byKey.set(key, file);
      this.#byPath.set(path, file);
      seen.add(file);
      fresh.push(file);
    }
    for (const file of this.#byKey.values()) {
      if (!seen.has(file) && !file.rotated) {
        // No glob matches it any more (renamed out of the pattern, or deleted).
        file.rotated = true;
        if (this.#byPath.get(file.path) === file) this.#byPath.delete(file.path);
      }
    }
    if (fresh.length > 0) this.#log.debug('files discovered', { count: fresh.length });
    this.#watchDirectories();
  }

  /** Where a newly found file starts: the sincedb's position, a copy's, or start_position's. */
  async #placeNewFile(file: WatchedFile, initial: boolean): Promise<void> {
    const entry = this.#sincedb.get(file.key);
    if (entry !== undefined && (entry.fingerprint === undefined || samePrefix(entry.fingerprint, file.fingerprint))) {
      // Known from an earlier run. A file shorter than the recorded position was truncated meanwhile.
      file.pos = entry.position <= file.size ? entry.position : 0;
      file.committed = file.pos;
      file.lastActive = entry.lastActive;
      return;
    }
    const copied = this.#s.mode === 'tail' ? await this.#copySource(file) : undefined;
    if (copied !== undefined) {
      file.pos = copied;
      file.committed = file.pos;
      this.#log.info('file is a copy of a followed file (copytruncate); reading it from where the original was read to', { path: file.path, position: file.pos });
      return;
    }
    if (this.#s.mode === 'read') return;
    // A file like one being followed, but not (yet) recognisable as its copy: logrotate copies, then
    // truncates; wait a moment for the truncation before deciding.
    for (const other of this.#byKey.values()) {
      if (other !== file && !other.rotated && file.size >= other.pos && samePrefix(other.fingerprint, file.fingerprint, COPY_MATCH_BYTES)) {
        file.copyCheckUntil = Date.now() + Math.max(2 * this.#s.statIntervalMs, 1000);
      }
    }
    const old = this.#s.ignoreOlderMs !== undefined && Date.now() - file.mtimeMs > this.#s.ignoreOlderMs;
    // start_position applies to the files found at start-up; files appearing later are read from the start.
    if (old || (initial && !this.#s.startAtBeginning)) file.pos = file.size;
    file.committed = file.pos;
  }

  /**
   * When `file` is a copy of a followed file that was then truncated (logrotate's copytruncate), the
   * position the original had been read to: where reading the copy resumes. A copy starts with the same
   * bytes, is at least as long as what was read, holds the same bytes just before that point, and appears
   * within a minute of the truncation; two files that merely share a header are not taken for copies.
   */
  async #copySource(file: WatchedFile): Promise<number | undefined> {
    const now = Date.now();
    for (const other of this.#byKey.values()) {
      if (other === file) continue;
      let read: ReadContent | undefined;
      const before = other.beforeTruncation;
      if (before !== undefined && now - before.at < COPY_WINDOW_MS) read = before;
      else if (other.size < other.pos) read = other; // shrunk at the last stat, not read since
      if (read === undefined || file.size < read.pos || !samePrefix(read.fingerprint, file.fingerprint, COPY_MATCH_BYTES)) continue;
      if (read.tail.length > 0 && !(await readAt(file.path, read.pos - read.tail.length, read.tail.length)).equals(read.tail)) continue;
      return read.pos;
    }
    return undefined;
  }

  #forget(file: WatchedFile): void {
    if (!file.ended) { this.#flushResidue(file); this.#out.end(file); file.ended = true; }
    void file.close();
    this.#byKey.delete(file.key);
    if (this.#byPath.get(file.path) === file) this.#byPath.delete(file.path);
  }

  // ---- reading ----------------------------------------------------------------------------------

  #ordered(): WatchedFile[] {
    const files = [...this.#byKey.values()];
    const dir = this.#s.sortDescending ? -1 : 1;
    if (this.#s.sortBy === 'path') files.sort((a, b) => dir * (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    else files.sort((a, b) => dir * (a.mtimeMs - b.mtimeMs) || (a.path < b.path ? -1 : 1));
    // A rotated file before the one that replaced it, whatever the sort says.
    const out: WatchedFile[] = [];
    const placed = new Set<WatchedFile>();
    const place = (f: WatchedFile): void => {
      if (placed.has(f)) return;
      placed.add(f);
      if (f.predecessor !== undefined && this.#byKey.get(f.predecessor.key) === f.predecessor) place(f.predecessor);
      out.push(f);
    };
    for (const f of files) place(f);
    return out;
  }

  #openCount(): number {
    let n = 0;
    for (const f of this.#byKey.values()) if (f.open) n++;
    return n;
  }

  async #tailRound(): Promise<void> {
    const now = Date.now();
    let openCount = this.#openCount();
    // Files without a descriptor: those with something to read get one first (in order), then idle ones
    // while descriptors are free, so a rotation of an idle file still finds it open.
    const toRead: WatchedFile[] = [];
    const idleClosed: WatchedFile[] = [];
    for (const file of this.#ordered()) {
      if (this.#stopped || this.#out.stopping) return;
      if (file.archive) {
        if (!file.completed) await this.#readArchive(file);
        continue;
      }
      if (file.copyCheckUntil > now) {
        // Still deciding whether it is a copy: did the file it resembles just shrink?
        const copied = await this.#copySource(file);
        if (copied !== undefined) { file.pos = copied; file.committed = file.pos; file.copyCheckUntil = 0; }
        else continue;
      }
      if (file.open) { await this.#readAvailable(file); continue; }
      if (file.ended && file.rotated) continue;
      // Not open: new, closed by close_older, or closed to free a descriptor.
      let st;
      try { st = await stat(file.path); } catch { continue; }
      if (identityKey(st.ino, st.dev) !== file.key) continue;
      file.mtimeMs = st.mtimeMs;
      if (st.size !== file.pos) toRead.push(file);
      else if (!file.ended) { file.size = st.size; idleClosed.push(file); }
    }
    const waiting: WatchedFile[] = [];
    for (const file of toRead) {
      if (this.#stopped || this.#out.stopping) return;
      if (openCount >= this.#s.maxOpenFiles) { waiting.push(file); continue; }
      if (!(await this.#open(file))) continue;
      openCount++;
      await this.#readAvailable(file);
    }
    if (waiting.length > 0) {
      this.#log.debug('max_open_files reached; files wait for a descriptor', { waiting: waiting.length, max_open_files: this.#s.maxOpenFiles });
      // Files at their end give their descriptor to those waiting (they are reopened when they grow).
      const idle = this.#ordered().filter((f) => f.open && f.size === f.pos && !f.rotated);
      for (const f of idle.slice(0, waiting.length)) await f.close();
      if (idle.length > 0) this.#again = true;
      return;
    }
    for (const file of idleClosed) {
      if (openCount >= this.#s.maxOpenFiles) break;
      if (await this.#open(file)) openCount++;
    }
  }

  async #open(file: WatchedFile): Promise<boolean> {
    try { file.fd = await open(file.path, 'r'); } catch { return false; }
    // Reopened after close_older: a new stream for its codec.
    file.ended = false;
    file.lastGrowth = Date.now();
    return true;
  }

  /** Read `file` from its position to its end (at most file_chunk_count chunks this round). */
  async #readAvailable(file: WatchedFile): Promise<void> {
    const fd = file.fd!;
    let st;
    try { st = await fd.stat(); } catch { await file.close(); return; }
    file.deleted = st.nlink === 0;
    file.mtimeMs = st.mtimeMs;
    let truncated = st.size < file.pos;
    if (!truncated && st.size !== file.size && file.fingerprint.length > 0) {
      const head = await readPrefixOf(fd, Math.min(file.fingerprint.length, st.size));
      truncated = !samePrefix(head, file.fingerprint) && head.length > 0;
    }
    if (truncated) {
      this.#log.info('file was truncated; reading it again from its start', { path: file.path, position: file.pos, size: st.size });
      file.beforeTruncation = { fingerprint: file.fingerprint, pos: file.pos, tail: file.tail, at: Date.now() };
      file.tail = Buffer.alloc(0);
      this.#flushResidue(file);
      file.pos = 0;
      file.fingerprint = Buffer.alloc(0);
    }
    file.size = st.size;
    if (st.size <= file.pos) return;
    const pred = file.predecessor;
    if (file.pos === 0 && pred !== undefined && pred.tokenizer.pendingBytes > 0 && pred.pos >= pred.size) {
      // The rotated file ended in the middle of a line whose rest was written to this one.
      const rest = pred.tokenizer.flush();
      file.tokenizer.push(rest, () => undefined);
      file.pos = 0;
    }
    if (file.fingerprint.length < FINGERPRINT_BYTES) file.fingerprint = await readPrefixOf(fd, Math.min(FINGERPRINT_BYTES, st.size));
    const buf = Buffer.allocUnsafe(this.#s.chunkSize);
    let full = false;
    const onLine = (line: Buffer): void => { if (!this.#out.line(file, line)) full = true; };
    for (let chunk = 0; chunk < this.#s.chunkCount && file.pos < st.size; chunk++) {
      const want = Math.min(buf.length, st.size - file.pos);
      const { bytesRead } = await fd.read(buf, 0, want, file.pos);
      if (bytesRead === 0) break;
      file.pos += bytesRead;
      file.tail = bytesRead >= TAIL_BYTES
        ? Buffer.from(buf.subarray(bytesRead - TAIL_BYTES, bytesRead))
        : Buffer.concat([file.tail, buf.subarray(0, bytesRead)]).subarray(-TAIL_BYTES);
      file.tokenizer.push(buf.subarray(0, bytesRead), onLine);
      if (full) { full = false; await this.#out.drained(); }
      if (this.#stopped || this.#out.stopping) break;
    }
    file.lastGrowth = Date.now();
    file.lastActive = Date.now() / 1000;
    this.#dirty = true;
  }

  async #readModeRound(): Promise<void> {
    for (const file of this.#ordered()) {
      if (this.#stopped || this.#out.stopping) return;
      if (file.completed) continue;
      if (file.pos >= file.size && file.size > 0 && file.committed >= file.size && this.#sincedb.has(file.key)) {
        // Read completely in an earlier run.
        file.completed = true;
        continue;
      }
      const gz = GZIP.test(file.path);
      try {
        if (gz) await this.#readGzip(file);
        else {
          file.fd = await open(file.path, 'r');
          // Read to the end as it is now; a file still growing is read again at the next discovery.
          await this.#readAvailable(file);
          await file.close();
        }
      } catch (err) {
        this.#log.warn('could not read file', { path: file.path, reason: err instanceof Error ? err.message : String(err) });
        await file.close();
        file.completed = true;
        continue;
      }
      if (this.#stopped || this.#out.stopping) return;
      // A last line without a delimiter is a line in read mode: the file is complete.
      this.#flushResidue(file);
      this.#out.end(file);
      file.ended = true;
      file.completed = true;
      // Completed once its events are delivered; the next file is read meanwhile.
      const finish = this.#out.delivered().then(async () => {
        file.committed = gz ? file.size : file.pos;
        this.#sincedb.set(file.key, { key: file.key, position: file.committed, lastActive: Date.now() / 1000, path: file.path, fingerprint: file.fingerprint });
        this.#dirty = true;
        await this.#out.completed(file.path);
        // The sincedb remembers it now: found again (file_completed_action => log), it is skipped.
        this.#byKey.delete(file.key);
        if (this.#byPath.get(file.path) === file) this.#byPath.delete(file.path);
      }).finally(() => this.#completing.delete(finish));
      this.#completing.add(finish);
    }
  }

  async #readGzip(file: WatchedFile): Promise<void> {
    if (this.#s.checkArchiveValidity && !(await gzipIsValid(file.path))) {
      throw new Error('the gzip file is corrupt or incomplete (check_archive_validity)');
    }
    const stream = createReadStream(file.path).pipe(createGunzip());
    let full = false;
    const onLine = (line: Buffer): void => { if (!this.#out.line(file, line)) full = true; };
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      file.tokenizer.push(chunk, onLine);
      if (full) { full = false; await this.#out.drained(); }
      if (this.#stopped || this.#out.stopping) { stream.destroy(); return; }
    }
    file.pos = file.size;
  }

  /** Tail mode: a gzip'd file of the backlog found at start-up, read once (never followed). */
  async #readArchive(file: WatchedFile): Promise<void> {
    if (file.pos >= file.size && file.size > 0) { file.completed = true; return; } // ignore_older
    try {
      await this.#readGzip(file);
    } catch (err) {
      this.#log.warn('could not read gzip file', { path: file.path, reason: err instanceof Error ? err.message : String(err) });
    }
    if (this.#stopped || this.#out.stopping) return;
    this.#flushResidue(file);
    this.#out.end(file);
    file.ended = true;
    file.completed = true;
    file.pos = file.size;
  }

  /** Emit the unterminated last line as a line of its own (close_older, truncation, end of a read). */
  #flushResidue(file: WatchedFile): void {
    const rest = file.tokenizer.flush();
    if (rest.length > 0) this.#out.line(file, rest);
  }

  // ---- commit, sincedb, housekeeping ------------------------------------------------------------

  /**
   * Record the positions reached once the events read up to them are delivered (InputSink#delivered). The
   * loop does not wait for that (reading goes on while the outputs work): each snapshot is applied when its
   * events are safe, in order. `wait` waits (shutdown, read mode).
   */
  async #commit(wait = false): Promise<void> {
    const reached = [...this.#byKey.values()].map((f) => [f, f.lineStart] as const);
    const apply = (): void => {
      for (const [f, at] of reached) {
        if (f.committed !== at) { f.committed = at; this.#dirty = true; }
      }
    };
    const safe = this.#out.delivered().then(apply);
    if (wait) await safe;
  }

  #writeSincedb(): void {
    this.#lastSincedbWrite = Date.now();
    for (const f of this.#byKey.values()) {
      this.#sincedb.set(f.key, { key: f.key, position: f.committed, lastActive: f.lastActive, path: f.path, fingerprint: f.fingerprint });
    }
    if (!this.#dirty) return;
    this.#dirty = false;
    try {
      const expired = saveSincedb(this.#s.sincedbPath, this.#sincedb.values(), this.#s.sincedbCleanAfterSeconds);
      for (const key of expired) this.#sincedb.delete(key);
    } catch (err) {
      this.#log.warn('could not write the sincedb', { sincedb_path: this.#s.sincedbPath, reason: err instanceof Error ? err.message : String(err) });
    }
  }

  #housekeeping(): void {
    const now = Date.now();
    for (const file of [...this.#byKey.values()]) {
      if (this.#s.mode === 'read' || file.archive) continue;
      const atEnd = file.pos >= file.size;
      const idle = now - file.lastGrowth;
      if (file.open && atEnd && (file.deleted || (file.rotated && idle >= Math.min(ROTATED_GRACE_MS, this.#s.closeOlderMs ?? ROTATED_GRACE_MS)))) {
        // Rotated away or deleted, and read to its end: done with it. What is left of an unterminated line
        // stays for the file that replaced it, if any (it is taken over when that file is read).
        const successor = this.#byPath.get(file.origin);
        if (successor === undefined || successor === file) this.#flushResidue(file);
        if (!file.ended) { this.#out.end(file); file.ended = true; }
        void file.close();
        if (file.deleted) this.#dropLater(file);
        continue;
      }
      if (file.open && !file.rotated && this.#s.closeOlderMs !== undefined && atEnd && idle >= this.#s.closeOlderMs) {
        // close_older: the file is closed (and its last line, even unterminated, flushed) until it grows.
        this.#log.debug('closing file not written to for close_older', { path: file.path });
        this.#flushResidue(file);
        this.#out.end(file);
        file.ended = true;
        void file.close();
      }
    }
    for (const [at, f] of this.#byPath) if (f.ended && f.rotated && this.#byPath.get(at) === f) this.#byPath.delete(at);
  }

  /** A deleted file's entry: kept in the sincedb until sincedb_clean_after, no longer followed. */
  #dropLater(file: WatchedFile): void {
    this.#sincedb.set(file.key, { key: file.key, position: file.committed, lastActive: file.lastActive, path: file.path, fingerprint: file.fingerprint });
    this.#byKey.delete(file.key);
    for (const [p, f] of this.#byPath) if (f === file) this.#byPath.delete(p);
  }

  #watchDirectories(): void {
    const dirs = new Set<string>();
    for (const p of this.#s.patterns) dirs.add(staticDirectory(p));
    for (const f of this.#byKey.values()) dirs.add(dirname(f.path));
    for (const dir of dirs) {
      if (this.#dirWatches.has(dir) || this.#dirWatches.size >= MAX_DIR_WATCHES) continue;
      try {
        const w = watch(dir, { persistent: false }, (type) => {
          if (type === 'rename') this.#discoverSoon = true;
          this.#again = true;
          this.#wake?.();
        });
        w.on('error', () => { w.close(); this.#dirWatches.delete(dir); });
        this.#dirWatches.set(dir, w);
      } catch { /* not watchable (gone, too many watches): polling covers it */ }
    }
  }

  #sleep(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    // After a directory event the next tick comes soon, not at once: a busy writer must not turn the loop
    // into a spin. How soon scales with what a round costs (twice its time, 5 to 100 ms), so a few files are
    // read within milliseconds and thousands do not keep the loop busy.
    const soon = Math.min(100, Math.max(5, 2 * this.#lastRoundMs));
    const again = this.#again;
    this.#again = false;
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => { clearTimeout(timer); this.#wake = undefined; resolve(); };
      timer = setTimeout(done, again ? soon : this.#s.statIntervalMs);
      this.#wake = () => { clearTimeout(timer); this.#wake = undefined; timer = setTimeout(done, this.#stopped ? 0 : soon); };
    });
  }

  async #shutdown(): Promise<void> {
    for (const w of this.#dirWatches.values()) w.close();
    this.#dirWatches.clear();
    // Flush the codecs (a multiline event in progress) but keep unterminated lines unread: the recorded
    // position is where they start, so the next run reads them whole.
    for (const f of this.#byKey.values()) if (!f.ended) { this.#out.end(f); f.ended = true; }
    await this.#commit(true);
    await Promise.all([...this.#completing]);
    this.#dirty = true;
    this.#writeSincedb();
    await Promise.all([...this.#byKey.values()].map((f) => f.close()));
  }
}

/** `length` bytes of the file at `path` from `offset` (fewer, or none, when it cannot be read). */
async function readAt(path: string, offset: number, length: number): Promise<Buffer> {
  let fd;
  try {
    fd = await open(path, 'r');
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fd.read(buf, 0, length, Math.max(0, offset));
    return buf.subarray(0, bytesRead);
  } catch { return Buffer.alloc(0); } finally { await fd?.close().catch(() => undefined); }
}

/** The first bytes of the file at `path` (empty when it cannot be read). */
const readPrefix = (path: string): Promise<Buffer> => readAt(path, 0, FINGERPRINT_BYTES);

async function readPrefixOf(fd: import('node:fs/promises').FileHandle, n: number): Promise<Buffer> {
  const buf = Buffer.alloc(n);
  const { bytesRead } = await fd.read(buf, 0, n, 0);
  return buf.subarray(0, bytesRead);
}

async function gzipIsValid(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createReadStream(path).pipe(createGunzip());
    s.on('data', () => undefined);
    s.once('end', () => resolve(true));
    s.once('error', () => resolve(false));
  });
}

/** The directory a glob starts from: its path up to the first segment with a wildcard. */
export function staticDirectory(pattern: string): string {
  const parts = pattern.split(sep);
  const fixed: string[] = [];
  for (const part of parts.slice(0, -1)) {
    if (/[*?[\]{}]/.test(part)) break;
    fixed.push(part);
  }
  return fixed.join(sep) || sep;
}
