/**
 * `--update`: rewrite the expectations of failing cases from their actual events, keeping the file's format.
 * YAML files are edited as documents (comments and the rest of the file stay as written); JSON files are
 * re-printed with two-space indentation, numbers kept as written (lossless parse).
 */
import { writeFile } from 'node:fs/promises';
import { parse as parseLossless, isLosslessNumber, type LosslessNumber } from 'lossless-json';
import { parseDocument, Scalar, YAMLMap, YAMLSeq, type Document } from 'yaml';
import { Timestamp } from '../event/timestamp.js';
import { LsFloat, isHash, stringifyValue, type Hash, type Value } from '../event/values.js';
import type { CaseFile } from './cases.js';
import { prettyJson } from './values.js';

export interface Update {
  path: (string | number)[];
  events: Hash[];
}

/** The file's new text with each update applied. */
export function applyUpdates(file: Pick<CaseFile, 'format' | 'text'>, updates: Update[]): string {
  return file.format === 'yaml' ? updateYaml(file.text, updates) : updateJson(file.text, updates);
}

export async function writeUpdates(file: CaseFile, updates: Update[]): Promise<boolean> {
  if (updates.length === 0) return false;
  const text = applyUpdates(file, updates);
  if (text === file.text) return false;
  await writeFile(file.path, text);
  return true;
}

function updateYaml(text: string, updates: Update[]): string {
  const doc = parseDocument(text);
  for (const u of updates) doc.setIn(u.path, yamlNode(doc, u.events as Value));
  // lineWidth 0: never fold long strings (an input line must stay one line to stay readable).
  return doc.toString({ flowCollectionPadding: false, lineWidth: 0, doubleQuotedMinMultiLineLength: Number.MAX_SAFE_INTEGER });
}

/** Event values to YAML nodes; floats keep a fraction (`10.0`) so they read back as floats. */
function yamlNode(doc: Document, v: Value): unknown {
  if (Array.isArray(v)) {
    const seq = new YAMLSeq();
    for (const x of v) seq.items.push(yamlNode(doc, x));
    return seq;
  }
  if (isHash(v)) {
    const map = new YAMLMap();
    for (const k of Object.keys(v).sort()) map.items.push(doc.createPair(k, yamlNode(doc, v[k]!)));
    return map;
  }
  if (v instanceof LsFloat) {
    const s = new Scalar(v.value);
    if (Number.isInteger(v.value)) s.minFractionDigits = 1;
    return s;
  }
  if (v instanceof Timestamp) return quoted(v.toString());
  if (typeof v === 'string' && readsDifferentlyInYaml11(v)) return quoted(v);
  return new Scalar(v);
}

function quoted(s: string): Scalar {
  const node = new Scalar(s);
  node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

/**
 * Strings that a YAML 1.1 reader (logstash-filter-verifier's Go YAML, for one) would take for a timestamp,
 * a boolean (`yes`, `on`) or a number are written quoted, so the file means the same to every reader.
 */
function readsDifferentlyInYaml11(s: string): boolean {
  try {
    const doc = parseDocument(s, { version: '1.1', schema: 'yaml-1.1', customTags: ['timestamp'] });
    if (doc.errors.length > 0) return true;
    const v: unknown = doc.toJS();
    return v !== s;
  } catch { return true; }
}

type JsonTree = LosslessNumber | string | boolean | null | JsonTree[] | { [k: string]: JsonTree };

function updateJson(text: string, updates: Update[]): string {
  // Parsed losslessly so numbers elsewhere in the file are printed back exactly as written.
  const root = parseLossless(text) as JsonTree;
  for (const u of updates) setIn(root, u.path, u.events as Value);
  return `${printJson(root, '')}\n`;
}

function setIn(root: JsonTree, path: (string | number)[], value: Value): void {
  let cur: JsonTree = root;
  for (const seg of path.slice(0, -1)) cur = (cur as Record<string | number, JsonTree>)[seg]!;
  (cur as Record<string | number, JsonTree | Value>)[path[path.length - 1]!] = { __events: value } as unknown as JsonTree;
}

function printJson(v: JsonTree | Value, indent: string): string {
  const inner = `${indent}  `;
  if (isLosslessNumber(v)) return v.value;
  if (typeof v === 'object' && v !== null && '__events' in v) return prettyJson((v as { __events: Value }).__events, indent);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => inner + printJson(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (v !== null && typeof v === 'object' && !(v instanceof LsFloat) && !(v instanceof Timestamp)) {
    const keys = Object.keys(v);
    if (keys.length === 0) return '{}';
    return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${printJson((v as Record<string, JsonTree>)[k]!, inner)}`).join(',\n')}\n${indent}}`;
  }
  return stringifyValue(v);
}
