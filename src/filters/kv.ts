/**
 * kv: key=value pairs from a field into the event, as logstash-filter-kv 4.7 parses them (the scanner is
 * built in src/formats/kv.ts from the same Ruby regexp pieces as the plugin's).
 *
 * - Keys are set as field references at the top level (`[a][b]=1` nests), or as plain keys of a hash put
 *   in `target` (which is replaced). `default_keys` fill in keys that were not found.
 * - Nothing found (and no default key): the event is left alone and the common options are not applied.
 * - `timeout_millis`: a scan that could backtrack without bound (user patterns beyond literal characters,
 *   or a value with many backslashes) runs on a worker thread that is stopped after the timeout; the event
 *   then gets `tag_on_timeout` and nothing else, as in Logstash. Other scans run here, unguarded.
 * - Any other error (a key that is not a valid field reference) tags the event `tag_on_failure`.
 */
import type { Event } from '../event/event.js';
import { compileSprintf } from '../event/sprintf.js';
import { toS } from '../event/ruby.js';
import { deepClone, isHash, type Hash, type Value } from '../event/values.js';
import { KvParser, localScan, setOwn, type KvEventParams, type KvSpec, type ScanRunner } from '../formats/kv.js';
import { RubyRegexp } from '../formats/ruby-scan/index.js';
import { scanGuard, TIMED_OUT, type ScanGuard } from '../formats/ruby-scan/guard.js';
import { defineFilter, PluginConfigError } from '../plugins/api.js';

const TRANSFORMS = ['lowercase', 'uppercase', 'capitalize'] as const;

/** The message Logstash's ECS target check logs (at info) when a parsing plugin has no `target`. */
const ECS_TARGET_MESSAGE = 'ECS compatibility is enabled but `target` option was not specified. This may cause fields to be set at the top-level of the event where they are likely to clash with the Elastic Common Schema. It is recommended to set the `target` option to avoid potential schema conflicts (if your data is ECS compliant or non-conflicting, feel free to ignore this message)';

/** Above this many backslashes a value may make even the default scanner backtrack exponentially. */
const RISKY_BACKSLASHES = 16;

class KvTimeout extends Error {}

function backslashes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\\'); i >= 0; i = s.indexOf('\\', i + 1)) n++;
  return n;
}

/** Ruby's String#dump, as the timeout warning shows the value (enough for a log line). */
function summarize(value: Value | undefined): string {
  const s = toS(value ?? null);
  const dump = (t: string): string => JSON.stringify(t);
  return s.length < 255 ? `\`${dump(s)}\`` : `(entry too large to show; showing first 255 characters) \`${dump(s.slice(0, 256))}\`[...]`;
}

