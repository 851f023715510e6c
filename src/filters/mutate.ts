/**
 * mutate: renames, replaces, converts and edits fields, as logstash-filter-mutate does.
 *
 * The operations always run in Logstash's fixed order, whatever their order in the config:
 * coerce, rename, update, replace, convert, gsub, uppercase, capitalize, lowercase, strip, split, join,
 * merge, copy. When one of them fails (an unparsable number, `strip` on a non-string array item, a field
 * that cannot be set…) the rest are skipped, the event is tagged `tag_on_failure` and the common
 * add_field/add_tag/… options are not applied; what was done before the failure stays done.
 *
 * Conversions follow the plugin since Logstash 8.14 (its non-lenient mode on JRuby 9.4): see `toInteger`
 * and `toFloat`.
 */
import { toRegExp } from 'oniguruma-to-es';
import type { Event } from '../event/event.js';
import { compileSprintf, isTemplate, type Formatter } from '../event/sprintf.js';
import { Timestamp } from '../event/timestamp.js';
import { deepClone, formatFloat, isHash, LsFloat, type Hash, type Value } from '../event/values.js';
import { rubyToI } from '../formats/grok/ruby.js';
import { defineFilter, type Logger } from '../plugins/api.js';
import { inspectString as rubyInspect, inspectValue as rubyInspectValue, toS } from '../event/ruby.js';

export class MutateError extends Error {}

const CONVERSIONS = ['string', 'integer', 'float', 'boolean', 'integer_eu', 'float_eu'] as const;
type Conversion = (typeof CONVERSIONS)[number];

// ---- Ruby semantics --------------------------------------------------------------------------------

/** Ruby's String#strip: ASCII whitespace and NUL at both ends. */
export function rubyStrip(s: string): string {
  return s.replace(/^[\0\t\n\v\f\r ]+|[\0\t\n\v\f\r ]+$/g, '');
}

/** Ruby's #to_s (re-exported for the tests). */
export const rubyToS = toS;

/** Ruby's Array#join: nested arrays are joined recursively with the same separator. */
function rubyJoin(a: readonly Value[], sep: string): string {
  return a.map((x) => (Array.isArray(x) ? rubyJoin(x, sep) : rubyToS(x))).join(sep);
}

/** Ruby's String#split(string): `" "` splits on runs of whitespace, `""` into characters; trailing empties dropped. */
export function rubySplit(s: string, sep: string): string[] {
  let parts: string[];
  if (sep === ' ') {
    parts = s.replace(/^[\t\n\v\f\r ]+/, '').split(/[\t\n\v\f\r ]+/);
  } else if (sep === '') {
    parts = Array.from(s);
  } else {
    parts = s.split(sep);
  }
  let end = parts.length;
  while (end > 0 && parts[end - 1] === '') end--;
  return end === parts.length ? parts : parts.slice(0, end);
}

function capitalize(s: string): string {
  if (s === '') return s;
  const first = String.fromCodePoint(s.codePointAt(0)!);
  return first.toUpperCase() + s.slice(first.length).toLowerCase();
}

// ---- conversions -----------------------------------------------------------------------------------

function typeError(v: Value, to: string): MutateError {
  return new MutateError(`can't convert ${Array.isArray(v) ? 'Array' : isHash(v) ? 'Hash' : typeof v} into ${to}`);
}

function integerOf(n: number): number | bigint {
  if (!Number.isFinite(n)) throw new MutateError(`${formatFloat(n)} cannot be converted to an integer`);
  const t = Math.trunc(n);
  return Number.isSafeInteger(t) ? (t === 0 ? 0 : t) : BigInt(t);
}

