/**
 * Test case files: logstash-filter-verifier's format, read unchanged (JSON or YAML), plus a few sluice
 * extensions for raw codec input.
 *
 * LFV keys (file level): `codec` (a codec as written in a config, default `line`), `fields`, `ignore`,
 * `input_plugin`, `export_metadata`, `testcases[]`, and the older top-level `input` / `expected`.
 * LFV keys (case level): `input` (lines), `expected` (events), `description`, `event` / `fields` (local fields).
 * sluice extensions: case-level `input_raw` (text, or a list of text chunks, fed to the codec as is),
 * `input_base64` (bytes, or a list of byte chunks) and `input_frames` (a list of whole frames, each decoded
 * on its own like a datagram); file-level `ecs_compatibility`.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseLossless } from 'lossless-json';
import { parseDocument, isAlias, isMap, isScalar, isSeq, type Document, type Node as YamlNode } from 'yaml';
import { LsFloat, isHash, type Hash, type Value } from '../event/values.js';
import { ECS_VALUES, type EcsMode } from '../plugins/options.js';
import { expandBracketKeys } from './values.js';

export type CaseInput =
  /** Lines, each fed to the codec followed by a newline (LFV's `input`). */
  | { kind: 'lines'; lines: string[] }
  /** Chunks fed to the codec exactly as given, one push each (so chunk boundaries can be tested). */
  | { kind: 'raw'; chunks: Buffer[] }
  /** Whole frames (datagrams, RFC 6587 frames), each decoded on its own as a UDP input would. */
  | { kind: 'frames'; frames: Buffer[] }
  /** No input: one event made of the fields alone (LFV's dummy event). */
  | { kind: 'none' };

export interface TestCase {
  /** 0-based position among the file's cases. */
  index: number;
  /** `description`, else `#<n>`. */
  name: string;
  input: CaseInput;
  /** Case-local fields (LFV daemon mode), set after the file's `fields`. */
  fields: Hash;
  expected: Hash[];
  /** Where `expected` lives in the document, for `--update`. */
  expectedPath: (string | number)[];
}

export interface CaseFile {
  path: string;
  format: 'json' | 'yaml';
  /** The file's text as read (for `--update`). */
  text: string;
  /** The codec as written in a config: `line`, `json_lines`, `multiline { pattern => "^\\s" what => "previous" }`. */
  codec: string;
  /** True when the file named a codec (otherwise `input_plugin`'s codec may apply). */
  codecGiven: boolean;
  inputPlugin?: string;
  fields: Hash;
  /** Fields removed before comparing, `@version` included as in LFV. */
  ignore: string[];
  exportMetadata: boolean;
  ecs?: EcsMode;
  cases: TestCase[];
  /** Known LFV keys sluice reads but does not check (`export_outputs`, `expected_outputs`). */
  warnings: string[];
}

export class CaseFileError extends Error {
  constructor(readonly file: string, message: string) { super(`${file}: ${message}`); }
}

const FILE_KEYS = new Set(['codec', 'fields', 'ignore', 'input_plugin', 'export_metadata', 'export_outputs', 'testcases', 'input', 'expected', 'ecs_compatibility']);
const CASE_KEYS = new Set(['input', 'input_raw', 'input_base64', 'input_frames', 'expected', 'description', 'event', 'fields', 'expected_outputs']);
const DEFAULT_IGNORED = ['@version'];

export function caseFileFormat(path: string): 'json' | 'yaml' | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return undefined;
}

export async function loadCaseFile(path: string): Promise<CaseFile> {
  const text = await readFile(path, 'utf8');
  return parseCaseFile(path, text);
}

/** Parse a case file's text; the format comes from the extension (`.json`, `.yaml`, `.yml`). */
export function parseCaseFile(path: string, text: string): CaseFile {
  const format = caseFileFormat(path);
  if (!format) throw new CaseFileError(path, 'test case files must end in .json, .yaml or .yml');
  const root = format === 'json' ? parseJson(path, text) : parseYaml(path, text);
  if (!isHash(root)) throw new CaseFileError(path, 'a test case file holds one object');
  return fromObject(path, format, text, root);
}

