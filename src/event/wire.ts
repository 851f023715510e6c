/**
 * The event wire format: one event as compact JSON text that keeps every value's type, for whatever
 * carries events between places — worker threads, persisted queue pages, dead letter queue records.
 *
 *   [epochMs, nanoOfMilli, data, metadata]      (@timestamp null when the event has none)
 *
 * `data` keeps its key order; its `@timestamp` key (if any) holds 0 as a placeholder, so decoding puts the
 * Timestamp back in place without copying the hash. Values JSON cannot carry exactly are tagged strings
 * starting with NUL: `\0f1.5` a Float (LsFloat, so `10.0` stays a float), `\0b123…` a big integer,
 * `\0t<ms>.<nanos>` a Timestamp, and `\0s…` a string that itself starts with NUL. Decoding walks the values
 * only when the text holds a tag (one native `includes`), so the usual event costs one JSON.parse.
 */
import { Event } from './event.js';
import { Timestamp } from './timestamp.js';
import { isHash, LsFloat, quotedKey, quoteString, type Hash, type Value } from './values.js';

const TAG = '\u0000';
const ESCAPED_TAG = '\\u0000';

function encodeValue(v: unknown): string {
  switch (typeof v) {
    case 'string': return v.charCodeAt(0) === 0 ? JSON.stringify(`${TAG}s${v}`) : quoteString(v);
    case 'number': return Number.isFinite(v) ? String(v) : 'null';
    case 'bigint': return `"${ESCAPED_TAG}b${v.toString()}"`;
    case 'boolean': return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (v instanceof LsFloat) return `"${ESCAPED_TAG}f${String(v.value)}"`;
      if (v instanceof Timestamp) return `"${ESCAPED_TAG}t${v.epochMs}.${v.nanoOfMilli}"`;
      if (Array.isArray(v)) {
        let s = '[';
        for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + encodeValue(v[i]);
        return s + ']';
      }
      return encodeHash(v as Record<string, unknown>, undefined);
    }
    default: return 'null';
  }
}

function encodeHash(o: Record<string, unknown>, placeholder: string | undefined): string {
  let s = '{';
  let first = true;
  for (const k in o) {
    const item = o[k];
    if (item === undefined || !Object.prototype.hasOwnProperty.call(o, k)) continue;
    s += (first ? '' : ',') + quotedKey(k) + (k === placeholder ? '0' : encodeValue(item));
    first = false;
  }
  return s + '}';
}

/** One event as wire text (no newline inside: records can be joined by newlines). */
export function encodeEvent(e: Event): string {
  const ts = e.data['@timestamp'];
  const head = ts instanceof Timestamp ? `[${ts.epochMs},${ts.nanoOfMilli},` : '[null,0,';
  return `${head}${encodeHash(e.data, ts instanceof Timestamp ? '@timestamp' : undefined)},${encodeHash(e.metadata, undefined)}]`;
}

function revive(v: Value): Value {
  if (typeof v === 'string') {
    if (v.charCodeAt(0) !== 0) return v;
    const kind = v[1];
    const body = v.slice(2);
    if (kind === 'f') return new LsFloat(Number(body));
    if (kind === 'b') return BigInt(body);
    if (kind === 't') {
      const dot = body.indexOf('.');
      return new Timestamp(Number(body.slice(0, dot)), Number(body.slice(dot + 1)));
    }
    return body; // 's': a string that starts with NUL
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = revive(v[i]!);
    return v;
  }
  if (isHash(v)) {
    for (const k in v) v[k] = revive(v[k]!);
  }
  return v;
}

type Wire = [number | null, number, Hash, Hash];

function fromParsed(w: Wire, tagged: boolean): Event {
  const [ms, nanos, data, metadata] = w;
  if (tagged) { revive(data); revive(metadata); }
  if (ms !== null) data['@timestamp'] = new Timestamp(ms, nanos);
  return Event.restore(data, metadata);
}

/** The event encoded by encodeEvent. Throws on text that is not one. */
export function decodeEvent(text: string): Event {
  return fromParsed(JSON.parse(text) as Wire, text.includes(ESCAPED_TAG));
}

/** A batch of events as one text (one JSON array: one parse for the whole batch). */
export function encodeBatch(events: readonly Event[]): string {
  let s = '[';
  for (let i = 0; i < events.length; i++) s += (i ? ',' : '') + encodeEvent(events[i]!);
  return s + ']';
}

export function decodeBatch(text: string): Event[] {
  const tagged = text.includes(ESCAPED_TAG);
  const wires = JSON.parse(text) as Wire[];
  const out = new Array<Event>(wires.length);
  for (let i = 0; i < wires.length; i++) out[i] = fromParsed(wires[i]!, tagged);
  return out;
}
