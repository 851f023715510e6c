/**
 * csv: parses one CSV line of a field into fields, as logstash-filter-csv 3.1 does (on Ruby's CSV parser).
 *
 * - The line is read with `separator` (any string) and `quote_char` (one character; `"\x00"` written in
 *   the config means no quoting) under Ruby's strict rules: a quote inside an unquoted field, text after a
 *   closing quote or an unclosed quote is a parse error, tagged `_csvparsefailure`. Only the first line of
 *   a multi-line value is used. An empty unquoted column is null, a quoted one `""`.
 * - Values go to `columns` in order, then `column<N>` (unless `autogenerate_column_names` is off, which
 *   drops the extra values). Column names may be field references (`[test][one]`, `[@metadata][x]`); all go
 *   under `target` when it is set.
 * - `autodetect_column_names`: the first line read gives the column names and is dropped.
 *   `skip_header`: a line equal to the column names is dropped. `skip_empty_columns` leaves empty values out.
 *   `skip_empty_rows`: an empty line is tagged `_csvskippedemptyfield` (and not "matched"); without it an
 *   empty line is a parse failure, as in the plugin.
 * - `convert`: column name → integer, float, boolean, date (local midnight) or date_time (UTC unless the
 *   text has an offset); a value that does not convert is kept as text.
 * A missing (or null) source field leaves the event untouched.
 */
import { parse, type Options as CsvOptions } from 'csv-parse/sync';
import type { Event } from '../../event/event.js';
import { toS } from '../../event/ruby.js';
import type { Value } from '../../event/values.js';
import { defineFilter, PluginConfigError } from '../../plugins/api.js';
import { CONVERSIONS, converter, type Conversion } from './convert.js';

const FAILURE_TAG = '_csvparsefailure';
const SKIPPED_TAG = '_csvskippedemptyfield';

class CsvLineError extends Error {}

const isConversion = (v: string): v is Conversion => (CONVERSIONS as readonly string[]).includes(v);

interface LineOptions { separator: string; quote: string | false }

const RECORD_DELIMITERS = ['\r\n', '\n', '\r'];
const optionCache = new WeakMap<LineOptions, { plain: CsvOptions; typed: CsvOptions }>();

function csvOptions(opts: LineOptions): { plain: CsvOptions; typed: CsvOptions } {
  let o = optionCache.get(opts);
  if (o === undefined) {
    const plain: CsvOptions = {
      delimiter: opts.separator,
      quote: opts.quote,
      escape: opts.quote === false ? null : opts.quote,
      relax_column_count: true,
      skip_empty_lines: false,
      record_delimiter: RECORD_DELIMITERS,
      to: 1,
    };
    // Ruby tells an empty unquoted column (nil) from a quoted one (""); csv-parse says which through
    // `cast`, which costs a context object per column, so it is only asked when a column is empty.
    o = { plain, typed: { ...plain, cast: (value, context) => (context.quoting ? value : value === '' ? null : value) } };
    optionCache.set(opts, o);
  }
  return o;
}

function parseRows(text: string, options: CsvOptions): (string | null)[][] {
  try {
    return parse(text, options) as (string | null)[][];
  } catch (e) {
    throw new CsvLineError(e instanceof Error ? e.message : String(e));
  }
}

/** Ruby's CSV.parse_line: the first row's values, or null for empty text. */
export function parseCsvLine(text: string, opts: LineOptions): (string | null)[] | null {
  if (text === '') return null;
  const { plain, typed } = csvOptions(opts);
  let row = parseRows(text, plain)[0];
  if (row === undefined) return null;
  if (row.includes('')) {
    // Without two quotes in a row there is no quoted empty column: every empty one is nil.
    if (opts.quote === false || !text.includes(opts.quote + opts.quote)) row = row.map((v) => (v === '' ? null : v));
    else row = parseRows(text, typed)[0]!;
  }
  // An empty line is an empty row for Ruby, one empty column for csv-parse.
  if (row.length === 1 && row[0] === null) return [];
  return row;
}

