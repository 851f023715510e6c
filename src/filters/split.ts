/**
 * split: one event per element of an array field or per piece of a string field, as
 * logstash-filter-split 3.1 does.
 *
 * - A string is cut at every `terminator` (Ruby's `String#split(terminator, -1)`: trailing empty pieces are
 *   kept, a single space means runs of whitespace, leading whitespace ignored). A string that gives a single
 *   piece leaves the event as it is (the common options are not applied).
 * - An array gives one event per element; without `target` the array is removed from the copies first.
 * - Empty strings and nulls give no event. Each new event is a copy of the original with the piece in
 *   `target` (default: `field`), goes through the common options and follows the original's place in the
 *   pipeline; the original is dropped.
 * - Anything else (a number, a hash, a missing field) is tagged `_split_type_failure`.
 */
import { Timestamp } from '../event/timestamp.js';
import { LsFloat, type Value } from '../event/values.js';
import { defineFilter } from '../plugins/api.js';
import { filterMatcher } from '../plugins/decorate.js';

const PARSE_FAILURE_TAG = '_split_type_failure';

/** Ruby's `String#split(sep, -1)` for a string separator. */
export function rubySplit(s: string, sep: string): string[] {
  if (s === '') return [];
  if (sep === ' ') {
    // awk-style: split on runs of ASCII whitespace, ignoring leading whitespace.
    const trimmed = s.replace(/^[\t\n\v\f\r ]+/, '');
    if (trimmed === '') return [''];
    return trimmed.split(/[\t\n\v\f\r ]+/);
  }
  if (sep === '') return Array.from(s);
  return s.split(sep);
}

function typeName(v: Value | undefined): string {
  if (v === undefined || v === null) return 'NilClass';
  if (typeof v === 'number' || typeof v === 'bigint') return Number.isInteger(Number(v)) ? 'Integer' : 'Float';
  if (typeof v === 'boolean') return v ? 'TrueClass' : 'FalseClass';
  if (typeof v === 'string') return 'String';
  if (v instanceof LsFloat) return 'Float';
  if (v instanceof Timestamp) return 'LogStash::Timestamp';
  return Array.isArray(v) ? 'Array' : 'Hash';
}

export default defineFilter({
  name: 'split',
  doc: 'Splits an event into several: one per element of an array field or per line (terminator) of a string field.',
  options: {
    terminator: { type: 'string', default: '\n', doc: 'String a text field is split at.' },
    field: { type: 'string', default: 'message', doc: 'Field to split (a string or an array).' },
    target: { type: 'string', doc: 'Field each piece is written to (default: `field`).' },
  },
  create(o, ctx) {
    const { terminator, field, target } = o;
    const eventTarget = target ?? field;
    const failures = ctx.metrics.counter('type_failures');
    const matched = filterMatcher(o);
    return {
      filter(event, emit) {
        const original = event.get(field);
        let splits: Value[];
        if (Array.isArray(original)) {
          if (target === undefined) event.remove(field);
          splits = original;
        } else if (typeof original === 'string') {
          splits = rubySplit(original, terminator);
          if (splits.length === 1) return false;
        } else {
          ctx.logger.warn(`Only String and Array types are splittable. field:${field} is of type = ${typeName(original)}`);
          event.tag(PARSE_FAILURE_TAG);
          failures.inc();
          return false;
        }
        for (const value of splits) {
          if (value === null || value === '') continue;
          const copy = event.clone();
          copy.set(eventTarget, value);
          matched(copy);
          emit(copy);
        }
        event.cancel();
        return false;
      },
    };
  },
});
