/**
 * file: appends events to a file whose path may use sprintf (`/var/log/%{type}-%{+yyyy.MM.dd}.log`),
 * encoded by the codec (default `json_lines`). As in Logstash, a path whose sprintf'd part escapes the
 * fixed directory prefix (e.g. through `..`) is replaced by `<prefix>/<filename_failure>`.
 */
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import { compileSprintf } from '../event/sprintf.js';
import type { Event } from '../event/event.js';
import { defineOutput } from '../plugins/api.js';
import { encodeBatch, writeWithBackpressure } from './_write.js';

interface OpenFile { stream: WriteStream; gzip?: Gzip; writer: NodeJS.WritableStream }

export default defineOutput({
  name: 'file',
  doc: 'Writes events to files, one encoded event per line by default (`json_lines`). The path may contain sprintf references.',
  options: {
    path: { type: 'string', required: true, doc: 'File to write; may use `%{field}` and `%{+yyyy.MM.dd}`.' },
    codec: { type: 'codec', default: 'json_lines', doc: 'Codec encoding each event (default `json_lines`).' },
    create_if_deleted: { type: 'boolean', default: true, doc: 'Re-create the file when it was deleted while open.' },
    dir_mode: { type: 'number', default: -1, doc: 'Mode of created directories (-1: the process default).' },
    file_mode: { type: 'number', default: -1, doc: 'Mode of created files (-1: the process default).' },
    filename_failure: { type: 'string', default: '_filepath_failures', doc: 'File name used when the sprintf\'d path is unsafe.' },
    flush_interval: { type: 'number', default: 2, doc: 'Seconds between flushes; 0 flushes every batch.' },
    gzip: { type: 'boolean', default: false, doc: 'Gzip the output stream.' },
    stale_cleanup_interval: { type: 'number', default: 10, doc: 'Seconds after which files not written to are closed.' },
    write_behavior: { type: 'string', default: 'append', values: ['append', 'overwrite'], doc: '`append` to the file, or `overwrite` it with each batch.' },
  },
  create(options, ctx) {
    const codec = options.codec;
    const template = options.path;
    const formatPath = compileSprintf(template);
    const dynamic = template.includes('%{');
    // The fixed directory prefix before the first sprintf reference: dynamic parts may not escape it.
    const root = dynamic ? dirname(resolve(template.slice(0, template.indexOf('%{')) + 'x')) : '';
    const overwrite = options.write_behavior === 'overwrite';
    const files = new Map<string, OpenFile & { lastWrite: number }>();
    const staleMs = options.stale_cleanup_interval * 1000;

    const resolvePath = (event: Event): string => {
      const p = resolve(formatPath(event));
      if (dynamic && p !== root && !p.startsWith(root + sep)) {
        ctx.logger.warn('file output path escapes its directory; writing to the failure file', { path: p });
        return resolve(root, options.filename_failure);
      }
      return p;
    };

    const open = (path: string, truncate: boolean): OpenFile => {
      mkdirSync(dirname(path), { recursive: true, ...(options.dir_mode >= 0 ? { mode: options.dir_mode } : {}) });
      const stream = createWriteStream(path, { flags: truncate ? 'w' : 'a', ...(options.file_mode >= 0 ? { mode: options.file_mode } : {}) });
      if (options.gzip) {
        const gzip = createGzip();
        gzip.pipe(stream);
        return { stream, gzip, writer: gzip };
      }
      return { stream, writer: stream };
    };

    const close = (f: OpenFile): Promise<void> => new Promise((done) => {
      if (f.gzip) { f.stream.once('close', () => done()); f.gzip.end(); } else f.stream.end(() => done());
    });

    let cleanup: NodeJS.Timeout | undefined;
    if (staleMs > 0) {
      cleanup = setInterval(() => {
        const now = Date.now();
        for (const [p, f] of files) if (now - f.lastWrite > staleMs) { files.delete(p); void close(f); }
      }, staleMs);
      cleanup.unref();
    }

    return {
      async receive(events) {
        const byPath = new Map<string, Event[]>();
        for (const e of events) {
          const p = resolvePath(e);
          let list = byPath.get(p);
          if (!list) byPath.set(p, (list = []));
          list.push(e);
        }
        for (const [path, list] of byPath) {
          let f = files.get(path);
          if (f && overwrite) { files.delete(path); await close(f); f = undefined; }
          if (f && options.create_if_deleted && !existsSync(path)) { files.delete(path); await close(f); f = undefined; }
          if (!f) { f = { ...open(path, overwrite), lastWrite: 0 }; files.set(path, f); }
          f.lastWrite = Date.now();
          await writeWithBackpressure(f.writer as unknown as import('node:stream').Writable, encodeBatch(codec, list));
        }
      },
      async close() {
        if (cleanup) clearInterval(cleanup);
        await Promise.all([...files.values()].map(close));
        files.clear();
      },
    };
  },
});
