/**
 * Option validation and coercion with Logstash's rules (LogStash::Config::Mixin#validate_value and
 * #process_parameter_value): a scalar where a list is wanted is wrapped; `"true"`/`"false"` become booleans;
 * numeric strings become numbers; a flat array given to a hash option becomes a hash; `bytes` read
 * "10 MiB"; `list: true` options validate each item and an empty list counts as unset.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { isValidFieldRef } from '../event/fieldref.js';
import { inspectValue } from '../event/ruby.js';
import { LsFloat, formatFloat, isHash, isNumeric, numericValue } from '../event/values.js';
import type { OptionSpec } from './options.js';

export type { ConfigValue } from './options.js';

export type Coerced = { ok: true; value: unknown } | { ok: false; message: string };

const ok = (value: unknown): Coerced => ({ ok: true, value });
const fail = (message: string): Coerced => ({ ok: false, message });

/** Ruby's `inspect`, which Logstash's messages use to show values. */
export const rubyInspect = inspectValue;

/** Logstash's `hash_or_array`: hashes stay, anything else becomes an array (a scalar is wrapped). */
function hashOrArray(v: unknown): unknown[] | { [key: string]: unknown } {
  if (isHash(v)) return v;
  return Array.isArray(v) ? v : [v];
}

function scalarText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof LsFloat) return formatFloat(v.value);
  return String(v);
}

const BINARY_SIZE = /^([\d,.]+)?\s?(?:([kmgtpezy])i)?b$/i;
const SI_SIZE = /^([\d,.]+)?\s?([kmgtpezy]?)b$/i;
const PREFIXES = 'kmgtpezy';

/** Ruby's `Integer(str)`: optional sign, decimal or 0x/0b/0o/0-prefixed, underscores between digits. */
function rubyInteger(s: string): number | undefined {
  const t = s.trim();
  const m = /^([+-])?(0x[0-9a-f]+(?:_[0-9a-f]+)*|0b[01]+(?:_[01]+)*|0o?[0-7]+(?:_[0-7]+)*|[1-9]\d*(?:_\d+)*|0)$/i.exec(t);
  if (!m) return undefined;
  const body = m[2]!.replace(/_/g, '').toLowerCase();
  let n: number;
  if (body.startsWith('0x')) n = parseInt(body.slice(2), 16);
  else if (body.startsWith('0b')) n = parseInt(body.slice(2), 2);
  else if (body.startsWith('0o')) n = parseInt(body.slice(2), 8);
  else if (body.length > 1 && body.startsWith('0')) n = parseInt(body.slice(1), 8);
  else n = parseInt(body, 10);
  return m[1] === '-' ? -n : n;
}

/** Logstash's `bytes`: an integer, or a size with a unit (`10 MiB` binary, `10 MB` decimal, `10b`). */
export function parseBytes(v: unknown): number | undefined {
  if (isNumeric(v)) return Math.trunc(numericValue(v));
  if (typeof v !== 'string') return undefined;
  const int = rubyInteger(v);
  if (int !== undefined) return int;
  let m = BINARY_SIZE.exec(v);
  let base = 1024;
  if (!m) { m = SI_SIZE.exec(v); base = 1000; }
  if (!m) return undefined;
  // Filesize reads the number with to_f: "1,5" is 1 and a missing number is 0.
  const size = Number.parseFloat((m[1] ?? '0').replace(/,.*$/, '')) || 0;
  const prefix = (m[2] ?? '').toLowerCase();
  const power = prefix === '' ? 0 : PREFIXES.indexOf(prefix) + 1;
  return Math.trunc(size * base ** power);
}

const DURATION = /^(\d+(?:\.\d+)?)\s?([a-z]+)?$/;
const DURATION_UNITS: ReadonlyArray<[RegExp, number]> = [
  [/^(s|secs?|seconds?)$/, 1],
  [/^(m|mins?|minutes?)$/, 60],
  [/^(h|hours?)$/, 3600],
  [/^(d|days?)$/, 86_400],
  [/^(w|weeks?)$/, 604_800],
  // Negative: divide by the magnitude (Ruby divides, and 750.9 / 1000 is exactly 0.7509, 750.9 * 1e-3 is not).
  [/^(ms|msecs?)$/, -1e3],
  [/^(us|usecs?)$/, -1e6],
];

/**
 * Logstash's FriendlyDurations (the file input's `close_older => "1 hour"`, `sincedb_clean_after => 14`):
 * a number in the option's unit, or a number with a unit; the result is in seconds.
 */
