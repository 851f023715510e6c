/**
 * csv: writes the configured `fields` of each event as one CSV line (logstash-output-csv 3.0.10), to a
 * file whose path may use sprintf as the file output's does. As upstream:
 * - a missing field is an empty field; a hash is written as JSON; other values as Ruby's `String(value)`
 *   (arrays inspected: `["a", "b"]`);
 * - with `spreadsheet_safe` (default) a string starting with `=`, `+`, `-` or `@` gets a `'` in front;
 * - `csv_options` are Ruby CSV's writer options (`col_sep`, `row_sep`, `quote_char`, `force_quotes`,
 *   `quote_empty`, `write_nil_value`, `write_empty_value`); reader-only options are accepted and ignored;
 * - the codec is not used, and lines are always appended (`write_behavior` has no effect, as upstream);
 * - a sprintf'd path escaping its fixed directory prefix, or (with `create_if_deleted => false`) a file
 *   that does not exist, is replaced by `<prefix>/<filename_failure>`.
 */
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import type { Writable } from 'node:stream';
import { createGzip, type Gzip } from 'node:zlib';
import type { Event } from '../event/event.js';
import { parseFieldRef, type FieldPath } from '../event/fieldref.js';
import { toS } from '../event/ruby.js';
import { compileSprintf } from '../event/sprintf.js';
import { isHash, stringifyValue, type Value } from '../event/values.js';
import { RUBY_CSV_DEFAULTS, rubyCsvLine, type RubyCsvOptions } from '../formats/ruby-csv.js';
import type { ConfigValue } from '../plugins/options.js';
import { defineOutput, PluginConfigError } from '../plugins/api.js';
import { writeWithBackpressure } from './_write.js';

// Options of Ruby's CSV.new that only concern reading: a line generator accepts and ignores them.
const READER_OPTIONS = new Set([
  'converters', 'unconverted_fields', 'headers', 'return_headers', 'header_converters', 'skip_blanks',
  'skip_lines', 'liberal_parsing', 'nil_value', 'empty_value', 'strip', 'field_size_limit', 'max_field_size',
]);
const STRING_OPTIONS = ['col_sep', 'row_sep', 'quote_char', 'write_nil_value', 'write_empty_value'] as const;
const BOOLEAN_OPTIONS = ['force_quotes', 'quote_empty'] as const;

const FIELD_REF = /%\{[^}]+\}/;

/** csv_options as Ruby's writer takes them; throws a PluginConfigError naming what it cannot take. */
export function csvWriterOptions(given: Readonly<Record<string, ConfigValue>>): RubyCsvOptions {
  const out: RubyCsvOptions = { ...RUBY_CSV_DEFAULTS };
  for (const [key, value] of Object.entries(given)) {
    if ((STRING_OPTIONS as readonly string[]).includes(key)) {
      if (typeof value !== 'string' && typeof value !== 'number') throw new PluginConfigError(`csv_options: ${key} must be a string`, 'csv_options');
      (out as unknown as Record<string, string>)[key] = String(value);
    } else if ((BOOLEAN_OPTIONS as readonly string[]).includes(key)) {
      if (value === true || value === 'true') (out as unknown as Record<string, boolean>)[key] = true;
      else if (value === false || value === 'false') (out as unknown as Record<string, boolean>)[key] = false;
      else throw new PluginConfigError(`csv_options: ${key} must be true or false (got ${JSON.stringify(value)})`, 'csv_options');
    } else if (key === 'write_headers' || key === 'write_converters') {
      throw new PluginConfigError(`csv_options: ${key} is not supported (each event is one line written on its own)`, 'csv_options');
    } else if (!READER_OPTIONS.has(key)) {
      throw new PluginConfigError(`csv_options: unknown option ${key}`, 'csv_options', `Ruby CSV's writer options are ${[...STRING_OPTIONS, ...BOOLEAN_OPTIONS].join(', ')}`);
    }
  }
  if ([...out.quote_char].length !== 1) throw new PluginConfigError(':quote_char has to be a single character String', 'csv_options');
  if (out.col_sep === '') throw new PluginConfigError(':col_sep must be 1 or more characters', 'csv_options');
  return out;
}

/** The text of one field as upstream's get_value/escape_csv make it (null for a missing field). */
function fieldText(value: Value | undefined, spreadsheetSafe: boolean): string | null {
  if (value === undefined || value === null) return null;
  if (isHash(value)) return stringifyValue(value);
  if (typeof value === 'string') return spreadsheetSafe && /^[=+\-@]/.test(value) ? `'${value}` : value;
  return toS(value);
}

interface OpenFile { stream: WriteStream; gzip?: Gzip; writer: Writable; lastWrite: number }

