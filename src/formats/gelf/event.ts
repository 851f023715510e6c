/**
 * A GELF JSON document into an event as Logstash's gelf input makes it: `source_host` is the sender's
 * address; a numeric `timestamp` becomes `@timestamp` (exact to the decimal digits written) and is removed;
 * `remap` moves `full_message` (else `short_message`) to `message`; `strip_leading_underscore` renames
 * `_foo` to `foo` (a `_@timestamp` is parsed as a timestamp; a value that is not one tags the event
 * `_gelf_move_field_failure` and stays where it was). Invalid JSON gives an event whose `message` is the
 * text as Ruby's String#inspect prints it, tagged `_jsonparsefailure`.
 */
import { Event, TIMESTAMP } from '../../event/event.js';
import { parseJson } from '../../event/json.js';
import { inspectString } from '../../event/ruby.js';
import { Timestamp } from '../../event/timestamp.js';
import { isHash, LsFloat, type Value } from '../../event/values.js';

export const GELF_MOVE_FAILURE_TAG = '_gelf_move_field_failure';
export const JSON_FAILURE_TAG = '_jsonparsefailure';

/** Seconds since the epoch, written in decimal, to a Timestamp without binary rounding (`946702800.1` → .100). */
export function timestampFromSeconds(text: string): Timestamp | undefined {
  const m = /^\s*(-?)(\d+)(?:\.(\d*))?\s*$/.exec(text);
  if (!m) {
    const n = Number(text);
    if (!Number.isFinite(n) || text.trim() === '') return undefined;
    // Exponent notation: through the number's shortest decimal form.
    const plain = n.toFixed(9);
    return plain.includes('e') ? undefined : timestampFromSeconds(plain);
  }
  const [, sign, whole, frac = ''] = m;
  const nanos = Number(frac.slice(0, 9).padEnd(9, '0'));
  let ms = Number(whole) * 1000 + Math.floor(nanos / 1e6);
  let sub = nanos % 1e6;
  if (sign === '-') { ms = -ms; if (sub) { ms -= 1; sub = 1e6 - sub; } }
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return undefined;
  return new Timestamp(ms, sub);
}

function numericText(v: Value | undefined): string | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v instanceof LsFloat) return String(v.value);
  return undefined;
}

export interface GelfEventOptions {
  remap: boolean;
  stripLeadingUnderscore: boolean;
  /** Called when a field could not be moved (Logstash logs a warning). */
  onMoveFailure?: (from: string, to: string, reason: string) => void;
}

export function gelfEvent(json: string, sourceHost: string, o: GelfEventOptions): Event {
  let doc: Value;
  try {
    doc = parseJson(json);
  } catch {
    return new Event({ message: inspectString(json), tags: [JSON_FAILURE_TAG], source_host: sourceHost });
  }
  if (!isHash(doc)) return new Event({ message: inspectString(json), tags: [JSON_FAILURE_TAG], source_host: sourceHost });
  // GELF's own `timestamp` is handled below; a `@timestamp` key is what a JSON event would carry.
  const event = new Event(doc);
  event.set('source_host', sourceHost);
  const ts = numericText(event.data.timestamp);
  if (ts !== undefined) {
    const t = timestampFromSeconds(ts);
    if (t) { event.timestamp = t; delete event.data.timestamp; }
  }
  const data = event.data;
  if (o.remap) {
    const full = data.full_message;
    const short = data.short_message;
    if (typeof full === 'string' && full !== '') {
      data.message = full;
      delete data.full_message;
      if (short === full) delete data.short_message;
    } else if (typeof short === 'string' && short !== '') {
      data.message = short;
      delete data.short_message;
    }
  }
  if (o.stripLeadingUnderscore) {
    for (const key of Object.keys(data)) {
      if (!key.startsWith('_')) continue;
      const to = key.slice(1);
      const value = data[key]!;
      if (to === TIMESTAMP) {
        const text = typeof value === 'string' ? value : numericText(value);
        const t = text === undefined ? undefined : timestampFromSeconds(text);
        if (!t) {
          o.onMoveFailure?.(key, to, `invalid timestamp ${inspectString(String(value))}`);
          event.tag(GELF_MOVE_FAILURE_TAG);
          continue;
        }
        event.timestamp = t;
      } else {
        try { if (to !== '') event.set(to, value); } catch (err) {
          o.onMoveFailure?.(key, to, String(err));
          event.tag(GELF_MOVE_FAILURE_TAG);
          continue;
        }
        if (to === '') continue;
      }
      delete data[key];
    }
  }
  return event;
}
