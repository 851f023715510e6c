/**
 * bytes: parses a size such as `32 MB` or `3,124.56 kb` into a number of bytes, as
 * logstash-filter-bytes 1.0 does.
 *
 * The text (Ruby-stripped) is digits with group separators (space, `_`, `,`, `.`), an optional unit prefix
 * k/m/g/t/p/e (any case) and an optional `b`/`B`. Powers of 1024 with `conversion_method => binary`, of
 * 1000 with `metric`. `decimal_separator` (`.` or `,`) may appear once; every other non-digit is dropped.
 * The result is rounded to an integer (exact beyond 2^53). A value that is not a string, does not match,
 * has two decimal separators or no digits gets `tag_on_failure`.
 */
import { toS } from '../event/ruby.js';
import { defineFilter, PluginConfigError } from '../plugins/api.js';

const POWERS: Readonly<Record<string, number>> = { k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

const RUBY_STRIP = /^[\0\t\n\v\f\r ]+|[\0\t\n\v\f\r ]+$/g;

/** Parse a size; undefined when it is not one. */
export function parseBytes(text: string, opts: { metric: boolean; decimal: '.' | ',' }): number | bigint | undefined {
  const s = text.replace(RUBY_STRIP, '');
  // Ruby's ^ and $ are line anchors: the plugin's pattern may match one line of a multi-line value.
  const m = /^([0-9 _,.]*)[\t\n\v\f\r ]*([kKmMgGtTpPeE]?)([bB]?)$/m.exec(s);
  if (!m) return undefined;
  const [, number, prefix] = m as unknown as [string, string, string];
  if (number.split(opts.decimal).length - 1 > 1) return undefined;
  const digits = number.replace(/^[\0\t\n\v\f\r ]+|[\0\t\n\v\f\r ]+$/g, '').replace(opts.decimal === '.' ? /[^0-9.]/g : /[^0-9,]/g, '').replace(',', '.');
  if (digits === '') return undefined;
  let result = Number(digits);
  if (Number.isNaN(result)) result = 0; // Ruby's ".".to_f
  if (prefix !== '') result *= (opts.metric ? 1000 : 1024) ** POWERS[prefix.toLowerCase()]!;
  const rounded = Math.round(result);
  return Number.isSafeInteger(rounded) ? rounded : BigInt(rounded);
}

export default defineFilter({
  name: 'bytes',
  doc: 'Parses a string with a size unit (`32 MB`, `1.5kb`) into a number of bytes.',
  options: {
    source: { type: 'string', default: 'message', doc: 'Field holding the size text.' },
    target: { type: 'string', doc: 'Field the number of bytes is written to (required).' },
    conversion_method: { type: 'string', values: ['binary', 'metric'], default: 'binary', doc: 'Units of 1024 (binary) or 1000 (metric).' },
    decimal_separator: { type: 'string', values: ['.', ','], default: '.', doc: 'Character separating the fraction.' },
    tag_on_failure: { type: 'array', default: ['_bytesparsefailure'], doc: 'Tags added when the text is not a size.' },
  },
  check: 'create',
  create(o, ctx) {
    const target = o.target;
    // Logstash fails on the first event (event.set(nil)); a config error says it before start.
    if (target === undefined) throw new PluginConfigError('the bytes filter needs a `target` field for the result', 'target', 'add target => "bytes"');
    const opts = { metric: o.conversion_method === 'metric', decimal: o.decimal_separator };
    const tags = o.tag_on_failure.map((t) => toS(t));
    const failures = ctx.metrics.counter('failures');
    return {
      filter(event) {
        const source = event.get(o.source);
        const n = typeof source === 'string' ? parseBytes(source, opts) : undefined;
        if (n === undefined) {
          for (const t of tags) event.tag(t);
          failures.inc();
          return false;
        }
        event.set(target, n);
        return true;
      },
    };
  },
});
