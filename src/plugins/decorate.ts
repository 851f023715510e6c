/**
 * The common options every input and filter has, applied exactly as Logstash's Decorators do:
 * inputs: `type` (unless present), `add_field`, `tags`; filters on success: `add_field`, `remove_field`,
 * `add_tag`, `remove_tag`, in that order. Names and values go through sprintf.
 *
 * The runtime applies a filter's to the events it returns success for; a filter applies them itself to
 * events it makes (Logstash's `filter_matched` on a generated event: elapsed's match event, metrics' flush).
 */
import type { Event } from '../event/event.js';
import { compileSprintf, type Formatter } from '../event/sprintf.js';
import type { Value } from '../event/values.js';

type Options = Readonly<Record<string, unknown>>;

export type Decoration = (event: Event) => void;

/** add_field: a field already present becomes an array and gets the value appended (Logstash's add_fields). */
export function compileAddFields(fields: Record<string, unknown> | undefined): Decoration | undefined {
  const entries = Object.entries(fields ?? {});
  if (entries.length === 0) return undefined;
  const compiled: [Formatter, Formatter[]][] = entries.map(([name, value]) => [
    compileSprintf(name),
    (Array.isArray(value) ? value : [value]).map((v) => compileSprintf(String(v))),
  ]);
  return (event) => {
    for (const [name, values] of compiled) {
      const field = name(event);
      for (const value of values) {
        const v = value(event);
        if (event.includes(field)) {
          const cur = event.get(field);
          if (Array.isArray(cur)) cur.push(v);
          else event.set(field, [cur as Value, v]);
        } else event.set(field, v);
      }
    }
  };
}

export function compileAddTags(tags: unknown[] | undefined): Decoration | undefined {
  if (!tags || tags.length === 0) return undefined;
  const fs = tags.map((t) => compileSprintf(String(t)));
  return (event) => { for (const f of fs) event.tag(f(event)); };
}

function compileRemoveFields(fields: unknown[] | undefined): Decoration | undefined {
  if (!fields || fields.length === 0) return undefined;
  const fs = fields.map((t) => compileSprintf(String(t)));
  return (event) => { for (const f of fs) event.remove(f(event)); };
}

function compileRemoveTags(tags: unknown[] | undefined): Decoration | undefined {
  if (!tags || tags.length === 0) return undefined;
  const fs = tags.map((t) => compileSprintf(String(t)));
  return (event) => { for (const f of fs) event.untag(f(event)); };
}

export function chain(parts: (Decoration | undefined)[]): Decoration | undefined {
  const ds = parts.filter((d): d is Decoration => d !== undefined);
  if (ds.length === 0) return undefined;
  return (event) => { for (const d of ds) d(event); };
}

/** What a filter applies when it succeeds; undefined when it has none of the common options. */
export function compileFilterMatched(options: Options): Decoration | undefined {
  return chain([
    compileAddFields(options.add_field as Record<string, unknown>),
    compileRemoveFields(options.remove_field as unknown[]),
    compileAddTags(options.add_tag as unknown[]),
    compileRemoveTags(options.remove_tag as unknown[]),
  ]);
}

/** A filter's `filter_matched` for events it makes itself: a no-op when it has none of the common options. */
export function filterMatcher(options: Options): Decoration {
  return compileFilterMatched(options) ?? (() => {});
}
