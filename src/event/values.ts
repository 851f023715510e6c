/**
 * Event values are JSON-like: string, number, bigint (integers beyond 2^53, kept exact), boolean, null,
 * arrays, plain objects, Timestamp, and LsFloat.
 *
 * Why LsFloat: Logstash keeps Integer and Float apart, so `10.0` read from JSON or produced by
 * `convert => float` prints as `10.0`, never `10`. A JS number cannot carry that distinction, so every
 * Float value is an LsFloat. `valueOf()` makes `<`, `>` and arithmetic work unchanged; use `numericValue`
 * where a plain number is needed and `isNumeric` to test for either kind.
 */
import { Timestamp } from './timestamp.js';

export class LsFloat {
  constructor(readonly value: number) {}
  valueOf(): number { return this.value; }
  toString(): string { return formatFloat(this.value); }
  toJSON(): number { return this.value; }
}

/** Ruby's Float#to_s as Logstash prints floats: `10.0`, `0.5`, `1.0e+20`, `1.0e-05`. */
export function formatFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e16 || abs < 1e-4)) {
    const [mant, exp] = n.toExponential().split('e') as [string, string];
    const m = mant.includes('.') ? mant : `${mant}.0`;
    const e = Number(exp);
    return `${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const s = String(n);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

export type Scalar = string | number | bigint | boolean | null | LsFloat | Timestamp;
export type Value = Scalar | Value[] | { [key: string]: Value };
export type Hash = { [key: string]: Value };

export function isHash(v: unknown): v is Hash {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof LsFloat) && !(v instanceof Timestamp);
}

export function isNumeric(v: unknown): v is number | bigint | LsFloat {
  return typeof v === 'number' || typeof v === 'bigint' || v instanceof LsFloat;
}

export function numericValue(v: number | bigint | LsFloat): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : v.value;
}

/** Deep copy of a value (Logstash clones when copying fields and events). */
export function deepClone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(deepClone) as T;
  if (isHash(v)) {
    const out: Hash = {};
    for (const k of Object.keys(v)) out[k] = deepClone(v[k] as Value);
    return out as T;
  }
  return v; // scalars, LsFloat and Timestamp are immutable
}

/** Ruby-ish to_s of a value, as Logstash's sprintf and string conversions render it. */
export function valueToString(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (v instanceof LsFloat || v instanceof Timestamp) return v.toString();
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(valueToString).join(',');
  return stringifyValue(v);
}

/**
 * JSON text of a value with Logstash's number rules (floats keep a decimal point, bigints are exact).
 * Object key order is insertion order, like Logstash's ordered hashes.
 */
export function stringifyValue(v: unknown): string {
  switch (typeof v) {
    case 'string': return quoteString(v);
    case 'number': return Number.isFinite(v) ? String(v) : 'null';
    case 'bigint': return v.toString();
    case 'boolean': return v ? 'true' : 'false';
    case 'undefined': return 'null';
    case 'object': {
      if (v === null) return 'null';
      if (v instanceof LsFloat) return Number.isFinite(v.value) ? jsonFloat(v.value) : 'null';
      if (v instanceof Timestamp) return '"' + v.toString() + '"';
      if (Array.isArray(v)) {
        let s = '[';
        for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + stringifyValue(v[i]);
        return s + ']';
      }
      let s = '{';
      let first = true;
      const o = v as Record<string, unknown>;
      for (const k in o) {
        const item = o[k];
        if (item === undefined || !Object.prototype.hasOwnProperty.call(o, k)) continue;
        s += (first ? '' : ',') + quotedKey(k) + stringifyValue(item);
        first = false;
      }
      return s + '}';
    }
    default: return 'null';
  }
}

// The same long string often comes twice in a row: `message` and `[event][original]` of a line are one
// string in ECS mode. Its quoted form is kept for the next call.
let lastString = '';
let lastQuoted = '""';

/** A string JSON prints as it is between quotes: no quote, backslash, control character or surrogate. */
const PLAIN_JSON_STRING = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** JSON text of a string: exactly JSON.stringify's, faster for the strings events hold. */
export function quoteString(s: string): string {
  // Short strings (most field values) are checked in JS rather than handed to JSON.stringify: cheaper
  // than the call, and the same text (anything needing an escape still goes through JSON.stringify).
  if (s.length < 32) return PLAIN_JSON_STRING.test(s) ? `"${s}"` : JSON.stringify(s);
  if (s === lastString) return lastQuoted;
  lastString = s;
  lastQuoted = JSON.stringify(s);
  return lastQuoted;
}

// Field names repeat from event to event: their quoted form (with the colon) is kept.
const keyCache = new Map<string, string>();

/** A field name as JSON, followed by the colon (`"name":`). */
export function quotedKey(k: string): string {
  let q = keyCache.get(k);
  if (q === undefined) {
    q = JSON.stringify(k) + ':';
    if (keyCache.size < 5000) keyCache.set(k, q);
  }
  return q;
}

/**
 * A float in JSON as Jackson (Logstash's JSON writer) prints a double, i.e. Java's Double.toString:
 * always a fraction or exponent so readers keep it a float (`10.0`, `1.0E20`, `1.0E-4`).
 */
function jsonFloat(n: number): string { return javaDoubleToString(n); }

/** Java's Double.toString: plain between 1e-3 and 1e7, else `d.dddE±n`; always a fraction digit. */
export function javaDoubleToString(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(n);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mant, exp] = n.toExponential().split('e') as [string, string];
  return `${mant.includes('.') ? mant : mant + '.0'}E${exp.startsWith('+') ? exp.slice(1) : exp}`;
}