function parseJson(path: string, text: string): Value {
  try {
    return parseLossless(text, null, jsonNumber) as Value;
  } catch (err) {
    throw new CaseFileError(path, `invalid JSON: ${(err as Error).message}`);
  }
}

/** JSON numbers keep Logstash's distinction: integers (bigint beyond 2^53) and floats (LsFloat). */
function jsonNumber(text: string): number | bigint | LsFloat {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  return new LsFloat(Number(text));
}

function parseYaml(path: string, text: string): Value {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) throw new CaseFileError(path, `invalid YAML: ${doc.errors[0]!.message}`);
  return yamlValue(doc.contents as YamlNode | null, doc);
}

/** YAML to event values, reading number spelling from the source so `10.0` stays a float. */
export function yamlValue(node: YamlNode | null | undefined, doc: Document): Value {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return yamlValue(node.resolve(doc) as YamlNode | undefined, doc);
  if (isMap(node)) {
    const out: Hash = {};
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      out[key] = yamlValue(pair.value as YamlNode | null, doc);
    }
    return out;
  }
  if (isSeq(node)) return node.items.map((item) => yamlValue(item as YamlNode | null, doc));
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'number') {
      const src = node.source ?? String(v);
      if (/^[-+]?\d+$/.test(src)) return Number.isSafeInteger(v) ? v : BigInt(src.replace('+', ''));
      if (/^[-+]?0[xo][0-9a-f]+$/i.test(src)) return v;
      return new LsFloat(v);
    }
    if (typeof v === 'bigint') return v;
    if (typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    return String(v);
  }
  return null;
}

