/**
 * JSON text → event values with Logstash's number rules: integers stay integers (bigint beyond 2^53,
 * exact), anything written with a fraction or an exponent is a Float (LsFloat), so `10.0` stays `10.0`.
 *
 * Hot path: most documents have neither floats nor huge integers outside their strings. A quick scan
 * finds out, and those documents go through the native JSON.parse; the others through lossless-json
 * with a number parser that keeps the distinction.
 */
import { parse as losslessParse } from 'lossless-json';
import { Event } from './event.js';
import { isHash, LsFloat, type Hash, type Value } from './values.js';

export class JsonParseError extends Error {}

function parseNumber(text: string): number | bigint | LsFloat {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 || c === 101 || c === 69) return new LsFloat(Number(text)); // . e E
  }
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

const LOSSLESS_OPTIONS = {
  parseNumber,
  // Jackson (Logstash's parser) keeps the last of duplicate keys.
  onDuplicateKey: (info: { newValue: unknown }) => info.newValue,
};

/**
 * Whether the text has a number, outside strings, that JSON.parse would not keep exactly: one with a
 * fraction or exponent (a Float for Logstash) or 16+ digits (maybe beyond 2^53).
 */
function needsLossless(t: string): boolean {
  const n = t.length;
  let digits = 0;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c === 34) { // a string: jump to its closing quote
      let q = i;
      for (;;) {
        q = t.indexOf('"', q + 1);
        if (q < 0) return false; // unterminated: JSON.parse reports the error
        let bs = 0;
        while (t.charCodeAt(q - 1 - bs) === 92) bs++;
        if ((bs & 1) === 0) break;
      }
      i = q;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (++digits >= 16) return true;
    } else if (c === 46) {
      return true;
    } else if ((c === 101 || c === 69) && digits > 0) {
      return true;
    } else {
      digits = 0;
    }
  }
  return false;
}

/** Kinds of number tokens: a safe integer, a float (fraction or exponent), a long run of digits. */
const INT = 0;
const FLOAT = 1;
const LONG = 2;

/**
 * The number tokens outside strings, in document order, with their kind and position; undefined when
 * the text is not well formed enough to scan (JSON.parse will report it).
 */
function numberTokens(t: string): { kinds: number[]; starts: number[]; ends: number[] } | undefined {
  const kinds: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const n = t.length;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c === 34) {
      let q = i;
      for (;;) {
        q = t.indexOf('"', q + 1);
        if (q < 0) return undefined;
        let bs = 0;
        while (t.charCodeAt(q - 1 - bs) === 92) bs++;
        if ((bs & 1) === 0) break;
      }
      i = q;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      const start = i;
      let kind = INT;
      let digits = 0;
      for (; i < n; i++) {
        const d = t.charCodeAt(i);
        if (d >= 48 && d <= 57) digits++;
        else if (d === 46 || d === 101 || d === 69) kind = FLOAT;
        else if (d !== 45 && d !== 43) break;
      }
      if (kind === INT && digits >= 16) kind = LONG;
      kinds.push(kind);
      starts.push(start);
      ends.push(i);
      i--;
    }
  }
  return { kinds, starts, ends };
}

class Misaligned extends Error {}

const INDEX_KEY = /^(?:0|[1-9]\d*)$/;

/**
 * JSON.parse, then the numbers it produced are matched, in document order, with the number tokens of
 * the text to restore floats and big integers. Object keys that look like array indexes (which JS
 * orders first) or duplicate keys (which drop values) break the order: then lossless-json decides.
 */
function parseAligned(text: string): Value {
  const tokens = numberTokens(text);
  const parsed = JSON.parse(text) as Value;
  if (tokens === undefined) return losslessParse(text, null, LOSSLESS_OPTIONS) as Value;
  const { kinds, starts, ends } = tokens;
  let next = 0;
  const fix = (v: Value): Value => {
    if (typeof v === 'number') {
      const k = kinds[next];
      if (k === undefined) throw new Misaligned();
      const at = next++;
      if (k === INT) return v;
      if (k === FLOAT) return new LsFloat(v);
      return Number.isSafeInteger(v) ? v : BigInt(text.slice(starts[at], ends[at]));
    }
    if (typeof v !== 'object' || v === null) return v;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = fix(v[i]!);
      return v;
    }
    const o = v as Hash;
    for (const key of Object.keys(o)) {
      if (INDEX_KEY.test(key)) throw new Misaligned();
      o[key] = fix(o[key]!);
    }
    return o;
  };
  try {
    const out = fix(parsed);
    if (next !== kinds.length) throw new Misaligned();
    return out;
  } catch (e) {
    if (!(e instanceof Misaligned)) throw e;
    return losslessParse(text, null, LOSSLESS_OPTIONS) as Value;
  }
}

/** Parse JSON text into event values. Throws JsonParseError on invalid JSON. */
export function parseJson(text: string): Value {
  try {
    return needsLossless(text) ? parseAligned(text) : (JSON.parse(text) as Value);
  } catch (e) {
    throw new JsonParseError((e as Error).message);
  }
}

/** Blank as Java's String#trim sees it (every character up to U+0020), which Event.from_json uses. */
function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 32) return false;
  return true;
}

function newEvent(data: Hash, target: string | undefined): Event {
  if (target === undefined) return new Event(data);
  const e = new Event();
  e.set(target, data);
  return e;
}

/**
 * Logstash's Event.from_json (with a codec's optional `target`): blank text gives no event, an object
 * one event, an array one event per element (each must be an object). Anything else throws
 * JsonParseError, which codecs turn into a `_jsonparsefailure` event.
 */
export function eventsFromJson(text: string, target?: string): Event[] {
  if (isBlank(text)) return [];
  const v = parseJson(text);
  if (isHash(v)) return [newEvent(v, target)];
  if (Array.isArray(v)) {
    for (const item of v) {
      if (!isHash(item)) throw new JsonParseError(`incompatible inner json array object type, only hash map is supported`);
    }
    return (v as Hash[]).map((item) => newEvent(item, target));
  }
  throw new JsonParseError('incompatible json object type, only hash map or arrays are supported');
}
