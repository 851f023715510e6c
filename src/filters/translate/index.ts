/**
 * translate: replaces a field's value with its translation from a dictionary, as logstash-filter-translate
 * 3.x does with Logstash 8's option names (`source`/`target`; the deprecated `field`/`destination` still
 * work). The dictionary is the `dictionary` hash or a YAML/JSON/CSV `dictionary_path`, reloaded every
 * `refresh_interval` seconds (only when the file changed, for intervals up to 5 minutes).
 *
 * Three update modes, as the plugin has them:
 * - one value (no `iterate_on`): an array source uses its first element; the translation (or `fallback`)
 *   goes to `target`, which is left alone when present unless `override` (in-place translation overrides);
 * - `iterate_on` equal to `source`: each element of the array is looked up, the results (nil when neither a
 *   match nor a fallback) make an array in `target`;
 * - `iterate_on` an array of hashes: each hash's `source` key is looked up and its `target` key set.
 * The filter succeeds (common options applied) when something was translated or fell back, and always for
 * in-place translation. Values are compared as Ruby's `to_s` prints them (`200` matches the key "200").
 */
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Event } from '../../event/event.js';
import { inspectString, toS } from '../../event/ruby.js';
import { compileSprintf, type Formatter } from '../../event/sprintf.js';
import { isHash, type Value } from '../../event/values.js';
import { defineFilter, PluginConfigError, type FilterInstance, type Logger } from '../../plugins/api.js';
import type { ConfigValue } from '../../plugins/options.js';
import { Dictionary, DictionaryError, formatOf, readDictionary, type DictionaryFormat } from './dictionary.js';

const DEFAULT_YAML_CODE_POINT_LIMIT = 134_217_728;

export default defineFilter({
  name: 'translate',
  doc: 'Replaces field values with their translations from a dictionary (inline hash, or a YAML, JSON or CSV file reloaded on change): exact keys, regex keys, or substring replacement.',
  options: {
    source: { type: 'field_reference', doc: 'Field whose value is looked up (required; an array uses its first value unless `iterate_on`).' },
    field: { type: 'string', deprecated: 'Use `source` option instead.', doc: 'Deprecated name of `source`.' },
    target: { type: 'field_reference', doc: 'Field the translation goes to (default: `source` in ECS mode, `translation` without ECS).' },
    destination: { type: 'string', deprecated: 'Use `target` option instead.', doc: 'Deprecated name of `target`.' },
    override: { type: 'boolean', doc: 'Overwrite a target that already exists (default false; true for in-place translation).' },
    dictionary: { type: 'hash', default: {}, doc: 'The dictionary as a hash (exclusive with `dictionary_path`).' },
    dictionary_path: { type: 'path', doc: 'A YAML (`.yml`/`.yaml`), JSON (`.json`) or two-column CSV (`.csv`) dictionary file.' },
    yaml_dictionary_code_point_limit: { type: 'number', doc: 'Most code points a YAML dictionary may have (default 134217728; YAML only).' },
    yaml_load_strategy: { type: 'string', values: ['streaming', 'one_shot'], default: 'one_shot', doc: 'How YAML values are read: `one_shot` (YAML 1.1 types) or `streaming` (plain scalars: null, booleans, integers, decimals).' },
    refresh_interval: { type: 'number', default: 300, doc: 'Seconds between checks of the dictionary file (0 or less: never).' },
    refresh_behaviour: { type: 'string', values: ['merge', 'replace'], default: 'merge', doc: '`merge` keeps entries removed from the file, `replace` drops them.' },
    exact: { type: 'boolean', default: true, doc: 'Translate whole values (true) or replace every key found inside the value (false).' },
    regex: { type: 'boolean', default: false, doc: 'With `exact`, treat dictionary keys as regular expressions (first match wins).' },
    fallback: { type: 'string', doc: 'Value used when nothing matches (sprintf allowed).' },
    iterate_on: { type: 'string', doc: 'An array field to translate element by element (equal to `source`), or an array of hashes whose `source` key is translated into their `target` key.' },
  },
  // Creating it reads the dictionary file and starts a timer that close() stops: the check can create it.
  check: 'create',
  create(o, ctx) {
    const cfg = resolveConfig(o, ctx.ecs !== 'disabled', ctx.cwd);
    if (o.field !== undefined) ctx.logger.debug(`intercepting \`field\` to populate \`source\`: \`${o.field}\``);
    if (o.destination !== undefined) ctx.logger.debug(`intercepting \`destination\` to populate \`target\`: \`${o.destination}\``);
    const dictionary = new Dictionary(o.exact, o.regex);
    let reloader: FileReloader | undefined;
    if (cfg.file) {
      reloader = new FileReloader(cfg.file, dictionary, o.refresh_behaviour === 'replace', ctx.logger);
      reloader.load(true);
      if (o.refresh_interval > 0) reloader.schedule(o.refresh_interval);
    } else {
      dictionary.update(Object.entries(o.dictionary).map(([k, v]) => [k, configValue(v)]), true);
    }
    const updater = makeUpdater(cfg, dictionary);
    const inPlace = cfg.source === cfg.target;
    const failures = ctx.metrics.counter('failures');
    const instance: TranslateInstance = {
      dictionary,
      reload: () => reloader?.load(false),
      filter(event) {
        if (!updater.applies(event, cfg.override)) return false;
        try {
          return updater.update(event) || inPlace;
        } catch (err) {
          failures.inc();
          ctx.logger.error('Something went wrong when attempting to translate from dictionary', {
            exception: err instanceof Error ? err.message : String(err), source: cfg.source,
          });
          return false;
        }
      },
      close() { reloader?.stop(); },
    };
    return instance;
  },
});

