import type { CodecInstance, PluginContext } from '../../plugins/api.js';

/** The input's codec: an instance from the pipeline, a codec named by string, or the input's default. */
export async function codecOf(option: unknown, fallback: string, ctx: PluginContext): Promise<CodecInstance> {
  if (option && typeof option === 'object' && typeof (option as CodecInstance).decoder === 'function') return option as CodecInstance;
  return ctx.createCodec(typeof option === 'string' ? option : fallback);
}
