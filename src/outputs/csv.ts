/**
 * csv: writes the configured `fields` of each event as one CSV line (logstash-output-csv 3.0.10), to a
 * file whose path may use sprintf as the file output's does. As upstream:
 * - a missing field is an empty field; a hash is written as JSON; other values as Ruby's `String(value)`
 *   (arrays inspected: `["a", "b"]`);
 * - with `spreadsheet_safe` (default) a string starting with `=`, `+`, `-` or `@` gets a `'` in front;
 * - `csv_options` are Ruby CSV's writer options (`col_sep`, `row_sep`, `quote_char`, `force_quotes`,
 *   `quote_empty`, `write_nil_value`, `write_empty_value`); reader-only options are accepted and ignored;
 * - the codec is not used, and lines are always appended (`write_behavior` has no effect, as upstream);
 * - everything about files (sprintf'd paths, the failure file, modes, gzip, stale files, fsync cadence) is
 *   the file output's: upstream's csv output is a subclass of it, and here it is the file output itself.
 */
import { parseFieldRef, type FieldPath } from '../event/fieldref.js';
import { toS } from '../event/ruby.js';
import { isHash, stringifyValue, type Value } from '../event/values.js';
import { RUBY_CSV_DEFAULTS, rubyCsvLine, type RubyCsvOptions } from '../formats/ruby-csv.js';
import type { ConfigValue } from '../plugins/options.js';
import { defineOutput, PluginConfigError, type CodecInstance } from '../plugins/api.js';
import fileOutput, { layout } from './file.js';

// Options of Ruby's CSV.new that only concern reading: a line generator accepts and ignores them.
const READER_OPTIONS = new Set([
  'converters', 'unconverted_fields', 'headers', 'return_headers', 'header_converters', 'skip_blanks',
  'skip_lines', 'liberal_parsing', 'nil_value', 'empty_value', 'strip', 'field_size_limit', 'max_field_size',
]);
const STRING_OPTIONS = ['col_sep', 'row_sep', 'quote_char', 'write_nil_value', 'write_empty_value'] as const;
const BOOLEAN_OPTIONS = ['force_quotes', 'quote_empty'] as const;

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
    flush_interval: { type: 'number', default: 2, doc: 'Seconds between fsyncs of written files, as the file output (0: every batch).' },
    gzip: { type: 'boolean', default: false, doc: 'Gzip the output stream (sync-flushed after every batch, as the file output).' },
    stale_cleanup_interval: { type: 'number', default: 10, doc: 'Seconds after which files not written to are closed.' },
    write_behavior: { type: 'string', default: 'append', values: ['append', 'overwrite'], doc: 'Accepted as in Logstash; the csv output always appends.' },
  },
  check(options, ctx) {
    const problems: PluginConfigError[] = [];
    try { csvWriterOptions(options.csv_options); } catch (e) { if (e instanceof PluginConfigError) problems.push(e); else throw e; }
    for (const f of options.fields) {
      try { parseFieldRef(String(f)); } catch (e) { problems.push(new PluginConfigError(`invalid field reference ${JSON.stringify(String(f))}: ${(e as Error).message}`, 'fields')); }
    }
    try { layout(options.path, ctx.cwd); } catch (e) { if (e instanceof PluginConfigError) problems.push(e); else throw e; }
    return problems;
  },
  async create(options, ctx) {
    const line = rubyCsvLine(csvWriterOptions(options.csv_options));
    const fields: FieldPath[] = options.fields.map((f) => parseFieldRef(String(f)));
    const safe = options.spreadsheet_safe;
    // Upstream's csv output is the file output writing CSV lines instead of its codec's text (and always
    // appending): the file output is used as it is, given a codec that makes the CSV line.
    const csvLines: CodecInstance = {
      decoder() { throw new Error('the csv output does not decode'); },
      encode: (event) => line(fields.map((f) => fieldText(event.get(f), safe))),
    };
    const output = await fileOutput.create({ ...options, codec: csvLines, write_behavior: 'append' }, ctx);
    // Not encoded by worker threads: they would encode with the declared (unused) codec, not the CSV lines.
    const { receiveEncoded: _encodedByThreads, ...own } = output;
    return own;
  },
});
