/**
 * de_dot: renames fields whose names contain dots, as logstash-filter-de_dot 1.1 does (Elasticsearch 2.x
 * refused dotted names; many configs still run it).
 *
 * Each dot of a name becomes `separator` (default `_`); with `nested` the dotted name becomes nested
 * fields (`a.b` → `[a][b]`). `fields` limits the renaming to these field references (a dot anywhere in the
 * reference counts, `[acme][roller.skates]` renames the inner key); without it every top-level field is
 * looked at. `recursive` also renames the keys of hashes inside, at any depth. Renaming sets the new field
 * and removes the first dotted part of the old reference. When a rename cannot be done (`request.path`
 * nested under a `request` that holds a string) the event is tagged `tag_on_failure` and the common
 * options are not applied.
 */
import type { Event } from '../event/event.js';
import { toS } from '../event/ruby.js';
import { isHash } from '../event/values.js';
import { defineFilter, PluginConfigError } from '../plugins/api.js';

const hasDot = (s: string): boolean => s.includes('.');

/** The reference to remove: the leading segments up to and including the first one with a dot. */
function refForDelete(source: string): string {
  let ref = '';
  for (const seg of source.replace(/\[/g, '').split(']')) {
    if (hasDot(seg)) return `${ref}[${seg}]`;
    ref += `[${seg}]`;
  }
  return ref;
}

export default defineFilter({
  name: 'de_dot',
  doc: 'Replaces dots in field names with another separator, or turns dotted names into nested fields.',
  options: {
    separator: { type: 'string', default: '_', doc: 'Replaces each dot (must not contain a dot).' },
    nested: { type: 'boolean', default: false, doc: 'Make `a.b` the nested field `[a][b]` instead.' },
    recursive: { type: 'boolean', default: false, doc: 'Also rename the keys of hashes inside the fields, at any depth.' },
    fields: { type: 'array', doc: 'Field references to rename (default: every top-level field).' },
    tag_on_failure: { type: 'string', default: '_de_dot_error', doc: 'Tag added when a field cannot be renamed.' },
  },
  check: 'create',
  create(o, ctx) {
    if (o.separator.includes('.')) throw new PluginConfigError("de_dot: separator cannot be or contain '.'", 'separator');
    const separator = o.nested ? '][' : o.separator;
    const recursive = o.recursive;
    const fields = o.fields?.map((f) => toS(f));
    const failures = ctx.metrics.counter('failures');

    const rename = (event: Event, source: string): void => {
      let ref = source;
      if (separator === '][' || recursive) {
        if (!ref.startsWith('[')) ref = `[${ref}`;
        if (!ref.endsWith(']')) ref = `${ref}]`;
      }
      if (hasDot(ref)) {
        const newRef = ref.replaceAll('.', separator);
        event.set(newRef, event.get(ref) ?? null);
        event.remove(refForDelete(ref));
        ref = newRef;
      }
      if (recursive) {
        const content = event.get(ref);
        if (isHash(content)) for (const key of Object.keys(content)) rename(event, `${ref}[${key}]`);
      }
    };

    return {
      filter(event) {
        try {
          for (const ref of fields ?? Object.keys(event.data)) {
            if (event.includes(ref) && (hasDot(ref) || recursive)) rename(event, ref);
          }
          return true;
        } catch (e) {
          ctx.logger.warn('Exception caught while applying de_dot filter', { exception: e instanceof Error ? e.message : String(e) });
          event.tag(o.tag_on_failure);
          failures.inc();
          return false;
        }
      },
    };
  },
});
