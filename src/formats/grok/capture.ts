/**
 * Logstash's rules for writing one grok capture into an event (logstash-filter-grok `handle`):
 * - nil or "" captures are skipped unless keep_empty_captures;
 * - a field listed in `overwrite` is replaced;
 * - otherwise a missing field is set, an array gets the value appended, a string becomes
 *   `[old, new]`, and any other existing value (number, hash, boolean) is left alone.
 */
import type { Event } from '../../event/event.js';
import { formatFloat, LsFloat, isHash, type Value } from '../../event/values.js';
import { Timestamp } from '../../event/timestamp.js';
import type { FieldPath } from '../../event/fieldref.js';
import type { GrokMatch } from './engine.js';
import { rubyToF, rubyToI } from './ruby.js';

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

/**
 * A reader for the field grok matches, generated once per filter: a top-level name becomes a literal
 * property read (one shape at that site) instead of the generic walk of Event#get.
 */
export function fieldReader(path: FieldPath): (event: Event) => Value | undefined {
  if (path.length !== 1 || path[0] === '@metadata') return (event) => event.get(path);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('event', `return event.data[${JSON.stringify(path[0])}];`) as (event: Event) => Value | undefined;
}

/** One capture of a grok expression as the filter writes it. */
export interface CaptureTarget {
  /** Group index (`g{i}`) read from the match. */
  group: number;
  /** 0: the text as is; 1: Ruby to_i; 2: Ruby to_f. */
  conversion: 0 | 1 | 2;
  path: FieldPath;
  overwrite: boolean;
}

/** Writes every capture of a match into an event, in order. */
export type MatchWriter = (event: Event, m: GrokMatch) => void;

/** Paths the generated code leaves to writeCapture: @metadata, @timestamp and array indexes. */
const special = (path: FieldPath): boolean => path[0] === '@metadata' || path[0] === '@timestamp' || path.some((seg) => /^-?\d+$/.test(seg));

/**
 * The writer for all captures of one expression, generated once per filter (with `layout`, for
 * matches of a NativeEngine with that layout only): one straight run of
 * code with every field name and group number as a literal, so V8 compiles each store to a
 * monomorphic named property access. A shared writer looping over the names would be one keyed
 * access site for every field of every event (megamorphic) and costs more than the regex itself.
 * Keys are embedded with JSON.stringify, so any field name is safe. Same rules as writeCapture.
 */
export function matchWriter(targets: readonly CaptureTarget[], keepEmpty: boolean, layout?: Int32Array): MatchWriter {
  const fallbacks: Array<(event: Event, value: Value | undefined) => void> = [];
  const code: string[] = ['const d = event.data;', 'let t, v, old;'];
  // With the native engine's layout, captures are read straight from V8's match array.
  if (layout !== undefined) code.push('const a = m.m;');
  // Hashes on the way to several fields ([http] for [http][version] and [http][request][method])
  // are looked up once per event and kept in a local: unless a capture writes one of them itself,
  // nothing else replaces them during the call.
  const key = (path: readonly string[]): string => JSON.stringify(path);
  const leaves = new Set(targets.map((c) => key(c.path)));
  const parents = new Map<string, string>();
  let locals = 0;
  targets.forEach((c, i) => {
    const label = `c${i}`;
    code.push(`${label}: {`, layout === undefined ? `t = m.group(${c.group});` : `t = a[${layout[c.group] as number}];`);
    code.push(c.conversion === 0 ? 'v = t;' : `v = t === undefined ? undefined : ${c.conversion === 1 ? 'toI' : 'toF'}(t);`);
    if (!keepEmpty) code.push(`if (v === undefined || v === "") break ${label};`);
    const { path, overwrite } = c;
    const fallback = `fallback[${fallbacks.length}](event, v);`;
    fallbacks.push((event, value) => writeCapture(event, path, value, overwrite, keepEmpty));
    if (special(path)) { code.push(fallback, '}'); return; }
    code.push('if (v === undefined) v = null;');
    const leaf = JSON.stringify(path[path.length - 1]);
    // Locals for the hashes on the way (shared ones are declared once, at the top).
    const names: string[] = [];
    const fresh: boolean[] = [];
    for (let depth = 0; depth < path.length - 1; depth++) {
      const prefix = key(path.slice(0, depth + 1));
      // (A capture writing this hash or one above it can replace it: then no caching.)
      let shared = true;
      for (let j = 0; j <= depth; j++) if (leaves.has(key(path.slice(0, j + 1)))) shared = false;
      let name = shared ? parents.get(prefix) : undefined;
      fresh.push(name === undefined);
      if (name === undefined) {
        name = `p${locals++}`;
        if (shared) { parents.set(prefix, name); code.unshift(`let ${name};`); } else code.push(`let ${name};`);
      }
      names.push(name);
    }
    const literal = !path.includes('__proto__');
    let parent = 'd';
    for (let depth = 0; depth < path.length - 1; depth++) {
      const k = JSON.stringify(path[depth]);
      const name = names[depth] as string;
      // A missing hash is created with everything below it down to the field, each with its final
      // shape (object literals), instead of empty hashes filled one key at a time.
      let create = `${name} = {}; ${parent}[${k}] = ${name};`;
      if (literal) {
        const chain: string[] = [];
        for (let j = path.length - 2; j > depth; j--) {
          chain.push(`${names[j] as string} = { ${j === path.length - 2 ? `${leaf}: v` : `${JSON.stringify(path[j + 1])}: ${names[j + 1] as string}`} };`);
        }
        const inner = depth === path.length - 2 ? `${leaf}: v` : `${JSON.stringify(path[depth + 1])}: ${names[depth + 1] as string}`;
        create = `${chain.join(' ')} ${name} = { ${inner} }; ${parent}[${k}] = ${name}; break ${label};`;
      }
      code.push(
        `${fresh[depth] === true ? '' : `if (${name} === undefined) `}{`,
        `  ${name} = ${parent}[${k}];`,
        `  if (${name} === undefined || ${name} === null) { ${create} }`,
        // Arrays and scalars on the way: the general path decides (index or error).
        `  else if (!isHash(${name})) { ${name} = undefined; ${fallback} break ${label}; }`,
        '}',
      );
      parent = name;
    }
    const k = leaf;
    if (overwrite) code.push(`${parent}[${k}] = v;`);
    else {
      code.push(
        `old = ${parent}[${k}];`,
        `if (old === undefined || old === null) ${parent}[${k}] = v;`,
        'else if (Array.isArray(old)) old.push(v);',
        `else if (typeof old === "string") ${parent}[${k}] = [old, v];`,
      );
    }
    code.push('}');
  });
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function('isHash', 'toI', 'toF', 'fallback', `return function writeCaptures(event, m) {\n${code.join('\n')}\n};`) as
    (h: typeof isHash, i: typeof rubyToI, f: typeof rubyToF, fb: typeof fallbacks) => MatchWriter;
  return make(isHash, rubyToI, rubyToF, fallbacks);
}
