/**
 * file: writes events to files, as logstash-output-file 4.3 does. The path may use sprintf (one file per
 * value); each event is encoded by the codec (default `json_lines`).
 *
 * - The path is expanded against the working directory. Its first directory may not be dynamic
 *   (`/%{x}/…` is a config error). The *root* is the directory part of the path before its first `%{…}`
 *   (or the file's directory for a static path); an event whose path leaves the root (through `..`) is
 *   written to `<root>/<filename_failure>` with a warning, as is one whose path cannot be formatted.
 * - Files open in append mode and stay open; `file_mode` applies to files this output creates and
 *   `dir_mode` to each directory it creates (both exactly, whatever the umask, as on JRuby).
 * - `create_if_deleted`: a file deleted (or renamed) while open is created again on the next write. When
 *   false, events whose file does not exist go to the failure file (which is itself always re-created:
 *   Logstash would keep writing to the deleted failure file).
 * - `write_behavior => overwrite`: each batch truncates the file and writes only the last event of the
 *   batch for that file.
 * - `gzip`: each opened file gets a gzip member (a restart appends a new one; gunzip reads them as one
 *   stream); with overwrite, the file holds one complete member.
 * - `stale_cleanup_interval`: every interval, files not written to since the previous cycle are closed.
 *
 * Differences, because a batch is acknowledged (a persisted queue forgets it) when `receive` resolves:
 * every batch is written to the file descriptor before that, gzip included (Z_SYNC_FLUSH), so nothing is
 * held in a buffer. `flush_interval` is therefore the fsync cadence: every `flush_interval` seconds the
 * files written since the last fsync are fsync'd, and at 0 each batch is fsync'd before it counts as
 * delivered. The stale cycle also runs on a timer, so idle files are closed without further traffic. A
 * file that cannot be opened or written (permissions, a full disk) has its events retried, not the
 * pipeline stopped; an event the codec cannot encode is rejected (dead letter queue when enabled).
 */
import { constants as fsc, existsSync, writeSync } from 'node:fs';
import { chmod, mkdir, open, type FileHandle } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { constants as zc, createGzip, gzipSync, type Gzip } from 'node:zlib';
import type { Event } from '../event/event.js';
import { compileSprintf } from '../event/sprintf.js';
import { ByteBatch } from './_write.js';
import { defineOutput, PluginConfigError, type CodecInstance, type DeliveryReport, type Logger, type Rejection } from '../plugins/api.js';

/** What Logstash counts as a field reference in the path (`%{}` is not one). */
const FIELD_REF = /%\{[^}]+\}/;

interface PathLayout {
  /** The configured path, expanded (`~`, relative to the working directory, `..` resolved). */
  path: string;
  dynamic: boolean;
  /** Where a dynamic path's files must stay. */
  root: string;
}

/** The path as Logstash's register reads it; throws when its first directory is dynamic. */
export function layout(template: string, cwd: string): PathLayout {
  const expanded = resolve(cwd, template === '~' || template.startsWith('~/') ? homedir() + template.slice(1) : template);
  const first = expanded.split('/').find((part) => part !== '');
  if (first !== undefined && FIELD_REF.test(first)) {
    throw new PluginConfigError(`The starting part of the path should not be dynamic: ${expanded}`, 'path',
      'start the path with a fixed directory, e.g. /var/log/%{host}/out.log');
  }
  const ref = FIELD_REF.exec(expanded);
  if (!ref) return { path: expanded, dynamic: false, root: dirname(expanded) };
  const prefix = expanded.slice(0, ref.index);
  return { path: expanded, dynamic: true, root: prefix.slice(0, prefix.lastIndexOf('/')) };
}

/**
 * Whether the path exists, checked before each write as Logstash does (create_if_deleted). Synchronous on
 * purpose: a stat of a local path takes microseconds, a round trip through libuv's thread pool per batch
 * costs more than the stat and leaves the event loop idle.
 */
async function exists(path: string): Promise<boolean> {
  return existsSync(path);
}

function errorCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err ? String(err.code) : undefined;
}

/** `mkdir -p` that gives each directory it creates exactly `mode` (-1: the process default). */
async function makeDirs(dir: string, mode: number, logger: Logger): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    if (await exists(d)) break;
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d, mode >= 0 ? { mode } : undefined);
    } catch (err) {
      if (errorCode(err) === 'EEXIST') continue;
      throw err;
    }
    if (mode >= 0) await chmod(d, mode);
    logger.info('Creating directory', { directory: d });
  }
}

