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

/** Parse JSON text into event values. Throws JsonParseError on invalid JSON. */
export function parseJson(text: string): Value {
  try {
    return (needsLossless(text) ? losslessParse(text, null, LOSSLESS_OPTIONS) : JSON.parse(text)) as Value;
  } catch (e) {
    throw new JsonParseError((e as Error).message);
  }
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 11 && c !== 12) return false;
  }
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
