/**
 * rubydebug: prints events the way Logstash's rubydebug codec does through Ruby's amazing_print:
 * hash keys right-aligned and followed by ` => `, array items prefixed with their index, strings
 * inspected with Ruby's escapes, `nil` for null, timestamps bare. Keys are sorted so the output is
 * stable (Logstash's order is that of a Java identity hash map, which no one can rely on). Encode only.
 */
import { Timestamp } from '../event/timestamp.js';
import { formatFloat, isHash, LsFloat, type Hash, type Value } from '../event/values.js';
import { defineCodec } from '../plugins/api.js';
import { inspectString } from '../event/ruby.js';

/** Ruby's String#inspect (re-exported for the tests). */
export const rubyInspect = inspectString;

/** Length as Ruby's String#size counts it (characters, not UTF-16 units). */
function charLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

function byKey(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0; }

/** amazing_print's layout of a value whose items sit at `indent` spaces. */
export function awesome(v: Value | undefined, indent = 4): string {
  if (v === null || v === undefined) return 'nil';
  switch (typeof v) {
    case 'string': return inspectString(v);
    case 'number': case 'bigint': case 'boolean': return String(v);
    default: break;
  }
  if (v instanceof LsFloat) return formatFloat(v.value);
  if (v instanceof Timestamp) return v.toString();
  const pad = ' '.repeat(indent);
  const close = ' '.repeat(indent - 4);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const width = String(v.length - 1).length;
    const items = v.map((item, i) => `${pad}[${String(i).padStart(width)}] ${awesome(item, indent + 4)}`);
    return `[\n${items.join(',\n')}\n${close}]`;
  }
  if (isHash(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort(byKey);
    if (keys.length === 0) return '{}';
    const shown = keys.map(rubyInspect);
    const width = Math.max(...shown.map(charLength)) + indent;
    const items = keys.map((k, i) => {
      const key = shown[i]!;
      return `${' '.repeat(width - charLength(key))}${key} => ${awesome(v[k], indent + 4)}`;
    });
    return `{\n${items.join(',\n')}\n${close}}`;
  }
  return String(v);
}

export default defineCodec({
  name: 'rubydebug',
  doc: 'Pretty-prints events as Logstash does with Ruby\'s amazing_print (encode only; keys sorted).',
  options: {
    metadata: { type: 'boolean', default: false, doc: 'Also print the event\'s `@metadata`.' },
  },
  // Creating it opens nothing, so the config check creates it to validate the options.
  check: 'create',
  create(options) {
    const withMetadata = options.metadata === true;
    return {
      decoder() {
        throw new Error('the rubydebug codec can only encode (Logstash: "Not implemented")');
      },
      encode(event) {
        let data: Hash = event.data;
        if (withMetadata && Object.keys(event.metadata).length > 0) data = { ...data, '@metadata': event.metadata };
        return awesome(data) + '\n';
      },
    };
  },
});