const APPEND = fsc.O_RDWR | fsc.O_APPEND | fsc.O_CREAT;

/** Open for appending (read-write, as Ruby's "a+": a FIFO opens without waiting for a reader). */
async function openAppend(path: string, mode: number): Promise<FileHandle> {
  if (mode < 0) return open(path, APPEND);
  try {
    const fh = await open(path, APPEND | fsc.O_EXCL, mode);
    await fh.chmod(mode);
    return fh;
  } catch (err) {
    if (errorCode(err) !== 'EEXIST') throw err;
  }
  return open(path, APPEND, mode);
}

/**
 * Write all of `data`. To a regular file synchronously, as pino's destinations and Logstash's own file
 * output do: a write into the page cache takes microseconds, while a round trip through libuv's thread
 * pool per batch leaves the event loop idle (a fifth of a syslog → file run). Anything else (a FIFO, a
 * device) through the thread pool, because a write there may wait on a reader.
 */
async function writeAll(fh: FileHandle, data: Buffer, regular = false): Promise<void> {
  if (regular) {
    for (let off = 0; off < data.length;) off += writeSync(fh.fd, data, off, data.length - off);
    return;
  }
  for (let off = 0; off < data.length;) {
    const { bytesWritten } = await fh.write(data, off, data.length - off);
    off += bytesWritten;
  }
}

/** One gzip member, compressed as it goes: each `compress` returns everything up to a sync flush. */
class GzipMember {
  readonly #z: Gzip = createGzip();
  #out: Buffer[] = [];
  #error: Error | undefined;

  constructor() {
    this.#z.on('data', (chunk: Buffer) => { this.#out.push(chunk); });
    this.#z.on('error', (err: Error) => { this.#error = err; });
  }

