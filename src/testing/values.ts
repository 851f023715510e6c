/**
 * Values as `sluice test` compares and prints them: expected events read from case files and actual events
 * from the pipeline are both event Values (LsFloat for floats, bigint for big integers, Timestamp).
 *
 * Comparison follows logstash-filter-verifier, which compares pretty-printed JSON produced by Go: there an
 * integer 10 and a float 10.0 print alike, so they are equal here too, and a timestamp equals any ISO 8601
 * text naming the same instant. The printed form keeps Logstash's own spelling (`10.0`).
 */
import { parseFieldRef, type FieldPath } from '../event/fieldref.js';
import { Timestamp } from '../event/timestamp.js';
import { LsFloat, isHash, stringifyValue, type Hash, type Value } from '../event/values.js';

/**
 * Expand top-level keys written as field references (`"[log][file][path]": "x"`) into nested hashes, as
 * logstash-filter-verifier does for `fields`, expected events and json_lines input.
 */
export function expandBracketKeys(hash: Hash): Hash {
  const out: Hash = {};
  for (const [key, value] of Object.entries(hash)) {
    if (!key.startsWith('[')) { mergeInto(out, [key], value); continue; }
    let path: FieldPath;
    try { path = parseFieldRef(key); } catch { out[key] = value; continue; }
    mergeInto(out, path, value);
  }
  return out;
}

function mergeInto(target: Hash, path: FieldPath, value: Value): void {
  let cur = target;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i]!;
    const next = cur[seg];
    if (!isHash(next)) cur[seg] = {};
    cur = cur[seg] as Hash;
  }
  const last = path[path.length - 1]!;
  const existing = cur[last];
  // `{"log": {"a": 1}, "[log][b]": 2}` keeps both subfields.
  if (isHash(existing) && isHash(value)) {
    for (const [k, v] of Object.entries(value)) mergeInto(existing, [k], v);
  } else cur[last] = value;
}

/**
 * Remove a field given by name or field reference (`ignore` entries); missing fields are fine. Hashes left
 * empty on the way are removed too, as logstash-filter-verifier does (ignoring `[event][original]` leaves no
 * `event: {}` behind).
 */
export function removeField(hash: Hash, ref: string): void {
  let path: FieldPath;
  try { path = parseFieldRef(ref); } catch { delete hash[ref]; return; }
  removePath(hash, path);
}

function removePath(hash: Hash, path: FieldPath): void {
  const [head, ...rest] = path;
  if (rest.length === 0) { delete hash[head!]; return; }
  const next = hash[head!];
  if (!isHash(next)) return;
  removePath(next, rest);
  if (Object.keys(next).length === 0) delete hash[head!];
}

function numberOf(v: Value): number | bigint | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (v instanceof LsFloat) return v.value;
  return undefined;
}

function numbersEqual(a: number | bigint, b: number | bigint): boolean {
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    if (typeof a === 'number' && !Number.isInteger(a)) return false;
    if (typeof b === 'number' && !Number.isInteger(b)) return false;
    return BigInt(a) === BigInt(b);
  }
  return a === b;
}

function timestampOf(v: Value): Timestamp | undefined {
  if (v instanceof Timestamp) return v;
  if (typeof v === 'string') return Timestamp.parse(v);
  return undefined;
}

/** Whether an expected value matches an actual one (see the module comment for the leniencies). */
export function valuesEqual(expected: Value, actual: Value): boolean {
  const en = numberOf(expected);
  const an = numberOf(actual);
  if (en !== undefined || an !== undefined) return en !== undefined && an !== undefined && numbersEqual(en, an);
  if (expected instanceof Timestamp || actual instanceof Timestamp) {
    const et = timestampOf(expected);
    const at = timestampOf(actual);
    return et !== undefined && at !== undefined && et.equals(at);
  }
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual) || expected.length !== actual.length) return false;
    return expected.every((e, i) => valuesEqual(e, actual[i]!));
  }
  if (isHash(expected) || isHash(actual)) {
    if (!isHash(expected) || !isHash(actual)) return false;
    const ek = Object.keys(expected);
    if (ek.length !== Object.keys(actual).length) return false;
    return ek.every((k) => Object.prototype.hasOwnProperty.call(actual, k) && valuesEqual(expected[k]!, actual[k]!));
  }
  return expected === actual;
}

/**
 * The expected value with every leaf that matches the actual one replaced by the actual spelling, so a diff
 * shows real differences only (not `10` against `10.0`, nor two spellings of one instant).
 */
export function alignExpected(expected: Value, actual: Value | undefined): Value {
  if (actual === undefined) return expected;
  if (Array.isArray(expected) && Array.isArray(actual)) return expected.map((e, i) => alignExpected(e, actual[i]));
  if (isHash(expected) && isHash(actual)) {
    const out: Hash = {};
    for (const [k, v] of Object.entries(expected)) out[k] = alignExpected(v, actual[k]);
    return out;
  }
  if (!Array.isArray(expected) && !isHash(expected) && valuesEqual(expected, actual)) return actual;
  return expected;
}

/** Pretty JSON with sorted keys and two-space indentation, numbers spelled as Logstash prints them. */
export function prettyJson(v: Value, indent = ''): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return String(v);
  if (v instanceof LsFloat) return stringifyValue(v);
  if (v instanceof Timestamp) return JSON.stringify(v.toString());
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => inner + prettyJson(x, inner)).join(',\n')}\n${indent}]`;
  }
  const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort();
  if (keys.length === 0) return '{}';
  return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${prettyJson(v[k]!, inner)}`).join(',\n')}\n${indent}}`;
}

/** Whether a Timestamp was most likely taken from the clock while the case ran (not set by a filter). */
export function isClockTimestamp(v: Value | undefined, window: { start: number; end: number }): boolean {
  return v instanceof Timestamp && v.nanoOfMilli === 0 && v.epochMs >= window.start && v.epochMs <= window.end;
}