export default defineFilter({
  name: 'kv',
  doc: 'Parses key=value pairs (`foo=bar baz="fizz buzz"`) from a field into the event or `target`; errors are tagged `_kv_filter_error`, runaway scans `_kv_filter_timeout`.',
  options: {
    source: { type: 'field_reference', default: 'message', doc: 'Field holding the text (a string, or an array of strings).' },
    target: { type: 'field_reference', doc: 'Field to put the pairs in, as a hash (replaced); default: the top level of the event.' },
    field_split: { type: 'string', default: ' ', doc: 'Characters that separate pairs (a regexp character class body).' },
    field_split_pattern: { type: 'string', doc: 'A regexp separating pairs (overrides field_split).' },
    value_split: { type: 'string', default: '=', doc: 'Characters that separate a key from its value (a character class body).' },
    value_split_pattern: { type: 'string', doc: 'A regexp separating a key from its value (overrides value_split).' },
    prefix: { type: 'string', default: '', doc: 'Prepended to every key (sprintf allowed).' },
    include_keys: { type: 'array', default: [], doc: 'Only these keys are kept (sprintf allowed); empty keeps all.' },
    exclude_keys: { type: 'array', default: [], doc: 'These keys are dropped (sprintf allowed).' },
    default_keys: { type: 'hash', default: {}, doc: 'Keys and values added when the text does not have them.' },
    trim_key: { type: 'string', doc: 'Characters removed from the start and end of keys.' },
    trim_value: { type: 'string', doc: 'Characters removed from the start and end of values.' },
    remove_char_key: { type: 'string', doc: 'Characters removed from keys wherever they are.' },
    remove_char_value: { type: 'string', doc: 'Characters removed from values wherever they are.' },
    transform_key: { type: 'string', values: TRANSFORMS, doc: 'Change the case of keys: lowercase, uppercase or capitalize.' },
    transform_value: { type: 'string', values: TRANSFORMS, doc: 'Change the case of values: lowercase, uppercase or capitalize.' },
    allow_duplicate_values: { type: 'boolean', default: true, doc: 'Keep repeated key/value pairs (false: a value already held by the key is dropped).' },
    allow_empty_values: { type: 'boolean', default: false, doc: 'Keep keys whose value is empty.' },
    include_brackets: { type: 'boolean', default: true, doc: 'Values in (), [] and <> are read whole, without the brackets.' },
    recursive: { type: 'boolean', default: false, doc: 'Parse values that hold key=value pairs themselves into hashes.' },
    whitespace: { type: 'string', values: ['strict', 'lenient'], default: 'lenient', doc: 'lenient: spaces allowed around the value separator; strict: not.' },
    timeout_millis: { type: 'number', default: 30_000, doc: 'Give up on an event after this long (0: never); the event gets tag_on_timeout.' },
    tag_on_timeout: { type: 'string', default: '_kv_filter_timeout', doc: 'Tag added when parsing timed out.' },
    tag_on_failure: { type: 'array', default: ['_kv_filter_error'], doc: 'Tags added when parsing failed with an error.' },
  },
  // Creating it opens nothing (the timeout worker starts on first use), so the config check creates it.
  check: 'create',
  async create(options, ctx) {
    if (options.value_split === '') throw new PluginConfigError("Configuration option 'value_split' must be a non-empty string", 'value_split');
    if (options.field_split_pattern === '') throw new PluginConfigError("Configuration option 'field_split_pattern' must be a non-empty string", 'field_split_pattern');
    if (options.value_split_pattern === '') throw new PluginConfigError("Configuration option 'value_split_pattern' must be a non-empty string", 'value_split_pattern');
    const spec: KvSpec = {
      fieldSplit: options.field_split,
      valueSplit: options.value_split,
      fieldSplitPattern: options.field_split_pattern,
      valueSplitPattern: options.value_split_pattern,
      whitespace: options.whitespace,
      includeBrackets: options.include_brackets,
      trimKey: options.trim_key,
      trimValue: options.trim_value,
      removeCharKey: options.remove_char_key,
      removeCharValue: options.remove_char_value,
      transformKey: options.transform_key,
      transformValue: options.transform_value,
      allowDuplicateValues: options.allow_duplicate_values,
      allowEmptyValues: options.allow_empty_values,
      recursive: options.recursive,
    };
    // Each user-given piece alone first, so an invalid one is reported under its own option.
    const pieces: [string, string | undefined][] = [
      ['field_split_pattern', spec.fieldSplitPattern], ['value_split_pattern', spec.valueSplitPattern],
      ['field_split', spec.fieldSplitPattern === undefined ? `[${spec.fieldSplit}]` : undefined],
      ['value_split', spec.valueSplitPattern === undefined ? `[${spec.valueSplit}]` : undefined],
      ['trim_key', spec.trimKey === undefined ? undefined : `[${spec.trimKey}]`],
      ['trim_value', spec.trimValue === undefined ? undefined : `[${spec.trimValue}]`],
      ['remove_char_key', spec.removeCharKey === undefined ? undefined : `[${spec.removeCharKey}]`],
      ['remove_char_value', spec.removeCharValue === undefined ? undefined : `[${spec.removeCharValue}]`],
    ];
    for (const [option, source] of pieces) {
      if (source === undefined) continue;
      try { await RubyRegexp.load(source); } catch (e) {
        throw new PluginConfigError(`kv: ${(e as Error).message}`, option, 'write a valid Ruby regular expression (character list for the *_split, trim_* and remove_char_* options)');
      }
    }
    let parser: KvParser;
    try { parser = await KvParser.create(spec); } catch (e) {
      throw new PluginConfigError(`kv: ${(e as Error).message}`, 'field_split', 'the separators and patterns do not make a valid Ruby regular expression together');
    }

    const { source, target } = options;
    const timeoutMs = options.timeout_millis;
    const tagOnTimeout = options.tag_on_timeout;
    const failureTags = options.tag_on_failure.map((t) => toS(t));
    const defaults: Hash = options.default_keys;
    const hasDefaults = Object.keys(defaults).length > 0;
    const include = options.include_keys.map((k) => compileSprintf(toS(k)));
    const exclude = options.exclude_keys.map((k) => compileSprintf(toS(k)));
    const prefix = compileSprintf(options.prefix);
    const logger = ctx.logger;
    const failures = ctx.metrics.counter('failures');
    const timeouts = ctx.metrics.counter('timeouts');
    if (target === undefined && ctx.ecs !== 'disabled') logger.info(ECS_TARGET_MESSAGE);
    const alwaysGuard = parser.customPatternsRisky;
    let guard: ScanGuard | undefined;

    const guarded = (deadline: number): ScanRunner => (re, subject, limit, each) => {
      const left = deadline - Date.now();
      if (left <= 0) throw new KvTimeout();
      guard ??= scanGuard();
      const r = guard.scan(re.form, subject, left, limit);
      if (r === TIMED_OUT) throw new KvTimeout();
      for (const m of r) each(m);
    };

    const parseText = (text: string, params: KvEventParams, out: Hash, deadline: number): void => {
      const risky = timeoutMs > 0 && (alwaysGuard || backslashes(text) >= RISKY_BACKSLASHES);
      parser.parse(text, params, out, risky ? guarded(deadline) : localScan);
    };

    return {
      filter(event: Event) {
        const value = event.get(source);
        try {
          const kv: Hash = {};
          if (typeof value === 'string' || Array.isArray(value)) {
            const params: KvEventParams = {
              include: include.map((f) => f(event)),
              exclude: exclude.map((f) => f(event)),
              prefix: prefix(event),
            };
            const deadline = Date.now() + timeoutMs;
            if (typeof value === 'string') parseText(value, params, kv, deadline);
            else for (const v of value) if (typeof v === 'string') parseText(v, params, kv, deadline);
          } else if (value !== undefined && value !== null) {
            logger.warn('kv filter has no support for this type of data', { type: isHash(value) ? 'Hash' : typeof value, value: toS(value) });
          }
          let all = kv;
          if (hasDefaults) {
            all = deepClone(defaults);
            for (const k of Object.keys(kv)) setOwn(all, k, kv[k]!);
          }
          const keys = Object.keys(all);
          if (keys.length === 0) return false;
          if (target !== undefined) event.set(target, all);
          else for (const k of keys) event.set(k, all[k]!);
          return true;
        } catch (e) {
          if (e instanceof KvTimeout) {
            logger.warn(`Timeout reached in KV filter with value ${summarize(value)}`);
            event.tag(tagOnTimeout);
            timeouts.inc();
            return false;
          }
          logger.warn('Exception while parsing KV', { exception: (e as Error).message });
          for (const t of failureTags) event.tag(t);
          failures.inc();
          return false;
        }
      },
      async close() { await guard?.close(); },
    };
  },
});