export default defineFilter({
  name: 'csv',
  doc: 'Parses a CSV line from a field into named fields, with optional type conversion.',
  options: {
    source: { type: 'string', default: 'message', doc: 'Field holding the CSV text.' },
    columns: { type: 'array', default: [], doc: 'Column names, in order (field references allowed).' },
    separator: { type: 'string', default: ',', doc: 'Column separator (any string).' },
    quote_char: { type: 'string', default: '"', doc: 'Quote character; "\\x00" for none.' },
    target: { type: 'field_reference', doc: 'Field under which the columns are written (default: top level).' },
    autogenerate_column_names: { type: 'boolean', default: true, doc: 'Name columns beyond `columns` column1, column2… (off: drop them).' },
    skip_header: { type: 'boolean', default: false, doc: 'Drop lines equal to the column names.' },
    skip_empty_columns: { type: 'boolean', default: false, doc: 'Leave empty values out.' },
    skip_empty_rows: { type: 'boolean', default: false, doc: 'Tag empty lines `_csvskippedemptyfield` instead of failing.' },
    convert: { type: 'hash', default: {}, doc: 'Column name → integer, float, date, date_time or boolean.' },
    autodetect_column_names: { type: 'boolean', default: false, doc: 'Take the column names from the first line (dropped).' },
  },
  check: 'create',
  create(o, ctx) {
    const entries = Object.entries(o.convert).map(([k, v]): [string, string] => [k, toS(v)]);
    const bad = [...new Set(entries.map(([, v]) => v).filter((v) => !isConversion(v)))];
    if (bad.length > 0) throw new PluginConfigError(`Invalid conversion types: ${bad.join(', ')}`, 'convert', `use one of ${CONVERSIONS.join(', ')}`);
    const converters = new Map(entries.flatMap(([k, v]) => (isConversion(v) ? [[k, converter(v)] as const] : [])));

    const target = o.target === undefined ? '' : o.target.startsWith('[') ? o.target : `[${o.target}]`;
    if (o.target === undefined && ctx.ecs !== 'disabled') {
      ctx.logger.info('ECS compatibility is enabled but `target` option was not specified. This may cause fields to be set at the top-level of the event where they are likely to clash with the Elastic Common Schema. It is recommended to set the `target` option to avoid potential schema conflicts (if your data is ECS compliant or non-conflicting, feel free to ignore this message)');
    }
    const quote: string | false = o.quote_char === '\\x00' || o.quote_char === '\x00' ? false : o.quote_char;
    // Ruby's CSV refuses these on every line: each event is then a parse failure.
    let setupError: string | undefined;
    if (quote !== false && [...quote].length !== 1) setupError = ':quote_char has to be nil or a single character String';
    if (o.separator === '') setupError = ':col_sep must be 1 or more characters';
    if (setupError) ctx.logger.warn(`csv: ${setupError}; every event will be tagged ${FAILURE_TAG}`, { quote_char: o.quote_char, separator: o.separator });
    const parseOpts: LineOptions = { separator: o.separator, quote };

    let columns: (string | null)[] = o.columns.map((c) => toS(c));
    const refs = new Map<string, string>();
    const refFor = (name: string): string => {
      let r = refs.get(name);
      if (r === undefined) {
        r = name.startsWith('[') ? `${target}${name}` : target === '' ? `[${name}]` : `${target}[${name}]`;
        if (refs.size < 10_000) refs.set(name, r);
      }
      return r;
    };
    const failures = ctx.metrics.counter('failures');
    const sameAsColumns = (values: (string | null)[]): boolean =>
      values.length === columns.length && values.every((v, i) => v === columns[i]);

    const fail = (event: Event, source: string, reason: string): boolean => {
      event.tag(FAILURE_TAG);
      failures.inc();
      ctx.logger.warn('Error parsing csv', { field: o.source, source, exception: reason });
      return false;
    };

    return {
      filter(event) {
        const source = event.get(o.source);
        if (source === undefined || source === null || source === false) return false;
        const text = typeof source === 'string' ? source : toS(source);
        if (typeof source !== 'string') return fail(event, text, 'the source field is not a string');
        if (setupError) return fail(event, text, setupError);
        let values: (string | null)[] | null;
        try {
          values = parseCsvLine(text, parseOpts);
        } catch (e) {
          return fail(event, text, e instanceof Error ? e.message : String(e));
        }
        if (o.autodetect_column_names && columns.length === 0) {
          columns = values ?? [];
          event.cancel();
          return false;
        }
        if (o.skip_header && columns.length > 0 && values !== null && sameAsColumns(values)) {
          event.cancel();
          return false;
        }
        if (o.skip_empty_rows && values === null) {
          event.tag(SKIPPED_TAG);
          return false;
        }
        if (values === null) return fail(event, text, "undefined method `each_index' for nil");
        try {
          for (let i = 0; i < values.length; i++) {
            const v = values[i]!;
            if (o.skip_empty_columns && (v === null || v === '')) continue;
            const column = columns[i];
            if ((column === undefined || column === null) && !o.autogenerate_column_names) continue;
            const name = column ?? `column${i + 1}`;
            const convert = converters.get(name);
            const value: Value = convert ? convert(v) : v;
            event.set(refFor(name), value);
          }
        } catch (e) {
          return fail(event, text, e instanceof Error ? e.message : String(e));
        }
        return true;
      },
    };
  },
});
