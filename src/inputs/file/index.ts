/**
 * file: follows files (tail mode) or reads them once (read mode), as Logstash's file input does, with its
 * options, its sincedb format and its fields: `path` and `host` with ECS off, `[log][file][path]` and
 * `[host][name]` with ECS on, and `[@metadata][path]`, `[@metadata][host]` always.
 *
 * Each file is a stream of its own (a multiline codec never joins lines of two files). The file's lines are
 * cut on `delimiter` here and handed to the codec one by one, as Logstash's input hands them to
 * `codec.decode`. Positions are recorded only for events the pipeline's queue accepted. The engine is in
 * watcher.ts; the sincedb format in sincedb.ts.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Event } from '../../event/event.js';
import { defineInput, PluginConfigError, type Decoder, type InputSink } from '../../plugins/api.js';
import { fieldStamper } from '../../plugins/stamp.js';
import { FileWatcher, type LineConsumer } from './watcher.js';
import type { WatchedFile } from './watched-file.js';

export default defineInput({
  name: 'file',
  doc: 'Streams events from files: follows them as they grow and rotate (tail mode) or reads each once (read mode), remembering positions in a sincedb.',
  options: {
    path: { type: 'array', required: true, doc: 'Absolute paths of the files to read; globs allowed (`/var/log/*.log`, `/var/log/**/*.log`).' },
    exclude: { type: 'array', doc: 'File name patterns (matched against the file name, not the full path) to leave out, e.g. `*.gz`.' },
    mode: { type: 'string', default: 'tail', values: ['tail', 'read'], doc: '`tail` follows files as they grow; `read` reads each file once, then applies `file_completed_action`.' },
    start_position: { type: 'string', default: 'end', values: ['beginning', 'end'], doc: 'Where to start reading a file found at start-up that the sincedb does not know (tail mode). Files appearing later are read from their beginning.' },
    sincedb_path: { type: 'string', doc: 'Where positions are recorded (default: `<path.data>/plugins/inputs/file/.sincedb_<md5 of path>`); `/dev/null` remembers nothing.' },
    sincedb_write_interval: { type: 'duration', default: 15, doc: 'How often the sincedb is written (seconds, or a duration like `5 sec`).' },
    sincedb_clean_after: { type: 'duration', unit: 'days', default: 14, doc: 'Forget sincedb entries of files not active for this long (days, or a duration like `2 weeks`).' },
    stat_interval: { type: 'duration', default: 1, doc: 'How often files are checked for new data (seconds, or a duration like `500 ms`).' },
    discover_interval: { type: 'number', default: 15, doc: 'How often the globs are expanded to find new files, in multiples of `stat_interval`.' },
    close_older: { type: 'duration', default: 3600, doc: 'Close a file not written to for this long (tail mode); its unterminated last line is emitted. Reopened when it grows.' },
    ignore_older: { type: 'duration', doc: 'Skip the existing content of files last modified longer ago than this (read only what is appended later).' },
    max_open_files: { type: 'number', default: 4095, doc: 'Most files open at once; the others wait their turn, in order.' },
    delimiter: { type: 'string', default: '\n', doc: 'What ends a line (default newline).' },
    file_chunk_size: { type: 'number', default: 32768, doc: 'Bytes read from a file at a time.' },
    file_chunk_count: { type: 'number', default: Number.MAX_SAFE_INTEGER, doc: 'Chunks read from one file before moving to the next (default: all).' },
    file_completed_action: { type: 'string', default: 'delete', values: ['delete', 'log', 'log_and_delete'], doc: 'Read mode: what to do with a file read completely.' },
    file_completed_log_path: { type: 'string', doc: 'Read mode: file the paths of completed files are appended to (with `file_completed_action => log` or `log_and_delete`).' },
    file_sort_by: { type: 'string', default: 'last_modified', values: ['last_modified', 'path'], doc: 'Order files are read in: by modification time or by path.' },
    file_sort_direction: { type: 'string', default: 'asc', values: ['asc', 'desc'], doc: 'Sort direction of `file_sort_by` (`asc`: oldest or first path first).' },
    exit_after_read: { type: 'boolean', default: false, doc: 'Read mode: stop once every file found is read (the pipeline then shuts down).' },
    check_archive_validity: { type: 'boolean', default: false, doc: 'Read mode: check that a gzip file is complete before reading it, skipping it otherwise.' },
    codec: { type: 'codec', default: 'plain', doc: 'Codec decoding each line (default `plain`).' },
  },
  check(options, ctx) {
    const problems: PluginConfigError[] = [];
    for (const p of options.path) {
      if (!isAbsolute(String(p))) problems.push(new PluginConfigError(`File paths must be absolute, relative path specified: ${String(p)}`, 'path', `write it from the root, e.g. ${resolve(ctx.cwd, String(p))}`));
    }
    if (options.file_completed_action.includes('log') && options.file_completed_log_path === undefined) {
      problems.push(new PluginConfigError('The "file_completed_log_path" setting must be provided when the "file_completed_action" is set to "log" or "log_and_delete"', 'file_completed_log_path'));
    }
    if (options.mode === 'tail' && options.exit_after_read) {
      problems.push(new PluginConfigError('The "exit_after_read" setting only works when the "mode" is set to "read"', 'exit_after_read'));
    }
    if (options.sincedb_path !== undefined) {
      const p = resolve(ctx.cwd, options.sincedb_path);
      if (existsSync(p) && statSync(p).isDirectory()) {
        problems.push(new PluginConfigError(`The "sincedb_path" argument must point to a file, received a directory: "${options.sincedb_path}"`, 'sincedb_path'));
      }
    }
    if (options.delimiter === '') problems.push(new PluginConfigError('delimiter must not be empty', 'delimiter'));
    if (!(options.file_chunk_size > 0)) problems.push(new PluginConfigError('file_chunk_size must be a positive number of bytes', 'file_chunk_size'));
    return problems;
  },
  create(options, ctx) {
    const codec = options.codec;
    const host = hostname();
    const ecs = ctx.ecs !== 'disabled';
    const hostField = ecs ? '[host][name]' : 'host';
    const pathField = ecs ? '[log][file][path]' : 'path';
    const stamp = fieldStamper(ctx.logger);
    const patterns = options.path.map(String);
    const sincedbPath = options.sincedb_path !== undefined
      ? resolve(ctx.cwd, options.sincedb_path)
      : join(ctx.dataDir, 'plugins', 'inputs', 'file', `.sincedb_${createHash('md5').update(patterns.join(',')).digest('hex')}`);
    const completedLog = options.file_completed_log_path === undefined ? undefined : resolve(ctx.cwd, options.file_completed_log_path);
    const readMode = options.mode === 'read';
    let watcher: FileWatcher | undefined;
    let stopRequested = false;

    return {
      async run(sink: InputSink) {
        if (options.sincedb_path === undefined) {
          ctx.logger.info('No sincedb_path set, generating one based on the "path" setting', { sincedb_path: sincedbPath, path: patterns });
        }
        if (completedLog !== undefined && !existsSync(completedLog)) {
          try { mkdirSync(dirname(completedLog), { recursive: true }); writeFileSync(completedLog, ''); } catch {
            throw new Error(`The "file_completed_log_path" file can't be created: ${completedLog}`);
          }
        }
        /** Per file: its codec stream, and the function its events go out through. */
        const decoders = new Map<WatchedFile, { decoder: Decoder; emit: (e: Event) => void }>();
        let full = false;
        const emitter = (file: WatchedFile) => (e: Event): void => {
          e.metadata.path = file.origin;
          e.metadata.host = host;
          stamp(e, hostField, host);
          stamp(e, pathField, file.origin);
          if (!sink.push(e)) full = true;
        };
        const streamOf = (file: WatchedFile): { decoder: Decoder; emit: (e: Event) => void } => {
          let s = decoders.get(file);
          if (s === undefined) {
            const emit = emitter(file);
            s = { decoder: codec.decoder(emit, { key: file.origin }), emit };
            decoders.set(file, s);
          }
          return s;
        };
        const consumer: LineConsumer = {
          line(file, line) {
            full = false;
            const { decoder, emit } = streamOf(file);
            if (decoder.line !== undefined) decoder.line(line);
            else if (codec.decodeFrame !== undefined) codec.decodeFrame(line, emit);
            else decoder.push(line);
            return !full;
          },
          end(file) {
            const s = decoders.get(file);
            if (s === undefined) return;
            decoders.delete(file);
            s.decoder.end();
          },
          drained: () => sink.drained(),
          delivered: () => sink.delivered(),
          get stopping() { return stopRequested || sink.stopping; },
          async completed(path) {
            const action = options.file_completed_action;
            if (action.includes('log') && completedLog !== undefined) {
              try { appendFileSync(completedLog, `${path}\n`); } catch (err) {
                ctx.logger.warn('could not append to file_completed_log_path', { path: completedLog, reason: err instanceof Error ? err.message : String(err) });
              }
            }
            if (action.includes('delete')) {
              try { unlinkSync(path); } catch (err) {
                ctx.logger.warn('could not delete a completed file', { path, reason: err instanceof Error ? err.message : String(err) });
              }
            }
          },
        };
        watcher = new FileWatcher({
          patterns,
          exclude: (options.exclude ?? []).map(String),
          mode: options.mode,
          startAtBeginning: options.start_position === 'beginning',
          statIntervalMs: Math.max(1, options.stat_interval * 1000),
          discoverEvery: Math.max(1, Math.round(options.discover_interval)),
          sincedbPath,
          sincedbWriteIntervalMs: options.sincedb_write_interval * 1000,
          sincedbCleanAfterSeconds: options.sincedb_clean_after,
          // Read mode closes each file once read: close_older does not apply.
          closeOlderMs: readMode ? undefined : options.close_older * 1000,
          ignoreOlderMs: options.ignore_older === undefined ? undefined : options.ignore_older * 1000,
          maxOpenFiles: Math.max(1, Math.floor(options.max_open_files)),
          delimiter: Buffer.from(options.delimiter, 'utf8'),
          chunkSize: Math.floor(options.file_chunk_size),
          chunkCount: Math.max(1, Math.floor(options.file_chunk_count)),
          sortBy: options.file_sort_by,
          sortDescending: options.file_sort_direction === 'desc',
          exitAfterRead: options.exit_after_read,
          checkArchiveValidity: options.check_archive_validity,
        }, consumer, ctx.logger);
        if (stopRequested) watcher.stop();
        await watcher.run();
      },
      stop() {
        stopRequested = true;
        watcher?.stop();
      },
    };
  },
});