/** The filter plus handles for tests (Logstash's `lookup.load_dictionary`). */
export interface TranslateInstance extends FilterInstance {
  readonly dictionary: Dictionary;
  reload(): void;
}

interface FileSpec {
  path: string;
  format: DictionaryFormat;
  codePointLimit?: number;
  yamlStrategy: 'one_shot' | 'streaming';
  /** Reload only when the file's mtime changed (refresh_interval ≤ 300 s). */
  onChangeOnly: boolean;
}

interface Resolved {
  source: string;
  target: string;
  override: boolean;
  fallback?: Formatter;
  iterateOn?: string;
  file?: FileSpec;
}

interface TypedOptions {
  source?: string; field?: string; target?: string; destination?: string; override?: boolean;
  dictionary: Record<string, ConfigValue>; dictionary_path?: string; yaml_dictionary_code_point_limit?: number;
  yaml_load_strategy: 'streaming' | 'one_shot'; refresh_interval: number; fallback?: string; iterate_on?: string;
}

/** register's checks and defaults, in its order and with its messages. */
function resolveConfig(o: TypedOptions, ecs: boolean, cwd: string): Resolved {
  if (o.dictionary_path !== undefined && Object.keys(o.dictionary).length > 0) {
    throw new PluginConfigError("The configuration options 'dictionary' and 'dictionary_path' are mutually exclusive", 'dictionary_path', 'keep one of the two');
  }
  let file: FileSpec | undefined;
  if (o.dictionary_path !== undefined) {
    const path = isAbsolute(o.dictionary_path) ? o.dictionary_path : resolve(cwd, o.dictionary_path);
    const format = formatOf(o.dictionary_path);
    const limit = o.yaml_dictionary_code_point_limit;
    if (format === 'yaml') {
      const effective = limit ?? DEFAULT_YAML_CODE_POINT_LIMIT;
      if (effective <= 0) throw new PluginConfigError(`Please set a positive number in \`yaml_dictionary_code_point_limit => ${effective}\`.`, 'yaml_dictionary_code_point_limit');
    } else if (limit !== undefined) {
      throw new PluginConfigError('Please remove `yaml_dictionary_code_point_limit` for dictionary file in JSON or CSV format', 'yaml_dictionary_code_point_limit');
    }
    if (format === undefined) throw new PluginConfigError(`Translate: Dictionary ${o.dictionary_path} has a non valid format`, 'dictionary_path', 'name the file .yml, .yaml, .json or .csv');
    file = {
      path, format, yamlStrategy: o.yaml_load_strategy, onChangeOnly: o.refresh_interval <= 300,
      ...(format === 'yaml' ? { codePointLimit: limit ?? DEFAULT_YAML_CODE_POINT_LIMIT } : {}),
    };
  }
  let source = o.source;
  if (o.field !== undefined) {
    if (source !== undefined) throw new PluginConfigError(`Please remove \`field => ${inspectString(o.field)}\` and only set the \`source => ...\` option instead`, 'field');
    source = o.field;
  }
  if (source === undefined) throw new PluginConfigError('No source field specified, please provide the `source => ...` option', 'source');
  let target = o.target;
  if (o.destination !== undefined) {
    if (target !== undefined) throw new PluginConfigError(`Please remove \`destination => ${inspectString(o.destination)}\` and only set the \`target => ...\` option instead`, 'destination');
    target = o.destination;
  }
  target ??= ecs ? source : 'translation';
  let override = o.override;
  if (source === target) {
    if (override === false) throw new PluginConfigError('Configuring `override => false` with in-place translation has no effect, please remove the option', 'override');
    override = true;
  }
  return {
    source, target, override: override ?? false,
    ...(o.fallback === undefined ? {} : { fallback: compileSprintf(o.fallback) }),
    ...(o.iterate_on === undefined ? {} : { iterateOn: o.iterate_on }),
    ...(file ? { file } : {}),
  };
}

