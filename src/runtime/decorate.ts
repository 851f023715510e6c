/**
 * The common options applied by the runtime: a filter's on success (src/plugins/decorate.ts, shared with
 * plugins that decorate events they make) and an input's on each of its events.
 */
import type { PlanOptions as Options, PluginPlan } from '../config/plan.js';
import type { Event } from '../event/event.js';
import type { InputInstance } from '../plugins/api.js';
import { chain, compileAddFields, compileAddTags, type Decoration } from '../plugins/decorate.js';

export { compileFilterMatched } from '../plugins/decorate.js';

/** What an input applies to each of its events. */
export function compileInputDecoration(options: Options): Decoration | undefined {
  const type = options.type as string | undefined;
  return chain([
    type ? (event) => { if (!event.includes('type')) event.set('type', type); } : undefined,
    compileAddFields(options.add_field as Record<string, unknown>),
    compileAddTags(options.tags as unknown[]),
  ]);
}

/**
 * Decode one chunk an input pushed (`InputSink.pushChunk`) into its events, each decorated with the
 * input's common options as `push` would. Used on the worker threads and, until they are ready, on the
 * pipeline thread. A decoration that fails (add_field into a scalar) is reported and the event kept.
 */
export function chunkDecoder(input: InputInstance, plan: PluginPlan, warn: (key: string, message: string, fields: Record<string, unknown>) => void): (bytes: Buffer, context: string | undefined) => Event[] {
  const decorate = compileInputDecoration(plan.options);
  return (bytes, context) => {
    const events: Event[] = [];
    const decoder = input.decoderForChunks?.((e) => {
      if (decorate) {
        try { decorate(e); } catch (err) {
          warn(plan.id, `input ${plan.id}: could not decorate an event; it is kept as it is`, { reason: err instanceof Error ? err.message : String(err) });
        }
      }
      events.push(e);
    }, context);
    if (!decoder) throw new Error(`input ${plan.id} cannot be decoded in chunks`);
    decoder.push(bytes);
    decoder.end();
    return events;
  };
}
