/**
 * Logstash's rules for writing one grok capture into an event (logstash-filter-grok `handle`):
 * - nil or "" captures are skipped unless keep_empty_captures;
 * - a field listed in `overwrite` is replaced;
 * - otherwise a missing field is set, an array gets the value appended, a string becomes
 *   `[old, new]`, and any other existing value (number, hash, boolean) is left alone.
 */
import type { Event } from '../event/event.js';
import { formatFloat, LsFloat, isHash, type Value } from '../event/values.js';
import { Timestamp } from '../event/timestamp.js';
import type { FieldPath } from '../event/fieldref.js';

export function writeCapture(event: Event, path: FieldPath, value: Value | undefined, overwrite: boolean, keepEmpty: boolean): void {
  if (!keepEmpty && (value === undefined || value === '')) return;
  const v = value === undefined ? null : value;
  if (overwrite) { event.set(path, v); return; }
  const old = event.get(path);
  if (old === undefined || old === null) event.set(path, v);
  else if (Array.isArray(old)) { old.push(v); event.set(path, old); }
  else if (typeof old === 'string') event.set(path, [old, v]);
}

/** Ruby `to_s` of a field value, which is what grok matches against (nil → ""). */
export function rubyToS(v: Value | undefined): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  if (v instanceof LsFloat) return formatFloat(v.value);
  if (v instanceof Timestamp) return v.toString();
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) || isHash(v)) return JSON.stringify(v);
  return String(v);
}
