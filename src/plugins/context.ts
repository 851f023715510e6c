/**
 * The context each plugin instance gets (its ECS mode, id, logger, metrics, a way to make codecs, where
 * relative paths resolve), and creating a codec from a bare name with its declared defaults. Shared by
 * the runtime and the config check: whoever creates plugins says what services they get.
 */
import { join } from 'node:path';
import type { CodecInstance, FilterInstance, Logger, PipelineBus, PluginContext, PluginDefinition, PluginKind, PluginMetrics, ResolvedOptions } from './api.js';
import type { EcsMode } from './options.js';
import { coerceOption } from './coerce.js';
import { loadPlugin } from './registry.js';
import { getLogger } from '../services/logger.js';
import { detachedMetrics } from '../services/metrics.js';
import { PACKAGE_ROOT } from '../services/package.js';

/** What plugins of one pipeline share. Everything but the ECS mode has a default. */
export interface RuntimeSettings {
  /** Pipeline-wide ECS mode (`pipeline.ecs_compatibility`, default v8 as in Logstash 8). */
  ecs: EcsMode;
  /** `pipeline.id` (default `main`). */
  pipelineId?: string;
  /** Where relative paths in options resolve (default: the working directory). */
  cwd?: string;
  /** `path.data` (default: `data/` in the installation, as Logstash's LOGSTASH_HOME/data). */
  dataDir?: string;
  /** Metrics of a plugin instance (default: metrics nobody reads). */
  metricsFor?: (kind: PluginKind, id: string, name: string) => PluginMetrics;
  /** Logger of a plugin instance (default: `logstash.<kind>s.<name>` bound to the pipeline and the id). */
  loggerFor?: (kind: PluginKind, id: string, name: string) => Logger;
  /** The process's pipeline bus (pipeline-to-pipeline). */
  bus?: PipelineBus;
}

export const DEFAULT_DATA_DIR = join(PACKAGE_ROOT, 'data');

/**
 * Options for a plugin created in code (a codec by name, a filter inside another plugin): the given values
 * validated and coerced by the same rules as a config's, the declaration's defaults filled in. A value the
 * declaration refuses is an error naming the option; one it does not declare is passed through unchanged
 * (created objects such as a codec instance).
 */
export function withDefaults(def: PluginDefinition, given: Record<string, unknown> = {}, cwd = process.cwd()): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(def.allOptions)) {
    if (spec.default !== undefined && spec.type !== 'codec') values[name] = structuredClone(spec.default);
  }
  Object.assign(values, given);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    const spec = def.allOptions[name];
    if (!spec || spec.type === 'codec' || value === undefined) { out[name] = value; continue; }
    const r = coerceOption(spec, value, { cwd });
    if (!r.ok) throw new Error(`${def.kind} ${def.name}: invalid value for option \`${name}\`: ${r.message}`);
    if (r.value !== undefined) out[name] = r.value;
  }
  return out;
}

export function contextFor(kind: PluginKind, name: string, id: string, options: ResolvedOptions, settings: RuntimeSettings): PluginContext {
  const ecs = (options.ecs_compatibility as EcsMode | undefined) ?? settings.ecs;
  const pipelineId = settings.pipelineId ?? 'main';
  return {
    id,
    pipelineId,
    ecs,
    logger: settings.loggerFor?.(kind, id, name) ?? getLogger(`logstash.${kind}s.${name}`, pipelineId, id),
    metrics: settings.metricsFor?.(kind, id, name) ?? detachedMetrics(kind, id, name),
    cwd: settings.cwd ?? process.cwd(),
    dataDir: settings.dataDir ?? DEFAULT_DATA_DIR,
    createCodec: (codec, codecOptions) => createCodecByName(codec, codecOptions ?? {}, { ...settings, ecs }),
    bus: settings.bus,
    createFilter: (filter, filterOptions) => createFilterByName(filter, `${id}_${filter}`, filterOptions ?? {}, { ...settings, ecs }),
  };
}

/** Create a filter from its name and (unvalidated) options, inside another plugin. */
export async function createFilterByName(name: string, id: string, options: Record<string, unknown>, settings: RuntimeSettings): Promise<FilterInstance> {
  const def = await loadPlugin('filter', name);
  if (!def) throw new Error(`unknown filter "${name}"`);
  const opts = withDefaults(def, options, settings.cwd);
  return def.create(opts, contextFor('filter', name, id, opts, settings));
}

/** Create a codec from its name and (unvalidated) options; the codec inherits the given ECS mode. */
export async function createCodecByName(name: string, options: Record<string, unknown>, settings: RuntimeSettings): Promise<CodecInstance> {
  const def = await loadPlugin('codec', name);
  if (!def) throw new Error(`unknown codec "${name}"`);
  const opts = withDefaults(def, options, settings.cwd);
  return nameCodec(await def.create(opts, contextFor('codec', name, name, opts, settings)), name, opts);
}

const CODEC_NAMES = new WeakMap<CodecInstance, { name: string; options: Readonly<Record<string, unknown>> }>();

/**
 * Remember the name and options a codec instance was created from (the runtime calls this for every codec
 * it creates).
 */
export function nameCodec(codec: CodecInstance, name: string, options: Readonly<Record<string, unknown>> = {}): CodecInstance {
  CODEC_NAMES.set(codec, { name, options });
  return codec;
}

/** The name a codec was configured by (`plain`, `json`), for inputs that report it (the beats input's codec tag). */
export function codecNameOf(codec: CodecInstance): string | undefined {
  return CODEC_NAMES.get(codec)?.name;
}

/** The options a codec was created with (for outputs that treat a codec differently by them). */
export function codecOptionsOf(codec: CodecInstance): Readonly<Record<string, unknown>> | undefined {
  return CODEC_NAMES.get(codec)?.options;
}
