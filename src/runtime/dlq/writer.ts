/**
 * Writes a pipeline's dead letter queue (`dead_letter_queue.enable: true`) in the segment format of
 * src/formats/dlq.ts, under `<path.dead_letter_queue>/<pipeline.id>/`. As Logstash's writer:
 * - an entry holds the event, the reason the output gave, the output's id and type, and the time;
 * - segments are finished (renamed from `.log.tmp` to `.log`) when they reach 10 MiB or after
 *   `dead_letter_queue.flush_interval` without a new entry, so readers see entries within that time;
 * - past `dead_letter_queue.max_bytes`, `storage_policy` decides: `drop_newer` refuses the new entry,
 *   `drop_older` deletes the oldest segments; both are counted (`dropped_events`) and logged;
 * - `dead_letter_queue.retain.age` deletes finished segments older than it (counted as `expired_events`).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { countEntries, encodeEntry, finishedSegments, SEGMENT_MAGIC } from '../../formats/dlq.js';
import type { Logger } from '../../services/logger.js';
import type { DeadLetterFigures } from '../../services/metrics.js';
import type { RejectedEvent } from '../executor.js';
import type { DeadLetterWriter } from './types.js';

export const SEGMENT_MAX_BYTES = 10 * 1024 * 1024;

export interface DeadLetterSettings {
  /** `<path.dead_letter_queue>/<pipeline.id>` */
  dir: string;
  maxBytes: number;
  storagePolicy: 'drop_newer' | 'drop_older';
  flushIntervalMs: number;
  /** Milliseconds; undefined keeps segments for ever. */
  retainAgeMs: number | undefined;
  logger: Logger;
}

/** `5d`, `12h`, `30m`, `60s` (Logstash's retain.age units) → ms. */
export function parseRetainAge(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([dhms])\s*$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 }[m[2] as 'd' | 'h' | 'm' | 's'];
}

export class SegmentedDeadLetterWriter implements DeadLetterWriter {
  readonly #o: DeadLetterSettings;
  #fd: number | undefined;
  #segment = 0;
  #segmentBytes = 0;
  #finishedBytes = 0;
  #lastWrite = 0;
  #dropped = 0;
  #expired = 0;
  #lastError = '';
  readonly #timer: NodeJS.Timeout;

  constructor(o: DeadLetterSettings) {
    this.#o = o;
    mkdirSync(o.dir, { recursive: true });
    const names = readdirSync(o.dir);
    // A segment left unfinished by a crash is finished now: its complete records are readable.
    for (const f of names) {
      const m = /^(\d+)\.log\.tmp$/.exec(f);
      if (m) renameSync(join(o.dir, f), join(o.dir, `${m[1]}.log`));
    }
    const done = finishedSegments(readdirSync(o.dir));
    this.#segment = done[done.length - 1] ?? 0;
    for (const n of done) this.#finishedBytes += statSync(join(o.dir, `${n}.log`)).size;
    this.#timer = setInterval(() => this.#tick(), Math.max(100, Math.min(o.flushIntervalMs, 1000)));
    this.#timer.unref();
  }

  write(entry: RejectedEvent): void {
    const record = encodeEntry({ event: entry.event, reason: entry.reason, pluginId: entry.pluginId, pluginType: entry.pluginType, entryTime: Date.now() });
    if (this.#finishedBytes + this.#segmentBytes + record.length > this.#o.maxBytes) {
      if (this.#o.storagePolicy === 'drop_newer') {
        this.#dropped++;
        this.#lastError = 'Cannot write event to DLQ(path: ' + this.#o.dir + '): reached maxQueueSize of ' + this.#o.maxBytes;
        this.#o.logger.warn(this.#lastError, { dropped_events: this.#dropped });
        return;
      }
      this.#dropOlder(record.length);
    }
    if (this.#fd !== undefined && this.#segmentBytes + record.length > SEGMENT_MAX_BYTES) this.#finish();
    if (this.#fd === undefined) this.#open();
    let done = 0;
    while (done < record.length) done += writeSync(this.#fd!, record, done, record.length - done);
    this.#segmentBytes += record.length;
    this.#lastWrite = Date.now();
  }

  #open(): void {
    this.#segment++;
    this.#fd = openSync(join(this.#o.dir, `${this.#segment}.log.tmp`), 'w');
    writeSync(this.#fd, SEGMENT_MAGIC);
    this.#segmentBytes = SEGMENT_MAGIC.length;
  }

  /** Finish the segment being written: readers may read it from now on. */
  #finish(): void {
    if (this.#fd === undefined) return;
    fsyncSync(this.#fd);
    closeSync(this.#fd);
    this.#fd = undefined;
    renameSync(join(this.#o.dir, `${this.#segment}.log.tmp`), join(this.#o.dir, `${this.#segment}.log`));
    this.#finishedBytes += this.#segmentBytes;
    this.#segmentBytes = 0;
  }

  /** drop_older: delete the oldest finished segments until the new record fits. */
  #dropOlder(needed: number): void {
    for (const n of finishedSegments(readdirSync(this.#o.dir))) {
      if (this.#finishedBytes + this.#segmentBytes + needed <= this.#o.maxBytes) break;
      this.#deleteSegment(n, 'dropped');
    }
  }

  #deleteSegment(n: number, why: 'dropped' | 'expired'): void {
    const path = join(this.#o.dir, `${n}.log`);
    let bytes: Buffer;
    try { bytes = readFileSync(path); unlinkSync(path); } catch { return; }
    this.#finishedBytes -= bytes.length;
    const entries = countEntries(bytes);
    if (why === 'dropped') {
      this.#dropped += entries;
      this.#o.logger.warn('dead letter queue: deleted the oldest segment to make room (storage_policy drop_older)', { segment: path, events: entries });
    } else {
      this.#expired += entries;
      this.#o.logger.info('dead letter queue: deleted a segment older than retain.age', { segment: path, events: entries });
    }
  }

  #tick(): void {
    if (this.#fd !== undefined && Date.now() - this.#lastWrite >= this.#o.flushIntervalMs) this.#finish();
    const age = this.#o.retainAgeMs;
    if (age !== undefined) {
      const cutoff = Date.now() - age;
      for (const n of finishedSegments(readdirSync(this.#o.dir))) {
        const path = join(this.#o.dir, `${n}.log`);
        if (existsSync(path) && statSync(path).mtimeMs < cutoff) this.#deleteSegment(n, 'expired');
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#finish();
  }

  figures(): DeadLetterFigures {
    return {
      queue_size_in_bytes: this.#finishedBytes + this.#segmentBytes,
      dropped_events: this.#dropped,
      expired_events: this.#expired,
      last_error: this.#lastError,
      max_queue_size_in_bytes: this.#o.maxBytes,
      storage_policy: this.#o.storagePolicy,
    };
  }
}
