/**
 * Turns validated plans into running plugin instances: builds each plugin's context, creates its codec
 * (the planned one, or the plugin's declared default; none when it declares no default), and calls `create` once. This is the one place a
 * `codec` option becomes a CodecInstance.
 */
import type { CodecPlan, PlanOptions, PluginPlan } from '../config/plan.js';
import { isCodecPlan } from '../config/plan.js';
import type { CodecInstance, FilterInstance, InputInstance, OutputInstance, PluginDefinition, PluginKind } from '../plugins/api.js';
import type { EcsMode } from '../plugins/options.js';
import { contextFor, createCodecByName, nameCodec, type RuntimeSettings } from '../plugins/context.js';

export { createCodecByName, withDefaults, type RuntimeSettings } from '../plugins/context.js';

export async function createCodec(plan: CodecPlan, settings: RuntimeSettings): Promise<CodecInstance> {
  const def = plan.definition as PluginDefinition<'codec'>;
  return nameCodec(await def.create(plan.options, contextFor('codec', plan.name, plan.name, plan.options, settings)), plan.name, plan.options);
}

/** The plugin's options with `codec` created: the planned codec, else the plugin's declared default. */
async function withCodec(plan: PluginPlan, settings: RuntimeSettings): Promise<PlanOptions> {
  const options = { ...plan.options };
  if (!('codec' in plan.definition.allOptions)) return options;
  const ecs = (options.ecs_compatibility as EcsMode | undefined) ?? settings.ecs;
  const codec = options.codec;
  if (isCodecPlan(codec)) {
    // A codec inherits its plugin's ECS mode unless it sets its own.
    const codecOptions = { ...codec.options };
    codecOptions.ecs_compatibility ??= ecs;
    options.codec = await createCodec({ ...codec, options: codecOptions }, settings);
  } else {
    const fallback = plan.definition.allOptions.codec?.default;
    if (typeof fallback === 'string') options.codec = await createCodecByName(fallback, {}, { ...settings, ecs });
  }
  return options;
}

/** The codec a plugin plan gets (the planned one or the declared default), made on its own: a worker thread encodes with it. */
export async function createPluginCodec(plan: PluginPlan, settings: RuntimeSettings): Promise<CodecInstance | undefined> {
  const codec = (await withCodec(plan, settings)).codec;
  return codec === undefined || codec === null ? undefined : codec as CodecInstance;
}

async function create<K extends PluginKind>(plan: PluginPlan, settings: RuntimeSettings): Promise<Awaited<ReturnType<PluginDefinition<K>['create']>>> {
  const def = plan.definition as PluginDefinition<K>;
  const options = await withCodec(plan, settings);
  return def.create(options, contextFor(plan.kind, plan.name, plan.id, options, settings)) as Promise<Awaited<ReturnType<PluginDefinition<K>['create']>>>;
}

export const createInput = (plan: PluginPlan, settings: RuntimeSettings): Promise<InputInstance> => create<'input'>(plan, settings);
export const createFilter = (plan: PluginPlan, settings: RuntimeSettings): Promise<FilterInstance> => create<'filter'>(plan, settings);
export const createOutput = (plan: PluginPlan, settings: RuntimeSettings): Promise<OutputInstance> => create<'output'>(plan, settings);