  #take(): Buffer {
    if (this.#error) throw this.#error;
    const out = Buffer.concat(this.#out);
    this.#out = [];
    return out;
  }

  async compress(data: Buffer): Promise<Buffer> {
    this.#z.write(data);
    await new Promise<void>((done) => { this.#z.flush(zc.Z_SYNC_FLUSH, () => done()); });
    return this.#take();
  }

  /** The member's last block and trailer. */
  async finish(): Promise<Buffer> {
    await new Promise<void>((done) => { this.#z.once('end', done); this.#z.once('error', () => done()); this.#z.end(); });
    return this.#take();
  }
}

class OutFile {
  /** Written to since the last stale cycle. */
  active = true;
  /** Written to since the last fsync. */
  dirty = false;
  syncing: Promise<void> | undefined;
  readonly #gzip: GzipMember | undefined;

  /** A regular file: written synchronously (see writeAll). */
  readonly #regular: boolean;

  constructor(readonly path: string, readonly fh: FileHandle, gzip: boolean, overwrite: boolean, regular: boolean) {
    this.#regular = regular;
    // With overwrite every batch writes a whole member of its own.
    this.#gzip = gzip && !overwrite ? new GzipMember() : undefined;
  }

  async append(data: Buffer): Promise<void> {
    this.active = true;
    if (data.length === 0) return;
    await writeAll(this.fh, this.#gzip ? await this.#gzip.compress(data) : data, this.#regular);
    this.dirty = true;
  }

  async replace(data: Buffer, gzip: boolean): Promise<void> {
    this.active = true;
    await this.fh.truncate(0);
    await writeAll(this.fh, gzip ? gzipSync(data) : data, this.#regular);
    this.dirty = true;
  }

  /** Close the gzip member (into the file even if it was renamed meanwhile), fsync what is unsynced, close. */
  async close(): Promise<void> {
    try {
      await this.syncing;
      if (this.#gzip) await writeAll(this.fh, await this.#gzip.finish(), this.#regular);
      if (this.dirty) await this.fh.sync();
    } finally {
      await this.fh.close();
    }
  }
}

export default defineOutput({
  name: 'file',
  doc: 'Writes events to files, one encoded event per line by default (`json_lines`). The path may contain '
    + 'sprintf references (one file per value, closed when idle); a path that leaves the directory before its '
    + 'first reference (through `..`) is replaced by `filename_failure` in that directory. Every batch is written '
    + 'to the file (gzip flushed) before it counts as delivered, so `flush_interval` is the fsync cadence '
    + '(0: fsync every batch).',
  options: {
    path: { type: 'string', required: true, doc: 'File to write; may use `%{field}` and `%{+yyyy.MM.dd}`.' },
    codec: { type: 'codec', default: 'json_lines', doc: 'Codec encoding each event (default `json_lines`).' },
    create_if_deleted: { type: 'boolean', default: true, doc: 'Re-create a file deleted while open; when false, events whose file does not exist go to the failure file.' },
    dir_mode: { type: 'number', default: -1, doc: 'Mode of created directories, e.g. `0750` (-1: the process default).' },
    file_mode: { type: 'number', default: -1, doc: 'Mode of created files, e.g. `0640` (-1: the process default).' },
    filename_failure: { type: 'string', default: '_filepath_failures', doc: 'File, in the path\'s fixed directory, for events whose path is refused.' },
    flush_interval: { type: 'number', default: 2, doc: 'Seconds between fsyncs of written files; 0 fsyncs every batch before it is acknowledged.' },
    gzip: { type: 'boolean', default: false, doc: 'Gzip the output (one member per opened file, sync-flushed every batch).' },
    stale_cleanup_interval: { type: 'number', default: 10, doc: 'Seconds between cycles closing the files not written to since the previous cycle.' },
    write_behavior: { type: 'string', default: 'append', values: ['append', 'overwrite'], doc: '`append` to the file, or `overwrite` it with the last event of each batch.' },
  },
  check(options, ctx) { layout(options.path, ctx.cwd); },
  create(options, ctx) {
    const { logger } = ctx;
    const codec: CodecInstance = options.codec;
    const where = layout(options.path, ctx.cwd);
    const format = compileSprintf(where.path);
    const failurePath = resolve(where.root, options.filename_failure);
    const overwrite = options.write_behavior === 'overwrite';
    const createIfDeleted = options.create_if_deleted;
    const fsyncEvery = Math.trunc(options.flush_interval) <= 0;
    const staleMs = options.stale_cleanup_interval * 1000;
    const files = new Map<string, OutFile>();
    let lastCycle = Date.now();
    let closed = false;

    // Batches, stale cycles and close take turns (Logstash's io_mutex).
    let turn: Promise<unknown> = Promise.resolve();
    const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
      const run = turn.then(fn, fn);
      turn = run.catch(() => undefined);
      return run;
    };

    // Logstash formats even a path without field references (`%{}` is not one, but prints the epoch).
    const formatted = where.path.includes('%{');
    const targetOf = (event: Event): string => {
      if (!formatted) return where.path;
      let generated: string;
      try {
        generated = format(event);
      } catch (err) {
        logger.warn('File: the path could not be formatted, writing the event to the failure file', { error: (err as Error).message, filename: failurePath });
        return failurePath;
      }
      const full = resolve(generated);
      if (!where.dynamic) return full;
      if (!full.startsWith(where.root + '/') || full.includes('\0')) {
        logger.warn('File: the event tried to write outside the files root, writing the event to the failure file', { event: event.toJSON(), path: generated, filename: failurePath });
        return failurePath;
      }
      return full;
    };

    const closeFile = async (f: OutFile): Promise<void> => {
      try { await f.close(); } catch (err) { logger.error('Exception while flushing and closing files.', { path: f.path, exception: (err as Error).message }); }
    };

    const fileFor = async (path: string): Promise<OutFile> => {
      const cached = files.get(path);
      if (cached) {
        if (await exists(path)) return cached;
        logger.debug('Required path was deleted, creating the file again', { path });
        files.delete(path);
        await closeFile(cached);
      }
      logger.info('Opening file', { path });
      const dir = dirname(path);
      if (!(await exists(dir))) await makeDirs(dir, options.dir_mode, logger);
      const fh = await openAppend(path, options.file_mode);
      let regular: boolean;
      try { regular = (await fh.stat()).isFile(); } catch (err) { await fh.close(); throw err; }
      const f = new OutFile(path, fh, options.gzip, overwrite, regular);
      files.set(path, f);
      return f;
    };

    // Logstash closes files not written since the last cycle, when a batch comes at least an interval later.
    const staleCycle = async (): Promise<void> => {
      const now = Date.now();
      if (now - lastCycle < staleMs) return;
      for (const [path, f] of files) {
        if (f.active) continue;
        logger.info(`Closing file ${path}`);
        files.delete(path);
        await closeFile(f);
      }
      for (const f of files.values()) f.active = false;
      lastCycle = now;
    };

    const fsyncDirty = (): void => {
      for (const f of files.values()) {
        if (!f.dirty) continue;
        f.dirty = false;
        const previous = f.syncing;
        f.syncing = (async () => {
          await previous;
          try { await f.fh.sync(); } catch (err) { logger.error('Exception flushing files', { path: f.path, exception: (err as Error).message }); }
        })();
      }
    };

    const timers: NodeJS.Timeout[] = [];
    if (!fsyncEvery) timers.push(setInterval(fsyncDirty, Math.trunc(options.flush_interval) * 1000));
    if (staleMs > 0) timers.push(setInterval(() => { void exclusive(staleCycle); }, staleMs));
    for (const t of timers) t.unref();

    /** The encoded events of a group, or for overwrite the last one that encodes; codec failures are rejected. */
    const encode = (events: readonly Event[], indices: readonly number[], rejected: Rejection[]): Buffer[] => {
      // The group's events are written into one buffer as they are encoded (see ByteBatch).
      const out = new ByteBatch();
      const order = overwrite ? [...indices].reverse() : indices;
      for (const i of order) {
        try {
          out.add(codec.encode(events[i]!));
          if (overwrite) break;
        } catch (err) {
          rejected.push({ index: i, reason: `codec failed: ${(err as Error).message}` });
        }
      }
      return out.length > 0 ? [out.bytes()] : [];
    };

    const write = async (events: readonly Event[]): Promise<void | DeliveryReport> => {
      // Group by file, in the order files first appear; each group keeps the batch's order.
      const groups = new Map<string, number[]>();
      const present = new Map<string, boolean>();
      for (let i = 0; i < events.length; i++) {
        let path = targetOf(events[i]!);
        if (!createIfDeleted) {
          let there = present.get(path);
          if (there === undefined) present.set(path, (there = await exists(path)));
          if (!there) path = failurePath;
        }
        let group = groups.get(path);
        if (!group) groups.set(path, (group = []));
        group.push(i);
      }
      const rejected: Rejection[] = [];
      const retry: number[] = [];
      for (const [path, indices] of groups) {
        const data = encode(events, indices, rejected);
        if (data.length === 0) continue;
        try {
          const f = await fileFor(path);
          try {
            if (overwrite) await f.replace(data[0]!, options.gzip);
            else await f.append(data.length === 1 ? data[0]! : Buffer.concat(data));
            if (fsyncEvery && f.dirty) { await f.fh.sync(); f.dirty = false; }
          } catch (err) {
            // The file's state is unknown now (a gzip member half written): the retry opens it anew.
            files.delete(path);
            await closeFile(f);
            throw err;
          }
        } catch (err) {
          logger.error('File: could not write, the events will be retried', { path, exception: (err as Error).message });
          const failed = new Set(rejected.map((r) => r.index));
          retry.push(...indices.filter((i) => !failed.has(i)));
        }
      }
      await staleCycle();
      if (rejected.length === 0 && retry.length === 0) return undefined;
      return { ...(retry.length ? { retry } : {}), ...(rejected.length ? { rejected } : {}) };
    };

    /**
     * A batch a worker thread has encoded with this output's codec: one path for every event, so the bytes
     * go to it as they are (or, with create_if_deleted off and the file gone, to the failure file, where
     * write() would send each of them). Throwing makes the pipeline retry the same bytes.
     */
    const writeEncoded = async (payload: string | Buffer): Promise<void> => {
      if (payload.length === 0) return;
      const path = !createIfDeleted && !(await exists(where.path)) ? failurePath : where.path;
      const f = await fileFor(path);
      try {
        await f.append(typeof payload === 'string' ? Buffer.from(payload) : payload);
        if (fsyncEvery && f.dirty) { await f.fh.sync(); f.dirty = false; }
      } catch (err) {
        files.delete(path);
        await closeFile(f);
        logger.error('File: could not write, the events will be retried', { path, exception: (err as Error).message });
        throw err;
      }
      await staleCycle();
    };

    return {
      receive: (events) => exclusive(() => write(events)),
      // Only for a fixed path: a path with references is chosen per event, after encoding.
      ...(formatted || overwrite ? {} : { receiveEncoded: (payload: string | Buffer) => exclusive(() => writeEncoded(payload)) }),
      close: () => {
        for (const t of timers) clearInterval(t);
        return exclusive(async () => {
          if (closed) return;
          closed = true;
          const open = [...files.values()];
          files.clear();
          await Promise.all(open.map(closeFile));
        });
      },
    };
  },
});