export function parseDuration(value: unknown, unit: 'seconds' | 'days' = 'seconds'): number | undefined {
  if (isNumeric(value)) return Number(numericValue(value)) * (unit === 'days' ? 86_400 : 1);
  if (typeof value !== 'string') return undefined;
  const m = DURATION.exec(value.trim());
  if (!m) return undefined;
  const n = Number.parseFloat(m[1]!);
  if (m[2] === undefined) return n * (unit === 'days' ? 86_400 : 1);
  const factor = DURATION_UNITS.find(([re]) => re.test(m[2]!))?.[1];
  return factor === undefined ? undefined : factor < 0 ? n / -factor : n * factor;
}

/** Ruby's `Float#to_s` / `Integer#to_s` round-trip test Logstash uses to accept a numeric string. */
function numberFromString(s: string): number | undefined {
  const asInt = /^-?\d+$/.test(s) ? Number.parseInt(s, 10) : Number.NaN;
  const asFloat = Number.parseFloat(s);
  const intOk = Number.isFinite(asInt) && String(asInt) === s;
  const floatOk = Number.isFinite(asFloat) && formatFloat(asFloat) === s;
  if (!intOk && !floatOk) return undefined;
  return s.includes('.') ? asFloat : asInt;
}

export interface CoerceContext {
  /** Directory relative paths of `path` options are checked against (the process's working directory). */
  cwd: string;
}

/** Validate and coerce one value against one validator type (no list handling). */
function coerceOne(spec: OptionSpec, value: unknown, ctx: CoerceContext): Coerced {
  switch (spec.type) {
    case 'any':
      return ok(value);
    case 'codec':
      return ok(value); // resolved by the compiler, which can load codec definitions
    case 'array': {
      if (isHash(value)) return fail(`Expected array, got ${rubyInspect(value)}`);
      return ok(Array.isArray(value) ? value : [value]);
    }
    case 'hash': {
      const v = hashOrArray(value);
      if (!Array.isArray(v)) return ok(v);
      if (v.length % 2 === 1) return fail(`This field must contain an even number of items, got ${v.length}`);
      // A flat array [k1, v1, k2, v2] becomes a hash; a repeated key collects its values in an array.
      const out: Record<string, unknown> = {};
      for (let i = 0; i < v.length; i += 2) {
        const k = scalarText(v[i]);
        const item = v[i + 1];
        if (!(k in out)) out[k] = item;
        else if (Array.isArray(out[k])) (out[k] as unknown[]).push(item);
        else out[k] = [out[k], item];
      }
      return ok(out);
    }
    default:
      break;
  }
  const v = hashOrArray(value);
  if (!Array.isArray(v)) return fail(`Expected ${spec.type === 'number' ? 'number' : spec.type === 'boolean' ? 'boolean' : spec.type}, got ${rubyInspect(value)}`);
  const first = v[0];
  switch (spec.type) {
    case 'string': {
      if (v.length > 1) return fail(`Expected string, got ${rubyInspect(v)}`);
      if (first === undefined) return ok(undefined);
      if (Array.isArray(first) || isHash(first)) return fail(`Expected string, got ${rubyInspect(first)}`);
      // Logstash would keep a number as a number here; plugins read strings, so it is given as text.
      return ok(scalarText(first));
    }
    case 'number': {
      if (v.length > 1) return fail(`Expected number, got ${rubyInspect(v)}`);
      if (first === undefined) return ok(undefined);
      if (isNumeric(first)) return ok(numericValue(first));
      if (typeof first === 'string') {
        const n = numberFromString(first);
        return n === undefined ? fail(`Expected number, got ${rubyInspect(first)}`) : ok(n);
      }
      return fail(`Expected number, got ${rubyInspect(first)}`);
    }
    case 'boolean': {
      if (v.length > 1) return fail(`Expected boolean, got ${rubyInspect(v)}`);
      if (first === undefined) return ok(undefined);
      if (typeof first === 'boolean') return ok(first);
      if (first === 'true' || first === 'false') return ok(first === 'true');
      return fail(`Expected boolean 'true' or 'false', got ${rubyInspect(first)}`);
    }
    case 'password':
    case 'uri': {
      if (v.length > 1) return fail(`Expected ${spec.type} (one value), got ${v.length} values`);
      if (first === undefined) return ok(undefined);
      if (Array.isArray(first) || isHash(first)) return fail(`Expected ${spec.type}, got ${rubyInspect(first)}`);
      return ok(scalarText(first));
    }
    case 'path': {
      if (v.length > 1) return fail(`Expected path (one value), got ${v.length} values`);
      if (first === undefined) return ok(undefined);
      const p = scalarText(first);
      if (!existsSync(isAbsolute(p) ? p : resolve(ctx.cwd, p))) return fail(`File does not exist or cannot be opened ${p}`);
      return ok(p);
    }
    case 'bytes': {
      const n = parseBytes(first);
      if (n === undefined) return fail(`Unparseable filesize: ${scalarText(first)}. possible units (KiB, MiB, ...) e.g. '10 KiB'`);
      return ok(n);
    }
    case 'duration': {
      if (v.length > 1) return fail(`Expected a duration, got ${rubyInspect(v)}`);
      if (first === undefined) return ok(undefined);
      const seconds = parseDuration(first, spec.unit);
      if (seconds === undefined) return fail(`Value '${scalarText(first)}' is not a valid duration string e.g. 200 usec, 250ms, 60 sec, 18h, 21.5d, 1 day, 2w, 6 weeks`);
      return ok(seconds);
    }
    case 'field_reference': {
      if (v.length > 1) return fail(`Expected exactly one field reference, got ${rubyInspect(v)}`);
      if (first === undefined || first === '') return ok(undefined);
      const ref = scalarText(first);
      return isValidFieldRef(ref) ? ok(ref) : fail(`Expected a valid field reference, got ${rubyInspect(first)}`);
    }
    default:
      return fail(`Unknown validator ${String((spec as OptionSpec).type)}`);
  }
}

