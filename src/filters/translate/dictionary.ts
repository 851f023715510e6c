/**
 * translate's dictionaries: the in-config hash, or a YAML, JSON or CSV file (chosen by extension, as
 * logstash-filter-translate 3.x does), and the three ways of looking a value up in them:
 * - exact: the value is a key;
 * - exact + regex: the first key (in file order) whose Ruby regexp matches the value;
 * - not exact: every occurrence of any key in the value is replaced by its translation (Ruby's
 *   `value.gsub(Regexp.union(keys), dictionary)`: keys are literal, the first listed wins at a position).
 * A file dictionary is reloaded by the filter on `refresh_interval`; `merge` keeps entries the new file
 * no longer has, `replace` drops them.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import YAML, { isMap, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import { parseJson } from '../../event/json.js';
import { toS } from '../../event/ruby.js';
import { Timestamp } from '../../event/timestamp.js';
import { deepClone, isHash, LsFloat, type Hash, type Value } from '../../event/values.js';
import { rubyMatch, rubyRegExp } from '../../formats/ruby-regexp.js';

export class DictionaryError extends Error {}

export type DictionaryFormat = 'yaml' | 'json' | 'csv';

/** The format of a dictionary file from its name, as the plugin decides it; undefined when not supported. */
export function formatOf(path: string): DictionaryFormat | undefined {
  if (/\.ya?ml$/.test(path)) return 'yaml';
  if (path.endsWith('.json')) return 'json';
  if (path.endsWith('.csv')) return 'csv';
  return undefined;
}

/** What a lookup found: the translation, or undefined for no match. */
export type Lookup = (source: string) => Value | undefined;

/**
 * The dictionary's entries (insertion-ordered, keys as strings) and a lookup strategy rebuilt whenever the
 * entries change.
 */
export class Dictionary {
  #entries = new Map<string, Value>();
  #lookup: Lookup = () => undefined;

  constructor(readonly exact: boolean, readonly regex: boolean) {}

