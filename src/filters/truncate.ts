/**
 * truncate: cuts strings to at most `length_bytes` bytes of UTF-8 without splitting a character, as
 * logstash-filter-truncate 1.0 does.
 *
 * `fields` lists the fields to cut (default: every top-level field). A string is cut; in an array each
 * string element is (other elements are kept); in a hash every value is, recursively. Other values are
 * left alone. The common options apply only when something was cut (the plugin's filter_matched runs
 * only then).
 */
import { toS } from '../event/ruby.js';
import { isHash, type Value } from '../event/values.js';
import { defineFilter, PluginConfigError } from '../plugins/api.js';

/** The longest prefix of `s` of at most `length` UTF-8 bytes that ends on a character boundary. */
export function trimUtf8(s: string, length: number): string {
  // Fast path: a string of n UTF-16 units has at most 3n UTF-8 bytes.
  if (s.length * 3 <= length) return s;
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= length) return s;
  if (length <= 0) return '';
  let cut = length;
  // A continuation byte at the cut means the character before it would be split.
  while (cut > 0 && (buf[cut]! & 0xc0) === 0x80) cut--;
  return buf.toString('utf8', 0, cut);
}

export default defineFilter({
  name: 'truncate',
  doc: 'Truncates string fields to a number of bytes, keeping UTF-8 characters whole.',
  options: {
    fields: { type: 'string', list: true, doc: 'Fields to truncate (default: all top-level fields); arrays and hashes are truncated element by element.' },
    length_bytes: { type: 'number', required: true, doc: 'Maximum length in bytes.' },
  },
  check: 'create',
  create(o) {
    const length = Math.floor(o.length_bytes); // Ruby's byteslice takes the integer part
    if (length < 0) throw new PluginConfigError('length_bytes must not be negative', 'length_bytes');
    const fields = o.fields?.map((f) => toS(f));
    let changed = false;
    const cut = (v: Value): Value => {
      if (typeof v === 'string') {
        const t = trimUtf8(v, length);
        if (t !== v) changed = true;
        return t;
      }
      if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? cut(x) : x));
      if (isHash(v)) {
        for (const k of Object.keys(v)) v[k] = cut(v[k]!);
        return v;
      }
      return v;
    };
    return {
      filter(event) {
        changed = false;
        if (fields) {
          for (const f of fields) {
            const v = event.get(f);
            if (v === undefined) continue;
            const t = cut(v);
            if (t !== v) event.set(f, t);
          }
        } else {
          const data = event.data;
          for (const k of Object.keys(data)) data[k] = cut(data[k]!);
        }
        return changed;
      },
    };
  },
});