function configValue(v: ConfigValue): Value {
  if (Array.isArray(v)) return v.map(configValue);
  if (isHash(v)) {
    const h: Record<string, Value> = {};
    for (const [k, x] of Object.entries(v)) h[k] = configValue(x as ConfigValue);
    return h;
  }
  return v as Value;
}

// ---- updaters ---------------------------------------------------------------------------------------

interface Updater {
  applies(event: Event, override: boolean): boolean;
  update(event: Event): boolean;
}

/** Ruby's to_s of the value to look up (a String as it is; an Array's first element). */
function lookupKey(v: Value | undefined): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return toS(v[0] ?? null);
  return toS(v ?? null);
}

function makeUpdater(cfg: Resolved, dict: Dictionary): Updater {
  const { source, target, fallback } = cfg;
  if (cfg.iterateOn === undefined) {
    return {
      applies: (e, override) => (override || !e.includes(target)) && e.includes(source),
      update(e) {
        const found = dict.lookup(lookupKey(e.get(source)));
        if (found !== undefined) { e.set(target, found); return true; }
        if (fallback) { e.set(target, fallback(e)); return true; }
        return false;
      },
    };
  }
  const iterateOn = cfg.iterateOn;
  if (iterateOn === source) {
    return {
      applies: (e, override) => (override || !e.includes(target)) && e.includes(iterateOn),
      update(e) {
        const items = rubyArray(e.get(iterateOn));
        const fb = fallback ? fallback(e) : null;
        const out: Value[] = items.map((item) => {
          const found = dict.lookup(toS(item));
          return found !== undefined ? found : fb;
        });
        e.set(target, out);
        return out.some((v) => v !== null && v !== false);
      },
    };
  }
  const base = bracketed(iterateOn);
  const inner = bracketed(source);
  const dest = bracketed(target);
  return {
    applies: (e) => e.includes(iterateOn),
    update(e) {
      const items = rubyArray(e.get(iterateOn));
      let any = false;
      for (let i = 0; i < items.length; i++) {
        const v = e.get(`${base}[${i}]${inner}`);
        if (v === undefined || v === null) continue;
        const found = dict.lookup(toS(v));
        if (found !== undefined) { e.set(`${base}[${i}]${dest}`, found); any = true; }
        else if (fallback) { e.set(`${base}[${i}]${dest}`, fallback(e)); any = true; }
      }
      return any;
    },
  };
}

/** Ruby's Array(): nil → [], an array as it is, a hash → its pairs, anything else wrapped. */
function rubyArray(v: Value | undefined): Value[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  if (isHash(v)) return Object.entries(v).map(([k, x]) => [k, x]);
  return [v];
}

function bracketed(f: string): string {
  return f.startsWith('[') && f.endsWith(']') ? f : `[${f}]`;
}

// ---- file reloading ---------------------------------------------------------------------------------

class FileReloader {
  #mtime = Number.NaN;
  #timer: NodeJS.Timeout | undefined;
  readonly #warnedKeys = new Set<string>();

  constructor(readonly spec: FileSpec, readonly dict: Dictionary, readonly replace: boolean, readonly logger: Logger) {}

  /** Read the file into the dictionary. At start-up a bad file is a config error; later it is logged. */
  load(initial: boolean): void {
    const { path, format } = this.spec;
    try {
      this.#mtime = statSync(path).mtimeMs;
      const text = readFileSync(path, 'utf8');
      const entries = readDictionary(text, {
        format,
        ...(this.spec.codePointLimit === undefined ? {} : { codePointLimit: this.spec.codePointLimit }),
        yamlStrategy: this.spec.yamlStrategy,
        onIgnoredKey: (k) => {
          if (this.#warnedKeys.has(k)) return;
          this.#warnedKeys.add(k);
          this.logger.warn(`dictionary key ${k} is not a string and never matches; quote it in ${path}`);
        },
      });
      this.dict.update(entries, this.replace);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.logger.warn('dictionary file read failure, continuing with old dictionary', { path });
        return;
      }
      const message = `Translate: ${err instanceof DictionaryError || err instanceof Error ? err.message : String(err)} when loading dictionary file at ${path}`;
      if (initial) throw new PluginConfigError(message, 'dictionary_path');
      this.logger.warn(`${message}, continuing with old dictionary`, { dictionary_path: path });
    }
  }

  schedule(seconds: number): void {
    this.#timer = setInterval(() => {
      if (this.spec.onChangeOnly) {
        let mtime: number;
        try { mtime = statSync(this.spec.path).mtimeMs; } catch { this.load(false); return; }
        if (mtime === this.#mtime) return;
      }
      this.load(false);
    }, seconds * 1000);
    this.#timer.unref();
  }

  stop(): void { if (this.#timer) clearInterval(this.#timer); }
}
