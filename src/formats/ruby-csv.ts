/**
 * One CSV line as Ruby's `Array#to_csv` (the csv gem 3.x writer, which Logstash's csv output calls) writes
 * it: a field is quoted when it contains CR, LF, the quote character or any character of the column
 * separator, or when it is empty (`quote_empty`, on by default); nil is an empty unquoted field; quotes
 * inside a quoted field are doubled; `force_quotes` quotes every field, nil included.
 */

export interface RubyCsvOptions {
  col_sep: string;
  row_sep: string;
  quote_char: string;
  force_quotes: boolean;
  quote_empty: boolean;
  /** Written instead of a nil field (before quoting), when set. */
  write_nil_value?: string;
  /** Written instead of an empty string field (before quoting), when set. */
  write_empty_value?: string;
}

export const RUBY_CSV_DEFAULTS: RubyCsvOptions = { col_sep: ',', row_sep: '\n', quote_char: '"', force_quotes: false, quote_empty: true };

/** A line generator for fixed options; fields are strings, or null for nil. */
export function rubyCsvLine(options: RubyCsvOptions): (fields: readonly (string | null)[]) => string {
  const { col_sep: sep, row_sep: rowSep, quote_char: q, force_quotes: force, quote_empty: quoteEmpty } = options;
  const quotable = new Set(['\r', '\n', q, ...sep]);
  const needsQuotes = (s: string): boolean => {
    for (const ch of s) if (quotable.has(ch)) return true;
    return false;
  };
  const quote = (s: string): string => q + s.split(q).join(q + q) + q;
  return (fields) => {
    let line = '';
    for (let i = 0; i < fields.length; i++) {
      let f = fields[i] ?? null;
      if (f === null && options.write_nil_value !== undefined) f = options.write_nil_value;
      else if (f === '' && options.write_empty_value !== undefined) f = options.write_empty_value;
      if (i > 0) line += sep;
      if (force) line += quote(f ?? '');
      else if (f === null) continue;
      else line += (quoteEmpty && f === '') || needsQuotes(f) ? quote(f) : f;
    }
    return line + rowSep;
  };
}
