/**
 * Logstash's rules for writing one grok capture into an event (logstash-filter-grok `handle`):
 * - nil or "" captures are skipped unless keep_empty_captures;
 * - a field listed in `overwrite` is replaced;
 * - otherwise a missing field is set, an array gets the value appended, a string becomes
 *   `[old, new]`, and any other existing value (number, hash, boolean) is left alone.
 */
import type { Event } from '../event/event.js';
import { formatFloat, LsFloat, isHash, type Hash, type Value } from '../event/values.js';
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

export type CaptureWriter = (event: Event, value: Value | undefined) => void;

/**
 * A writer for one capture field, compiled once per filter: the same rules as writeCapture, but for
 * plain paths under the event root it walks the event's hash directly instead of going through
 * get + set (two walks, and their generic checks) for every capture of every event.
 */
export function captureWriter(path: FieldPath, overwrite: boolean, keepEmpty: boolean): CaptureWriter {
  const special = path[0] === '@metadata' || path[0] === '@timestamp' || path.some((seg) => /^-?\d+$/.test(seg));
  if (special) return (event, value) => writeCapture(event, path, value, overwrite, keepEmpty);
  const last = path[path.length - 1] as string;
  const parents = path.slice(0, -1);
  if (parents.length > 0 && parents.length <= 4) return generatedWriter(path, overwrite, keepEmpty);
  return (event, value) => {
    if (!keepEmpty && (value === undefined || value === '')) return;
    const v = value === undefined ? null : value;
    let cur = event.data;
    for (let i = 0; i < parents.length; i++) {
      const seg = parents[i] as string;
      const next = cur[seg];
      if (next === undefined || next === null) { const h: Hash = {}; cur[seg] = h; cur = h; continue; }
      // Arrays and scalars on the way: let the general path decide (index or error).
      if (!isHash(next)) { writeCapture(event, path, value, overwrite, keepEmpty); return; }
      cur = next;
    }
    if (overwrite) { cur[last] = v; return; }
    const old = cur[last];
    if (old === undefined || old === null) cur[last] = v;
    else if (Array.isArray(old)) old.push(v);
    else if (typeof old === 'string') cur[last] = [old, v];
  };
}

/**
 * For nested paths (ECS names such as [http][response][status_code]) a writer generated with the
 * keys as literals: V8 compiles `d["http"]` to a named property access, where a loop over the keys
 * is one shared keyed access for every field. Keys are embedded with JSON.stringify, so any field
 * name is safe.
 */
function generatedWriter(path: FieldPath, overwrite: boolean, keepEmpty: boolean): CaptureWriter {
  const fallback = (event: Event, value: Value | undefined): void => writeCapture(event, path, value, overwrite, keepEmpty);
  const lines: string[] = [];
  if (!keepEmpty) lines.push('if (value === undefined || value === "") return;');
  lines.push('const v = value === undefined ? null : value;', 'let c0 = event.data;');
  path.slice(0, -1).forEach((seg, i) => {
    const k = JSON.stringify(seg);
    lines.push(
      `let c${i + 1} = c${i}[${k}];`,
      `if (c${i + 1} === undefined || c${i + 1} === null) { c${i + 1} = {}; c${i}[${k}] = c${i + 1}; }`,
      `else if (typeof c${i + 1} !== "object" || Array.isArray(c${i + 1}) || !isHash(c${i + 1})) { fallback(event, value); return; }`,
    );
  });
  const d = `c${path.length - 1}`;
  const k = JSON.stringify(path[path.length - 1]);
  if (overwrite) lines.push(`${d}[${k}] = v;`);
  else {
    lines.push(
      `const old = ${d}[${k}];`,
      `if (old === undefined || old === null) ${d}[${k}] = v;`,
      `else if (Array.isArray(old)) old.push(v);`,
      `else if (typeof old === "string") ${d}[${k}] = [old, v];`,
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function('isHash', 'fallback', `return function write(event, value) {\n${lines.join('\n')}\n};`) as
    (h: typeof isHash, f: typeof fallback) => CaptureWriter;
  return make(isHash, fallback);
}
