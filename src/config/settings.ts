/**
 * Logstash's settings (logstash.yml, pipelines.yml and the command-line flags), declared once as data,
 * the way plugin options are: type, default, allowed values. From the catalogue come the YAML readers'
 * validation (an unknown key or a bad value is an error at file:line with the nearest name), the CLI's
 * flags, and the per-pipeline subset pipelines.yml may set.
 *
 * Precedence is Logstash's: a flag beats logstash.yml, which beats the default; a pipelines.yml entry
 * beats both for its pipeline. Values may use `${VAR}` and `${VAR:default}` as Logstash allows.
 */
import { cpus, hostname } from 'node:os';
import { join } from 'node:path';
import { parseDocument, LineCounter, isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import { parseBytes } from '../plugins/coerce.js';
import { CODES } from './codes.js';
import type { Diagnostic } from './diagnostics-types.js';
import { nearestName } from './diagnostics.js';
import { substituteEnv, UndefinedVariableError, type Env } from './literals.js';

export type SettingType = 'string' | 'boolean' | 'positive_integer' | 'integer' | 'bytes' | 'time_value' | 'port_range' | 'array' | 'path';

export interface SettingSpec {
  type: SettingType;
  /** The default, or how to compute it from the other settings (`path.queue` from `path.data`). */
  default?: unknown | ((s: Settings) => unknown);
  values?: readonly string[];
  doc: string;
  /** Settable per pipeline in pipelines.yml. */
  perPipeline?: boolean;
  /** Accepted for compatibility and ignored, with a warning saying why. */
  ignored?: string;
  /** An older name of another setting (Logstash 8 warns and uses the new one). */
  alias?: string;
}

const pathData = (s: Settings): string => s.get('path.data') as string;

/** Every setting sluice knows, by Logstash's name (logstash-core's environment.rb and settings docs). */
export const SETTINGS: Readonly<Record<string, SettingSpec>> = {
  'node.name': { type: 'string', default: () => hostname(), doc: 'A descriptive name for the node.' },
  'path.data': { type: 'path', default: undefined, doc: 'Where sluice and its plugins keep state (queues, sincedb, DLQ). Locked by one process.' },
  'path.config': { type: 'string', perPipeline: true, doc: 'Config file, directory or glob of the main pipeline.' },
  'config.string': { type: 'string', perPipeline: true, doc: 'Config text of the main pipeline.' },
  'config.test_and_exit': { type: 'boolean', default: false, doc: 'Check the configuration and exit.' },
  'config.reload.automatic': { type: 'boolean', default: false, perPipeline: true, doc: 'Reload the config when its files change.' },
  'config.reload.interval': { type: 'time_value', default: 3000, perPipeline: true, doc: 'How often to check config files for changes (e.g. `3s`).' },
  'config.support_escapes': { type: 'boolean', default: false, doc: 'Interpret `\\n`, `\\t`, … in quoted config strings.' },
  'config.debug': { type: 'boolean', default: false, perPipeline: true, doc: 'Log the compiled config at debug level.' },
  'config.field_reference.escape_style': { type: 'string', default: 'none', values: ['none', 'percent', 'ampersand'], doc: 'Escapes in field references.', ignored: 'only `none` is implemented' },
  'metric.collect': { type: 'boolean', default: true, perPipeline: true, doc: 'Collect metrics.' },
  'pipeline.id': { type: 'string', default: 'main', perPipeline: true, doc: 'The id of the main pipeline.' },
  'pipeline.system': { type: 'boolean', default: false, perPipeline: true, doc: 'Logstash internal pipelines.', ignored: 'no system pipelines' },
  'pipeline.workers': { type: 'positive_integer', default: () => cpus().length, perPipeline: true, doc: 'Batches processed concurrently (default: the number of cores).' },
  // sluice's own: not in Logstash.
  'pipeline.worker_threads': { type: 'boolean', default: false, perPipeline: true, doc: 'sluice only: run the filters of `pipeline.workers` on worker threads (up to the number of cores); off, the workers are concurrent batches on the pipeline thread. See the README for what it costs in memory.' },
  'pipeline.batch.size': { type: 'positive_integer', default: 125, perPipeline: true, doc: 'Events per batch.' },
  'pipeline.batch.delay': { type: 'integer', default: 50, perPipeline: true, doc: 'Milliseconds to wait for a batch to fill.' },
  'pipeline.unsafe_shutdown': { type: 'boolean', default: false, perPipeline: true, doc: 'Exit on a stalled shutdown even if events in memory are lost.' },
  'pipeline.ordered': { type: 'string', default: 'auto', values: ['auto', 'true', 'false'], perPipeline: true, doc: 'Keep event order (needs one worker).' },
  'pipeline.ecs_compatibility': { type: 'string', default: 'v8', values: ['disabled', 'v1', 'v8'], perPipeline: true, doc: 'Default ECS mode of plugins.' },
  'pipeline.reloadable': { type: 'boolean', default: true, perPipeline: true, doc: 'Whether the pipeline may be reloaded.' },
  'pipeline.plugin_classloaders': { type: 'boolean', default: false, perPipeline: true, doc: 'Java class loaders.', ignored: 'no Java plugins' },
  'pipeline.separate_logs': { type: 'boolean', default: false, doc: 'One log file per pipeline.', ignored: 'logs name their pipeline instead' },
  'pipeline.output.workers': { type: 'positive_integer', default: 1, perPipeline: true, doc: 'Obsolete Logstash 5 setting.', ignored: 'obsolete in Logstash' },
  'pipeline.batch.metrics.sampling_mode': { type: 'string', default: 'minimal', perPipeline: true, doc: 'Batch metrics sampling.', ignored: 'every batch is measured' },
  'pipeline.buffer.type': { type: 'string', default: 'heap', values: ['direct', 'heap'], doc: 'Java buffer type.', ignored: 'no Java heap' },
  'path.plugins': { type: 'array', default: [], doc: 'Directories of custom Ruby plugins.', ignored: 'plugins are built in' },
  'path.logs': { type: 'path', doc: 'Also write logs to a file in this directory.' },
  'path.settings': { type: 'path', doc: 'Directory of logstash.yml and pipelines.yml (command line only).' },
  'log.level': { type: 'string', default: 'info', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'], doc: 'Log level.' },
  'log.format': { type: 'string', default: 'plain', values: ['plain', 'json'], doc: 'Log format.' },
  'log.format.json.fix_duplicate_message_fields': { type: 'boolean', default: false, doc: 'JSON log message field naming.', ignored: 'JSON logs keep data apart from `msg`' },
  'queue.type': { type: 'string', default: 'memory', values: ['memory', 'persisted'], perPipeline: true, doc: 'Memory or persisted queue.' },
  'path.queue': { type: 'path', default: (s: Settings) => join(pathData(s), 'queue'), perPipeline: true, doc: 'Directory of persisted queues (one folder per pipeline).' },
  'queue.page_capacity': { type: 'bytes', default: 64 * 1024 * 1024, perPipeline: true, doc: 'Size of one queue page file.' },
  'queue.max_events': { type: 'integer', default: 0, perPipeline: true, doc: 'Most unread events in the queue (0: no limit).' },
  'queue.max_bytes': { type: 'bytes', default: 1024 * 1024 * 1024, perPipeline: true, doc: 'Most bytes the queue may take on disk.' },
  'queue.checkpoint.acks': { type: 'integer', default: 1024, perPipeline: true, doc: 'Acknowledged events between checkpoints (0: no limit).' },
  'queue.checkpoint.writes': { type: 'integer', default: 1024, perPipeline: true, doc: 'Written events between checkpoints (0: no limit).' },
  'queue.checkpoint.interval': { type: 'integer', default: 1000, perPipeline: true, doc: 'Milliseconds between checkpoints of the head page (0: none).' },
  'queue.checkpoint.retry': { type: 'boolean', default: true, perPipeline: true, doc: 'Retry failed checkpoint writes (Windows).' },
  'queue.drain': { type: 'boolean', default: false, perPipeline: true, doc: 'Deliver everything in the persisted queue before shutting down.' },
  'queue.compression': { type: 'string', default: 'none', values: ['none', 'speed', 'balanced', 'size'], perPipeline: true, doc: 'Compression of queue pages.', ignored: 'pages are stored uncompressed' },
  'dead_letter_queue.enable': { type: 'boolean', default: false, perPipeline: true, doc: 'Keep events outputs reject for good.' },
  'dead_letter_queue.max_bytes': { type: 'bytes', default: 1024 * 1024 * 1024, perPipeline: true, doc: 'Most bytes of one pipeline\'s DLQ.' },
  'dead_letter_queue.storage_policy': { type: 'string', default: 'drop_newer', values: ['drop_newer', 'drop_older'], perPipeline: true, doc: 'What gives when the DLQ is full.' },
  'dead_letter_queue.flush_interval': { type: 'integer', default: 5000, perPipeline: true, doc: 'Milliseconds before a DLQ segment is finalized when idle.' },
  'dead_letter_queue.retain.age': { type: 'string', perPipeline: true, doc: 'Age after which DLQ segments are deleted (`5d`, `12h`, `30m`, `60s`).' },
  'path.dead_letter_queue': { type: 'path', default: (s: Settings) => join(pathData(s), 'dead_letter_queue'), perPipeline: true, doc: 'Directory of dead letter queues.' },
  'api.enabled': { type: 'boolean', default: true, doc: 'Serve the monitoring API.' },
  'api.environment': { type: 'string', default: 'production', doc: 'Environment reported by the API.' },
  'api.http.host': { type: 'string', default: '127.0.0.1', doc: 'Address of the monitoring API.' },
  'api.http.port': { type: 'port_range', default: [9600, 9700], doc: 'Port or port range (`9600-9700`) of the monitoring API.' },
  'api.auth.type': { type: 'string', default: 'none', values: ['none', 'basic'], doc: 'API authentication.' },
  'api.auth.basic.username': { type: 'string', doc: 'API user with basic auth.' },
  'api.auth.basic.password': { type: 'string', doc: 'API password with basic auth.' },
  'api.auth.basic.password_policy.mode': { type: 'string', default: 'WARN', values: ['WARN', 'ERROR'], doc: 'What a weak API password does.' },
  'api.ssl.enabled': { type: 'boolean', default: false, doc: 'Serve the API over TLS.' },
  'api.ssl.keystore.path': { type: 'path', doc: 'Java keystore of the API\'s certificate.', ignored: 'use api.ssl.certificate and api.ssl.key (PEM)' },
  'api.ssl.keystore.password': { type: 'string', doc: 'Keystore password.', ignored: 'use PEM files' },
  'api.ssl.certificate': { type: 'path', doc: 'PEM certificate of the API (sluice; Logstash takes a keystore).' },
  'api.ssl.key': { type: 'path', doc: 'PEM key of the API certificate (sluice).' },
  'api.ssl.supported_protocols': { type: 'array', default: [], doc: 'TLS versions of the API.' },
  'http.enabled': { type: 'boolean', alias: 'api.enabled', doc: 'Deprecated name of api.enabled.' },
  'http.host': { type: 'string', alias: 'api.http.host', doc: 'Deprecated name of api.http.host.' },
  'http.port': { type: 'port_range', alias: 'api.http.port', doc: 'Deprecated name of api.http.port.' },
  'http.environment': { type: 'string', alias: 'api.environment', doc: 'Deprecated name of api.environment.' },
  'allow_superuser': { type: 'boolean', default: true, doc: 'Allow running as root.', ignored: 'sluice does not check' },
  'event_api.tags.illegal': { type: 'string', default: 'rename', values: ['rename', 'warn'], doc: 'Writing a non-array `tags`.', ignored: 'tags are kept as written' },
  'keystore.file': { type: 'path', doc: 'Logstash secrets keystore.', ignored: 'use environment variables' },
  'keystore.classname': { type: 'string', doc: 'Keystore implementation.', ignored: 'no keystore' },
  'slowlog.threshold.warn': { type: 'time_value', doc: 'Slow log threshold.', ignored: 'no slow log' },
  'slowlog.threshold.info': { type: 'time_value', doc: 'Slow log threshold.', ignored: 'no slow log' },
  'slowlog.threshold.debug': { type: 'time_value', doc: 'Slow log threshold.', ignored: 'no slow log' },
  'slowlog.threshold.trace': { type: 'time_value', doc: 'Slow log threshold.', ignored: 'no slow log' },
  'modules': { type: 'array', doc: 'Logstash modules.', ignored: 'modules are not supported' },
  'cloud.id': { type: 'string', doc: 'Elastic Cloud id for modules.', ignored: 'modules are not supported' },
  'cloud.auth': { type: 'string', doc: 'Elastic Cloud credentials for modules.', ignored: 'modules are not supported' },
};

/** Settings families accepted and ignored as a whole (Elastic's X-Pack features). */
const IGNORED_PREFIXES: readonly [string, string][] = [['xpack.', 'X-Pack features are not part of sluice']];

export class SettingsError extends Error {}

/** Effective settings: what was set (and where), and the defaults. */
export class Settings {
  readonly #values = new Map<string, unknown>();
  readonly #origin = new Map<string, string>();

  constructor(from?: Settings) {
    if (from) for (const [k, v] of from.#values) { this.#values.set(k, v); this.#origin.set(k, from.#origin.get(k)!); }
  }

  isSet(name: string): boolean { return this.#values.has(name); }
  origin(name: string): string | undefined { return this.#origin.get(name); }

  set(name: string, value: unknown, origin: string): void {
    this.#values.set(name, value);
    this.#origin.set(name, origin);
  }

  get(name: string): unknown {
    if (this.#values.has(name)) return this.#values.get(name);
    const spec = SETTINGS[name];
    if (!spec) throw new SettingsError(`unknown setting ${name}`);
    if (name === 'path.data') return undefined;
    return typeof spec.default === 'function' ? (spec.default as (s: Settings) => unknown)(this) : spec.default;
  }

  string(name: string): string | undefined { const v = this.get(name); return v === undefined ? undefined : String(v); }
  number(name: string): number { return Number(this.get(name)); }
  boolean(name: string): boolean { return this.get(name) === true; }

  /** The names set explicitly, with their values (for the API and messages). */
  entries(): [string, unknown][] { return [...this.#values]; }
}

/** `3s`, `500ms`, `1m`, `2h`, `1d`, or a bare number of milliseconds → milliseconds. */
export function parseTimeValue(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(nanos|micros|ms|s|m|h|d)?\s*$/.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = { nanos: 1e-6, micros: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms']!;
  return n * unit;
}

/** Validate and coerce one setting's value (strings from YAML or flags), or a message saying why not. */
export function coerceSetting(name: string, raw: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  const spec = SETTINGS[name]!;
  const fail = (what: string): { ok: false; message: string } => ({ ok: false, message: `invalid value for setting \`${name}\`: expected ${what}, got ${JSON.stringify(raw)}` });
  let value: unknown = raw;
  switch (spec.type) {
    case 'string':
    case 'path':
      if (raw === null || raw === undefined || typeof raw === 'object') return fail('a string');
      value = String(raw);
      break;
    case 'boolean':
      if (raw === true || raw === 'true') value = true;
      else if (raw === false || raw === 'false') value = false;
      else return fail('true or false');
      break;
    case 'positive_integer':
    case 'integer': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
      if (!Number.isInteger(n) || (spec.type === 'positive_integer' && n < 1) || n < 0) return fail(spec.type === 'positive_integer' ? 'a positive integer' : 'an integer >= 0');
      value = n;
      break;
    }
    case 'bytes': {
      const n = parseBytes(raw);
      if (n === undefined || n < 0) return fail('a size such as `64mb` or `1gb`');
      value = n;
      break;
    }
    case 'time_value': {
      const n = parseTimeValue(raw);
      if (n === undefined) return fail('a duration such as `3s` or `500ms`');
      value = n;
      break;
    }
    case 'port_range': {
      const m = typeof raw === 'number' ? [String(raw), String(raw), String(raw)] : typeof raw === 'string' ? /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(raw) : null;
      if (!m) return fail('a port or a port range such as `9600-9700`');
      const lo = Number(m[1]);
      const hi = Number(m[2] ?? m[1]);
      if (lo < 0 || hi > 65535 || lo > hi) return fail('ports between 0 and 65535');
      value = [lo, hi];
      break;
    }
    case 'array':
      value = Array.isArray(raw) ? raw : [raw];
      break;
  }
  if (spec.values && !spec.values.includes(String(value))) {
    return { ok: false, message: `invalid value for setting \`${name}\`: expected one of ${spec.values.join(', ')}, got ${JSON.stringify(raw)}` };
  }
  return { ok: true, value };
}

export interface SettingsFileResult {
  diagnostics: Diagnostic[];
  /** The file's text (for rendering diagnostics with carets). */
  text: string;
}

interface Located { line: number; column: number }

function locate(node: Node | null | undefined, lines: LineCounter): Located {
  const offset = node?.range?.[0] ?? 0;
  const p = lines.linePos(offset);
  return { line: p.line, column: p.col };
}

/**
 * Read logstash.yml into `settings` (flat `a.b: v` keys and nested maps both), with `${VAR:default}`.
 * Problems come back as diagnostics at file:line:col; a warning names each setting accepted but ignored.
 */
export function readSettingsFile(file: string, text: string, settings: Settings, env: Env): SettingsFileResult {
  const diagnostics: Diagnostic[] = [];
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  const at = (node: Node | null | undefined): Located => locate(node, lines);
  const problem = (severity: 'error' | 'warning', code: string, where: Located, message: string, hint?: string): void => {
    const d: Diagnostic = { code, severity, message, file, line: where.line, column: where.column };
    if (hint) d.hint = hint;
    diagnostics.push(d);
  };
  for (const e of doc.errors) {
    const p = lines.linePos(e.pos[0]);
    problem('error', CODES.SETTINGS_SYNTAX, { line: p.line, column: p.col }, `not valid YAML: ${e.message.split('\n')[0]}`);
  }
  if (doc.errors.length > 0) return { diagnostics, text };
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return { diagnostics, text };
  if (!isMap(root)) {
    problem('error', CODES.SETTINGS_SYNTAX, at(root as Node), 'logstash.yml must be a map of settings (`name: value`)');
    return { diagnostics, text };
  }
  const visit = (pairs: Pair[], prefix: string): void => {
    for (const pair of pairs) {
      const keyNode = pair.key as Node;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const name = prefix ? `${prefix}.${key}` : key;
      const valueNode = pair.value as Node | null;
      if (isMap(valueNode) && !SETTINGS[name]) { visit(valueNode.items as Pair[], name); continue; }
      const where = at(keyNode);
      const ignoredFamily = IGNORED_PREFIXES.find(([p]) => name.startsWith(p));
      if (ignoredFamily) { problem('warning', CODES.SETTING_IGNORED, where, `setting \`${name}\` is ignored: ${ignoredFamily[1]}`); continue; }
      let spec = SETTINGS[name];
      if (!spec) {
        const near = nearestName(name, Object.keys(SETTINGS));
        problem('error', CODES.UNKNOWN_SETTING, where, `unknown setting \`${name}\``, near ? `did you mean \`${near}\`?` : 'see the settings listed in the README');
        continue;
      }
      let target = name;
      if (spec.alias) {
        problem('warning', CODES.SETTING_IGNORED, where, `setting \`${name}\` is deprecated; use \`${spec.alias}\``);
        target = spec.alias;
        spec = SETTINGS[target]!;
      }
      let raw: unknown = valueNode === null ? null : isSeq(valueNode) ? valueNode.toJSON() : isScalar(valueNode) ? valueNode.value : valueNode.toJSON();
      try {
        raw = substitute(raw, env);
      } catch (err) {
        if (!(err instanceof UndefinedVariableError)) throw err;
        problem('error', CODES.UNDEFINED_VARIABLE, at(valueNode), err.message, `set ${err.variable} in the environment, or give a default: \${${err.variable}:default}`);
        continue;
      }
      if (raw === null && spec.default === undefined) continue;
      const r = coerceSetting(target, raw);
      if (!r.ok) { problem('error', CODES.SETTING_VALUE, at(valueNode ?? keyNode), r.message); continue; }
      if (spec.ignored) problem('warning', CODES.SETTING_IGNORED, where, `setting \`${name}\` is accepted and ignored: ${spec.ignored}`);
      settings.set(target, r.value, `${file}:${where.line}`);
    }
  };
  visit(root.items as Pair[], '');
  return { diagnostics, text };
}

function substitute(v: unknown, env: Env): unknown {
  if (typeof v === 'string') return substituteEnv(v, env);
  if (Array.isArray(v)) return v.map((x) => substitute(x, env));
  return v;
}

/** One entry of pipelines.yml: its id, where its config comes from, and its own settings. */
export interface PipelineEntry {
  id: string;
  settings: Settings;
  /** file:line of the entry, for messages. */
  where: string;
}

/**
 * Read pipelines.yml: a list of maps, each with `pipeline.id` and `path.config` or `config.string`, plus any
 * per-pipeline setting. Each pipeline's settings start from `base` (logstash.yml and flags).
 */
export function readPipelinesFile(file: string, text: string, base: Settings, env: Env): { entries: PipelineEntry[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const entries: PipelineEntry[] = [];
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  const at = (node: Node | null | undefined): Located => locate(node, lines);
  const problem = (code: string, where: Located, message: string, hint?: string): void => {
    const d: Diagnostic = { code, severity: 'error', message, file, line: where.line, column: where.column };
    if (hint) d.hint = hint;
    diagnostics.push(d);
  };
  for (const e of doc.errors) {
    const p = lines.linePos(e.pos[0]);
    problem(CODES.SETTINGS_SYNTAX, { line: p.line, column: p.col }, `not valid YAML: ${e.message.split('\n')[0]}`);
  }
  if (doc.errors.length > 0) return { entries, diagnostics };
  const root = doc.contents;
  if (!isSeq(root)) {
    problem(CODES.SETTINGS_SYNTAX, at(root as Node), 'pipelines.yml must be a list of pipelines (`- pipeline.id: main`)');
    return { entries, diagnostics };
  }
  const ids = new Set<string>();
  for (const item of root.items as Node[]) {
    if (!isMap(item)) { problem(CODES.SETTINGS_SYNTAX, at(item), 'each pipeline must be a map of settings'); continue; }
    const settings = new Settings(base);
    const where = at(item);
    let ok = true;
    const flat: [string, Node, Node | null][] = [];
    const collect = (pairs: Pair[], prefix: string): void => {
      for (const pair of pairs) {
        const keyNode = pair.key as Node;
        const name = `${prefix}${isScalar(keyNode) ? String(keyNode.value) : String(keyNode)}`;
        const valueNode = pair.value as Node | null;
        if (isMap(valueNode) && !SETTINGS[name]) collect(valueNode.items as Pair[], `${name}.`);
        else flat.push([name, keyNode, valueNode]);
      }
    };
    collect(item.items as Pair[], '');
    for (const [name, keyNode, valueNode] of flat) {
      const spec = SETTINGS[name];
      if (!spec || !spec.perPipeline) {
        ok = false;
        const near = nearestName(name, Object.keys(SETTINGS).filter((k) => SETTINGS[k]!.perPipeline));
        problem(spec ? CODES.SETTING_NOT_PER_PIPELINE : CODES.UNKNOWN_SETTING, at(keyNode),
          spec ? `setting \`${name}\` cannot be set per pipeline` : `unknown pipeline setting \`${name}\``, spec ? 'set it in logstash.yml' : near ? `did you mean \`${near}\`?` : undefined);
        continue;
      }
      let raw: unknown = valueNode === null ? null : isScalar(valueNode) ? valueNode.value : valueNode.toJSON();
      try { raw = substitute(raw, env); } catch (err) {
        if (!(err instanceof UndefinedVariableError)) throw err;
        ok = false;
        problem(CODES.UNDEFINED_VARIABLE, at(valueNode), err.message);
        continue;
      }
      const r = coerceSetting(name, raw);
      if (!r.ok) { ok = false; problem(CODES.SETTING_VALUE, at(valueNode ?? keyNode), r.message); continue; }
      settings.set(name, r.value, `${file}:${at(keyNode).line}`);
    }
    if (!ok) continue;
    const id = settings.isSet('pipeline.id') ? settings.string('pipeline.id')! : undefined;
    if (id === undefined) { problem(CODES.PIPELINE_ENTRY, where, 'a pipeline in pipelines.yml has no `pipeline.id`'); continue; }
    if (ids.has(id)) { problem(CODES.PIPELINE_ENTRY, where, `two pipelines have the id \`${id}\``, 'pipeline ids must be unique'); continue; }
    const hasPath = settings.origin('path.config')?.startsWith(file) === true;
    const hasString = settings.origin('config.string')?.startsWith(file) === true;
    if (hasPath === hasString) {
      problem(CODES.PIPELINE_ENTRY, where, `pipeline \`${id}\` needs exactly one of \`path.config\` or \`config.string\``);
      continue;
    }
    ids.add(id);
    entries.push({ id, settings, where: `${file}:${where.line}` });
  }
  return { entries, diagnostics };
}

/** Apply `--name value` command-line settings (validated like the file's). Throws SettingsError. */
export function applyFlag(settings: Settings, name: string, raw: unknown): void {
  let spec = SETTINGS[name];
  if (!spec) throw new SettingsError(`unknown setting \`${name}\``);
  let target = name;
  if (spec.alias) { target = spec.alias; spec = SETTINGS[target]!; }
  const r = coerceSetting(target, raw);
  if (!r.ok) throw new SettingsError(r.message);
  settings.set(target, r.value, 'command line');
}
