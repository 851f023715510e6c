/**
 * clone: one copy of the event per entry of `clones`, as logstash-filter-clone 4.2 does. Each copy goes
 * through the common options (add_field, add_tag, remove_…); the original does not (the plugin never calls
 * filter_matched on it). Legacy mode (`ecs_compatibility => disabled`) sets the copy's `type` to the clone
 * name; ECS mode keeps `type` and appends the name to the copy's `tags` (no de-duplication, as the plugin's
 * `tags << name`). Copies follow the original through the rest of the pipeline.
 */
import type { Event } from '../event/event.js';
import { toS } from '../event/ruby.js';
import type { Value } from '../event/values.js';
import { defineFilter } from '../plugins/api.js';
import { filterMatcher } from '../plugins/decorate.js';

export default defineFilter({
  name: 'clone',
  doc: 'Duplicates events: one copy per name in `clones`, named by `type` (legacy) or a tag (ECS).',
  options: {
    clones: { type: 'array', required: true, doc: 'One copy is made per entry; the entry names the copy (its `type`, or a tag in ECS mode).' },
  },
  create(o, ctx) {
    const names = o.clones.map((c) => toS(c));
    if (names.length === 0) ctx.logger.warn("The parameter 'clones' is empty, so no clones will be created.");
    const matched = filterMatcher(o);
    const legacy = ctx.ecs === 'disabled';
    const mark = legacy
      ? (e: Event, name: string): void => { e.set('type', name); }
      : (e: Event, name: string): void => {
        const cur = e.get('tags');
        const tags: Value[] = Array.isArray(cur) ? cur : cur === undefined || cur === null ? [] : [cur];
        tags.push(name);
        e.set('tags', tags);
      };
    return {
      filter(event, emit) {
        for (const name of names) {
          const copy = event.clone();
          mark(copy, name);
          matched(copy);
          ctx.logger.debug('Cloned event', { clone: name });
          emit(copy);
        }
        // The original is not "matched": its add_tag/add_field are not applied.
        return false;
      },
    };
  },
});
