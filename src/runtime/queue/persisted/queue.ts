/**
 * The persisted queue (`queue.type: persisted`): every accepted event is written to a page file before
 * the input is told it is accepted, and forgotten only when the batch holding it is acknowledged by every
 * output. A crash or `kill -9` replays what was accepted and not yet acknowledged (at-least-once). The
 * on-disk format is in docs/queue.md.
 *
 * Writes are gathered for one turn of the event loop and written with one write() (or sooner past 1 MiB);
 * every `queue.checkpoint.writes` events the page is fsynced and a checkpoint written. Workers read batches
 * back from the page files (the OS page cache holds what was just written, so this costs a copy, not a disk
 * read), which keeps memory bounded whatever the queue holds. When the queue reaches `queue.max_bytes` or
 * `queue.max_events`, inputs are held back; nothing is dropped.
 */
import { fsync, fsyncSync, mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import type { Event } from '../../../event/event.js';
import { decodeBatch, encodeEvent } from '../../../event/wire.js';
import type { Logger } from '../../../services/logger.js';
import type { QueueFigures } from '../../../services/metrics.js';
import type { EventQueue, QueueBatch } from '../types.js';
import { CheckpointError, readCheckpoint, writeCheckpoint, writeCheckpointAsync, type Checkpoint } from './checkpoint.js';
import { encodeRecord, PAGE_MAGIC, PageReader, PageWriter, scanPage } from './page.js';

export interface PersistedQueueOptions {
  /** The pipeline's queue directory: `<path.queue>/<pipeline.id>`. */
  dir: string;
  pageCapacity: number;
  maxBytes: number;
  /** 0: no limit. */
  maxEvents: number;
  checkpointWrites: number;
  checkpointAcks: number;
  checkpointIntervalMs: number;
  drain: boolean;
  logger: Logger;
}

interface Page {
  num: number;
  firstSeq: number;
  count: number;
  bytes: number;
  sealed: boolean;
  acked: number;
}

interface PersistedBatch extends QueueBatch { from: number; to: number }

/** Room kept below max_bytes for what one read of a socket can add once the queue says "full". */
function headroom(maxBytes: number): number {
  return Math.min(Math.floor(maxBytes / 8), 4 * 1024 * 1024);
}

const fsyncAsync = promisify(fsync);

const pageFile = (dir: string, num: number): string => join(dir, `page.${num}`);

export class PersistedQueue implements EventQueue {
  readonly type = 'persisted' as const;
  readonly #o: PersistedQueueOptions;
  readonly #pages: Page[] = [];
  #writer!: PageWriter;
  /** Sequence number the next pushed event gets. */
  #nextSeq = 0;
  /** Everything below is on disk (written). */
  #flushedSeq = 0;
  /** Next event to hand to a worker, and where it is. */
  #readSeq = 0;
  #readPage = 0;
  #readOffset = PAGE_MAGIC.length;
  #reader: PageReader | undefined;
  #readerPage = -1;
  readonly #inFlight = new Set<PersistedBatch>();
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #pendingCount = 0;
  #flushScheduled = false;
  #acceptWaiters: (() => void)[] = [];
  // Checkpoints while running are taken off the event loop (fsync of the head page, then the checkpoint
  // file, in libuv's thread pool), one at a time; requests made while one runs are served by the next.
  #checkpointing: Promise<void> | undefined;
  #checkpointRunning = false;
  #checkpointRequested = false;
  #checkpointSyncHead = false;
  #checkpointWaiters: (() => void)[] = [];
  /** Page writers rolled over while a checkpoint was syncing: closed once it is done. */
  #retiredWriters: PageWriter[] = [];
  #dataWaiters: (() => void)[] = [];
  #spaceWaiters: (() => void)[] = [];
  #writesSinceCheckpoint = 0;
  #acksSinceCheckpoint = 0;
  #dirty = false;
  #closed = false;
  #disposed = false;
  #timer: NodeJS.Timeout | undefined;

  private constructor(o: PersistedQueueOptions) { this.#o = o; }

  /**
   * `queue.checkpoint.writes: 1` or `queue.checkpoint.acks: 1` ask for every write or acknowledgement to
   * be checkpointed before anything else happens: checkpoints are then taken inline, as Logstash does.
   * Otherwise they run off the event loop (a checkpoint every 1,024 events would block it for an fsync).
   */
  get #checkpointsInline(): boolean { return this.#o.checkpointWrites === 1 || this.#o.checkpointAcks === 1; }

  /** Open (or recover) the queue in its directory. */
  static open(o: PersistedQueueOptions): PersistedQueue {
    const q = new PersistedQueue(o);
    q.#recover();
    if (o.checkpointIntervalMs > 0) {
      q.#timer = setInterval(() => {
        if (!q.#dirty) return;
        if (q.#checkpointsInline) q.#checkpoint(true);
        else void q.#requestCheckpoint(true);
      }, o.checkpointIntervalMs);
      q.#timer.unref();
    }
    return q;
  }

  // ---- recovery -----------------------------------------------------------------------------------

  #recover(): void {
    const { dir, logger } = this.#o;
    mkdirSync(dir, { recursive: true });
    let cp: Checkpoint | undefined;
    try { cp = readCheckpoint(dir); } catch (err) {
      if (!(err instanceof CheckpointError)) throw err;
      logger.warn(`persisted queue: ${err.message}; recovering from the page files alone`, { path: dir });
    }
    const nums = readdirSync(dir).map((f) => /^page\.(\d+)$/.exec(f)).filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1])).sort((a, b) => a - b);
    const known = new Map((cp?.pages ?? []).map((p) => [p.num, p]));
    let torn = 0;
    for (const num of nums) {
      const path = pageFile(dir, num);
      const state = known.get(num);
      // A sealed page of the checkpoint is trusted; any other page is scanned record by record.
      if (state?.sealed && statSync(path).size >= state.bytes) {
        this.#pages.push({ num, firstSeq: state.firstSeq, count: state.count, bytes: state.bytes, sealed: true, acked: 0 });
        continue;
      }
      const scan = scanPage(path);
      torn += scan.tornBytes;
      const first = scan.records[0]?.seq ?? state?.firstSeq ?? this.#nextSeq;
      this.#pages.push({ num, firstSeq: first, count: scan.records.length, bytes: scan.validBytes, sealed: false, acked: 0 });
    }
    // Every page but the last is sealed, whatever the checkpoint saw.
    for (let i = 0; i < this.#pages.length - 1; i++) this.#pages[i]!.sealed = true;
    const last = this.#pages[this.#pages.length - 1];
    this.#nextSeq = last ? last.firstSeq + last.count : (cp?.nextSeq ?? 0);
    if (cp && cp.nextSeq > this.#nextSeq && this.#pages.every((p) => p.count === 0)) this.#nextSeq = cp.nextSeq;
    this.#flushedSeq = this.#nextSeq;
    const firstOnDisk = this.#pages.find((p) => p.count > 0)?.firstSeq ?? this.#nextSeq;
    const firstUnacked = Math.min(Math.max(cp?.firstUnackedSeq ?? firstOnDisk, firstOnDisk), this.#nextSeq);
    this.#readSeq = firstUnacked;
    // Pages wholly acknowledged before the crash are gone.
    while (this.#pages.length > 1 && this.#pages[0]!.firstSeq + this.#pages[0]!.count <= firstUnacked) {
      unlinkSync(pageFile(dir, this.#pages.shift()!.num));
    }
    for (const p of this.#pages) p.acked = Math.max(0, Math.min(p.count, firstUnacked - p.firstSeq));
    if (torn > 0) logger.warn('persisted queue: cut an incomplete record at the end of a page (a crash while writing); every complete record is kept', { path: dir, bytes: torn });
    const head = this.#pages[this.#pages.length - 1];
    if (head && !head.sealed && head.bytes < this.#o.pageCapacity) {
      this.#writer = new PageWriter(pageFile(dir, head.num), head.bytes);
      head.bytes = this.#writer.bytes;
    } else {
      if (head) head.sealed = true;
      this.#newPage(this.#nextSeq);
    }
    this.#positionReader();
    const unread = this.#nextSeq - this.#readSeq;
    if (unread > 0) logger.info('persisted queue: recovered unacknowledged events; they are delivered again', { path: dir, events: unread });
    this.#checkpoint(true);
  }

  /** Start the next page; its first record will be `firstSeq`. */
  #newPage(firstSeq: number): void {
    const num = (this.#pages[this.#pages.length - 1]?.num ?? 0) + 1;
    this.#writer = new PageWriter(pageFile(this.#o.dir, num), undefined);
    this.#pages.push({ num, firstSeq, count: 0, bytes: this.#writer.bytes, sealed: false, acked: 0 });
  }

  /** Point the reader at readSeq: its page, and the record's offset (skipping records by their headers). */
  #positionReader(): void {
    let i = this.#pages.findIndex((p) => this.#readSeq < p.firstSeq + p.count);
    if (i < 0) i = this.#pages.length - 1;
    this.#readPage = i;
    const page = this.#pages[i]!;
    let offset = PAGE_MAGIC.length;
    const reader = this.#readerFor(i);
    for (let seq = page.firstSeq; seq < this.#readSeq; seq++) {
      const r = reader.read(offset, page.bytes);
      if (!r) break;
      offset = r.next;
    }
    this.#readOffset = offset;
  }

  #readerFor(index: number): PageReader {
    const page = this.#pages[index]!;
    if (this.#readerPage !== page.num || !this.#reader) {
      this.#reader?.close();
      this.#reader = new PageReader(pageFile(this.#o.dir, page.num));
      this.#readerPage = page.num;
    }
    return this.#reader;
  }

  // ---- writing ------------------------------------------------------------------------------------

  get #bytesOnDisk(): number {
    let n = this.#pendingBytes;
    for (const p of this.#pages) n += p.bytes;
    return n;
  }

  get #firstUnacked(): number {
    let min = this.#readSeq;
    for (const b of this.#inFlight) if (b.from < min) min = b.from;
    return min;
  }

  get full(): boolean {
    const o = this.#o;
    if (o.maxEvents > 0 && this.#nextSeq - this.#firstUnacked >= o.maxEvents) return true;
    return this.#bytesOnDisk >= o.maxBytes - headroom(o.maxBytes);
  }

  push(event: Event): boolean {
    const rec = encodeRecord(this.#nextSeq++, Buffer.from(encodeEvent(event), 'utf8'));
    this.#pending.push(rec);
    this.#pendingBytes += rec.length;
    this.#pendingCount++;
    if (this.#pendingBytes >= 1024 * 1024) this.#flush();
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
    return !this.full;
  }

  /** Write what was pushed (rolling over to new pages at page_capacity), then tell readers and inputs. */
  #flush(): void {
    this.#flushScheduled = false;
    if (this.#pendingCount === 0 || this.#disposed) return;
    const records = this.#pending;
    const count = this.#pendingCount;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#pendingCount = 0;
    let i = 0;
    while (i < records.length) {
      let head = this.#pages[this.#pages.length - 1]!;
      // A full page is sealed and a new one started; a record larger than a page gets a page of its own.
      if (head.count > 0 && head.bytes + records[i]!.length > this.#o.pageCapacity) {
        fsyncSync(this.#writer.fd);
        // A checkpoint in flight may still fsync this descriptor: it is closed after that.
        if (this.#checkpointRunning) this.#retiredWriters.push(this.#writer);
        else this.#writer.close();
        head.sealed = true;
        this.#newPage(records[i]!.readDoubleLE(8));
        head = this.#pages[this.#pages.length - 1]!;
      }
      let j = i + 1;
      let bytes = head.bytes + records[i]!.length;
      while (j < records.length && bytes + records[j]!.length <= this.#o.pageCapacity) bytes += records[j++]!.length;
      this.#writer.append(j - i === 1 ? records[i]! : Buffer.concat(records.slice(i, j)));
      head.count += j - i;
      head.bytes = this.#writer.bytes;
      i = j;
    }
    this.#flushedSeq = this.#nextSeq;
    this.#dirty = true;
    this.#writesSinceCheckpoint += count;
    const accepted = this.#acceptWaiters;
    this.#acceptWaiters = [];
    if (this.#o.checkpointWrites > 0 && this.#writesSinceCheckpoint >= this.#o.checkpointWrites && this.#checkpointsInline) {
      this.#checkpoint(true);
      for (const w of accepted) w();
    } else if (this.#o.checkpointWrites > 0 && this.#writesSinceCheckpoint >= this.#o.checkpointWrites) {
      // queue.checkpoint.writes reached: these events are accepted once the page is synced and checkpointed.
      void this.#requestCheckpoint(true).then(() => { for (const w of accepted) w(); });
    } else {
      for (const w of accepted) w();
    }
    this.#wake('data');
  }

  accepted(): Promise<void> {
    if (this.#pendingCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.#acceptWaiters.push(resolve));
  }

  /** Accepted is safe: after a crash the queue replays what its outputs had not acknowledged. */
  delivered(): Promise<void> { return this.accepted(); }

  drained(): Promise<void> {
    if (!this.full || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#spaceWaiters.push(resolve));
  }

  // ---- reading and acknowledging -----------------------------------------------------------------

  get #unread(): number { return this.#flushedSeq - this.#readSeq; }

  async read(max: number, delayMs: number): Promise<QueueBatch | null> {
    for (;;) {
      if (this.#closed && (!this.#o.drain || this.#unread === 0)) return null;
      if (this.#unread > 0) break;
      await new Promise<void>((resolve) => this.#dataWaiters.push(resolve));
    }
    if (this.#unread < max && !this.#closed && delayMs > 0) {
      await new Promise<void>((resolve) => {
        let finished = false;
        const done = (): void => { if (!finished) { finished = true; clearTimeout(timer); resolve(); } };
        const timer = setTimeout(done, delayMs);
        const check = (): void => { if (finished) return; if (this.#unread >= max || this.#closed) done(); else this.#dataWaiters.push(check); };
        this.#dataWaiters.push(check);
      });
      if (this.#closed && !this.#o.drain) return null;
    }
    const n = Math.min(max, this.#unread);
    const from = this.#readSeq;
    // The batch's records are decoded together: one JSON.parse for the batch instead of one per event.
    const payloads: string[] = [];
    while (payloads.length < n) {
      const page = this.#pages[this.#readPage]!;
      if (this.#readSeq >= page.firstSeq + page.count) {
        this.#readPage++;
        this.#readOffset = PAGE_MAGIC.length;
        continue;
      }
      const r = this.#readerFor(this.#readPage).read(this.#readOffset, page.bytes);
      if (!r || r.seq !== this.#readSeq) throw new Error(`persisted queue: page ${page.num} is damaged at offset ${this.#readOffset} (expected event ${this.#readSeq})`);
      payloads.push(r.payload.toString('utf8'));
      this.#readOffset = r.next;
      this.#readSeq++;
    }
    const events = decodeBatch(`[${payloads.join(',')}]`);
    const batch: PersistedBatch = { events, from, to: this.#readSeq };
    this.#inFlight.add(batch);
    return batch;
  }

  ack(b: QueueBatch): void {
    const batch = b as PersistedBatch;
    if (!this.#inFlight.delete(batch)) return;
    for (const p of this.#pages) {
      const lo = Math.max(batch.from, p.firstSeq);
      const hi = Math.min(batch.to, p.firstSeq + p.count);
      if (hi > lo) p.acked += hi - lo;
    }
    this.#dirty = true;
    this.#acksSinceCheckpoint += batch.to - batch.from;
    const firstUnacked = this.#firstUnacked;
    let removed = false;
    while (this.#pages.length > 1 && this.#pages[0]!.sealed && this.#pages[0]!.firstSeq + this.#pages[0]!.count <= firstUnacked) {
      const gone = this.#pages.shift()!;
      if (this.#readerPage === gone.num) { this.#reader?.close(); this.#reader = undefined; this.#readerPage = -1; }
      this.#readPage--;
      try { unlinkSync(pageFile(this.#o.dir, gone.num)); } catch { /* already gone */ }
      removed = true;
    }
    if (removed || (this.#o.checkpointAcks > 0 && this.#acksSinceCheckpoint >= this.#o.checkpointAcks)) {
      if (this.#checkpointsInline) this.#checkpoint(false);
      else void this.#requestCheckpoint(false);
    }
    if (!this.full) this.#wake('space');
  }

  /**
   * A checkpoint taken off the event loop; resolves once one that started after this call is on disk.
   * The state is read when it starts and the head page synced before the checkpoint claims it, so a
   * checkpoint never names records that are not durable; a crash meanwhile leaves the previous one, and
   * recovery scans what follows it.
   */
  #requestCheckpoint(syncHead: boolean): Promise<void> {
    this.#checkpointRequested = true;
    this.#checkpointSyncHead ||= syncHead;
    const done = new Promise<void>((resolve) => this.#checkpointWaiters.push(resolve));
    if (!this.#checkpointRunning) {
      this.#checkpointRunning = true;
      this.#checkpointing = this.#runCheckpoints();
    }
    return done;
  }

  async #runCheckpoints(): Promise<void> {
    while (this.#checkpointRequested && !this.#disposed) {
      const waiters = this.#checkpointWaiters;
      const syncHead = this.#checkpointSyncHead;
      this.#checkpointWaiters = [];
      this.#checkpointRequested = false;
      this.#checkpointSyncHead = false;
      const state = this.#checkpointState();
      this.#writesSinceCheckpoint = 0;
      this.#acksSinceCheckpoint = 0;
      this.#dirty = false;
      try {
        if (syncHead) await fsyncAsync(this.#writer.fd);
        await writeCheckpointAsync(this.#o.dir, state);
      } catch (err) {
        this.#dirty = true;
        this.#o.logger.warn('persisted queue: could not write a checkpoint; the next one will', { path: this.#o.dir, reason: err instanceof Error ? err.message : String(err) });
      }
      for (const w of waiters) w();
    }
    // No await since the loop's test: a request from here on starts a new run.
    this.#checkpointRunning = false;
    for (const w of this.#retiredWriters.splice(0)) w.close();
    // Disposed meanwhile: whoever waits is released (dispose writes the last checkpoint itself).
    for (const w of this.#checkpointWaiters.splice(0)) w();
  }

  #checkpointState(): Checkpoint {
    return {
      firstUnackedSeq: this.#firstUnacked,
      nextSeq: this.#flushedSeq,
      pages: this.#pages.map((p) => ({ num: p.num, firstSeq: p.firstSeq, count: p.count, bytes: p.bytes, sealed: p.sealed })),
    };
  }

  /** A checkpoint now, on the event loop (recovery and shutdown). */
  #checkpoint(syncHead: boolean): void {
    if (this.#disposed) return;
    if (syncHead) fsyncSync(this.#writer.fd);
    writeCheckpoint(this.#o.dir, this.#checkpointState(), true);
    this.#writesSinceCheckpoint = 0;
    this.#acksSinceCheckpoint = 0;
    this.#dirty = false;
  }

  close(): void {
    this.#closed = true;
    this.#flush();
    this.#wake('data');
    this.#wake('space');
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#flush();
    if (this.#timer) clearInterval(this.#timer);
    while (this.#checkpointRunning) await this.#checkpointing;
    this.#checkpoint(true);
    this.#disposed = true;
    this.#writer.close();
    this.#reader?.close();
  }

  figures(): QueueFigures {
    const bytes = this.#bytesOnDisk;
    return {
      type: 'persisted',
      events_count: this.#nextSeq - this.#firstUnacked,
      queue_size_in_bytes: bytes,
      max_queue_size_in_bytes: this.#o.maxBytes,
      capacity: {
        page_capacity_in_bytes: this.#o.pageCapacity,
        max_queue_size_in_bytes: this.#o.maxBytes,
        max_unread_events: this.#o.maxEvents,
        queue_size_in_bytes: bytes,
      },
    };
  }

  #wake(which: 'data' | 'space'): void {
    const list = which === 'data' ? this.#dataWaiters : this.#spaceWaiters;
    if (list.length === 0) return;
    if (which === 'data') this.#dataWaiters = []; else this.#spaceWaiters = [];
    for (const w of list) w();
  }
}
