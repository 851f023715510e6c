/**
 * How events cross into the Ruby VM and back: one JSON text per batch each way (described at the top of
 * prelude.rb, which reads and writes the other end).
 *
 * Into Ruby, values are written so that Ruby's own JSON.parse gives the right Ruby object with no walk
 * in Ruby: a Float always has a fraction or an exponent (`10.0`, `1.0E20`), a big integer is plain digits
 * (Ruby reads it as an exact Integer). Only what JSON cannot hold is tagged as a string starting with
 * NUL: a non-finite Float, a Timestamp below the top level, a string that itself starts with NUL; an
 * event whose text holds such a tag is flagged so Ruby revives only those events. The top-level
 * `@timestamp` travels in the record's head.
 *
 * Out of Ruby, every Float, big integer and Timestamp is tagged (JSON.parse here cannot tell `1.0`
 * from `1`), and revived in one walk here. Those tags start with U+D800, a lone surrogate: no valid UTF-8
 * string, which is all Ruby writes, can hold one, so no string from Ruby is mistaken for a tag.
 */
import { Event } from '../../event/event.js';
import { Timestamp } from '../../event/timestamp.js';
import { isHash, javaDoubleToString, LsFloat, type Hash, type Value } from '../../event/values.js';

const TAG = '\u0000';

interface EncodeState { tagged: boolean }

function encodeString(s: string, st: EncodeState): string {
  if (s.charCodeAt(0) === 0) { st.tagged = true; return JSON.stringify(`${TAG}s${s}`); }
  return JSON.stringify(s);
}

function encodeFloat(n: number, st: EncodeState): string {
  if (Number.isFinite(n)) return javaDoubleToString(n);
  st.tagged = true;
  return `"\\u0000f${Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity'}"`;
}

function encodeValue(v: unknown, st: EncodeState): string {
  switch (typeof v) {
    case 'string': return encodeString(v, st);
    // A JS number that is not an integer is a Float to Ruby too; a plain integer stays an Integer.
    case 'number': return Number.isFinite(v) ? String(v) : encodeFloat(v, st);
    case 'bigint': return v.toString();
    case 'boolean': return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (v instanceof LsFloat) return encodeFloat(v.value, st);
      if (v instanceof Timestamp) { st.tagged = true; return `"\\u0000t${v.epochMs}.${v.nanoOfMilli}"`; }
      if (Array.isArray(v)) {
        let s = '[';
        for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + encodeValue(v[i], st);
        return s + ']';
      }
      return encodeHash(v as Record<string, unknown>, st, undefined);
    }
    default: return 'null';
  }
}

function encodeHash(o: Record<string, unknown>, st: EncodeState, placeholder: string | undefined): string {
  let s = '{';
  let first = true;
  for (const k in o) {
    const item = o[k];
    if (item === undefined || !Object.prototype.hasOwnProperty.call(o, k)) continue;
    s += (first ? '' : ',') + JSON.stringify(k) + ':' + (k === placeholder ? '0' : encodeValue(item, st));
    first = false;
  }
  return s + '}';
}

/** One event for Ruby: `[epochMs, nanoOfMilli, tagged, data, metadata]`. */
export function encodeEventForRuby(e: Event): string {
  const st: EncodeState = { tagged: false };
  const ts = e.data['@timestamp'];
  const isTs = ts instanceof Timestamp;
  const data = encodeHash(e.data, st, isTs ? '@timestamp' : undefined);
  const meta = encodeHash(e.metadata, st, undefined);
  return `[${isTs ? `${ts.epochMs},${ts.nanoOfMilli}` : 'null,0'},${st.tagged ? 1 : 0},${data},${meta}]`;
}

/** A batch for Ruby: one JSON array. */
export function encodeBatchForRuby(events: readonly Event[]): string {
  let s = '[';
  for (let i = 0; i < events.length; i++) s += (i ? ',' : '') + encodeEventForRuby(events[i]!);
  return s + ']';
}

/** A value (a hash of script_params) for Ruby, revived there with Sluice.revive. */
export function encodeValueForRuby(v: unknown): string {
  return encodeValue(v, { tagged: false });
}

// ---- out of Ruby ------------------------------------------------------------------------------------

/** An event as Ruby writes it: `[data, metadata]`, its floats, big integers and timestamps tagged. */
export type RubyWireEvent = [Hash, Hash];

const MARK = 0xd800;
const FLOAT_TAG = /^\ud800f(-?\d+\.\d+(?:e[+-]\d+)?|NaN|-?Infinity)$/;
const BIG_TAG = /^\ud800b(-?\d+)$/;
const TIME_TAG = /^\ud800t(-?\d+)\.(\d+)$/;

function reviveString(v: string): Value {
  let m: RegExpExecArray | null;
  switch (v.charCodeAt(1)) {
    case 0x66: m = FLOAT_TAG.exec(v); return m === null ? v : new LsFloat(Number(m[1])); // f
    case 0x62: m = BIG_TAG.exec(v); return m === null ? v : BigInt(m[1]!); // b
    case 0x74: m = TIME_TAG.exec(v); return m === null ? v : new Timestamp(Number(m[1]), Number(m[2])); // t
    default: return v;
  }
}

function revive(v: Value): Value {
  if (typeof v === 'string') return v.charCodeAt(0) === MARK ? reviveString(v) : v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (typeof x === 'object' || (typeof x === 'string' && x.charCodeAt(0) === MARK)) v[i] = revive(x);
    }
    return v;
  }
  if (isHash(v)) {
    for (const k in v) {
      const x = v[k]!;
      if (typeof x === 'object' || (typeof x === 'string' && x.charCodeAt(0) === MARK)) v[k] = revive(x);
    }
  }
  return v;
}

/** Revive the tagged values of a parsed Ruby record in place (when its text held a tag at all). */
export function reviveRecord(w: RubyWireEvent, tagged: boolean): { data: Hash; metadata: Hash } {
  const [data, metadata] = w;
  if (tagged) { revive(data); revive(metadata); }
  return { data, metadata };
}

/** A new event made in Ruby. */
export function eventFromRuby(w: RubyWireEvent, tagged: boolean): Event {
  const { data, metadata } = reviveRecord(w, tagged);
  return Event.restore(data, metadata);
}

/** Whether a text from Ruby holds a tag (then its records need a revive walk). */
export function hasTags(text: string): boolean {
  return text.includes('\\ud800');
}

/**
 * Put what Ruby made of an event back into the event itself (the pipeline holds that object). Keys keep
 * Ruby's order: when it is the event's order, values are replaced in place; otherwise the hash is rebuilt.
 */
export function overwriteEvent(target: Event, data: Hash, metadata: Hash): void {
  const own = target.data;
  const keys = Object.keys(own);
  let i = 0;
  let same = true;
  for (const k in data) {
    if (keys[i] !== k) { same = false; break; }
    i++;
  }
  if (same && i === keys.length) {
    for (const k in data) own[k] = data[k]!;
  } else {
    for (const k of keys) delete own[k];
    for (const k in data) own[k] = data[k]!;
  }
  target.set('@metadata', metadata);
}
