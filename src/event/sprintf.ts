/**
 * Logstash's sprintf (org.logstash.StringInterpolation), compiled once per format string:
 * - `%{field}`, `%{[a][b]}`, `%{[@metadata][x]}`: the field's value; a missing (or null) field is left as
 *   written. Arrays are joined with `,` (nested arrays flattened, nulls empty), hashes print as JSON, other
 *   values as Java's `toString` (so floats print `1.0E20`, timestamps ISO 8601).
 * - `%{+%s}`: @timestamp as epoch seconds. Like Logstash, any `%{…}` whose body is a prefix of `+%s`
 *   (including `%{}` and `%{+}`) does the same.
 * - `%{+yyyy.MM.dd}`: @timestamp through a Joda-Time pattern, in UTC.
 * - `%{{yyyy-MM-dd}}`: @timestamp through a java.time pattern, in UTC; `%{{TIME_NOW}}` is the current time.
 * A missing @timestamp prints nothing for the date forms. A bad date pattern or field reference fails
 * when evaluated (as in Logstash, where the calling plugin then tags the event).
 */
import type { Event } from './event.js';
import { parseFieldRef } from './fieldref.js';
import { compileJavaTime, compileJoda, type DateFormatter } from './joda.js';
import { Timestamp } from './timestamp.js';
import { isHash, javaDoubleToString, LsFloat, stringifyValue } from './values.js';

export { javaDoubleToString };

export type Formatter = (event: Event) => string;

export class SprintfError extends Error {}

type Segment = string | Formatter;

const TIME_NOW = 'TIME_NOW';

function timestampOf(event: Event): Timestamp | undefined {
  const t = event.data['@timestamp'];
  return t instanceof Timestamp ? t : undefined;
}

/** A segment that fails each time it is evaluated: the error belongs to the event being processed. */
function failing(message: string): Formatter {
  return () => { throw new SprintfError(message); };
}

function epochSeconds(event: Event): string {
  const t = timestampOf(event);
  return t === undefined ? '' : String(Math.floor(t.epochMs / 1000));
}

function dateSegment(compile: (p: string) => DateFormatter, pattern: string, useMillisOnly: boolean): Formatter {
  let fmt: DateFormatter;
  try { fmt = compile(pattern); } catch (e) { return failing((e as Error).message); }
  return (event) => {
    const t = timestampOf(event);
    if (t === undefined) return '';
    return useMillisOnly ? fmt(t.epochMs) : fmt(t.epochMs, t.nanoOfMilli);
  };
}

function fieldSegment(ref: string): Formatter {
  let path: readonly string[];
  try { path = parseFieldRef(ref); } catch (e) { return failing((e as Error).message); }
  const literal = `%{${ref}}`;
  return (event) => {
    const v = event.get(path);
    if (v === undefined || v === null) return literal;
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) return joinList(v);
    if (isHash(v)) return stringifyValue(v);
    return javaToString(v);
  };
}

/** Logstash's KeyNode.join: nested lists are joined recursively, nulls print as empty strings. */
function joinList(list: readonly unknown[]): string {
  let s = '';
  for (let i = 0; i < list.length; i++) {
    if (i > 0) s += ',';
    const item = list[i];
    if (item === null || item === undefined) continue;
    s += Array.isArray(item) ? joinList(item) : javaToString(item);
  }
  return s;
}

/** How Logstash's Java side prints a value (`Object.toString()` after Javafier). */
export function javaToString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string': return v;
    case 'number': case 'bigint': case 'boolean': return String(v);
    default: break;
  }
  if (v instanceof LsFloat) return javaDoubleToString(v.value);
  if (v instanceof Timestamp) return v.toString();
  if (Array.isArray(v)) return `[${v.map(javaToString).join(', ')}]`;
  if (isHash(v)) return `{${Object.keys(v).map((k) => `${k}=${javaToString(v[k])}`).join(', ')}}`;
  return String(v);
}

/** Split a format into segments with Logstash's scanning rules (including its edge cases). */
function parse(template: string): Segment[] {
  const out: Segment[] = [];
  const len = template.length;
  let open = template.indexOf('%{');
  let close = open < 0 ? -1 : template.indexOf('}', open);
  let pos = 0;
  while (open > -1 && close > -1) {
    if (open > pos) out.push(template.slice(pos, open));
    const body = template.slice(open + 2, close);
    if (body.length <= 3 && '+%s'.startsWith(body)) {
      out.push(epochSeconds);
    } else if (template[open + 2] === '{' && close + 1 < len && template[close + 1] === '}') {
      const pattern = template.slice(open + 3, close);
      close += 1;
      out.push(pattern === TIME_NOW ? () => Timestamp.now().toString() : dateSegment(compileJavaTime, pattern, false));
    } else if (template[open + 2] === '+') {
      // Logstash hands Joda the epoch milliseconds.
      out.push(dateSegment(compileJoda, template.slice(open + 3, close), true));
    } else {
      out.push(fieldSegment(body));
    }
    pos = close + 1;
    open = template.indexOf('%{', pos);
    close = open < 0 ? -1 : template.indexOf('}', open);
  }
  if (pos < len) out.push(template.slice(pos));
  return out;
}

const cache = new Map<string, Formatter>();

/** Compile a format once; the result is cheap to call per event. */
export function compileSprintf(format: string): Formatter {
  let f = cache.get(format);
  if (f !== undefined) return f;
  f = build(format);
  if (cache.size < 10_000) cache.set(format, f);
  return f;
}

/** Whether a string has anything for sprintf to replace (plugins skip sprintf for constants). */
export function isTemplate(format: string): boolean {
  const open = format.indexOf('%{');
  return open >= 0 && format.indexOf('}', open) >= 0;
}

function build(format: string): Formatter {
  if (!isTemplate(format)) return () => format;
  const segs = parse(format);
  if (segs.length === 1) {
    const only = segs[0]!;
    return typeof only === 'string' ? () => only : only;
  }
  if (segs.length === 2) {
    const [a, b] = segs as [Segment, Segment];
    if (typeof a === 'string' && typeof b !== 'string') return (e) => a + b(e);
    if (typeof a !== 'string' && typeof b === 'string') return (e) => a(e) + b;
  }
  return (event) => {
    let s = '';
    for (const seg of segs) s += typeof seg === 'string' ? seg : seg(event);
    return s;
  };
}

export function sprintf(format: string, event: Event): string {
  return compileSprintf(format)(event);
}
