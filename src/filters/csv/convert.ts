/**
 * The conversions of logstash-filter-csv's `convert`, as Ruby's CSV::Converters (csv gem 3.x) and the
 * plugin's own boolean converter do them. A value that does not convert is kept as it is (a string, or
 * null for an empty column); only `boolean` on an empty (null) column fails, as the plugin's `nil.strip` does.
 */
import { Timestamp } from '../../event/timestamp.js';
import { LsFloat, type Value } from '../../event/values.js';

export const CONVERSIONS = ['integer', 'float', 'date', 'date_time', 'boolean'] as const;
export type Conversion = (typeof CONVERSIONS)[number];

export class CsvConvertError extends Error {}

const WS = '[\\t\\n\\v\\f\\r ]*';
const DEC = '\\d+(?:_\\d+)*';
// Ruby's Kernel#Integer on a string: sign, prefixes 0x/0b/0o/0d/0 (octal), underscores between digits.
const INTEGER = new RegExp(`^${WS}([+-])?(?:0[xX]([0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)|0[bB]([01]+(?:_[01]+)*)|0[oO_]?([0-7]+(?:_[0-7]+)*)|0[dD](${DEC})|(0|[1-9]\\d*(?:_\\d+)*))${WS}$`);
// Ruby's Kernel#Float on a string (decimal forms; hexadecimal integers too).
const FLOAT = new RegExp(`^${WS}[+-]?(?:${DEC}(?:\\.${DEC})?(?:[eE][+-]?${DEC})?|\\.${DEC}(?:[eE][+-]?${DEC})?)${WS}$`);

function bigOrNumber(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

export function rubyInteger(s: string): number | bigint | undefined {
  const m = INTEGER.exec(s);
  if (!m) return undefined;
  const [, sign, hex, bin, oct, dec, plain] = m;
  let n: bigint;
  if (hex !== undefined) n = BigInt(`0x${hex.replace(/_/g, '')}`);
  else if (bin !== undefined) n = BigInt(`0b${bin.replace(/_/g, '')}`);
  else if (oct !== undefined) n = BigInt(`0o${oct.replace(/_/g, '')}`);
  else n = BigInt((dec ?? plain)!.replace(/_/g, ''));
  return bigOrNumber(sign === '-' ? -n : n);
}

export function rubyFloat(s: string): number | undefined {
  if (FLOAT.test(s)) return Number(s.replace(/_/g, '').trim());
  const i = /^[\t\n\v\f\r ]*[+-]?0[xX][0-9a-fA-F]+[\t\n\v\f\r ]*$/.test(s) ? rubyInteger(s) : undefined;
  return i === undefined ? undefined : Number(i);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function monthOf(word: string): number | undefined {
  const w = word.toLowerCase();
  if (w.length < 3) return undefined;
  const i = MONTHS.indexOf(w.slice(0, 3));
  if (i < 0) return undefined;
  const full = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'][i]!;
  return full.startsWith(w) || w === 'sept' ? i + 1 : undefined;
}

/** Date._parse's two-digit year completion: 69–99 → 19xx, 00–68 → 20xx. */
function fullYear(y: string): number {
  const n = Number(y);
  return y.length <= 2 ? (n >= 69 ? 1900 + n : 2000 + n) : n;
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const dt = new Date(Date.UTC(2000, m - 1, d));
  dt.setUTCFullYear(y);
  return dt.getUTCDate() === d && dt.getUTCMonth() === m - 1;
}

/** Local midnight, as Ruby's Date#to_time gives it. */
function localMidnight(y: number, m: number, d: number): Timestamp {
  const dt = new Date(2000, m - 1, d);
  dt.setFullYear(y);
  return new Timestamp(dt.getTime());
}

// CSV::DateMatcher: `Month 1, 2017` (optionally after a weekday) or `2017-06-01`.
const DATE_WORDS = /^(?:(\w+),?\s+)?(\w+)\s+(\d{1,2}),?\s+(\d{2,4})$/;
const DATE_ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
// CSV::DateTimeMatcher: ctime-like `Thu Jun 1 12:34:56 2017`, or ISO 8601 with T or a space.
const DATETIME_WORDS = /^(?:(\w+),?\s+)?(\w+)\s+(\d{1,2})\s+(\d{1,2}):(\d{1,2}):(\d{1,2}),?\s+(\d{2,4})$/;
const DATETIME_ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T\s](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?([+-]\d{2}(?::\d{2})|Z)?)?)?$/;

export function csvDate(s: string): Timestamp | undefined {
  let m = DATE_ISO.exec(s);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return validDate(y, mo, d) ? localMidnight(y, mo, d) : undefined;
  }
  m = DATE_WORDS.exec(s);
  if (m) {
    const mo = monthOf(m[2]!);
    if (mo === undefined) return undefined;
    const y = fullYear(m[4]!);
    const d = Number(m[3]);
    return validDate(y, mo, d) ? localMidnight(y, mo, d) : undefined;
  }
  return undefined;
}

export function csvDateTime(s: string): Timestamp | undefined {
  let m = DATETIME_ISO.exec(s);
  if (m) {
    const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
    if (!validDate(+y!, +mo!, +d!) || +h > 23 || +mi > 59 || +sec > 60) return undefined;
    let ms = Date.UTC(2000, +mo! - 1, +d!, +h, +mi, +sec);
    const dt = new Date(ms); dt.setUTCFullYear(+y!); ms = dt.getTime();
    if (zone && zone !== 'Z') {
      const sign = zone[0] === '-' ? -1 : 1;
      ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6) || '0')) * 60_000;
    }
    const nanos = frac === '' ? 0 : Number(frac.slice(0, 9).padEnd(9, '0'));
    return new Timestamp(ms + Math.floor(nanos / 1e6), nanos % 1e6);
  }
  m = DATETIME_WORDS.exec(s);
  if (m) {
    const mo = monthOf(m[2]!);
    if (mo === undefined) return undefined;
    const y = fullYear(m[7]!);
    const d = Number(m[3]);
    const [h, mi, sec] = [Number(m[4]), Number(m[5]), Number(m[6])];
    if (!validDate(y, mo, d) || h > 23 || mi > 59 || sec > 60) return undefined;
    const dt = new Date(Date.UTC(2000, mo - 1, d, h, mi, sec));
    dt.setUTCFullYear(y);
    return new Timestamp(dt.getTime());
  }
  return undefined;
}

/** The converter for one conversion type. */
export function converter(type: Conversion): (v: string | null) => Value {
  switch (type) {
    case 'integer': return (v) => (v === null ? v : rubyInteger(v) ?? v);
    case 'float': return (v) => {
      if (v === null) return v;
      const f = rubyFloat(v);
      return f === undefined ? v : new LsFloat(f);
    };
    case 'date': return (v) => (v === null ? v : csvDate(v) ?? v);
    case 'date_time': return (v) => (v === null ? v : csvDateTime(v) ?? v);
    case 'boolean': return (v) => {
      if (v === null) throw new CsvConvertError("undefined method `strip' for nil");
      const s = v.replace(/^[\0\t\n\v\f\r ]+|[\0\t\n\v\f\r ]+$/g, '').toLowerCase();
      return s === 'false' ? false : s === 'true' ? true : s;
    };
  }
}