function normalize(big: bigint): number | bigint {
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

const HEX_PREFIX = /^[+-]?0x/i;
const HEX_INT = /^0x([0-9a-f]+(?:_[0-9a-f]+)*)$/;
const HEX_FLOAT = /^0x([0-9a-f]*)(?:\.([0-9a-f]+))?(?:p([+-]?\d+))?$/;

/** Ruby's Float() of an unsigned lower-case hex string (`0x1a`, `0x1.8p1`); throws like ArgumentError. */
function hexFloat(unsigned: string, original: string): number {
  const m = HEX_FLOAT.exec(unsigned);
  if (m === null || (m[1] === '' && m[2] === undefined)) throw new MutateError(`invalid value for Float(): ${rubyInspect(original)}`);
  let v = m[1] === '' ? 0 : parseInt(m[1]!, 16);
  if (m[2] !== undefined) v += parseInt(m[2], 16) / 16 ** m[2].length;
  if (m[3] !== undefined) v *= 2 ** Number(m[3]);
  return v;
}

/** The signed value of a hex string, or undefined when it is not one (the plugin's parse_signed_hex_str). */
function signedHex(s: string): number | undefined {
  if (!HEX_PREFIX.test(s)) return undefined;
  const sign = s.startsWith('-') ? -1 : 1;
  const unsigned = s.replace(/^[+-]/, '').toLowerCase();
  return sign * hexFloat(unsigned, s);
}

/** Ruby's Integer() of a hex string such as `-0x1A`. */
function hexInteger(s: string): number | bigint {
  const sign = s.startsWith('-') ? -1n : 1n;
  const m = HEX_INT.exec(s.replace(/^[+-]/, '').toLowerCase());
  if (m === null) throw new MutateError(`invalid value for Integer(): ${rubyInspect(s)}`);
  return normalize(sign * BigInt(`0x${m[1]!.replace(/_/g, '')}`));
}

const DEC_EXP = /^[\t\n\v\f\r ]*([+-]?)(\d+(?:_\d+)*)?(?:\.(\d+(?:_\d+)*))?[eE]([+-]?\d+)[\t\n\v\f\r ]*$/;

/** BigDecimal(s).to_i for a number written with an exponent, exactly (truncated toward zero). */
function bigDecimalToI(s: string): number | bigint {
  const m = DEC_EXP.exec(s);
  if (m === null || (m[2] === undefined && m[3] === undefined)) throw new MutateError(`invalid value for BigDecimal(): ${rubyInspect(s)}`);
  const intDigits = (m[2] ?? '').replace(/_/g, '');
  const fracDigits = (m[3] ?? '').replace(/_/g, '');
  const exp = Number(m[4]) - fracDigits.length;
  const digits = BigInt((intDigits + fracDigits) || '0');
  // Keep absurd exponents from allocating huge integers; BigDecimal would overflow on them anyway.
  if (exp > 10_000) throw new MutateError(`exponent too large in ${rubyInspect(s)}`);
  const v = exp >= 0 ? digits * 10n ** BigInt(exp) : -exp > 10_000 ? 0n : digits / 10n ** BigInt(-exp);
  return normalize(m[1] === '-' ? -v : v);
}

const FLOAT_STRICT = /^[\t\n\v\f\r ]*[+-]?(?:\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?[\t\n\v\f\r ]*$/;

/** Ruby's strict Float(string). */
function rubyFloat(s: string): number {
  if (!FLOAT_STRICT.test(s)) throw new MutateError(`invalid value for Float(): ${rubyInspect(s)}`);
  return Number(s.replace(/_/g, '').trim());
}

/** convert_integer: strings lose surrounding spaces and `,` group separators first. */
export function toInteger(value: Value): Value {
  if (typeof value === 'string') {
    const s = rubyStrip(value).replace(/,/g, '');
    const hex = signedHex(s);
    if (hex !== undefined) return s.includes('.') ? integerOf(hex) : hexInteger(s);
    // Scientific notation (a lower-case `e` only, as the plugin checks) goes through BigDecimal.
    if (s.includes('e')) return bigDecimalToI(s);
    return rubyToI(s);
  }
  if (value === true) return 1;
  if (value === false) return 0;
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (value instanceof LsFloat) return integerOf(value.value);
  if (value instanceof Timestamp) return Math.floor(value.epochMs / 1000);
  throw typeError(value, 'Integer');
}

/** convert_float. */
export function toFloat(value: Value): Value {
  if (typeof value === 'string') {
    const s = rubyStrip(value).replace(/,/g, '');
    const hex = signedHex(s);
    return new LsFloat(hex !== undefined ? hex : rubyFloat(s));
  }
  if (value === true) return new LsFloat(1);
  if (value === false) return new LsFloat(0);
  if (value instanceof LsFloat) return value;
  if (typeof value === 'number' || typeof value === 'bigint') return new LsFloat(Number(value));
  if (value instanceof Timestamp) return new LsFloat(value.epochMs / 1000 + value.nanoOfMilli / 1e9);
  throw typeError(value, 'Float');
}

/** EU notation: `.` groups digits and `,` is the decimal mark; swapped before the US conversion. */
function euToUs(value: Value): Value {
  return typeof value === 'string' ? value.replace(/[,.]/g, (c) => (c === ',' ? '.' : ',')) : value;
}

const TRUE_RE = /^(true|t|yes|y|1|1.0)$/im;
const FALSE_RE = /^(false|f|no|n|0|0.0)$/im;

function converter(type: Conversion, logger: Logger): (v: Value) => Value {
  switch (type) {
    case 'string': return (v) => rubyToS(v);
    case 'integer': return toInteger;
    case 'float': return toFloat;
    case 'integer_eu': return (v) => toInteger(euToUs(v));
    case 'float_eu': return (v) => toFloat(euToUs(v));
    case 'boolean': return (v) => {
      const s = rubyToS(v);
      if (TRUE_RE.test(s)) return true;
      if (s === '' || FALSE_RE.test(s)) return false;
      logger.warn(`Failed to convert ${s} into boolean.`);
      return v;
    };
  }
}

// ---- gsub ------------------------------------------------------------------------------------------

/** A Ruby regexp (Regexp.new(needle)) as a global JS RegExp; throws on a pattern Ruby would reject. */
function rubyRegexp(source: string): RegExp {
  try {
    return toRegExp(source, { global: true, target: 'ES2018' });
  } catch (e) {
    throw new MutateError(`invalid regular expression /${source}/: ${(e as Error).message}`);
  }
}

type ReplacementPart = string | { group: number | string } | { pre: true } | { post: true };

/** Ruby's gsub replacement escapes: `\0` `\&` `\1`…`\9` `\k<name>` `` \` `` `\'` `\\`; others stay literal. */
function parseReplacement(r: string): ReplacementPart[] {
  const parts: ReplacementPart[] = [];
  let text = '';
  for (let i = 0; i < r.length; i++) {
    const c = r[i]!;
    if (c !== '\\' || i + 1 >= r.length) { text += c; continue; }
    const n = r[i + 1]!;
    let part: ReplacementPart | undefined;
    if (n >= '0' && n <= '9') part = { group: Number(n) };
    else if (n === '&') part = { group: 0 };
    else if (n === '`') part = { pre: true };
    else if (n === "'") part = { post: true };
    else if (n === '\\') { text += '\\'; i++; continue; }
    else if (n === 'k' && r[i + 2] === '<') {
      const close = r.indexOf('>', i + 3);
      if (close > 0) {
        if (text) { parts.push(text); text = ''; }
        parts.push({ group: r.slice(i + 3, close) });
        i = close;
        continue;
      }
    }
    if (part === undefined) { text += c; continue; }
    if (text) { parts.push(text); text = ''; }
    parts.push(part);
    i++;
  }
  if (text) parts.push(text);
  return parts;
}

function rubyGsub(s: string, re: RegExp, parts: ReplacementPart[]): string {
  if (parts.every((p) => typeof p === 'string')) {
    const text = parts.join('');
    return s.replace(re, () => text);
  }
  return s.replace(re, (...args: unknown[]) => {
    const hasNamed = typeof args[args.length - 1] === 'object' && args[args.length - 1] !== null;
    const offsetAt = args.length - (hasNamed ? 3 : 2);
    const offset = args[offsetAt] as number;
    const match = args[0] as string;
    const named = hasNamed ? (args[args.length - 1] as Record<string, string | undefined>) : undefined;
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') out += p;
      else if ('pre' in p) out += s.slice(0, offset);
      else if ('post' in p) out += s.slice(offset + match.length);
      else if (typeof p.group === 'number') out += p.group === 0 ? match : p.group < offsetAt ? (args[p.group] as string | undefined) ?? '' : '';
      else out += named?.[p.group] ?? '';
    }
    return out;
  });
}

// ---- the filter ------------------------------------------------------------------------------------

type Pairs = [string, Value][];

function pairs(h: unknown): Pairs {
  return isHash(h) ? Object.entries(h) : [];
}

function textOf(v: Value): string {
  return typeof v === 'string' ? v : rubyToS(v);
}

const TIMESTAMP_REFS = new Set(['@timestamp', '[@timestamp]']);

/**
 * Event#set as Logstash's Ruby API does it: @timestamp only takes a Timestamp (anything else raises a
 * TypeError there, which mutate turns into its failure tag).
 */
function put(event: Event, field: string, value: Value): void {
  if (TIMESTAMP_REFS.has(field) && !(value instanceof Timestamp)) {
    throw new MutateError(`wrong argument type ${Array.isArray(value) ? 'Array' : typeof value} (expected LogStash::Timestamp)`);
  }
  event.set(field, value);
}

interface GsubRule { field: string; needle: RegExp | Formatter; replacement: Formatter; replacementConstant: ReplacementPart[] | undefined }

export default defineFilter({
  name: 'mutate',
  doc: 'Renames, replaces, converts and edits fields; operations run in Logstash\'s fixed order (coerce, rename, update, replace, convert, gsub, uppercase, capitalize, lowercase, strip, split, join, merge, copy).',
  options: {
    coerce: { type: 'hash', doc: 'Set a default value (sprintf) for fields that exist but are null.' },
    rename: { type: 'hash', doc: 'Rename fields: `{ "old" => "new" }` (both sprintf).' },
    update: { type: 'hash', doc: 'Set existing fields to new values (sprintf); missing fields are left alone.' },
    replace: { type: 'hash', doc: 'Set fields to new values (sprintf), creating them if needed.' },
    convert: { type: 'hash', doc: 'Convert field values: integer, integer_eu, float, float_eu, string or boolean (arrays element-wise).' },
    gsub: { type: 'array', doc: 'Triples of field, regular expression, replacement: replace every match in strings (and arrays of strings).' },
    uppercase: { type: 'array', doc: 'Fields whose strings become upper case.' },
    capitalize: { type: 'array', doc: 'Fields whose strings become capitalized.' },
    lowercase: { type: 'array', doc: 'Fields whose strings become lower case.' },
    strip: { type: 'array', doc: 'Fields whose strings lose leading and trailing whitespace.' },
    split: { type: 'hash', doc: 'Split string fields into arrays on a separator: `{ "field" => "," }`.' },
    join: { type: 'hash', doc: 'Join array fields with a separator: `{ "field" => "," }`.' },
    merge: { type: 'hash', doc: 'Merge fields into a destination: `{ "dest" => "added" }` (arrays concatenate, hashes merge).' },
    copy: { type: 'hash', doc: 'Copy fields (deep copy) to other fields, overwriting them: `{ "source" => "dest" }`.' },
    tag_on_failure: { type: 'string', default: '_mutate_error', doc: 'Tag added when an operation fails.' },
  },
  // Creating it opens nothing, so the config check creates it to validate the options.
  check: 'create',
  create(options, ctx) {
    const logger = ctx.logger;
    const tagOnFailure = options.tag_on_failure;
    const fmt = (v: Value): Formatter => compileSprintf(textOf(v));

    const coerce = pairs(options.coerce).map(([f, v]) => [f, fmt(v)] as const);
    const rename = pairs(options.rename).map(([f, v]) => [compileSprintf(f), fmt(v)] as const);
    const update = pairs(options.update).map(([f, v]) => [f, fmt(v)] as const);
    const replace = pairs(options.replace).map(([f, v]) => [f, fmt(v)] as const);
    const convert = pairs(options.convert).map(([f, t]) => {
      const type = textOf(t);
      if (!(CONVERSIONS as readonly string[]).includes(type)) {
        throw new MutateError(`Invalid conversion type '${type}', expected one of '${CONVERSIONS.join(',')}'`);
      }
      return [f, converter(type as Conversion, logger)] as const;
    });
    const gsubSpec = options.gsub ?? [];
    const gsub: GsubRule[] = [];
    for (let i = 0; i < gsubSpec.length; i += 3) {
      const [field, needle, replacement] = [gsubSpec[i], gsubSpec[i + 1], gsubSpec[i + 2]];
      if (field == null || needle == null || replacement == null) {
        throw new MutateError(`Invalid gsub configuration ${rubyInspectValue(gsubSpec.slice(i, i + 3))}. gsub requires 3 non-nil elements per config entry`);
      }
      const needleText = textOf(needle);
      const replacementText = textOf(replacement);
      gsub.push({
        field: textOf(field),
        // A needle with `%{` is interpolated per event; otherwise it is compiled once, at start-up.
        needle: needleText.includes('%{') ? compileSprintf(needleText) : rubyRegexp(needleText),
        replacement: compileSprintf(replacementText),
        replacementConstant: isTemplate(replacementText) ? undefined : parseReplacement(replacementText),
      });
    }
    const list = (values: Value[] | undefined): string[] => (values ?? []).map(textOf);
    const uppercase = list(options.uppercase);
    const capitalizeFields = list(options.capitalize);
    const lowercase = list(options.lowercase);
    const strip = list(options.strip);
    const split = pairs(options.split).map(([f, v]) => [f, textOf(v)] as const);
    const join = pairs(options.join).map(([f, v]) => [f, textOf(v)] as const);
    const merge = pairs(options.merge).map(([f, v]) => [f, (Array.isArray(v) ? v : [v]).map(textOf)] as const);
    const copy = pairs(options.copy).map(([f, v]) => [f, textOf(v)] as const);

    const dynamicRegexps = new Map<string, RegExp>();
    const regexpFor = (source: string): RegExp => {
      let re = dynamicRegexps.get(source);
      if (re === undefined) {
        re = rubyRegexp(source);
        if (dynamicRegexps.size < 1000) dynamicRegexps.set(source, re);
      }
      return re;
    };

    const caseChange = (event: Event, fields: string[], change: (s: string) => string): void => {
      for (const field of fields) {
        const v = event.get(field);
        if (v === undefined || v === null) continue;
        const result = Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? change(x) : x)) : typeof v === 'string' ? change(v) : v;
        put(event, field, result);
      }
    };

    const apply = (event: Event): void => {
      for (const [field, value] of coerce) {
        if (event.includes(field) && event.get(field) === null) put(event, field, value(event));
      }
      for (const [oldF, newF] of rename) {
        const from = oldF(event);
        const to = newF(event);
        if (!event.includes(from)) continue;
        put(event, to, event.remove(from) as Value);
      }
      for (const [field, value] of update) {
        if (event.includes(field)) put(event, field, value(event));
      }
      for (const [field, value] of replace) put(event, field, value(event));
      for (const [field, conv] of convert) {
        if (!event.includes(field)) continue;
        const original = event.get(field);
        if (original === null || original === undefined || isHash(original)) continue;
        put(event, field, Array.isArray(original) ? original.map((x) => (x === null ? x : conv(x))) : conv(original));
      }
      for (const rule of gsub) {
        const v = event.get(rule.field);
        if (typeof v !== 'string' && !Array.isArray(v)) continue;
        const re = typeof rule.needle === 'function' ? regexpFor(rule.needle(event)) : rule.needle;
        const parts = rule.replacementConstant ?? parseReplacement(rule.replacement(event));
        if (typeof v === 'string') put(event, rule.field, rubyGsub(v, re, parts));
        else put(event, rule.field, v.map((x) => (typeof x === 'string' ? rubyGsub(x, re, parts) : x)));
      }
      caseChange(event, uppercase, (s) => s.toUpperCase());
      caseChange(event, capitalizeFields, capitalize);
      caseChange(event, lowercase, (s) => s.toLowerCase());
      for (const field of strip) {
        const v = event.get(field);
        if (typeof v === 'string') put(event, field, rubyStrip(v));
        else if (Array.isArray(v)) {
          put(event, field, v.map((x) => {
            if (typeof x !== 'string') throw new MutateError(`undefined method 'strip' for ${rubyInspectValue(x)}`);
            return rubyStrip(x);
          }));
        }
      }
      for (const [field, sep] of split) {
        const v = event.get(field);
        if (typeof v === 'string') put(event, field, rubySplit(v, sep));
      }
      for (const [field, sep] of join) {
        const v = event.get(field);
        if (Array.isArray(v)) put(event, field, rubyJoin(v, sep));
      }
      for (const [dest, added] of merge) {
        // As in the plugin, the destination is read once and each added field merged into that copy.
        let destValue = deepClone(event.get(dest));
        for (const a of added) {
          const addedValue = deepClone(event.get(a));
          if (isHash(destValue) !== isHash(addedValue)) {
            logger.error('Not possible to merge an array and a hash', { dest_field: dest, added_field: a });
            continue;
          }
          if (isHash(destValue)) {
            Object.assign(destValue, addedValue as Hash);
            put(event, dest, destValue);
          } else {
            const base: Value[] = Array.isArray(destValue) ? destValue : destValue === undefined || destValue === null ? [] : [destValue];
            const more: Value[] = Array.isArray(addedValue) ? addedValue : addedValue === undefined || addedValue === null ? [] : [addedValue];
            base.push(...more);
            put(event, dest, base);
            if (Array.isArray(destValue)) destValue = base;
          }
        }
      }
      for (const [src, dest] of copy) {
        const v = event.get(src);
        if (v === undefined || v === null) continue;
        put(event, dest, deepClone(v));
      }
    };

    return {
      filter(event) {
        try {
          apply(event);
          return true;
        } catch (e) {
          logger.warn('Exception caught while applying mutate filter', { exception: (e as Error).message });
          event.tag(tagOnFailure);
          return false;
        }
      },
    };
  },
});