export default defineOutput({
  name: 'csv',
  doc: 'Writes chosen fields of each event as a CSV line to a file (the path may use sprintf), as Ruby\'s CSV writes them.',
  options: {
    fields: { type: 'array', required: true, doc: 'Field references written, in order; a missing field is an empty column.' },
    csv_options: { type: 'hash', default: {}, doc: 'Ruby CSV writer options: `col_sep`, `row_sep`, `quote_char`, `force_quotes`, `quote_empty`, `write_nil_value`, `write_empty_value`.' },
    spreadsheet_safe: { type: 'boolean', default: true, doc: 'Put a `\'` before string values starting with `=`, `+`, `-` or `@`.' },
    path: { type: 'string', required: true, doc: 'File to write; may use `%{field}` and `%{+yyyy.MM.dd}` (not in its first directory).' },
    codec: { type: 'codec', default: 'json_lines', doc: 'Accepted as in Logstash; not used (lines are CSV).' },
    create_if_deleted: { type: 'boolean', default: true, doc: 'Re-create the file when it was deleted; when false, a missing file\'s lines go to `filename_failure`.' },
    dir_mode: { type: 'number', default: -1, doc: 'Mode of created directories (-1: the process default).' },
    file_mode: { type: 'number', default: -1, doc: 'Mode of created files (-1: the process default).' },
    filename_failure: { type: 'string', default: '_filepath_failures', doc: 'File name used when the sprintf\'d path is unsafe.' },
    flush_interval: { type: 'number', default: 2, doc: 'Accepted as in Logstash; every batch is flushed.' },
    gzip: { type: 'boolean', default: false, doc: 'Gzip the output stream (flushed after every batch).' },
    stale_cleanup_interval: { type: 'number', default: 10, doc: 'Seconds after which files not written to are closed.' },
    write_behavior: { type: 'string', default: 'append', values: ['append', 'overwrite'], doc: 'Accepted as in Logstash; the csv output always appends.' },
  },
  check(options, ctx) {
    const problems: PluginConfigError[] = [];
    try { csvWriterOptions(options.csv_options); } catch (e) { if (e instanceof PluginConfigError) problems.push(e); else throw e; }
    for (const f of options.fields) {
      try { parseFieldRef(String(f)); } catch (e) { problems.push(new PluginConfigError(`invalid field reference ${JSON.stringify(String(f))}: ${(e as Error).message}`, 'fields')); }
    }
    const first = resolve(ctx.cwd, options.path).split(sep).find((p) => p !== '');
    if (first !== undefined && FIELD_REF.test(first)) problems.push(new PluginConfigError('The starting part of the path should not be dynamic.', 'path'));
    return problems;
  },
  create(options, ctx) {
    const line = rubyCsvLine(csvWriterOptions(options.csv_options));
    const fields: FieldPath[] = options.fields.map((f) => parseFieldRef(String(f)));
    const safe = options.spreadsheet_safe;
    const template = resolve(ctx.cwd, options.path);
    const formatPath = compileSprintf(template);
    const dynamic = FIELD_REF.test(template);
    // Logstash's file root: the directories before the first part holding a sprintf reference.
    const parts = template.split(sep);
    const root = dynamic ? parts.slice(0, parts.findIndex((p) => FIELD_REF.test(p))).join(sep) : dirname(template);
    const failurePath = resolve(root || sep, options.filename_failure);
    const files = new Map<string, OpenFile>();

    const eventPath = (event: Event): string => {
      const p = resolve(ctx.cwd, formatPath(event));
      if (dynamic && !p.startsWith(root + sep)) {
        ctx.logger.warn('File: the event tried to write outside the files root, writing the event to the failure file', { filename: failurePath });
        return failurePath;
      }
      if (!options.create_if_deleted && !existsSync(p)) return failurePath;
      return p;
    };

    const close = (f: OpenFile): Promise<void> => new Promise((done) => {
      f.stream.once('close', () => done());
      f.writer.end();
    });

    const open = async (path: string): Promise<OpenFile> => {
      const cached = files.get(path);
      const exists = existsSync(path);
      if (cached && exists) return cached;
      if (cached && !options.create_if_deleted) return cached;
      if (cached) { files.delete(path); await close(cached); }
      ctx.logger.info('Opening file', { path });
      mkdirSync(dirname(path), { recursive: true, ...(options.dir_mode >= 0 ? { mode: options.dir_mode } : {}) });
      const stream = createWriteStream(path, { flags: 'a', ...(options.file_mode >= 0 ? { mode: options.file_mode } : {}) });
      stream.on('error', (err) => { ctx.logger.error('csv output: write failed', { path, error: err.message }); });
      let f: OpenFile;
      if (options.gzip) {
        const gzip = createGzip();
        gzip.pipe(stream);
        f = { stream, gzip, writer: gzip, lastWrite: 0 };
      } else f = { stream, writer: stream, lastWrite: 0 };
      files.set(path, f);
      return f;
    };

    const staleMs = options.stale_cleanup_interval * 1000;
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
        const byPath = new Map<string, string>();
        for (const e of events) {
          const p = eventPath(e);
          byPath.set(p, (byPath.get(p) ?? '') + line(fields.map((f) => fieldText(e.get(f), safe))));
        }
        for (const [path, text] of byPath) {
          const f = await open(path);
          f.lastWrite = Date.now();
          await writeWithBackpressure(f.writer, text);
          if (f.gzip) await new Promise<void>((r) => f.gzip!.flush(() => r()));
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
