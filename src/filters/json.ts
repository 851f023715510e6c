/**
 * json: parses the JSON text of a field into the event, as logstash-filter-json 3.2 does.
 *
 * - With `target`, whatever the text holds (object, array, scalar, `null` for blank text) is set there,
 *   replacing the field.
 * - Without it, the text must hold an object: its keys are set at the top level one by one (keys are
 *   field references, `[a][b]` nests), so an array or scalar is a failure. An `@timestamp` in it becomes
 *   the event's timestamp; when it cannot be read as one, the event gets the current time, the value (as
 *   Ruby's `to_s`) in `_@timestamp` and the tag `_timestampparsefailure`, as Logstash's Event does.
 * - Invalid JSON leaves the event as it was and adds `tag_on_failure` (`_jsonparsefailure`), unless
 *   `skip_on_invalid_json`. A field that cannot be set (a path through a string) also tags the event, after
 *   the keys set before it. A missing source field does nothing.
 *
 * Numbers follow Logstash's rules (src/event/json.ts): `10.0` stays a float, big integers stay exact.
 */
import type { Event } from '../event/event.js';
import { TIMESTAMP, TIMESTAMP_FAILURE_TAG } from '../event/event.js';
import { parseJson } from '../event/json.js';
import { toS } from '../event/ruby.js';
import { Timestamp } from '../event/timestamp.js';
import { isHash, type Value } from '../event/values.js';
import { defineFilter } from '../plugins/api.js';

export const TIMESTAMP_FAILURE_FIELD = '_@timestamp';

/** The message Logstash's ECS target check logs (at info) when a parsing plugin has no `target`. */
export const ECS_TARGET_MESSAGE = 'ECS compatibility is enabled but `target` option was not specified. This may cause fields to be set at the top-level of the event where they are likely to clash with the Elastic Common Schema. It is recommended to set the `target` option to avoid potential schema conflicts (if your data is ECS compliant or non-conflicting, feel free to ignore this message)';

/** Java's String#trim notion of blank (every character up to U+0020): Jackson reads such text as no value. */
function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 32) return false;
  return true;
}

/** LogStash::Timestamp.coerce: a string is parsed as ISO 8601; anything else is not a timestamp. */
function coerceTimestamp(v: Value): Timestamp | undefined {
  if (v instanceof Timestamp) return v;
  return typeof v === 'string' ? Timestamp.parse(v) : undefined;
}

export default defineFilter({
  name: 'json',
  doc: 'Parses JSON text in a field into the event (top level or `target`); invalid JSON is tagged `_jsonparsefailure`.',
  options: {
    source: { type: 'string', required: true, doc: 'Field holding the JSON text.' },
    target: { type: 'field_reference', doc: 'Field to put the parsed data in (overwritten); default: the top level of the event.' },
    tag_on_failure: { type: 'array', default: ['_jsonparsefailure'], doc: 'Tags added when the text is not valid JSON (or not an object without `target`).' },
    skip_on_invalid_json: { type: 'boolean', default: false, doc: 'Leave events with invalid JSON untouched: no tag, no warning.' },
  },
  // Creating it opens nothing, so the config check creates it to validate the options.
  check: 'create',
  create(options, ctx) {
    const { source, target, skip_on_invalid_json: skipInvalid } = options;
    const tags = options.tag_on_failure.map((t) => toS(t));
    const logger = ctx.logger;
    const failures = ctx.metrics.counter('failures');
    if (target === undefined && ctx.ecs !== 'disabled') logger.info(ECS_TARGET_MESSAGE);

    const fail = (event: Event): false => {
      for (const t of tags) event.tag(t);
      failures.inc();
      return false;
    };

    return {
      filter(event) {
        const raw = event.get(source);
        if (raw === undefined || raw === null || raw === false) return false;
        let parsed: Value;
        try {
          if (typeof raw !== 'string') throw new Error(`can't parse a ${Array.isArray(raw) ? 'Array' : isHash(raw) ? 'Hash' : typeof raw} as JSON`);
          parsed = isBlank(raw) ? null : parseJson(raw);
        } catch (e) {
          if (skipInvalid) return false;
          logger.warn('Error parsing json', { source, raw: toS(raw), exception: (e as Error).message });
          return fail(event);
        }
        try {
          if (target !== undefined) {
            event.set(target, parsed);
            return true;
          }
          if (!isHash(parsed)) {
            logger.warn('Parsed JSON object/hash requires a target configuration option', { source, raw: toS(raw) });
            return fail(event);
          }
          const stamp = parsed[TIMESTAMP];
          delete parsed[TIMESTAMP];
          for (const key of Object.keys(parsed)) event.set(key, parsed[key]!);
          // Ruby truthiness: a null or false @timestamp is dropped and changes nothing.
          if (stamp !== undefined && stamp !== null && stamp !== false) {
            const t = coerceTimestamp(stamp);
            if (t !== undefined) event.timestamp = t;
            else {
              event.timestamp = Timestamp.now();
              logger.warn(`Unrecognized ${TIMESTAMP} value, setting current time to ${TIMESTAMP}, original in ${TIMESTAMP_FAILURE_FIELD} field`, { value: toS(stamp) });
              event.tag(TIMESTAMP_FAILURE_TAG);
              event.set(TIMESTAMP_FAILURE_FIELD, toS(stamp));
            }
          }
          return true;
        } catch (e) {
          logger.warn('Exception caught in json filter', { source, raw: toS(raw), exception: (e as Error).message });
          return fail(event);
        }
      },
    };
  },
});
