/**
 * The context each plugin instance gets (its ECS mode, id, logger, a way to make codecs), and creating a
 * codec from a bare name with its declared defaults. Shared by the runtime and the config check.
 */
import type { CodecDefinition, CodecInstance, Options, PluginContext, PluginDefinition } from './api.js';
import type { EcsMode } from './options.js';
import { allOptions, loadPlugin } from './registry.js';
import { createLogger } from '../runtime/logger.js';

export interface RuntimeSettings {
  /** Pipeline-wide ECS mode (`pipeline.ecs_compatibility`, default v8 as in Logstash 8). */
  ecs: EcsMode;
}

/** Options with the declaration's defaults filled in, for plugins created from a bare name. */
export function withDefaults(def: PluginDefinition, given: Options = {}): Options {
  const out: Options = {};
  for (const [name, spec] of Object.entries(allOptions(def))) {
    if (spec.default !== undefined) out[name] = structuredClone(spec.default);
  }
  return Object.assign(out, given);
}

export function contextFor(id: string, options: Options, settings: RuntimeSettings, configDir?: string): PluginContext {
  const ecs = (options.ecs_compatibility as EcsMode | undefined) ?? settings.ecs;
  const ctx: PluginContext = {
    ecs,
    id,
    logger: createLogger(id),
    createCodec: (name, codecOptions) => createCodecByName(name, codecOptions ?? {}, { ...settings, ecs }),
  };
  if (configDir !== undefined) ctx.configDir = configDir;
  return ctx;
}

/** Create a codec from its name and (unvalidated) options; the codec inherits the given ECS mode. */
export async function createCodecByName(name: string, options: Options, settings: RuntimeSettings): Promise<CodecInstance> {
  const def = await loadPlugin('codec', name);
  if (!def) throw new Error(`unknown codec "${name}"`);
  const opts = withDefaults(def, options);
  return (def as CodecDefinition).create(opts, contextFor(name, opts, settings));
}