  get size(): number { return this.#entries.size; }
  entries(): ReadonlyMap<string, Value> { return this.#entries; }

  /** Merge new entries over the old ones (`merge`), or replace them all (`replace`). */
  update(entries: Iterable<[string, Value]>, replace: boolean): void {
    const next = replace ? new Map<string, Value>() : new Map(this.#entries);
    for (const [k, v] of entries) next.set(k, v);
    this.#lookup = buildLookup(next, this.exact, this.regex);
    this.#entries = next;
  }

  lookup(source: string): Value | undefined { return this.#lookup(source); }
}

function buildLookup(entries: Map<string, Value>, exact: boolean, regex: boolean): Lookup {
  if (exact && !regex) {
    return (source) => {
      const v = entries.get(source);
      return v === undefined && !entries.has(source) ? undefined : deepClone(v ?? null);
    };
  }
  if (exact) {
    const compiled = [...entries.keys()].map((k) => [rubyRegExp(k), k] as const);
    return (source) => {
      for (const [re, k] of compiled) if (rubyMatch(re, source)) return deepClone(entries.get(k) ?? null);
      return undefined;
    };
  }
  if (entries.size === 0) return () => undefined;
  // Regexp.union of strings: each key escaped, alternatives in key order (the first that matches wins).
  const union = new RegExp([...entries.keys()].map(escapeRegExp).join('|'), 'gu');
  return (source) => {
    const out = source.replace(union, (m) => toS(entries.get(m) ?? null));
    return out === source ? undefined : out;
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

// ---- reading files ---------------------------------------------------------------------------------

export interface ReadOptions {
  format: DictionaryFormat;
  /** YAML only: the most code points the document may have (SnakeYAML's code point limit). */
  codePointLimit?: number;
  /** YAML only: `one_shot` (Psych, YAML 1.1 scalars) or `streaming` (plain scalars: only null/bool/int/float). */
  yamlStrategy?: 'one_shot' | 'streaming';
  /** Called once for each key that is not a string: it can never match an event's value. */
  onIgnoredKey?: (key: string) => void;
}

/** The entries of a dictionary file's text. Throws DictionaryError with the parser's message. */
export function readDictionary(text: string, opts: ReadOptions): [string, Value][] {
  // Files are read as 'r:bom|utf-8'.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  switch (opts.format) {
    case 'json': return readJson(body);
    case 'csv': return readCsv(body);
    case 'yaml': return readYaml(body, opts);
  }
}

function readJson(text: string): [string, Value][] {
  if (text === '') return [];
  let v: Value;
  try { v = parseJson(text); } catch (e) { throw new DictionaryError((e as Error).message); }
  if (!isHash(v)) throw new DictionaryError(`no implicit conversion of ${typeName(v)} into Hash`);
  return Object.entries(v);
}

function readCsv(text: string): [string, Value][] {
  let rows: string[][];
  try {
    rows = parseCsv(text, { relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (e) {
    throw new DictionaryError((e as Error).message);
  }
  const out: [string, Value][] = [];
  for (const row of rows) {
    // Ruby's CSV yields [] for a blank line: its key and value are nil, which no event value equals.
    if (row.length === 0 || (row.length === 1 && row[0] === '')) continue;
    out.push([row[0]!, row[1] ?? null]);
  }
  return out;
}

function countCodePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

function readYaml(text: string, opts: ReadOptions): [string, Value][] {
  if (opts.codePointLimit !== undefined && countCodePoints(text) > opts.codePointLimit) {
    throw new DictionaryError(`The incoming YAML document exceeds the limit: ${opts.codePointLimit} code points.`);
  }
  const streaming = opts.yamlStrategy === 'streaming';
  const doc = YAML.parseDocument(text, streaming
    ? { schema: 'failsafe', logLevel: 'silent', uniqueKeys: false }
    : { version: '1.1', logLevel: 'silent', uniqueKeys: false });
  if (doc.errors.length > 0) throw new DictionaryError(doc.errors[0]!.message.split('\n')[0]!);
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return [];
  if (!isMap(root)) throw new DictionaryError('the YAML document is not a mapping');
  const scalar = streaming ? streamingScalar : psychScalar;
  const out: [string, Value][] = [];
  for (const pair of root.items) {
    const key = toValue(pair.key as YamlNode | null, scalar);
    if (typeof key !== 'string') { opts.onIgnoredKey?.(toS(key)); continue; }
    out.push([key, toValue(pair.value as YamlNode | null, scalar)]);
  }
  return out;
}

type ScalarReader = (node: YAML.Scalar) => Value;

function toValue(node: YamlNode | null, scalar: ScalarReader): Value {
  if (node === null) return null;
  if (isMap(node)) {
    const h: Hash = {};
    for (const p of node.items) h[toS(toValue(p.key as YamlNode | null, scalar))] = toValue(p.value as YamlNode | null, scalar);
    return h;
  }
  if (isSeq(node)) return node.items.map((i) => toValue(i as YamlNode | null, scalar));
  if (isScalar(node)) return scalar(node);
  return null;
}

/** Psych (YAML 1.1) values: Integers and Floats kept apart, timestamps as Logstash timestamps. */
function psychScalar(node: YAML.Scalar): Value {
  const v = node.value;
  if (typeof v === 'number') {
    const src = (node.source ?? String(v)).replace(/_/g, '');
    if (/^[-+]?\d+$/.test(src)) {
      const big = BigInt(src);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
    return Number.isInteger(v) && !/[.eE]|inf|nan/i.test(src) ? v : new LsFloat(v);
  }
  if (typeof v === 'bigint' || typeof v === 'boolean' || typeof v === 'string' || v === null) return v;
  if (v instanceof Date) return Timestamp.fromDate(v);
  return v === undefined ? null : String(v);
}

/** The streaming parser's scalars: quoted ones as written; plain ones null/true/false/integer/decimal or text. */
function streamingScalar(node: YAML.Scalar): Value {
  const text = String(node.value ?? '');
  if (node.type !== 'PLAIN') return text;
  if (text === 'null' || text === '' || text === '~') return null;
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?\d+$/.test(text)) {
    const big = BigInt(text);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  if (/^-?\d+\.\d+$/.test(text)) return new LsFloat(Number(text));
  return text;
}

function typeName(v: Value): string {
  if (Array.isArray(v)) return 'Array';
  if (typeof v === 'string') return 'String';
  if (v === null) return 'nil';
  return typeof v === 'boolean' ? (v ? 'true' : 'false') : 'Integer';
}
