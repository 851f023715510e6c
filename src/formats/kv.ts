/**
 * key=value parsing as logstash-filter-kv 4.7 does it. The plugin builds one Ruby regexp from its options
 * (the scanner) and runs Ruby's String#scan with it; the pieces are built here the same way, as Ruby
 * sources, so that the options users write (character lists interpolated into classes, their own
 * `field_split_pattern` / `value_split_pattern`) mean what they mean in Logstash:
 *
 * - a key runs until a value or field separator (a backslash escapes one character);
 * - a value is `"…"`, `'…'`, and with `include_brackets` `(…)`, `[…]`, `<…>`, or runs to the next field
 *   separator; it is followed by a field separator or the end of a line;
 * - `whitespace => lenient` allows spaces around the value separator.
 *
 * Interpolating a Regexp into another wraps it as `(?-mix:…)` in Ruby: the sources below keep that form.
 * The regexps run natively when oniguruma-to-es translates them exactly, else on Oniguruma (Ruby syntax).
 */
import { RubyRegexp, regexpQuote, regexpToS, type RubyMatch } from './ruby-scan/index.js';
import type { Hash, Value } from '../event/values.js';

export type KvTransform = 'lowercase' | 'uppercase' | 'capitalize';

export interface KvSpec {
  fieldSplit: string;
  valueSplit: string;
  fieldSplitPattern?: string | undefined;
  valueSplitPattern?: string | undefined;
  whitespace: 'lenient' | 'strict';
  includeBrackets: boolean;
  trimKey?: string | undefined;
  trimValue?: string | undefined;
  removeCharKey?: string | undefined;
  removeCharValue?: string | undefined;
  transformKey?: KvTransform | undefined;
  transformValue?: KvTransform | undefined;
  allowDuplicateValues: boolean;
  allowEmptyValues: boolean;
  recursive: boolean;
}

/** The Ruby sources of the regexps the kv filter compiles at register time. */
export interface KvSources {
  scan: string;
  valueSplit: string;
  trimKey?: string;
  trimValue?: string;
  removeCharKey?: string;
  removeCharValue?: string;
}

/** `/((?:(?!#{pattern})(?:\\.|.))+)/` with `pattern` a Regexp (or the union of several). */
function untilPattern(...patterns: string[]): string {
  const pattern = patterns.length > 1 ? patterns.map(regexpToS).join('|') : patterns[0]!;
  return `((?:(?!${regexpToS(pattern)})(?:\\\\.|.))+)`;
}

/** `/((?:\\.|[^#{charclass}])+)/`: the characters are interpolated raw, as the plugin does. */
function untilCharclass(charclass: string): string {
  return `((?:\\\\.|[^${charclass}])+)`;
}

function quoted(open: string, close = open): string {
  return `${regexpToS(regexpQuote(open))}${regexpToS(untilCharclass(regexpQuote(close)))}?${regexpToS(regexpQuote(close))}`;
}

export function kvSources(spec: KvSpec): KvSources {
  const fieldSplit = spec.fieldSplitPattern ?? `[${spec.fieldSplit}]`;
  let valueSplit = spec.valueSplitPattern ?? `[${spec.valueSplit}]`;
  if (spec.whitespace === 'lenient') valueSplit = `${regexpToS(' *')}${regexpToS(valueSplit)}${regexpToS(' *')}`;
  const patterned = spec.fieldSplitPattern !== undefined || spec.valueSplitPattern !== undefined;
  const key = patterned ? untilPattern(valueSplit, fieldSplit) : untilCharclass(spec.valueSplit + spec.fieldSplit);
  const values = [quoted('"'), quoted("'")];
  if (spec.includeBrackets) values.push(quoted('(', ')'), quoted('[', ']'), quoted('<', '>'));
  values.push(spec.fieldSplitPattern !== undefined ? untilPattern(fieldSplit) : untilCharclass(spec.fieldSplit));
  const value = values.map(regexpToS).join('|');
  const end = [fieldSplit, '$'].map(regexpToS).join('|');
  const out: KvSources = {
    scan: `${regexpToS(key)}${regexpToS(valueSplit)}${regexpToS(value)}?${regexpToS(end)}`,
    valueSplit,
  };
  if (spec.trimKey !== undefined) out.trimKey = `^[${spec.trimKey}]+|[${spec.trimKey}]+$`;
  if (spec.trimValue !== undefined) out.trimValue = `^[${spec.trimValue}]+|[${spec.trimValue}]+$`;
  if (spec.removeCharKey !== undefined) out.removeCharKey = `[${spec.removeCharKey}]`;
  if (spec.removeCharValue !== undefined) out.removeCharValue = `[${spec.removeCharValue}]`;
  return out;
}

/**
 * Runs a scan (at most `limit` matches, each handed to `each` in order): here, or on a guard that can
 * give up after a timeout.
 */
export type ScanRunner = (re: RubyRegexp, subject: string, limit: number, each: (m: RubyMatch) => void) => void;

