/**
 * urldecode: decodes %XX escapes, as logstash-filter-urldecode 3.0 does.
 *
 * Runs of `%XX` are replaced by their bytes; the result is read in `charset`. In UTF-8 a result that is
 * not valid UTF-8 is kept the way Logstash's charset converter keeps it: Ruby's inspect of the string
 * without its quotes (invalid bytes as `\xD3`). In another charset the bytes (the undecoded text's UTF-8
 * bytes included, as Ruby's force_encoding does) are converted to UTF-8; a byte the charset cannot map
 * tags the event with `tag_on_failure`. Arrays and hashes are decoded element by element (hash keys are
 * not); other values are left alone. With `all_fields` every top-level field is decoded. As in the plugin,
 * a missing `field` is set to null, and the common options apply even after a failure.
 */
import { inspectBytesBody, toS } from '../event/ruby.js';
import { isHash, type Hash, type Value } from '../event/values.js';
import { defineFilter, PluginConfigError } from '../plugins/api.js';

const RUN = /(?:%[0-9a-fA-F]{2})+/g;

class UrldecodeError extends Error {}

/** The bytes of `s` with every %XX replaced by the byte it encodes; undefined when there is none. */
export function unescapeBytes(s: string): Buffer | undefined {
  if (!s.includes('%')) return undefined;
  const parts: Buffer[] = [];
  let last = 0;
  let found = false;
  for (const m of s.matchAll(RUN)) {
    found = true;
    if (m.index > last) parts.push(Buffer.from(s.slice(last, m.index), 'utf8'));
    parts.push(Buffer.from(m[0].replace(/%/g, ''), 'hex'));
    last = m.index + m[0].length;
  }
  if (!found) return undefined;
  if (last < s.length) parts.push(Buffer.from(s.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

function isValidUtf8(b: Buffer): boolean {
  try { new TextDecoder('utf-8', { fatal: true }).decode(b); return true; } catch { return false; }
}

type Converter = (bytes: Buffer) => string;

/** Windows-1252's 0x80–0x9F (0: not defined, which Ruby refuses to convert). */
const CP1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

const ASCII_NAMES = new Set(['ascii-8bit', 'binary', 'us-ascii', 'ascii', 'ansi_x3.4-1968', '646']);

function converterFor(charset: string): Converter | undefined {
  const name = charset.toLowerCase();
  if (name === 'utf-8' || name === 'utf8' || name === 'cp65001') {
    return (b) => (isValidUtf8(b) ? b.toString('utf8') : inspectBytesBody(b));
  }
  if (ASCII_NAMES.has(name)) {
    return (b) => {
      for (const x of b) if (x >= 0x80) throw new UrldecodeError(`"\\x${x.toString(16).toUpperCase()}" from ${charset} to UTF-8`);
      return b.toString('latin1');
    };
  }
  // WHATWG's decoders read ISO-8859-1 as Windows-1252; Ruby maps every byte to the same code point.
  if (name === 'iso-8859-1' || name === 'iso8859-1') return (b) => b.toString('latin1');
  // Node 20's TextDecoder reads windows-1252 as ISO-8859-1 (0x80 is not €): its 0x80–0x9F by table.
  if (name === 'windows-1252' || name === 'cp1252') {
    return (b) => {
      let out = '';
      for (const x of b) {
        if (x < 0x80 || x > 0x9f) { out += String.fromCharCode(x); continue; }
        const cp = CP1252_HIGH[x - 0x80]!;
        if (cp === 0) throw new UrldecodeError(`"\\x${x.toString(16).toUpperCase()}" to UTF-8 in conversion from Windows-1252 to UTF-8`);
        out += String.fromCharCode(cp);
      }
      return out;
    };
  }
  let decoder: TextDecoder;
  try { decoder = new TextDecoder(name, { fatal: true }); } catch { return undefined; }
  return (b) => {
    try { return decoder.decode(b); } catch { throw new UrldecodeError(`invalid byte sequence in ${charset}`); }
  };
}

export default defineFilter({
  name: 'urldecode',
  doc: 'Decodes URL-encoded (%XX) text in a field or in all fields.',
  options: {
    field: { type: 'string', default: 'message', doc: 'Field to decode.' },
    all_fields: { type: 'boolean', default: false, doc: 'Decode every top-level field.' },
    tag_on_failure: { type: 'array', default: ['_urldecodefailure'], doc: 'Tags added when the decoded bytes cannot be read in `charset`.' },
    charset: { type: 'string', default: 'UTF-8', doc: 'Encoding of the decoded bytes (converted to UTF-8).' },
  },
  check: 'create',
  create(o, ctx) {
    const convert = converterFor(o.charset);
    if (!convert) throw new PluginConfigError(`unknown charset "${o.charset}"`, 'charset', 'use an encoding name such as UTF-8, ISO-8859-1 or Windows-1252');
    const utf8 = o.charset.toLowerCase().replace('utf8', 'utf-8') === 'utf-8';
    const tags = o.tag_on_failure.map((t) => toS(t));
    const failures = ctx.metrics.counter('failures');

    const decode = (value: Value | undefined): Value | undefined => {
      if (typeof value === 'string') {
        const bytes = unescapeBytes(value);
        if (bytes === undefined) return utf8 ? value : convert(Buffer.from(value, 'utf8'));
        return convert(bytes);
      }
      if (Array.isArray(value)) return value.map((v) => decode(v) ?? null);
      if (isHash(value)) {
        const out: Hash = {};
        for (const k of Object.keys(value)) out[k] = decode(value[k]) ?? null;
        return out;
      }
      return value;
    };

    return {
      filter(event) {
        try {
          if (o.all_fields) {
            for (const name of Object.keys(event.data)) event.set([name], decode(event.data[name]) ?? null);
          } else {
            event.set(o.field, decode(event.get(o.field)) ?? null);
          }
        } catch (e) {
          if (!(e instanceof UrldecodeError)) ctx.logger.warn('urldecode failed', { field: o.field, reason: e instanceof Error ? e.message : String(e) });
          for (const t of tags) event.tag(t);
          failures.inc();
        }
        return true;
      },
    };
  },
});
