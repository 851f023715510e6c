/**
 * The common options applied by the runtime: a filter's on success (src/plugins/decorate.ts, shared with
 * plugins that decorate events they make) and an input's on each of its events.
 */
import type { PlanOptions as Options } from '../config/plan.js';
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