export const localScan: ScanRunner = (re, subject, limit, each) => {
  let n = 0;
  re.scan(subject, (m) => { each(m); return ++n < limit; });
};

/** What may change from event to event: include/exclude lists and the prefix (sprintf'd by the filter). */
export interface KvEventParams {
  include: readonly string[];
  exclude: readonly string[];
  prefix: string;
}

function transform(text: string, how: KvTransform): string {
  switch (how) {
    case 'lowercase': return text.toLowerCase();
    case 'uppercase': return text.toUpperCase();
    case 'capitalize': {
      // Ruby's String#capitalize: the first character up, the rest down.
      const first = String.fromCodePoint(text.codePointAt(0) ?? 0);
      return text.length === 0 ? text : first.toUpperCase() + text.slice(first.length).toLowerCase();
    }
  }
}

/** Ruby's `include?` on what a key holds so far: a substring test on a String, element equality on an Array. */
function holds(current: Value, value: Value): boolean {
  if (typeof current === 'string') return typeof value === 'string' && current.includes(value);
  if (Array.isArray(current)) return current.some((v) => v === value);
  return current === value;
}

/** `out[key] = v` that also works for a key named `__proto__` (a plain property, as in a Ruby Hash). */
export function setOwn(out: Hash, key: string, v: Value): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value: v, writable: true, enumerable: true, configurable: true });
  else out[key] = v;
}

export class KvParser {
  private constructor(
    readonly spec: KvSpec,
    readonly sources: KvSources,
    readonly scanRe: RubyRegexp,
    readonly valueSplitRe: RubyRegexp,
    readonly trimKey: RubyRegexp | undefined,
    readonly trimValue: RubyRegexp | undefined,
    readonly removeCharKey: RubyRegexp | undefined,
    readonly removeCharValue: RubyRegexp | undefined,
  ) {}

  /** Compile the regexps (loading Oniguruma when one needs it); throws RubyRegexpError on an invalid one. */
  static async create(spec: KvSpec): Promise<KvParser> {
    const s = kvSources(spec);
    const opt = async (src: string | undefined): Promise<RubyRegexp | undefined> => (src === undefined ? undefined : RubyRegexp.load(src));
    return new KvParser(spec, s, await RubyRegexp.load(s.scan), await RubyRegexp.load(s.valueSplit),
      await opt(s.trimKey), await opt(s.trimValue), await opt(s.removeCharKey), await opt(s.removeCharValue));
  }

  /**
   * Whether the user's own patterns could make the scanner backtrack without bound (anything beyond
   * literal characters): then every event runs under the timeout guard.
   */
  get customPatternsRisky(): boolean {
    const risky = (p: string | undefined): boolean => p !== undefined && /[*+?{}()|]/.test(p.replace(/\\./g, ''));
    return risky(this.spec.fieldSplitPattern) || risky(this.spec.valueSplitPattern);
  }

  /** The plugin's `has_value_splitter?`. */
  hasValueSplitter(text: string, run: ScanRunner): boolean {
    let found = false;
    run(this.valueSplitRe, text, 1, () => { found = true; });
    return found;
  }

  /** The plugin's `parse(text, event, kv_keys)`: adds what `text` holds to `out`. */
  parse(text: string, params: KvEventParams, out: Hash, run: ScanRunner): void {
    if (!this.hasValueSplitter(text, run)) return;
    const { include, exclude, prefix } = params;
    const spec = this.spec;
    run(this.scanRe, text, Number.POSITIVE_INFINITY, (m) => {
      let key = m.groups[1] ?? '';
      let value = '';
      for (let g = 2; g < m.groups.length; g++) {
        const v = m.groups[g];
        if (v !== undefined) { value = v; break; }
      }
      if (value === '' && !spec.allowEmptyValues) return;
      if (this.trimKey) key = this.trimKey.replaceAll(key, '');
      if (this.removeCharKey) key = this.removeCharKey.replaceAll(key, '');
      if (spec.transformKey) key = transform(key, spec.transformKey);
      if (include.length > 0 && !include.includes(key)) return;
      if (exclude.includes(key)) return;
      key = prefix + key;
      if (this.trimValue) value = this.trimValue.replaceAll(value, '');
      if (this.removeCharValue) value = this.removeCharValue.replaceAll(value, '');
      if (spec.transformValue) value = transform(value, spec.transformValue);
      const has = Object.prototype.hasOwnProperty.call(out, key);
      if (!spec.allowDuplicateValues && has && holds(out[key]!, value)) return;
      let v: Value = value;
      if (spec.recursive) {
        const inner: Hash = {};
        this.parse(value, params, inner, run);
        if (Object.keys(inner).length > 0) v = inner;
      }
      if (has) {
        const cur = out[key]!;
        if (Array.isArray(cur)) cur.push(v);
        else setOwn(out, key, [cur, v]);
      } else setOwn(out, key, v);
    });
  }
}
