/**
 * Turns validated plans into running plugin instances: builds each plugin's context, resolves its codec
 * (the planned one, or the plugin's declared default), and calls `create` once.
 */
import type { CodecPlan, PluginPlan } from '../config/plan.js';
import { isCodecPlan } from '../config/plan.js';
import type {
  CodecDefinition, CodecInstance, FilterDefinition, FilterInstance, InputDefinition, InputInstance, Options,
  OutputDefinition, OutputInstance,
} from '../plugins/api.js';
import type { EcsMode } from '../plugins/options.js';
import { contextFor, createCodecByName, type RuntimeSettings } from '../plugins/context.js';

export { createCodecByName, withDefaults, type RuntimeSettings } from '../plugins/context.js';

export async function createCodec(plan: CodecPlan, settings: RuntimeSettings): Promise<CodecInstance> {
  const def = plan.definition as CodecDefinition;
  return def.create(plan.options, contextFor(plan.name, plan.options, settings));
}

/**
 * Replace the `codec` option by a CodecInstance: the planned codec, else a codec named by string, else the
 * plugin's declared default codec.
 */
async function resolveCodec(plan: PluginPlan, settings: RuntimeSettings): Promise<Options> {
  const options = { ...plan.options };
  const ecs = (options.ecs_compatibility as EcsMode | undefined) ?? settings.ecs;
  const codec = options.codec;
  if (isCodecPlan(codec)) {
    // A codec inherits its plugin's ECS mode unless it sets its own.
    const codecOptions = { ...codec.options };
    codecOptions.ecs_compatibility ??= ecs;
    options.codec = await createCodec({ ...codec, options: codecOptions }, settings);
  } else if (typeof codec === 'string') {
    options.codec = await createCodecByName(codec, {}, { ...settings, ecs });
  } else if (codec === undefined) {
    const fallback = plan.definition.options.codec?.default;
    if (typeof fallback === 'string') options.codec = await createCodecByName(fallback, {}, { ...settings, ecs });
  }
  return options;
}

function configDirOf(plan: PluginPlan): string | undefined {
  const f = plan.location.file;
  return f && f !== 'config string' ? f.replace(/[/\\][^/\\]*$/, '') : undefined;
}

export async function createInput(plan: PluginPlan, settings: RuntimeSettings): Promise<InputInstance> {
  const options = await resolveCodec(plan, settings);
  return (plan.definition as InputDefinition).create(options, contextFor(plan.id, options, settings, configDirOf(plan)));
}

export async function createFilter(plan: PluginPlan, settings: RuntimeSettings): Promise<FilterInstance> {
  return (plan.definition as FilterDefinition).create(plan.options, contextFor(plan.id, plan.options, settings, configDirOf(plan)));
}

export async function createOutput(plan: PluginPlan, settings: RuntimeSettings): Promise<OutputInstance> {
  const options = await resolveCodec(plan, settings);
  return (plan.definition as OutputDefinition).create(options, contextFor(plan.id, options, settings, configDirOf(plan)));
}
