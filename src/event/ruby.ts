/**
 * Ruby's view of event values, which Logstash users see wherever Logstash prints a value: `String#inspect`
 * (rubydebug, error messages, invalid UTF-8 kept as `\xFF`), `#inspect` of arrays and hashes (Ruby 3.1
 * layout: `{"a"=>1}`, `["x", nil]`) and `#to_s` (what sprintf and mutate's conversions produce).
 * One implementation, shared by the codecs, filters and config messages.
 */
import { Timestamp } from './timestamp.js';
import { formatFloat, isHash, LsFloat, type Value } from './values.js';

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\f': '\\f', '\v': '\\v', '\b': '\\b', '\x07': '\\a', '\x1b': '\\e',
};
const NEEDS_ESCAPE = /["\\#\p{Cc}\p{Zl}\p{Zp}\p{Cn}\p{Cs}]/u;
const ESCAPE_ONE = /["\\]|#(?=[{$@])|[\p{Cc}\p{Zl}\p{Zp}\p{Cn}\p{Cs}]/gu;

function unicodeEscape(cp: number): string {
  return cp > 0xffff ? `\\u{${cp.toString(16).toUpperCase()}}` : `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Ruby's String#inspect for a UTF-8 string. */
export function inspectString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  return `"${s.replace(ESCAPE_ONE, (ch) => ESCAPES[ch] ?? (ch === '#' ? '\\#' : unicodeEscape(ch.codePointAt(0)!)))}"`;
}

/**
 * Ruby's `String#inspect` of UTF-8 bytes that are not all valid, without the surrounding quotes: invalid
 * bytes as `\xHH`, the rest escaped as inspectString escapes it. Logstash keeps undecodable input this way.
 */
export function inspectBytesBody(bytes: Buffer): string {
  let out = '';
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    const len = validSequenceLength(bytes, i);
    if (len === 0) {
      out += `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`;
      i += 1;
      continue;
    }
    if (len === 1) {
      const ch = String.fromCharCode(b);
      const named = ESCAPES[ch];
      if (named !== undefined) out += named;
      else if (b === 0x23 && i + 1 < n && (bytes[i + 1] === 0x7b || bytes[i + 1] === 0x24 || bytes[i + 1] === 0x40)) out += '\\#';
      else if (b < 0x20 || b === 0x7f) out += unicodeEscape(b);
      else out += ch;
    } else {
      const ch = bytes.toString('utf8', i, i + len);
      const cp = ch.codePointAt(0)!;
      // C1 controls are not printable for Ruby either.
      out += cp >= 0x80 && cp <= 0x9f ? unicodeEscape(cp) : ch;
    }
    i += len;
  }
  return out;
}

/** Length of the valid UTF-8 sequence starting at i, or 0 when the byte there does not start one. */
function validSequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const x = b[i + k];
    return x !== undefined && x >= lo && x <= hi;
  };
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0; // no surrogates
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** Ruby's #inspect of a value (Ruby 3.1 layout: `{"a"=>1}`, `["x", nil]`, floats `1.0e+20`). */
export function inspectValue(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return inspectString(v);
  if (Array.isArray(v)) return `[${v.map(inspectValue).join(', ')}]`;
  if (isHash(v)) return `{${Object.keys(v).map((k) => `${inspectString(k)}=>${inspectValue(v[k])}`).join(', ')}}`;
  if (v instanceof LsFloat) return formatFloat(v.value);
  return String(v);
}

/** Ruby's #to_s of a value: strings as they are, nil as "", arrays and hashes inspected. */
export function toS(v: Value | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (Array.isArray(v) || isHash(v)) return inspectValue(v);
  if (v instanceof LsFloat) return formatFloat(v.value);
  if (v instanceof Timestamp) return v.toString();
  return String(v);
}