function fromObject(path: string, format: 'json' | 'yaml', text: string, root: Hash): CaseFile {
  const fail = (msg: string): never => { throw new CaseFileError(path, msg); };
  const warnings: string[] = [];
  for (const key of Object.keys(root)) {
    if (!FILE_KEYS.has(key)) fail(`unknown key "${key}" (known: ${[...FILE_KEYS].join(', ')})`);
  }
  if (root.export_outputs !== undefined) warnings.push('export_outputs is not checked by sluice test (outputs are not run)');

  const codec = root.codec ?? 'line';
  if (typeof codec !== 'string' || codec.trim() === '') fail('"codec" must be a codec name, optionally with options: line, json_lines, plain { charset => "ISO-8859-1" }');
  const fields = optionalHash(root.fields, '"fields"', fail);
  const ignore = optionalStrings(root.ignore, '"ignore"', fail);
  const inputPlugin = root.input_plugin;
  if (inputPlugin !== undefined && typeof inputPlugin !== 'string') fail('"input_plugin" must be the id of an input');
  const exportMetadata = root.export_metadata ?? false;
  if (typeof exportMetadata !== 'boolean') fail('"export_metadata" must be true or false');
  const ecs = root.ecs_compatibility;
  if (ecs !== undefined && !(ECS_VALUES as readonly unknown[]).includes(ecs)) fail(`"ecs_compatibility" must be one of ${ECS_VALUES.join(', ')}`);

  const cases: TestCase[] = [];
  // LFV's original format: top-level `input` lines and `expected` events, run together as one case.
  if (root.input !== undefined || root.expected !== undefined) {
    cases.push({
      index: 0,
      name: 'input/expected',
      input: linesInput(root.input, '"input"', fail),
      fields: {},
      expected: events(root.expected, '"expected"', fail),
      expectedPath: ['expected'],
    });
  }
  const testcases = root.testcases ?? [];
  if (!Array.isArray(testcases)) fail('"testcases" must be a list');
  (testcases as Value[]).forEach((tc, i) => {
    const where = `testcases[${i}]`;
    if (!isHash(tc)) fail(`${where} must be an object`);
    const c = tc as Hash;
    for (const key of Object.keys(c)) {
      if (!CASE_KEYS.has(key)) fail(`${where}: unknown key "${key}" (known: ${[...CASE_KEYS].join(', ')})`);
    }
    if (c.expected_outputs !== undefined) warnings.push(`${where}: expected_outputs is not checked by sluice test (outputs are not run)`);
    const description = c.description;
    if (description !== undefined && typeof description !== 'string') fail(`${where}.description must be text`);
    const given = ['input', 'input_raw', 'input_base64', 'input_frames'].filter((k) => c[k] !== undefined);
    if (given.length > 1) fail(`${where}: give only one of ${given.join(', ')}`);
    let input: CaseInput;
    if (c.input_raw !== undefined) input = { kind: 'raw', chunks: chunks(c.input_raw, `${where}.input_raw`, 'utf8', fail) };
    else if (c.input_base64 !== undefined) input = { kind: 'raw', chunks: chunks(c.input_base64, `${where}.input_base64`, 'base64', fail) };
    else if (c.input_frames !== undefined) input = { kind: 'frames', frames: chunks(c.input_frames, `${where}.input_frames`, 'utf8', fail) };
    else input = linesInput(c.input, `${where}.input`, fail);
    cases.push({
      index: cases.length,
      name: (description as string | undefined) || `#${i + 1}`,
      input,
      fields: { ...optionalHash(c.event, `${where}.event`, fail), ...optionalHash(c.fields, `${where}.fields`, fail) },
      expected: events(c.expected, `${where}.expected`, fail),
      expectedPath: ['testcases', i, 'expected'],
    });
  });
  if (cases.length === 0) fail('no test cases (add "testcases" with "input" and "expected")');

  const file: CaseFile = {
    path, format, text, codec: (codec as string).trim(), codecGiven: root.codec !== undefined,
    fields, ignore: [...new Set([...ignore, ...DEFAULT_IGNORED])], exportMetadata: exportMetadata as boolean, cases, warnings,
  };
  if (inputPlugin !== undefined) file.inputPlugin = inputPlugin as string;
  if (ecs !== undefined) file.ecs = ecs as EcsMode;
  return file;
}

type Fail = (msg: string) => never;

function optionalHash(v: Value | undefined, what: string, fail: Fail): Hash {
  if (v === undefined || v === null) return {};
  if (!isHash(v)) return fail(`${what} must be an object of field names and values`);
  return expandBracketKeys(v);
}

function optionalStrings(v: Value | undefined, what: string, fail: Fail): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return fail(`${what} must be a list of field names`);
  return v as string[];
}

function linesInput(v: Value | undefined, what: string, fail: Fail): CaseInput {
  if (v === undefined || v === null) return { kind: 'none' };
  // A lone string is taken as one line: YAML makes that slip easy and the intent is clear.
  if (typeof v === 'string') return { kind: 'lines', lines: [v] };
  if (!Array.isArray(v)) return fail(`${what} must be a list of lines`);
  if (v.length === 0) return { kind: 'none' };
  return { kind: 'lines', lines: v.map((x, i) => (typeof x === 'string' ? x : fail(`${what}[${i}] must be text (quote it in YAML)`))) };
}

function chunks(v: Value, what: string, encoding: 'utf8' | 'base64', fail: Fail): Buffer[] {
  const list = Array.isArray(v) ? v : [v];
  return list.map((x, i) => {
    if (typeof x !== 'string') return fail(`${what}${Array.isArray(v) ? `[${i}]` : ''} must be text`);
    if (encoding === 'base64' && !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(x)) return fail(`${what} is not valid base64`);
    return Buffer.from(x, encoding);
  });
}

function events(v: Value | undefined, what: string, fail: Fail): Hash[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return fail(`${what} must be a list of events`);
  return v.map((e, i) => (isHash(e) ? expandBracketKeys(e) : fail(`${what}[${i}] must be an object`)));
}