function checkAllowed(spec: OptionSpec, value: unknown): Coerced {
  if (!spec.values || value === undefined) return ok(value);
  if (spec.values.some((a) => a === value)) return ok(value);
  return fail(`Expected one of ${rubyInspect([...spec.values])}, got ${rubyInspect(value)}`);
}

/**
 * Validate and coerce an option's value. `undefined` as the result means "unset" (an empty list, an empty
 * field reference).
 */
export function coerceOption(spec: OptionSpec, value: unknown, ctx: CoerceContext): Coerced {
  if (spec.list) {
    let items = Array.isArray(value) ? value : [value];
    // A list of URIs may come as one space-separated string (typically from an environment variable).
    if (spec.type === 'uri') items = items.flatMap((i) => (typeof i === 'string' ? i.split(/\s+/).filter(Boolean) : [i]));
    if (items.length === 0) return ok(undefined);
    const out: unknown[] = [];
    // A list of `array` type is a list of plain items: an item is not wrapped again.
    const itemSpec: OptionSpec = spec.type === 'array' ? { ...spec, type: 'any' } : spec;
    for (const item of items) {
      const r = coerceOne(itemSpec, item, ctx);
      if (!r.ok) return r;
      const allowed = checkAllowed(spec, r.value);
      if (!allowed.ok) return allowed;
      out.push(r.value);
    }
    return ok(out);
  }
  const r = coerceOne(spec, value, ctx);
  return r.ok ? checkAllowed(spec, r.value) : r;
}

/**
 * Merge a repeated attribute as Logstash does (Plugin#expr_attributes): hashes merge
 * (LogStash::Util.hash_merge_many), arrays concatenate, and two different scalars become a two-element array.
 */
export function mergeAttribute(existing: unknown, next: unknown): unknown {
  if (isHash(existing)) return isHash(next) ? hashMerge({ ...existing }, next, true) : existing;
  if (Array.isArray(existing)) return Array.isArray(next) ? [...existing, ...next] : [...existing, next];
  return deepEqual(existing, next) ? existing : [existing, next];
}

/**
 * LogStash::Util.hash_merge (withDups false) and hash_merge_with_dups (true): a key present on both sides
 * combines its values into an array; arrays are appended (with dups) or unioned (without); nested hashes
 * always merge with hash_merge.
 */
function hashMerge(dst: Record<string, unknown>, src: Record<string, unknown>, withDups: boolean): Record<string, unknown> {
  for (const [name, svalue] of Object.entries(src)) {
    if (!(name in dst)) { dst[name] = svalue; continue; }
    const dvalue = dst[name];
    if (isHash(dvalue) && isHash(svalue)) dst[name] = hashMerge({ ...dvalue }, svalue, false);
    else if (Array.isArray(svalue)) {
      const base = Array.isArray(dvalue) ? [...dvalue] : [dvalue];
      if (withDups) base.push(...svalue);
      else for (const s of svalue) if (!base.some((b) => deepEqual(b, s))) base.push(s);
      dst[name] = base;
    } else if (Array.isArray(dvalue)) {
      dst[name] = dvalue.some((d) => deepEqual(d, svalue)) ? dvalue : [...dvalue, svalue];
    } else if (!deepEqual(dvalue, svalue)) dst[name] = [dvalue, svalue];
  }
  return dst;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isNumeric(a) && isNumeric(b)) return numericValue(a) === numericValue(b) && (a instanceof LsFloat) === (b instanceof LsFloat);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isHash(a) && isHash(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}
